//! Unit tests for the GAF reader: 15/16/17-column rows, qualifiers, header, and each malformed case naming file, line and field.

use super::*;
use crate::Error;

const ROW_17: &str = "UniProtKB\tP50542\tPEX5\tNOT|enables\tGO:0005515\tPMID:1\tIPI\tUniProtKB:P1\tF\tPeroxin-5\tPEX5|PXR1\tprotein\ttaxon:9606|taxon:10090\t20210101\tUniProt\t\tUniProtKB:P50542-3";
const ROW_15: &str = "PomBase\tSPAC25B8.17\typf1\t\tGO:1990578\tGO_REF:0000024\tISO\tSGD:S000001583\tC\tname\tppp81\tprotein\ttaxon:4896\t20150305\tPomBase";

fn rows(text: &str) -> Result<(Option<String>, Vec<GafRecord>)> {
    let mut reader = Reader::new(text.as_bytes(), "test.gaf")?;
    let records = reader.records().collect::<Result<Vec<_>>>()?;
    Ok((reader.version().map(str::to_owned), records))
}

#[test]
fn header_and_17_column_row() {
    let text = format!("!gaf-version: 2.2\n!generated-by: test\n\n{ROW_17}\n");
    let mut reader = Reader::new(text.as_bytes(), "test.gaf").unwrap();
    assert_eq!(reader.version(), Some("2.2"));
    let row = reader.next_row().unwrap().unwrap();
    assert_eq!(row.db_object_id, "P50542");
    assert_eq!(row.go_id, GoId(5515));
    assert!(row.is_not());
    assert_eq!(row.relation(), "enables");
    assert_eq!(row.evidence_code, "IPI");
    assert_eq!(row.with_from, "UniProtKB:P1");
    assert_eq!(row.aspect, Aspect::MolecularFunction);
    assert_eq!(row.taxon_id(), Some(9606));
    assert_eq!(row.date, "20210101");
    assert_eq!(row.assigned_by, "UniProt");
    assert_eq!(row.isoform_accession(), Some("P50542-3"));
    assert_eq!(row.line, 4);
    assert!(row.to_record().is_not());
    assert!(reader.next_row().unwrap().is_none());
}

#[test]
fn short_gaf21_rows_are_accepted() {
    let text = format!("!gaf-version: 2.1\n{ROW_15}\n{ROW_15}\t\n");
    let (version, records) = rows(&text).unwrap();
    assert_eq!(version.as_deref(), Some("2.1"));
    assert_eq!(records.len(), 2);
    let r = &records[0];
    assert!(!r.is_not());
    assert_eq!(r.qualifier, "");
    assert_eq!(
        (
            r.annotation_extension.as_str(),
            r.gene_product_form_id.as_str()
        ),
        ("", "")
    );
    assert_eq!(r.aspect, Aspect::CellularComponent);
}

#[test]
fn qualifier_forms() {
    let mut reader = Reader::new(ROW_17.as_bytes(), "t").unwrap();
    let base = reader.next_row().unwrap().unwrap();
    let row = |q: &'static str| GafRow {
        qualifier: q,
        ..base
    };
    assert!(row("NOT").is_not());
    assert_eq!(row("NOT").relation(), "");
    assert!(!row("contributes_to").is_not());
    assert_eq!(row("colocalizes_with").relation(), "colocalizes_with");
    assert!(!row("NOTE").is_not());
    assert_eq!(row("NOTE").relation(), "NOTE");
}

#[test]
fn no_header_and_empty_file() {
    let (version, records) = rows(&format!("{ROW_17}\n")).unwrap();
    assert_eq!(version, None);
    assert_eq!(records.len(), 1);
    assert!(rows("").unwrap().1.is_empty());
    assert!(rows("!gaf-version: 2.2\n").unwrap().1.is_empty());
}

fn error_of(text: &str) -> Error {
    rows(text).unwrap_err()
}

fn assert_error(err: &Error, line: u64, field: &str) {
    assert_eq!(
        (err.source_name(), err.line(), err.field()),
        ("test.gaf", line, Some(field)),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("test.gaf:{line}: field `{field}`")),
        "{err}"
    );
}

#[test]
fn malformed_rows_name_line_and_field() {
    let short = ROW_15.rsplit_once('\t').unwrap().0; // 14 columns
    assert_error(
        &error_of(&format!("!gaf-version: 2.2\n{ROW_17}\n{short}\n")),
        3,
        "assigned_by",
    );
    assert_error(&error_of("UniProtKB\tP1\tX\n"), 1, "qualifier");
    assert_error(
        &error_of(&ROW_17.replace("GO:0005515", "GO:55")),
        1,
        "go_id",
    );
    assert_error(&error_of(&ROW_17.replace("\tF\t", "\tX\t")), 1, "aspect");
    assert_error(
        &error_of(&ROW_17.replace("20210101", "2021-01-01")),
        1,
        "date",
    );
    assert_error(
        &error_of(&ROW_17.replace("\tP50542\t", "\t\t")),
        1,
        "db_object_id",
    );
    assert_error(&error_of(&format!("{ROW_17}\textra")), 1, "columns");
}

#[test]
fn truncated_gzip_gaf_names_the_file() {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    for i in 0..3000 {
        writeln!(encoder, "{}", ROW_17.replace("P50542", &format!("P{i:05}"))).unwrap();
    }
    let mut zipped = encoder.finish().unwrap();
    zipped.truncate(zipped.len() * 2 / 3);
    let input = crate::io::decompress_if_gzip(std::io::Cursor::new(zipped)).unwrap();
    let mut reader = Reader::new(input, "goa_human.gaf.gz").unwrap();
    let mut rows = 0;
    let err = loop {
        match reader.next_row() {
            Ok(Some(_)) => rows += 1,
            Ok(None) => panic!("truncated input read as complete after {rows} rows"),
            Err(err) => break err,
        }
    };
    assert!(matches!(err, Error::Gzip { .. }), "{err:?}");
    assert_eq!(err.source_name(), "goa_human.gaf.gz");
    assert!(
        err.line() > 1 && err.line() as usize == rows + 1,
        "{err} after {rows} rows"
    );
}
