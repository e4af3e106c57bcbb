//! Unit tests for the FASTA reader, header rules, validation and writer.

use super::validate::{Issue, Validator, first_invalid_residue};
use super::*;

const UNIPROT: &str = ">sp|A0A0B7P3V8|YP41B_YEAST Transposon Ty4-P Gag-Pol polyprotein OS=Saccharomyces cerevisiae (strain ATCC 204508 / S288c) OX=559292 GN=TY4B-P PE=5 SV=2
MATPVRDETR
NVIDD
>tr|P12345-2|X_HUMAN Isoform 2 of Thing OS=Homo sapiens OX=9606 GN=ABC DEF PE=1 SV=1
mkv lw
";

fn read(text: &str) -> Result<Vec<FastaRecord>> {
    Reader::new(text.as_bytes(), "test.fasta")
        .records()
        .collect()
}

#[test]
fn uniprot_headers() {
    let records = read(UNIPROT).unwrap();
    assert_eq!(records.len(), 2);
    let r = &records[0];
    assert_eq!(r.accession, "A0A0B7P3V8");
    assert_eq!(r.entry_name.as_deref(), Some("YP41B_YEAST"));
    assert!(r.reviewed);
    assert_eq!(r.description, "Transposon Ty4-P Gag-Pol polyprotein");
    assert_eq!(
        r.organism.as_deref(),
        Some("Saccharomyces cerevisiae (strain ATCC 204508 / S288c)")
    );
    assert_eq!(r.taxonomy_id.as_deref(), Some("559292"));
    assert_eq!(r.gene_name.as_deref(), Some("TY4B-P"));
    assert_eq!(
        (r.protein_existence, r.sequence_version),
        (Some(5), Some(2))
    );
    assert_eq!(r.sequence, "MATPVRDETRNVIDD");
    assert_eq!(r.length(), 15);
    assert_eq!(r.line, 1);
    assert!(r.isoform().is_canonical());

    let r = &records[1];
    assert!(!r.reviewed);
    assert_eq!(r.gene_name.as_deref(), Some("ABC"));
    assert_eq!(r.sequence, "MKVLW");
    assert_eq!(r.line, 4);
    assert_eq!(
        (r.isoform().canonical, r.isoform().isoform_index),
        ("P12345", Some(2))
    );
}

#[test]
fn plain_and_partial_headers() {
    let text = ">query1 my protein\nAC\n\n>q2\n>tr|A0A000|A0A000_STRVD OX=67581\nMD\n";
    let records = read(text).unwrap();
    assert_eq!(records[0].accession, "query1");
    assert_eq!(records[0].description, "my protein");
    assert_eq!(records[0].entry_name, None);
    assert!(!records[0].reviewed);
    assert_eq!(records[1].accession, "q2");
    assert_eq!(records[1].sequence, "");
    assert_eq!(records[2].description, "");
    assert_eq!(records[2].taxonomy_id.as_deref(), Some("67581"));
    assert_eq!(records[2].organism, None);
    // Two fields only: the rule falls back to the first token.
    assert_eq!(read(">sp|P1 x\nA\n").unwrap()[0].accession, "sp|P1");
}

fn assert_error(err: &Error, line: u64, field: &str) {
    let got = (err.source_name(), err.line(), err.field());
    assert_eq!(got, ("test.fasta", line, Some(field)), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("test.fasta:{line}: field `{field}`")),
        "{err}"
    );
}

#[test]
fn bad_headers_name_line_and_field() {
    assert_error(&read(">ok\nAC\n>\nAC\n").unwrap_err(), 3, "header");
    assert_error(
        &read(">ok\nAC\n> desc only\nAC\n").unwrap_err(),
        3,
        "header",
    );
    assert_error(&read("ACGT\n>x\n").unwrap_err(), 1, "header");
    assert_error(&read(">sp||NAME_HUMAN x\nA\n").unwrap_err(), 1, "accession");
    assert_error(&read(">sp|P1|N x OX=human\nA\n").unwrap_err(), 1, "OX");
    assert_error(&read(">sp|P1|N x PE=high\nA\n").unwrap_err(), 1, "PE");
    assert_error(&read(">sp|P1|N x SV=\nA\n").unwrap_err(), 1, "SV");
}

#[test]
fn validation_reports_each_problem() {
    let records = read(">a\nACDX\n>b\nAC*D\n>a\nMK\n>c\n>d\nMKB1\n").unwrap();
    let mut validator = Validator::new().with_max_length(3);
    let issues: Vec<Vec<Issue>> = records.iter().map(|r| validator.check(r)).collect();
    assert_eq!(issues[0], vec![Issue::TooLong { length: 4, max: 3 }]);
    assert_eq!(
        issues[1],
        vec![
            Issue::InvalidResidue {
                letter: '*',
                position: 3
            },
            Issue::TooLong { length: 4, max: 3 }
        ]
    );
    assert_eq!(issues[2], vec![Issue::DuplicateId { first_line: 1 }]);
    assert_eq!(issues[3], vec![Issue::EmptySequence]);
    assert_eq!(
        issues[4][0],
        Issue::InvalidResidue {
            letter: '1',
            position: 4
        }
    );
    assert_eq!(
        issues[4][0].to_string(),
        "invalid residue '1' at position 4"
    );
    assert_eq!(first_invalid_residue("ACDEFGHIKLMNPQRSTVWYBZXUO"), None);
    assert_eq!(first_invalid_residue("MKé"), Some(('é', 3)));
}

#[test]
fn writer_round_trips() {
    let records = read(UNIPROT).unwrap();
    let mut writer = Writer::new(Vec::new()).with_width(4);
    for r in &records {
        writer.write_record(r).unwrap();
    }
    let text = String::from_utf8(writer.into_inner()).unwrap();
    assert!(text.contains("\nMATP\nVRDE\nTRNV\nIDD\n"), "{text}");
    let again = read(&text).unwrap();
    assert_eq!(again.len(), 2);
    for (a, b) in again.iter().zip(&records) {
        assert_eq!(
            FastaRecord {
                line: 0,
                ..a.clone()
            },
            FastaRecord {
                line: 0,
                ..b.clone()
            }
        );
    }
    assert_eq!(again[1].line, 6);
}
