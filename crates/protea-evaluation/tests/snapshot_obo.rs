//! The evaluator reads the ontology from the database (as `cafa::ontology_obo` text), not
//! from the released file. This checks, on the real go-basic release, that the two give
//! protea-cafa the same graph: same terms per namespace, same ancestor closures, same alt-id
//! resolution. The stored form is what ingestion keeps: terms with aspect and obsolete
//! flag, alt ids, and the is_a/part_of edges.
//!
//! Data: `$PROTEA_SHARED_DATA/go/go-basic.2026-05-19.obo.gz`, else `shared/data` beside the
//! repository; skipped when absent.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::PathBuf;

use protea_cafa::Ontology;
use protea_evaluation::cafa::{OboTerm, ontology_obo, parse_ontology};
use protea_formats::obo::{Reader, Relation};

fn release() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        PathBuf::from,
    );
    let path = dir.join("go/go-basic.2026-05-19.obo.gz");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} not found (set PROTEA_SHARED_DATA)",
            path.display()
        );
        None
    }
}

/// Namespace name → term id → its ancestors (ids).
fn closures(o: &Ontology) -> HashMap<String, HashMap<String, BTreeSet<String>>> {
    o.namespaces
        .iter()
        .map(|ns| {
            let terms = (0..ns.len() as u32)
                .map(|t| {
                    let anc = ns
                        .ancestors(t)
                        .iter()
                        .map(|&a| ns.terms[a as usize].clone())
                        .collect();
                    (ns.terms[t as usize].clone(), anc)
                })
                .collect();
            (ns.name.clone(), terms)
        })
        .collect()
}

#[test]
fn database_form_of_go_basic_gives_the_same_graph() {
    let Some(path) = release() else { return };
    let mut text = String::new();
    protea_formats::io::open(&path)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let from_file = Ontology::from_obo(text.as_bytes(), "go-basic").unwrap();

    let mut reader = Reader::new(text.as_bytes(), "go-basic").unwrap();
    let mut stored = Vec::new();
    let mut alt_ids = Vec::new();
    while let Some(t) = reader.next_term().unwrap() {
        alt_ids.extend(t.alt_ids.iter().map(|a| a.to_string()));
        stored.push(OboTerm {
            go_id: t.id,
            aspect: t.aspect,
            obsolete: t.is_obsolete,
            alt_ids: t.alt_ids.clone(),
            is_a: t.is_a.clone(),
            part_of: t
                .relationships
                .iter()
                .filter(|r| r.relation == Relation::PartOf)
                .map(|r| r.target)
                .collect(),
        });
    }
    // The database returns terms sorted by GO id.
    stored.sort_by_key(|t| t.go_id);
    let from_db = parse_ontology(&ontology_obo(&stored)).unwrap();

    let names = |o: &Ontology| {
        o.namespaces
            .iter()
            .map(|n| n.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&from_db), names(&from_file), "namespace order");
    let (a, b) = (closures(&from_db), closures(&from_file));
    assert_eq!(a.len(), 3);
    for (ns, terms) in &b {
        assert_eq!(terms.len(), a[ns].len(), "{ns}");
        for (id, anc) in terms {
            assert_eq!(&a[ns][id], anc, "{ns} {id}");
        }
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for alt in &alt_ids {
        from_db.resolve(alt, &mut x);
        from_file.resolve(alt, &mut y);
        assert_eq!(x, y, "{alt}");
    }
}
