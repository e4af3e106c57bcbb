//! A deliberately small OBO reader with cafaeval's exact semantics.
//!
//! It does not track stanza types: every line is trimmed and split once on `": "`; lines
//! without it (`[Term]`, `[Typedef]`, blank lines) are ignored. Each `id:` line starts a new
//! record and the previous one is kept only if it has a namespace (other than `external`) and
//! no `is_obsolete:` line of any value. `default-namespace` is never applied. Edges come from
//! `is_a:` and `relationship: part_of`; every other relationship is ignored.
//!
//! TODO(merge): swap this for the general OBO reader of `protea-formats` once both crates are
//! merged, keeping the filtering rules above in `ontology.rs`.

use std::io::BufRead;

use crate::error::{Error, Result};

/// One live, namespaced term as read from the file (edges still unresolved).
#[derive(Debug, Clone, Default)]
pub(crate) struct RawTerm {
    pub(crate) id: String,
    pub(crate) namespace: String,
    pub(crate) alt_ids: Vec<String>,
    pub(crate) parents: Vec<String>,
}

#[derive(Default)]
struct Pending {
    id: String,
    namespace: Option<String>,
    obsolete: bool,
    alt_ids: Vec<String>,
    parents: Vec<String>,
}

impl Pending {
    fn finish(self, out: &mut Vec<RawTerm>) {
        if self.obsolete || self.id.is_empty() {
            return;
        }
        if let Some(namespace) = self.namespace {
            out.push(RawTerm {
                id: self.id,
                namespace,
                alt_ids: self.alt_ids,
                parents: self.parents,
            });
        }
    }
}

/// Reads every live, namespaced record in file order (duplicates included).
pub(crate) fn read_terms(reader: impl BufRead, source: &str) -> Result<Vec<RawTerm>> {
    let mut out = Vec::new();
    let mut current: Option<Pending> = None;
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::parse(source, i + 1, "line", e.to_string()))?;
        let Some((key, value)) = line.trim().split_once(": ") else {
            continue;
        };
        if key == "id" {
            if let Some(done) = current.take() {
                done.finish(&mut out);
            }
            current = Some(Pending {
                id: value.to_owned(),
                ..Pending::default()
            });
            continue;
        }
        // Keys before the first `id:` belong to the header and are ignored.
        let Some(rec) = current.as_mut() else {
            continue;
        };
        match key {
            "namespace" if value != "external" => rec.namespace = Some(value.to_owned()),
            "is_obsolete" => rec.obsolete = true,
            "alt_id" => rec.alt_ids.push(value.to_owned()),
            "is_a" => {
                let parent = value.split('!').next().unwrap_or("").trim();
                rec.parents.push(parent.to_owned());
            }
            "relationship" if value.starts_with("part_of") => {
                if let Some(parent) = value.split_whitespace().nth(1) {
                    rec.parents.push(parent.to_owned());
                }
            }
            _ => {}
        }
    }
    if let Some(done) = current.take() {
        done.finish(&mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_live_namespaced_records() {
        let obo = "format-version: 1.2\ndefault-namespace: x\n\n[Term]\nid: A\nnamespace: n\n\
                   [Term]\nid: B\nis_a: A ! a\n\
                   [Term]\nid: C\nnamespace: n\nis_obsolete: false\nalt_id: C2\n\
                   [Typedef]\nid: part_of\nnamespace: external\n\
                   [Term]\nid: D\nnamespace: n\nis_a: A ! x: y\nrelationship: part_of B ! b\n\
                   relationship: regulates A\nalt_id: D2\n";
        let terms = read_terms(obo.as_bytes(), "t").unwrap();
        let ids: Vec<_> = terms.iter().map(|t| t.id.as_str()).collect();
        // B has no namespace (default-namespace ignored), C is obsolete even with `false`,
        // the Typedef's namespace is `external`.
        assert_eq!(ids, ["A", "D"]);
        assert_eq!(terms[1].parents, ["A", "B"]);
        assert_eq!(terms[1].alt_ids, ["D2"]);
    }
}
