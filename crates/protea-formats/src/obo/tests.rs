//! Unit tests for the OBO reader: every tag rule on inline stanzas, and each malformed case naming file, line and field.

use super::*;

const SAMPLE: &str = "format-version: 1.2
data-version: releases/2026-05-19
date: 19:05:2026 12:00
ontology: go

[Term]
id: GO:0000001
name: mitochondrion inheritance ! a comment
namespace: biological_process
alt_id: GO:0000002
def: \"The \\\"distribution\\\" of mitochondria.\" [GOC:mcc, PMID:10873824]
is_a: GO:0048308 ! organelle inheritance
is_a: GO:0048311 {source=\"x\"} ! mitochondrion distribution
relationship: part_of GO:0000003 {source=\"y\"} ! reproduction
relationship: capable_of_part_of GO:0000004
relationship: has_part GO:0000005

[Typedef]
id: part_of
is_a: GO:9999999

[Term]
id: GO:0000006
name: obsolete thing
namespace: molecular_function
is_obsolete: true
replaced_by: GO:0000007
consider: GO:0000008
consider: GO:0000009
consider: CL:0000000

[Instance]
id: x

[Term]
id: GO:0000010
namespace: external
";

fn read(text: &str) -> Result<(Header, Vec<Term>)> {
    let mut reader = Reader::new(text.as_bytes(), "test.obo")?;
    let terms = reader.terms().collect::<Result<Vec<_>>>()?;
    Ok((reader.header().clone(), terms))
}

#[test]
fn header_and_terms() {
    let (header, terms) = read(SAMPLE).unwrap();
    assert_eq!(header.format_version.as_deref(), Some("1.2"));
    assert_eq!(header.data_version.as_deref(), Some("releases/2026-05-19"));
    assert_eq!(header.date.as_deref(), Some("19:05:2026 12:00"));
    assert_eq!(header.ontology.as_deref(), Some("go"));
    assert_eq!(terms.len(), 3);

    let t = &terms[0];
    assert_eq!(t.id, GoId(1));
    assert_eq!(t.line, 6);
    assert_eq!(t.name.as_deref(), Some("mitochondrion inheritance"));
    assert_eq!(t.aspect, Some(Aspect::BiologicalProcess));
    assert_eq!(
        t.definition.as_deref(),
        Some("The \"distribution\" of mitochondria.")
    );
    assert_eq!(t.alt_ids, vec![GoId(2)]);
    assert_eq!(t.is_a, vec![GoId(48308), GoId(48311)]);
    let rels: Vec<(&str, GoId)> = t
        .relationships
        .iter()
        .map(|r| (r.relation.as_str(), r.target))
        .collect();
    assert_eq!(
        rels,
        vec![
            ("part_of", GoId(3)),
            ("capable_of_part_of", GoId(4)),
            ("has_part", GoId(5))
        ]
    );
    assert_eq!(t.edges().count(), 5);
    assert!(!t.is_obsolete);

    let t = &terms[1];
    assert!(t.is_obsolete);
    assert_eq!(t.aspect, Some(Aspect::MolecularFunction));
    assert_eq!(t.replaced_by, vec![GoId(7)]);
    assert_eq!(t.consider, vec!["GO:0000008", "GO:0000009", "CL:0000000"]);
    assert_eq!(
        t.consider_go_ids().collect::<Vec<_>>(),
        vec![GoId(8), GoId(9)]
    );

    // The Typedef's is_a and the Instance are skipped; `external` has no aspect.
    assert_eq!(terms[2].id, GoId(10));
    assert_eq!(terms[2].namespace.as_deref(), Some("external"));
    assert_eq!(terms[2].aspect, None);
}

#[test]
fn relation_names_round_trip() {
    for name in [
        "is_a",
        "part_of",
        "regulates",
        "positively_regulates",
        "negatively_regulates",
        "occurs_in",
        "capable_of",
        "capable_of_part_of",
        "has_part",
        "ends_during",
    ] {
        assert_eq!(Relation::from_name(name).as_str(), name);
    }
}

#[test]
fn file_without_terms_or_header() {
    let (header, terms) = read("").unwrap();
    assert_eq!(header, Header::default());
    assert!(terms.is_empty());
    let (header, terms) = read("format-version: 1.4\n").unwrap();
    assert_eq!(header.format_version.as_deref(), Some("1.4"));
    assert_eq!(header.data_version, None);
    assert!(terms.is_empty());
}

fn error_of(text: &str) -> Error {
    read(text).unwrap_err()
}

fn assert_error(err: &Error, line: u64, field: &str) {
    assert_eq!(err.source_name(), "test.obo", "{err}");
    assert_eq!(err.line(), line, "{err}");
    assert_eq!(err.field(), Some(field), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("test.obo:{line}: field `{field}`")),
        "{err}"
    );
}

#[test]
fn broken_stanzas_name_line_and_field() {
    assert_error(
        &error_of("[Term]\nname: no id\n\n[Term]\nid: GO:0000001\n"),
        2,
        "id",
    );
    assert_error(&error_of("[Term]\n\n"), 1, "id");
    assert_error(
        &error_of("[Term]\nid: GO:0000001\nid: GO:0000002\n"),
        3,
        "id",
    );
    assert_error(&error_of("[Term]\nid: GO:1\n"), 2, "id");
    assert_error(
        &error_of("[Term]\nid: GO:0000001\nis_a: GO:12x ! bad\n"),
        3,
        "is_a",
    );
    assert_error(
        &error_of("[Term]\nid: GO:0000001\nrelationship: part_of\n"),
        3,
        "relationship",
    );
    assert_error(
        &error_of("[Term]\nid: GO:0000001\nrelationship: part_of CL:1\n"),
        3,
        "relationship",
    );
    assert_error(
        &error_of("[Term]\nid: GO:0000001\ndef: \"open [x]\n"),
        3,
        "def",
    );
    assert_error(&error_of("[Term]\nid: GO:0000001\ndef: bare\n"), 3, "def");
    assert_error(
        &error_of("[Term]\nid: GO:0000001\nno colon here\n"),
        3,
        "tag",
    );
    assert_error(
        &error_of("[Term]\nid: GO:0000001\n\n[Term\nid: GO:0000002\n"),
        4,
        "stanza",
    );
    assert_error(&error_of("format-version: 1.2\n[Ter"), 2, "stanza");
    assert_error(
        &error_of("[Term]\nid: GO:0000001\nalt_id: 5\n"),
        3,
        "alt_id",
    );
}

#[test]
fn comment_stripping_keeps_bang_inside_words() {
    assert_eq!(strip_comment("a!b ! c"), "a!b");
    assert_eq!(strip_comment("plain"), "plain");
}
