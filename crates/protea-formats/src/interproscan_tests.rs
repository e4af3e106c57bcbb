use super::*;
use crate::Error;

const FULL: &str = "A0B6J9\t88d47cc807fe8e977130b0cc93e0bd61\t265\tPIRSF\tPIRSF038992\tAldolase_Ia\t1\t265\t3.7E-91\tT\t09-09-2024\tIPR041720\tAldolase FbaB-like, archaeal-type\tGO:0004332(InterPro)|GO:0016829(PANTHER)\tMetaCyc:PWY-1042|Reactome:R-HSA-70171\n";

fn read(text: &str) -> Result<Vec<Match>> {
    Reader::new(text.as_bytes(), "ips.tsv").matches().collect()
}

fn assert_error(err: &Error, line: u64, field: &str) {
    let got = (err.source_name(), err.line(), err.field());
    assert_eq!(got, ("ips.tsv", line, Some(field)), "{err}");
}

#[test]
fn fifteen_columns() {
    let m = &read(FULL).unwrap()[0];
    assert_eq!(m.protein_id, "A0B6J9");
    assert_eq!(m.md5.as_deref(), Some("88d47cc807fe8e977130b0cc93e0bd61"));
    assert_eq!((m.length, m.start, m.end, m.line), (265, 1, 265, 1));
    assert_eq!(
        (m.analysis.as_str(), m.signature_accession.as_str()),
        ("PIRSF", "PIRSF038992")
    );
    assert_eq!(m.score, Some(3.7e-91));
    assert_eq!(m.interpro_accession.as_deref(), Some("IPR041720"));
    assert_eq!(m.go_terms.len(), 2);
    assert_eq!(m.go_terms[0].go_id, GoId(4332));
    assert_eq!(m.go_terms[1].source.as_deref(), Some("PANTHER"));
    assert_eq!(m.pathways, ["MetaCyc:PWY-1042", "Reactome:R-HSA-70171"]);
}

#[test]
fn eleven_columns_dashes_comments_and_blank_lines() {
    let text = "# InterProScan 5.77-108.0\n\nP1\t-\t100\tMobiDB-lite\tmobidb-lite\t-\t5\t40\t-\t-\t-\n\
                P1\tabc\t100\tPfam\tPF1\tx\t1\t1\t0.5\tT\t01-01-2025\t-\t-\tGO:0003677\n";
    let mut reader = Reader::new(text.as_bytes(), "ips.tsv");
    let rows: Vec<Match> = reader.matches().map(Result::unwrap).collect();
    assert_eq!(reader.comment(), Some("InterProScan 5.77-108.0"));
    assert_eq!(rows.len(), 2);
    let m = &rows[0];
    assert_eq!(m.line, 3);
    assert_eq!(
        (m.md5.as_deref(), m.score, m.status.as_deref()),
        (None, None, None)
    );
    assert!(m.signature_description.is_none() && m.interpro_accession.is_none());
    assert!(m.go_terms.is_empty() && m.pathways.is_empty());
    assert_eq!(
        rows[1].go_terms,
        [GoXref {
            go_id: GoId(3677),
            source: None
        }]
    );
    let six = "P\tm\t10\tCDD\tcd1\tx\t1\t5\tnull\tT\td\n";
    assert_eq!(read(six).unwrap()[0].score, None);
}

#[test]
fn malformed_lines_name_line_and_field() {
    let ok = "P\tm\t10\tPfam\tPF1\tx\t1\t5\t1e-3\tT\td\n";
    let cases: [(&str, &str); 11] = [
        ("P\tm\t10\tPfam\tPF1\tx\t1\t5\t1e-3\tT\n", "date"),
        (
            "P\tm\t10\tPfam\tPF1\tx\t1\t5\t1e-3\tT\td\ta\tb\tc\td\te\n",
            "line",
        ),
        ("P\tm\tten\tPfam\tPF1\tx\t1\t5\t1e-3\tT\td\n", "length"),
        ("P\tm\t10\tPfam\tPF1\tx\t0\t5\t1e-3\tT\td\n", "start"),
        ("P\tm\t10\tPfam\tPF1\tx\t6\t5\t1e-3\tT\td\n", "end"),
        ("P\tm\t10\tPfam\tPF1\tx\t1\t-\t1e-3\tT\td\n", "end"),
        ("P\tm\t10\tPfam\tPF1\tx\t1\t5\tlow\tT\td\n", "score"),
        ("-\tm\t10\tPfam\tPF1\tx\t1\t5\t1e-3\tT\td\n", "protein_id"),
        ("P\tm\t10\t\tPF1\tx\t1\t5\t1e-3\tT\td\n", "analysis"),
        (
            "P\tm\t10\tPfam\tPF1\tx\t1\t5\t1e-3\tT\td\tPF1\tx\n",
            "interpro_accession",
        ),
        (
            "P\tm\t10\tPfam\tPF1\tx\t1\t5\t1e-3\tT\td\t-\t-\tGO:12(InterPro)\n",
            "go_terms",
        ),
    ];
    for (bad, field) in cases {
        assert_error(&read(&format!("{ok}{bad}")).unwrap_err(), 2, field);
    }
}

#[test]
fn releases_order_numerically() {
    assert!(release_at_least("104.0", "104.0"));
    assert!(release_at_least("105.0", "104.0"));
    assert!(!release_at_least("103.0", "104.0"));
    // Lexicographic order would put 99.0 above 100.0.
    assert!(!release_at_least("99.0", "100.0"));
    assert!(release_at_least("5.77-108.0", "5.76-107.0"));
    assert!(release_at_least("5.77-108.0", "5.77-108.0"));
    assert!(!release_at_least("5.77-108.0", "5.77-108.1"));
    assert!(release_at_least("InterPro-105.0", "InterPro-104.0"));
    assert_eq!(compare_releases("007", "7"), Ordering::Equal);
    assert_eq!(compare_releases("abc", "abd"), Ordering::Less);
}

#[test]
fn release_from_version_line() {
    let out = "\n  InterProScan version 5.77-108.0\nInterProScan Data version 108.0\n";
    assert_eq!(
        release_from_version_output(out).as_deref(),
        Some("5.77-108.0")
    );
    assert_eq!(
        release_from_version_output("custom build").as_deref(),
        Some("custom build")
    );
    assert_eq!(release_from_version_output(" \n"), None);
}
