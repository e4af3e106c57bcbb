//! Anc2Vec signals (ecosystem.md §4.6): how close a candidate GO term lies, in a GO-term
//! embedding space the user supplies, to the terms the query's neighbours carry.
//!
//! The embedding file is the reference's `.npz`: `embeddings` (float32, N × D, D = 200 for
//! aedera/anc2vec), `go_ids` (N strings, numpy `<U` or `S` dtype) and optionally
//! `ontology_release`.

use std::collections::{BTreeSet, HashMap};
use std::io::{Read, Seek};

use crate::error::{RerankerError, Result};

/// GO-term vectors by GO id, L2-normalised on load (a zero vector = no embedding).
#[derive(Debug, Clone)]
pub struct Anc2VecIndex {
    dim: usize,
    rows: HashMap<String, usize>,
    /// Unit rows, `dim` values each.
    unit: Vec<f32>,
    pub ontology_release: Option<String>,
}

impl Anc2VecIndex {
    /// Builds an index from ids and row-major vectors.
    pub fn new(go_ids: Vec<String>, embeddings: Vec<f32>, dim: usize) -> Result<Self> {
        if dim == 0 || embeddings.len() != go_ids.len() * dim {
            return Err(RerankerError::input(
                "anc2vec embeddings",
                format!(
                    "{} values for {} ids of dimension {dim}",
                    embeddings.len(),
                    go_ids.len()
                ),
            ));
        }
        let mut unit = embeddings;
        for row in unit.chunks_mut(dim) {
            let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                row.iter_mut().for_each(|v| *v /= norm);
            }
        }
        let rows = go_ids
            .into_iter()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        Ok(Self {
            dim,
            rows,
            unit,
            ontology_release: None,
        })
    }

    /// Reads the `.npz` file (`source` names it in errors).
    pub fn from_npz<R: Read + Seek>(reader: R, source: &str) -> Result<Self> {
        let file_err = |m: String| RerankerError::File {
            path: source.to_string(),
            message: m,
        };
        let mut zip =
            zip::ZipArchive::new(reader).map_err(|e| file_err(format!("not an npz: {e}")))?;
        let mut member = |name: &str| -> Result<Option<Vec<u8>>> {
            let Ok(mut f) = zip.by_name(&format!("{name}.npy")) else {
                return Ok(None);
            };
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes)?;
            Ok(Some(bytes))
        };
        let embeddings =
            member("embeddings")?.ok_or_else(|| file_err("no `embeddings` array".into()))?;
        let go_ids = member("go_ids")?.ok_or_else(|| file_err("no `go_ids` array".into()))?;
        let release = member("ontology_release")?;
        let (shape, values) =
            npy::f32_matrix(&embeddings).map_err(|m| file_err(format!("embeddings: {m}")))?;
        let ids = npy::strings(&go_ids).map_err(|m| file_err(format!("go_ids: {m}")))?;
        if shape.0 != ids.len() {
            return Err(file_err(format!(
                "{} embedding rows for {} go_ids",
                shape.0,
                ids.len()
            )));
        }
        let mut index = Self::new(ids, values, shape.1).map_err(|e| file_err(e.to_string()))?;
        index.ontology_release = release
            .and_then(|b| npy::strings(&b).ok())
            .and_then(|v| v.into_iter().next());
        Ok(index)
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The unit vector of a GO id; `None` when absent or zero.
    pub fn unit(&self, go_id: &str) -> Option<&[f32]> {
        let row = *self.rows.get(go_id)?;
        let v = &self.unit[row * self.dim..(row + 1) * self.dim];
        v.iter().any(|&x| x != 0.0).then_some(v)
    }
}

/// The neighbour side of one (query, aspect): the unit vectors of the unique GO ids the
/// neighbours carry in that aspect, and their renormalised mean.
#[derive(Debug, Clone, Default)]
pub struct NeighbourCentroid {
    pub centroid: Option<Vec<f32>>,
    pub vectors: Vec<Vec<f32>>,
}

/// Builds the centroid of the neighbours' terms (duplicates counted once; terms without an
/// embedding skipped; `None` when the mean is zero or nothing contributes).
pub fn neighbour_centroid<'a>(
    index: &Anc2VecIndex,
    terms: impl IntoIterator<Item = &'a str>,
) -> NeighbourCentroid {
    let unique: BTreeSet<&str> = terms.into_iter().collect();
    let vectors: Vec<Vec<f32>> = unique
        .into_iter()
        .filter_map(|t| index.unit(t).map(<[f32]>::to_vec))
        .collect();
    if vectors.is_empty() {
        return NeighbourCentroid::default();
    }
    let mut mean = vec![0f32; index.dim];
    for v in &vectors {
        mean.iter_mut().zip(v).for_each(|(m, x)| *m += x);
    }
    mean.iter_mut().for_each(|m| *m /= vectors.len() as f32);
    let norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
    let centroid = (norm > 0.0).then(|| mean.iter().map(|m| m / norm).collect());
    NeighbourCentroid { centroid, vectors }
}

/// The six `anc2vec_*` columns of one candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anc2VecSignals {
    pub neighbor_cos: f64,
    pub neighbor_maxcos: f64,
    pub has_emb: f64,
    pub query_known_cos: f64,
    pub query_known_maxcos: f64,
    pub query_known_count: f64,
}

/// The signals of `candidate` against its (query, aspect) neighbour centroid. At predict
/// time the query-known columns are NaN, NaN and 0 (they are resolved at evaluation time
/// from pre-cutoff annotations).
pub fn signals(
    index: &Anc2VecIndex,
    candidate: &str,
    neighbours: &NeighbourCentroid,
) -> Anc2VecSignals {
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>() as f64;
    let (neighbor_cos, neighbor_maxcos, has_emb) = match index.unit(candidate) {
        Some(c) => (
            neighbours
                .centroid
                .as_deref()
                .map_or(f64::NAN, |m| dot(c, m)),
            neighbours
                .vectors
                .iter()
                .map(|v| dot(c, v))
                .fold(f64::NAN, f64::max),
            1.0,
        ),
        None => (f64::NAN, f64::NAN, 0.0),
    };
    Anc2VecSignals {
        neighbor_cos,
        neighbor_maxcos,
        has_emb,
        query_known_cos: f64::NAN,
        query_known_maxcos: f64::NAN,
        query_known_count: 0.0,
    }
}

/// Just enough of the `.npy` format for the Anc2Vec file.
mod npy {
    type Parsed<'a> = (&'a str, Vec<usize>, &'a [u8]);

    fn header(bytes: &[u8]) -> Result<Parsed<'_>, String> {
        if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
            return Err("not an npy array".into());
        }
        let (len, start) = match bytes[6] {
            1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
            2 | 3 if bytes.len() >= 12 => (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            ),
            v => return Err(format!("npy version {v} not supported")),
        };
        let text = bytes
            .get(start..start + len)
            .and_then(|h| std::str::from_utf8(h).ok())
            .ok_or("truncated npy header")?;
        let field = |key: &str| -> Option<&str> {
            let at = text.find(&format!("'{key}'"))? + key.len() + 2;
            Some(text[at..].trim_start_matches([':', ' ']))
        };
        let descr = field("descr")
            .and_then(|v| v.strip_prefix('\''))
            .and_then(|v| v.split('\'').next())
            .ok_or("no descr")?;
        if field("fortran_order").is_some_and(|v| v.starts_with("True")) {
            return Err("Fortran-order arrays are not supported".into());
        }
        let shape = field("shape")
            .and_then(|v| v.strip_prefix('('))
            .and_then(|v| v.split(')').next())
            .ok_or("no shape")?;
        let shape = shape
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<usize>().map_err(|_| format!("bad shape `{s}`")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((descr, shape, &bytes[start + len..]))
    }

    pub(super) fn f32_matrix(bytes: &[u8]) -> Result<((usize, usize), Vec<f32>), String> {
        let (descr, shape, data) = header(bytes)?;
        if descr != "<f4" {
            return Err(format!("dtype {descr}, expected float32 (<f4)"));
        }
        let [n, d] = shape[..] else {
            return Err(format!("shape {shape:?}, expected 2 dimensions"));
        };
        if data.len() < n * d * 4 {
            return Err("truncated data".into());
        }
        let values = data[..n * d * 4]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(((n, d), values))
    }

    pub(super) fn strings(bytes: &[u8]) -> Result<Vec<String>, String> {
        let (descr, shape, data) = header(bytes)?;
        let n: usize = shape.iter().product();
        if let Some(width) = descr.strip_prefix("<U") {
            let w: usize = width.parse().map_err(|_| format!("bad dtype {descr}"))?;
            let chunk = (w * 4).max(1);
            if data.len() < n * w * 4 {
                return Err("truncated data".into());
            }
            return Ok(data[..n * w * 4]
                .chunks(chunk)
                .take(n)
                .map(|c| {
                    c.chunks_exact(4)
                        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        .take_while(|&u| u != 0)
                        .filter_map(char::from_u32)
                        .collect()
                })
                .collect());
        }
        if let Some(width) = descr.strip_prefix("|S") {
            let w: usize = width.parse().map_err(|_| format!("bad dtype {descr}"))?;
            if data.len() < n * w {
                return Err("truncated data".into());
            }
            return Ok(data[..n * w]
                .chunks(w.max(1))
                .take(n)
                .map(|c| {
                    let end = c.iter().position(|&b| b == 0).unwrap_or(c.len());
                    String::from_utf8_lossy(&c[..end]).into_owned()
                })
                .collect());
        }
        Err(format!(
            "dtype {descr}: GO ids must be a numpy string array (<U or S), not objects"
        ))
    }
}
