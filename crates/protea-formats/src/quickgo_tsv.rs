//! QuickGO annotation download TSV (`Accept: text/tsv`), read by header name
//! so any column selection works: the default 16 columns (with GO NAME, TAXON
//! NAME, GENE NAME) and the 14-column variant with ANNOTATION EXTENSION.
//! `GENE PRODUCT ID` and `GO TERM` are required; other columns are optional.
//! Evidence codes for ECO ids: see [`crate::eco`].

use crate::error::Result;
use crate::io::LineReader;
use protea_core::{Aspect, GoId};
use std::io::BufRead;

/// The header names this reader knows (matched ignoring ASCII case).
pub const HEADERS: [&str; 17] = [
    "GENE PRODUCT DB",
    "GENE PRODUCT ID",
    "SYMBOL",
    "QUALIFIER",
    "GO TERM",
    "GO NAME",
    "GO ASPECT",
    "ECO ID",
    "GO EVIDENCE CODE",
    "REFERENCE",
    "WITH/FROM",
    "TAXON ID",
    "TAXON NAME",
    "ASSIGNED BY",
    "GENE NAME",
    "DATE",
    "ANNOTATION EXTENSION",
];

const GENE_PRODUCT_ID: usize = 1;
const GO_TERM: usize = 4;
const GO_ASPECT: usize = 6;

/// One annotation. Optional fields are `None` when the column is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuickGoRecord {
    pub gene_product_db: Option<String>,
    /// The accession (`P04637`), possibly an isoform.
    pub gene_product_id: String,
    pub symbol: Option<String>,
    pub qualifier: Option<String>,
    pub go_id: Option<GoId>,
    pub go_name: Option<String>,
    /// From `GO ASPECT`, written either as a code (`F`) or a namespace.
    pub go_aspect: Option<Aspect>,
    pub eco_id: Option<String>,
    pub go_evidence_code: Option<String>,
    pub reference: Option<String>,
    pub with_from: Option<String>,
    pub taxon_id: Option<String>,
    pub taxon_name: Option<String>,
    pub assigned_by: Option<String>,
    pub gene_name: Option<String>,
    pub date: Option<String>,
    pub annotation_extension: Option<String>,
    pub line: u64,
}

impl QuickGoRecord {
    /// True when the qualifier carries `NOT`.
    pub fn is_not(&self) -> bool {
        self.qualifier
            .as_deref()
            .is_some_and(|q| q.split('|').any(|part| part == "NOT"))
    }
}

/// Streams a QuickGO TSV.
pub struct Reader<R> {
    lines: LineReader<R>,
    /// For each column of the file, the index into [`HEADERS`] (None: unknown).
    columns: Vec<Option<usize>>,
}

impl<R: BufRead> Reader<R> {
    /// Reads the header line.
    pub fn new(inner: R, source_name: &str) -> Result<Reader<R>> {
        let mut lines = LineReader::new(inner, source_name);
        if !lines.advance()? {
            return Err(lines.error("header", "empty input: no header line"));
        }
        let columns: Vec<Option<usize>> = lines
            .text()
            .split('\t')
            .map(|h| {
                HEADERS
                    .iter()
                    .position(|known| known.eq_ignore_ascii_case(h.trim()))
            })
            .collect();
        for required in [GENE_PRODUCT_ID, GO_TERM] {
            if !columns.contains(&Some(required)) {
                return Err(
                    lines.error(HEADERS[required], "required column missing from the header")
                );
            }
        }
        Ok(Reader { lines, columns })
    }

    /// The next annotation; `None` at end of input. Empty lines are skipped,
    /// and so are repeated header lines (concatenated batch downloads).
    pub fn next_record(&mut self) -> Result<Option<QuickGoRecord>> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            let text = self.lines.text();
            if !text.is_empty() && !text.starts_with("GENE PRODUCT DB\t") {
                break;
            }
        }
        let lines = &self.lines;
        let cells: Vec<&str> = lines.text().split('\t').collect();
        if cells.len() != self.columns.len() {
            let message = format!(
                "the row has {} columns, the header {}",
                cells.len(),
                self.columns.len()
            );
            return Err(lines.error("columns", message));
        }
        let mut record = QuickGoRecord {
            line: lines.line_number(),
            ..QuickGoRecord::default()
        };
        for (column, cell) in self.columns.iter().zip(cells) {
            let Some(column) = *column else { continue };
            let cell = cell.trim();
            let value = Some(cell.to_owned());
            match column {
                0 => record.gene_product_db = value,
                GENE_PRODUCT_ID => {
                    if cell.is_empty() {
                        return Err(lines.error(HEADERS[column], "empty accession"));
                    }
                    record.gene_product_id = cell.to_owned();
                }
                2 => record.symbol = value,
                3 => record.qualifier = value,
                GO_TERM => {
                    let id = GoId::parse(cell).map_err(|_| {
                        lines.error(HEADERS[column], format!("expected a GO id, found {cell:?}"))
                    })?;
                    record.go_id = Some(id);
                }
                5 => record.go_name = value,
                GO_ASPECT => {
                    let aspect = Aspect::from_code(cell).or_else(|| Aspect::from_namespace(cell));
                    if aspect.is_none() && !cell.is_empty() {
                        let message =
                            format!("expected an aspect code or namespace, found {cell:?}");
                        return Err(lines.error(HEADERS[column], message));
                    }
                    record.go_aspect = aspect;
                }
                7 => record.eco_id = value,
                8 => record.go_evidence_code = value,
                9 => record.reference = value,
                10 => record.with_from = value,
                11 => record.taxon_id = value,
                12 => record.taxon_name = value,
                13 => record.assigned_by = value,
                14 => record.gene_name = value,
                15 => record.date = value,
                _ => record.annotation_extension = value,
            }
        }
        Ok(Some(record))
    }

    /// Iterates over the remaining annotations.
    pub fn records(&mut self) -> Records<'_, R> {
        Records { reader: self }
    }
}

/// Iterator over the annotations of a [`Reader`].
pub struct Records<'a, R> {
    reader: &'a mut Reader<R>,
}

impl<R: BufRead> Iterator for Records<'_, R> {
    type Item = Result<QuickGoRecord>;
    fn next(&mut self) -> Option<Self::Item> {
        self.reader.next_record().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    const WIDE: &str = "GENE PRODUCT DB\tGENE PRODUCT ID\tSYMBOL\tQUALIFIER\tGO TERM\tGO NAME\tGO ASPECT\tECO ID\tGO EVIDENCE CODE\tREFERENCE\tWITH/FROM\tTAXON ID\tTAXON NAME\tASSIGNED BY\tGENE NAME\tDATE\n\
        UniProtKB\tP04637\tTP53\tNOT|enables\tGO:0000976\tbinding\tmolecular_function\tECO:0000256\tIEA\tGO_REF:0000002\tInterPro:IPR011615\t9606\tHomo sapiens\tInterPro\tCellular tumor antigen p53\t20250429\n";
    const NARROW: &str = "GENE PRODUCT DB\tGENE PRODUCT ID\tSYMBOL\tQUALIFIER\tGO TERM\tGO ASPECT\tECO ID\tGO EVIDENCE CODE\tREFERENCE\tWITH/FROM\tTAXON ID\tASSIGNED BY\tANNOTATION EXTENSION\tDATE\n\
        UniProtKB\tQ21190\tunc-1\tenables\tGO:0099106\tF\tECO:0000315\tIMP\tPMID:17658257\t\t6239\tWB\thas_input(WB:WBGene00006749)\t20200515\n";

    fn read(text: &str) -> Result<Vec<QuickGoRecord>> {
        Reader::new(text.as_bytes(), "q.tsv")?.records().collect()
    }

    #[test]
    fn both_header_variants() {
        let r = &read(WIDE).unwrap()[0];
        assert_eq!(r.gene_product_id, "P04637");
        assert_eq!(r.go_id, Some(GoId(976)));
        assert!(r.is_not());
        assert_eq!(r.go_aspect, Some(Aspect::MolecularFunction));
        assert_eq!(r.eco_id.as_deref(), Some("ECO:0000256"));
        assert_eq!(r.taxon_name.as_deref(), Some("Homo sapiens"));
        assert_eq!(r.annotation_extension, None);
        assert_eq!(r.line, 2);

        let r = &read(NARROW).unwrap()[0];
        assert!(!r.is_not());
        assert_eq!(r.go_aspect, Some(Aspect::MolecularFunction));
        assert_eq!(r.go_name, None);
        assert_eq!(r.with_from.as_deref(), Some(""));
        assert_eq!(
            r.annotation_extension.as_deref(),
            Some("has_input(WB:WBGene00006749)")
        );
        assert_eq!(r.date.as_deref(), Some("20200515"));
    }

    #[test]
    fn repeated_headers_are_skipped() {
        let twice = format!("{WIDE}{WIDE}");
        assert_eq!(read(&twice).unwrap().len(), 2);
    }

    fn assert_error(err: &Error, line: u64, field: &str) {
        let got = (err.source_name(), err.line(), err.field());
        assert_eq!(got, ("q.tsv", line, Some(field)), "{err}");
    }

    #[test]
    fn malformed_inputs_name_line_and_field() {
        assert_error(
            &read("SYMBOL\tGO TERM\n").unwrap_err(),
            1,
            "GENE PRODUCT ID",
        );
        assert_error(&read("").unwrap_err(), 0, "header");
        assert_error(
            &read(&WIDE.replace("GO:0000976", "GO0000976")).unwrap_err(),
            2,
            "GO TERM",
        );
        assert_error(
            &read(&WIDE.replace("\tP04637\t", "\t\t")).unwrap_err(),
            2,
            "GENE PRODUCT ID",
        );
        assert_error(
            &read(&NARROW.replace("\tF\t", "\tQ\t")).unwrap_err(),
            2,
            "GO ASPECT",
        );
        assert_error(
            &read(&WIDE.replace("\t20250429", "")).unwrap_err(),
            2,
            "columns",
        );
    }
}
