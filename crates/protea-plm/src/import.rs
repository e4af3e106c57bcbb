//! Import of precomputed embeddings: an `.npy` matrix plus a TSV naming its
//! rows. Users often have vectors already (from the reference extract
//! scripts, or from `protea embed`); this pairs each row with its accession
//! and chunk so an operation can store them under an EmbeddingConfig.
//!
//! The TSV is header-driven: `accession` is required; `row` (if present must
//! equal the 0-based line index, a guard against reordered files),
//! `chunk_s` and `chunk_e` (empty = whole sequence) are optional; other
//! columns (e.g. `sequence_length`) are ignored.

use crate::error::{PlmError, Result};
use crate::npy::read_npy;
use std::path::Path;

/// One imported vector.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedVector {
    pub accession: String,
    pub chunk_s: usize,
    pub chunk_e: Option<usize>,
    pub vector: Vec<f32>,
}

/// Reads `npy` and its row index `tsv`; every row must be named exactly once.
pub fn read_precomputed(npy: &Path, tsv: &Path) -> Result<Vec<ImportedVector>> {
    let m = read_npy(npy)?;
    let text = std::fs::read_to_string(tsv).map_err(|e| PlmError::io(tsv, e))?;
    let bad = |line: usize, message: String| PlmError::Import {
        path: tsv.to_path_buf(),
        message: format!("line {line}: {message}"),
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| bad(1, "empty file".into()))?;
    let cols: Vec<&str> = header.split('\t').map(str::trim).collect();
    let find = |name: &str| cols.iter().position(|c| *c == name);
    let acc = find("accession")
        .ok_or_else(|| bad(1, format!("no `accession` column in header {cols:?}")))?;
    let (row_col, s_col, e_col) = (find("row"), find("chunk_s"), find("chunk_e"));
    let mut out = Vec::with_capacity(m.rows);
    for (i, line) in lines {
        let n = i + 1;
        let fields: Vec<&str> = line.split('\t').collect();
        let get = |c: usize| fields.get(c).map(|f| f.trim()).unwrap_or("");
        let index = out.len();
        if let Some(c) = row_col
            && get(c) != index.to_string()
        {
            return Err(bad(n, format!("`row` is {:?}, expected {index}", get(c))));
        }
        let parse = |c: Option<usize>, field: &str| -> Result<Option<usize>> {
            match c.map(get).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .parse()
                    .map(Some)
                    .map_err(|_| bad(n, format!("`{field}` {v:?} is not a number"))),
            }
        };
        let accession = get(acc);
        if accession.is_empty() {
            return Err(bad(n, "empty accession".into()));
        }
        if index >= m.rows {
            return Err(bad(
                n,
                format!("more rows named than the {} in {}", m.rows, npy.display()),
            ));
        }
        out.push(ImportedVector {
            accession: accession.to_owned(),
            chunk_s: parse(s_col, "chunk_s")?.unwrap_or(0),
            chunk_e: parse(e_col, "chunk_e")?,
            vector: m.row(index).to_vec(),
        });
    }
    if out.len() != m.rows {
        return Err(bad(
            text.lines().count(),
            format!(
                "{} rows named but {} has {}",
                out.len(),
                npy.display(),
                m.rows
            ),
        ));
    }
    Ok(out)
}
