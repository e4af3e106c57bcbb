//! UniProt REST `format=tsv` tables, read by header name: the 25 columns that
//! `fetch_uniprot_metadata` requests ([`FIELDS`]) map to a record; unknown
//! columns are ignored and missing ones read as `None`. Header names are
//! matched ignoring ASCII case, so the legacy `Entry name` / `Gene names`
//! exports read too.

use crate::error::Result;
use crate::io::LineReader;
use protea_core::parse_isoform;
use std::io::BufRead;

/// The exact `fields=` value `fetch_uniprot_metadata` requests (25 fields).
pub const FIELDS: &str = "accession,reviewed,id,protein_name,gene_names,organism_name,length,\
absorption,ft_act_site,ft_binding,cc_catalytic_activity,cc_cofactor,ft_dna_bind,ec,\
cc_activity_regulation,cc_function,cc_pathway,kinetics,ph_dependence,redox_potential,rhea,\
ft_site,temp_dependence,keyword,feature_count";

/// The seven protein columns, as (TSV header, record field).
pub const CORE_COLUMNS: [(&str, &str); 7] = [
    ("Entry", "entry"),
    ("Reviewed", "reviewed"),
    ("Entry Name", "entry_name"),
    ("Protein names", "protein_names"),
    ("Gene Names", "gene_names"),
    ("Organism", "organism"),
    ("Length", "length"),
];

/// The 18 metadata columns, as (TSV header, `protein_uniprot_metadata` column),
/// in the order of [`Metadata::values`].
pub const METADATA_COLUMNS: [(&str, &str); 18] = [
    ("Function [CC]", "function_cc"),
    ("Catalytic activity", "catalytic_activity"),
    ("EC number", "ec_number"),
    ("Pathway", "pathway"),
    ("Kinetics", "kinetics"),
    ("Absorption", "absorption"),
    ("Active site", "active_site"),
    ("Binding site", "binding_site"),
    ("Cofactor", "cofactor"),
    ("DNA binding", "dna_binding"),
    ("Activity regulation", "activity_regulation"),
    ("pH dependence", "ph_dependence"),
    ("Redox potential", "redox_potential"),
    ("Rhea ID", "rhea_id"),
    ("Site", "site"),
    ("Temperature dependence", "temperature_dependence"),
    ("Keywords", "keywords"),
    ("Features", "features"),
];

/// The 18 metadata values of one row, in [`METADATA_COLUMNS`] order. `None`
/// when the column is absent from the table; `Some("")` when present but empty
/// (the operation overwrites with empty strings too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub values: [Option<String>; 18],
}

impl Metadata {
    /// (database column, value) pairs.
    pub fn columns(&self) -> impl Iterator<Item = (&'static str, Option<&str>)> + '_ {
        METADATA_COLUMNS
            .iter()
            .zip(&self.values)
            .map(|((_, column), value)| (*column, value.as_deref()))
    }

    /// The value for a database column name (`function_cc`, `keywords`, ...).
    pub fn get(&self, column: &str) -> Option<&str> {
        let index = METADATA_COLUMNS.iter().position(|(_, c)| *c == column)?;
        self.values[index].as_deref()
    }
}

/// One row; every value is trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UniprotTsvRecord {
    /// `Entry`: the accession, possibly an isoform (`P12345-2`).
    pub entry: String,
    pub reviewed: Option<String>,
    pub entry_name: Option<String>,
    pub protein_names: Option<String>,
    pub gene_names: Option<String>,
    pub organism: Option<String>,
    pub length: Option<String>,
    pub metadata: Metadata,
    pub line: u64,
}

impl UniprotTsvRecord {
    /// The accession metadata is keyed by (`P12345-2` → `P12345`).
    pub fn canonical_accession(&self) -> &str {
        parse_isoform(&self.entry).canonical
    }

    /// `reviewed` → true, `unreviewed` → false.
    pub fn is_reviewed(&self) -> Option<bool> {
        match self.reviewed.as_deref()? {
            "reviewed" => Some(true),
            "unreviewed" => Some(false),
            _ => None,
        }
    }

    /// The first token of `Gene Names`.
    pub fn gene_name(&self) -> Option<&str> {
        self.gene_names.as_deref()?.split_whitespace().next()
    }

    /// `Length` when it is all digits.
    pub fn length_value(&self) -> Option<u32> {
        let text = self.length.as_deref()?;
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Core(usize),
    Meta(usize),
    Ignored,
}

/// Streams the rows of a UniProt TSV table.
pub struct Reader<R> {
    lines: LineReader<R>,
    targets: Vec<Target>,
    headers: Vec<String>,
    entry_column: usize,
}

impl<R: BufRead> Reader<R> {
    /// Reads the header line; a table without an `Entry` column is an error.
    pub fn new(inner: R, source_name: &str) -> Result<Reader<R>> {
        let mut lines = LineReader::new(inner, source_name);
        if !lines.advance()? {
            return Err(lines.error("header", "empty input: no header line"));
        }
        let headers: Vec<String> = lines
            .text()
            .split('\t')
            .map(|h| h.trim().to_owned())
            .collect();
        let targets: Vec<Target> = headers.iter().map(|h| target_of(h)).collect();
        let Some(entry_column) = targets.iter().position(|t| *t == Target::Core(0)) else {
            return Err(lines.error("Entry", "the header has no `Entry` column"));
        };
        Ok(Reader {
            lines,
            targets,
            headers,
            entry_column,
        })
    }

    /// The header names as read.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The next row; `None` at end of input. Empty lines are skipped.
    pub fn next_record(&mut self) -> Result<Option<UniprotTsvRecord>> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            if !self.lines.text().is_empty() {
                break;
            }
        }
        let lines = &self.lines;
        let cells: Vec<&str> = lines.text().split('\t').collect();
        if cells.len() != self.targets.len() {
            let field = self
                .headers
                .get(cells.len())
                .map_or("columns", String::as_str);
            let message = format!(
                "the row has {} columns, the header {}",
                cells.len(),
                self.targets.len()
            );
            return Err(lines.error(field, message));
        }
        if cells[self.entry_column].trim().is_empty() {
            return Err(lines.error("Entry", "empty accession"));
        }
        let mut record = UniprotTsvRecord {
            line: lines.line_number(),
            ..UniprotTsvRecord::default()
        };
        for (target, cell) in self.targets.iter().zip(cells) {
            let value = Some(cell.trim().to_owned());
            match *target {
                Target::Core(0) => record.entry = cell.trim().to_owned(),
                Target::Core(1) => record.reviewed = value,
                Target::Core(2) => record.entry_name = value,
                Target::Core(3) => record.protein_names = value,
                Target::Core(4) => record.gene_names = value,
                Target::Core(5) => record.organism = value,
                Target::Core(_) => record.length = value,
                Target::Meta(index) => record.metadata.values[index] = value,
                Target::Ignored => {}
            }
        }
        Ok(Some(record))
    }

    /// Iterates over the remaining rows.
    pub fn records(&mut self) -> Records<'_, R> {
        Records { reader: self }
    }
}

/// Iterator over the rows of a [`Reader`].
pub struct Records<'a, R> {
    reader: &'a mut Reader<R>,
}

impl<R: BufRead> Iterator for Records<'_, R> {
    type Item = Result<UniprotTsvRecord>;
    fn next(&mut self) -> Option<Self::Item> {
        self.reader.next_record().transpose()
    }
}

fn target_of(header: &str) -> Target {
    if let Some(i) = CORE_COLUMNS
        .iter()
        .position(|(h, _)| h.eq_ignore_ascii_case(header))
    {
        return Target::Core(i);
    }
    match METADATA_COLUMNS
        .iter()
        .position(|(h, _)| h.eq_ignore_ascii_case(header))
    {
        Some(i) => Target::Meta(i),
        None => Target::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn fields_list_has_25_entries_and_matches_the_columns() {
        assert_eq!(FIELDS.split(',').count(), 25);
        assert_eq!(CORE_COLUMNS.len() + METADATA_COLUMNS.len(), 25);
    }

    #[test]
    fn header_driven_rows() {
        let text = "Entry\tReviewed\tEntry Name\tUnknown\tGene Names\tLength\tFunction [CC]\tKeywords\tEC number\n\
                    P12345-2\treviewed\tX_HUMAN\tzzz\tABC DEF\t 120 \tFUNCTION: binds.\t\t1.2.3.4\n";
        let mut reader = Reader::new(text.as_bytes(), "page1.tsv").unwrap();
        let rows: Vec<_> = reader.records().collect::<Result<_>>().unwrap();
        let r = &rows[0];
        assert_eq!(r.entry, "P12345-2");
        assert_eq!(r.canonical_accession(), "P12345");
        assert_eq!(r.is_reviewed(), Some(true));
        assert_eq!(r.gene_name(), Some("ABC"));
        assert_eq!(r.length_value(), Some(120));
        assert_eq!(r.organism, None);
        assert_eq!(r.metadata.get("function_cc"), Some("FUNCTION: binds."));
        assert_eq!(r.metadata.get("keywords"), Some(""));
        assert_eq!(r.metadata.get("ec_number"), Some("1.2.3.4"));
        assert_eq!(r.metadata.get("pathway"), None);
        assert_eq!(r.metadata.columns().filter(|(_, v)| v.is_some()).count(), 3);
        assert_eq!(r.line, 2);
    }

    fn assert_error(err: &Error, line: u64, field: &str) {
        let got = (err.source_name(), err.line(), err.field());
        assert_eq!(got, ("t.tsv", line, Some(field)), "{err}");
    }

    #[test]
    fn malformed_tables() {
        let err = Reader::new(&b"Accession\tName\n"[..], "t.tsv")
            .err()
            .unwrap();
        assert_error(&err, 1, "Entry");
        assert_error(&Reader::new(&b""[..], "t.tsv").err().unwrap(), 0, "header");
        let mut reader =
            Reader::new(&b"Entry\tOrganism\tLength\nP1\tHuman\n"[..], "t.tsv").unwrap();
        assert_error(&reader.next_record().unwrap_err(), 2, "Length");
        let mut reader = Reader::new(&b"Entry\tOrganism\n\tHuman\n"[..], "t.tsv").unwrap();
        assert_error(&reader.next_record().unwrap_err(), 2, "Entry");
        let mut reader = Reader::new(&b"Entry\nP1\tx\n"[..], "t.tsv").unwrap();
        assert_error(&reader.next_record().unwrap_err(), 2, "columns");
    }
}
