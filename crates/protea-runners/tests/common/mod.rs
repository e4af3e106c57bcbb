//! A small research dataset built from real data in `shared/data`, for the runner tests.
//!
//! Provenance: ESM-2 t6 8M embeddings of 500 reviewed human proteins
//! (`embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.*`), the new experimental GOA
//! annotations between releases 226→227 and 227→228
//! (`cafa/goa_holdout_226_228/ground_truth.*.tsv`), and go-basic 2026-05-19.
//!
//! The construction is ours and simpler than the platform's export (which needs the
//! prediction pipeline): for each query protein of a delta, its K = 10 nearest annotated
//! proteins by cosine distance (itself excluded) vote for their terms and those terms'
//! is_a/part_of ancestors (the `expand_votes_to_ancestors` option; roots left out); a
//! candidate's label is 1 iff its term is in the closure of the query's new annotations.
//! Train pair v226-v227: references annotated with the 226→227 delta, every query `nk`.
//! Eval pair v227-v228: references annotated with both deltas, a query's category from
//! what it had in 226→227 (nothing: `nk`; other aspects only: `lk`; this aspect: `pk`).
//! Features filled: the KNN family, go_term_frequency, ref_annotation_density, lengths,
//! qualifier/evidence of the donor's annotation, aspect; the rest stay null.

#![allow(dead_code, unreachable_pub, clippy::too_many_arguments)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use protea_core::{Aspect, GoId};
use protea_dataset::{Frame, ParentMap, Producer, Row, manifest_for, write_dataset};

pub mod synthetic;

pub const K: usize = 10;

pub fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let needed = [
        "embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.npy",
        "cafa/goa_holdout_226_228/ground_truth.226_227.tsv",
        "go/go-basic.2026-05-19.obo.gz",
    ];
    if needed.iter().all(|f| dir.join(f).is_file()) {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: shared data not found at {} (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

/// A float32 C-order 2-D .npy file.
fn read_npy(path: &Path) -> (Vec<f32>, usize, usize) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(header.contains("'<f4'") && header.contains("'fortran_order': False"));
    let shape = header.split("'shape': (").nth(1).unwrap();
    let dims: Vec<usize> = shape
        .split(')')
        .next()
        .unwrap()
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let data = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect::<Vec<_>>();
    assert_eq!(data.len(), dims[0] * dims[1]);
    (data, dims[0], dims[1])
}

/// The ontology pieces the builder and the tests need.
pub struct Go {
    pub parents: HashMap<GoId, Vec<GoId>>,
    pub aspect: HashMap<GoId, Aspect>,
    pub primary: HashMap<GoId, GoId>,
}

impl Go {
    pub fn load(data: &Path) -> Go {
        let reader = protea_formats::io::open(data.join("go/go-basic.2026-05-19.obo.gz")).unwrap();
        let mut obo = protea_formats::obo::Reader::new(reader, "go-basic").unwrap();
        let mut go = Go {
            parents: HashMap::new(),
            aspect: HashMap::new(),
            primary: HashMap::new(),
        };
        for term in obo.terms() {
            let term = term.unwrap();
            if term.is_obsolete {
                continue;
            }
            let mut ps = term.is_a.clone();
            ps.extend(
                term.relationships
                    .iter()
                    .filter(|r| r.relation == protea_formats::obo::Relation::PartOf)
                    .map(|r| r.target),
            );
            go.parents.insert(term.id, ps);
            if let Some(a) = term.aspect {
                go.aspect.insert(term.id, a);
            }
            go.primary.insert(term.id, term.id);
            for alt in &term.alt_ids {
                go.primary.insert(*alt, term.id);
            }
        }
        go
    }

    pub fn closure(&self, t: GoId, out: &mut BTreeSet<GoId>) {
        if out.insert(t) {
            for p in self.parents.get(&t).into_iter().flatten() {
                self.closure(*p, out);
            }
        }
    }

    pub fn is_root(&self, t: GoId) -> bool {
        self.parents.get(&t).is_none_or(Vec::is_empty)
    }
}

struct Ann {
    term: GoId,
    qualifier: String,
    evidence: String,
}

fn read_delta(path: &Path, known: &HashMap<String, usize>, go: &Go) -> BTreeMap<String, Vec<Ann>> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut out: BTreeMap<String, Vec<Ann>> = BTreeMap::new();
    for line in file.lines().skip(1) {
        let line = line.unwrap();
        let f: Vec<&str> = line.split('\t').collect();
        if !known.contains_key(f[0]) {
            continue;
        }
        let Some(term) = GoId::parse(f[1])
            .ok()
            .and_then(|t| go.primary.get(&t).copied())
        else {
            continue; // obsolete or unknown in the 2026 release
        };
        out.entry(f[0].to_owned()).or_default().push(Ann {
            term,
            qualifier: f.get(2).unwrap_or(&"").to_string(),
            evidence: f.get(3).unwrap_or(&"").to_string(),
        });
    }
    out
}

pub struct Built {
    pub train: Frame,
    pub eval: Frame,
    pub parent_map: ParentMap,
}

fn candidates(
    pair: &str,
    queries: &BTreeMap<String, Vec<Ann>>,
    refs: &BTreeMap<String, Vec<&Ann>>,
    old: Option<&BTreeMap<String, Vec<Ann>>>,
    emb: &[f32],
    dim: usize,
    index: &HashMap<String, usize>,
    lengths: &HashMap<String, f64>,
    go: &Go,
    used: &mut BTreeSet<GoId>,
) -> Frame {
    // Pool statistics: how many references carry each term (closure), annotations per ref.
    let mut ref_closure: BTreeMap<&str, BTreeMap<GoId, &Ann>> = BTreeMap::new();
    let mut term_freq: HashMap<GoId, usize> = HashMap::new();
    for (r, anns) in refs {
        let mut c: BTreeMap<GoId, &Ann> = BTreeMap::new();
        for a in anns {
            let mut s = BTreeSet::new();
            go.closure(a.term, &mut s);
            for t in s {
                c.entry(t).or_insert(a);
            }
        }
        for t in c.keys() {
            *term_freq.entry(*t).or_default() += 1;
        }
        ref_closure.insert(r.as_str(), c);
    }
    let mut frame = Frame::default();
    for (q, anns) in queries {
        let qi = index[q];
        let qv = &emb[qi * dim..(qi + 1) * dim];
        let mut neigh: Vec<(f64, &str)> = refs
            .keys()
            .filter(|r| *r != q)
            .map(|r| {
                let ri = index[r];
                let rv = &emb[ri * dim..(ri + 1) * dim];
                let dot: f32 = qv.iter().zip(rv).map(|(a, b)| a * b).sum();
                (1.0 - f64::from(dot), r.as_str())
            })
            .collect();
        neigh.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        neigh.truncate(K);
        let mean_all = neigh.iter().map(|n| n.0).sum::<f64>() / neigh.len() as f64;
        let std_all = (neigh.iter().map(|n| (n.0 - mean_all).powi(2)).sum::<f64>()
            / neigh.len() as f64)
            .sqrt();
        let mut truth = BTreeSet::new();
        for a in anns {
            go.closure(a.term, &mut truth);
        }
        let old_aspects: BTreeSet<Aspect> = old
            .and_then(|o| o.get(q))
            .into_iter()
            .flatten()
            .filter_map(|a| go.aspect.get(&a.term).copied())
            .collect();
        // term -> (first rank, donor distance, donor, donor ann, votes, distance sum)
        let mut votes: BTreeMap<GoId, (usize, f64, &str, &Ann, usize, f64)> = BTreeMap::new();
        for (rank, (d, r)) in neigh.iter().enumerate() {
            for (t, a) in &ref_closure[r] {
                if go.is_root(*t) {
                    continue;
                }
                let e = votes.entry(*t).or_insert((rank + 1, *d, r, a, 0, 0.0));
                e.4 += 1;
                e.5 += d;
            }
        }
        for (t, (rank, d, donor, ann, n, sum_d)) in votes {
            let Some(aspect) = go.aspect.get(&t).copied() else {
                continue;
            };
            let category = if old.is_none() || old_aspects.is_empty() {
                "nk"
            } else if old_aspects.contains(&aspect) {
                "pk"
            } else {
                "lk"
            };
            let mut row = Row::new(q.clone(), t.to_string(), truth.contains(&t), category, pair);
            row.set("distance", d).unwrap();
            row.set("k_position", rank as f64).unwrap();
            row.set("vote_count", n as f64).unwrap();
            row.set("neighbor_vote_fraction", n as f64 / K as f64)
                .unwrap();
            row.set("neighbor_min_distance", d).unwrap();
            row.set("neighbor_mean_distance", sum_d / n.max(1) as f64)
                .unwrap();
            row.set("neighbor_distance_std", std_all).unwrap();
            row.set("go_term_frequency", term_freq[&t] as f64).unwrap();
            row.set("ref_annotation_density", refs[donor].len() as f64)
                .unwrap();
            row.set("length_query", lengths[q]).unwrap();
            row.set("length_ref", lengths[donor]).unwrap();
            let direct = ann.term == t;
            row.set_categorical(
                "qualifier",
                if direct { ann.qualifier.as_str() } else { "" },
            )
            .unwrap();
            row.set_categorical(
                "evidence_code",
                if direct { ann.evidence.as_str() } else { "" },
            )
            .unwrap();
            row.set_categorical("aspect", aspect.cafa_name().to_ascii_lowercase())
                .unwrap();
            used.insert(t);
            frame.rows.push(row);
        }
    }
    frame
}

pub fn build(data: &Path) -> Built {
    let (emb, n, dim) =
        read_npy(&data.join("embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.npy"));
    let ids = std::fs::read_to_string(
        data.join("embeddings/esm2_t6_8M_UR50D.meanpool_l2norm.human500.accessions.tsv"),
    )
    .unwrap();
    let mut index = HashMap::new();
    let mut lengths = HashMap::new();
    for line in ids.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        index.insert(f[1].to_owned(), f[0].parse::<usize>().unwrap());
        lengths.insert(f[1].to_owned(), f[2].parse::<f64>().unwrap());
    }
    assert_eq!(index.len(), n);
    let go = Go::load(data);
    let holdout = data.join("cafa/goa_holdout_226_228");
    let d1 = read_delta(&holdout.join("ground_truth.226_227.tsv"), &index, &go);
    let d2 = read_delta(&holdout.join("ground_truth.227_228.tsv"), &index, &go);
    let refs1: BTreeMap<String, Vec<&Ann>> = d1
        .iter()
        .map(|(p, a)| (p.clone(), a.iter().collect()))
        .collect();
    let mut refs2 = refs1.clone();
    for (p, a) in &d2 {
        refs2.entry(p.clone()).or_default().extend(a.iter());
    }
    let mut used = BTreeSet::new();
    let train = candidates(
        "v226-v227",
        &d1,
        &refs1,
        None,
        &emb,
        dim,
        &index,
        &lengths,
        &go,
        &mut used,
    );
    let eval = candidates(
        "v227-v228",
        &d2,
        &refs2,
        Some(&d1),
        &emb,
        dim,
        &index,
        &lengths,
        &go,
        &mut used,
    );
    // parent_map.json: direct parents of every candidate term and its ancestors.
    let mut closure = BTreeSet::new();
    for t in used {
        go.closure(t, &mut closure);
    }
    let parents = closure
        .iter()
        .map(|t| {
            (
                t.to_string(),
                go.parents[t].iter().map(GoId::to_string).collect(),
            )
        })
        .collect();
    Built {
        train,
        eval,
        parent_map: ParentMap::new(Some("go-basic 2026-05-19".into()), parents),
    }
}

/// Builds the dataset and writes it under `dir` with the dataset writer.
pub fn write_real_dataset(data: &Path, dir: &Path) -> Built {
    let built = build(data);
    let manifest = manifest_for(
        "human500-esm2_8m-K10-v226-v228",
        K as u32,
        "esm2_t6_8M_UR50D-meanpool-l2norm",
        "go-basic-2026-05-19",
        vec!["v226-v227".into()],
        "v227-v228",
        &Producer {
            version: env!("CARGO_PKG_VERSION").into(),
            git_sha: None,
        },
    );
    let files =
        write_dataset(&built.train, &built.eval, manifest, Some(&built.parent_map)).unwrap();
    let uri = format!("file://{}", dir.display());
    protea_runners::dataset_io::publish(&uri, &files).unwrap();
    built
}
