//! GAF 2.1 / 2.2 reader (GO annotation files, plain or gzip through
//! [`crate::io::open`]). Rows have 17 tab-separated columns; 15- and
//! 16-column rows (older writers drop empty trailing columns) are accepted,
//! fewer is an error naming the first missing column. `!` lines are comments;
//! `!gaf-version:` is kept.
//!
//! [`Reader::next_row`] borrows the reader's line buffer ([`GafRow`]) so the
//! hot path of an import does not allocate; [`Reader::records`] yields owned
//! [`GafRecord`]s for convenience.

use crate::error::Result;
use crate::io::LineReader;
use protea_core::{Aspect, GoId};
use std::io::BufRead;

/// Column names, 1-based column `i` is `COLUMNS[i - 1]`; used in errors.
pub const COLUMNS: [&str; 17] = [
    "db",
    "db_object_id",
    "db_object_symbol",
    "qualifier",
    "go_id",
    "db_reference",
    "evidence_code",
    "with_from",
    "aspect",
    "db_object_name",
    "db_object_synonym",
    "db_object_type",
    "taxon",
    "date",
    "assigned_by",
    "annotation_extension",
    "gene_product_form_id",
];

/// The minimum number of columns a row must have.
pub const MIN_COLUMNS: usize = 15;

/// One annotation row borrowing the reader's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GafRow<'a> {
    pub db: &'a str,
    /// Column 2: the accession (`P12345`) for UniProtKB rows.
    pub db_object_id: &'a str,
    pub db_object_symbol: &'a str,
    /// Column 4 as written: `enables`, `NOT|involved_in`, or empty in GAF 2.1.
    pub qualifier: &'a str,
    pub go_id: GoId,
    pub db_reference: &'a str,
    pub evidence_code: &'a str,
    pub with_from: &'a str,
    pub aspect: Aspect,
    pub db_object_name: &'a str,
    pub db_object_synonym: &'a str,
    pub db_object_type: &'a str,
    pub taxon: &'a str,
    /// `YYYYMMDD` (checked to be eight digits).
    pub date: &'a str,
    pub assigned_by: &'a str,
    /// Column 16; empty when absent.
    pub annotation_extension: &'a str,
    /// Column 17 (`UniProtKB:P50542-3` for isoforms); empty when absent.
    pub gene_product_form_id: &'a str,
    /// 1-based line number in the source.
    pub line: u64,
}

impl<'a> GafRow<'a> {
    /// True when the qualifier carries `NOT` (`NOT|enables`, or `NOT` alone).
    pub fn is_not(&self) -> bool {
        self.qualifier.split('|').any(|part| part == "NOT")
    }

    /// The qualifier without `NOT`: the GAF 2.2 relation (`enables`), or the
    /// other 2.1 qualifiers (`contributes_to`, `colocalizes_with`), or empty.
    pub fn relation(&self) -> &'a str {
        match self.qualifier {
            "NOT" => "",
            qualifier => qualifier.strip_prefix("NOT|").unwrap_or(qualifier),
        }
    }

    /// The first taxon id of column 13 (`taxon:9606|taxon:10090` → 9606).
    pub fn taxon_id(&self) -> Option<u32> {
        let first = self.taxon.split('|').next()?;
        first.strip_prefix("taxon:").unwrap_or(first).parse().ok()
    }

    /// The isoform accession of column 17 (`UniProtKB:P50542-3` → `P50542-3`).
    pub fn isoform_accession(&self) -> Option<&'a str> {
        let form = self.gene_product_form_id;
        if form.is_empty() {
            return None;
        }
        Some(form.split_once(':').map_or(form, |(_, id)| id))
    }

    /// Copies the row into an owned record.
    pub fn to_record(&self) -> GafRecord {
        GafRecord {
            db: self.db.to_owned(),
            db_object_id: self.db_object_id.to_owned(),
            db_object_symbol: self.db_object_symbol.to_owned(),
            qualifier: self.qualifier.to_owned(),
            go_id: self.go_id,
            db_reference: self.db_reference.to_owned(),
            evidence_code: self.evidence_code.to_owned(),
            with_from: self.with_from.to_owned(),
            aspect: self.aspect,
            db_object_name: self.db_object_name.to_owned(),
            db_object_synonym: self.db_object_synonym.to_owned(),
            db_object_type: self.db_object_type.to_owned(),
            taxon: self.taxon.to_owned(),
            date: self.date.to_owned(),
            assigned_by: self.assigned_by.to_owned(),
            annotation_extension: self.annotation_extension.to_owned(),
            gene_product_form_id: self.gene_product_form_id.to_owned(),
            line: self.line,
        }
    }
}

/// An owned annotation row; fields as in [`GafRow`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GafRecord {
    pub db: String,
    pub db_object_id: String,
    pub db_object_symbol: String,
    pub qualifier: String,
    pub go_id: GoId,
    pub db_reference: String,
    pub evidence_code: String,
    pub with_from: String,
    pub aspect: Aspect,
    pub db_object_name: String,
    pub db_object_synonym: String,
    pub db_object_type: String,
    pub taxon: String,
    pub date: String,
    pub assigned_by: String,
    pub annotation_extension: String,
    pub gene_product_form_id: String,
    pub line: u64,
}

impl GafRecord {
    /// See [`GafRow::is_not`].
    pub fn is_not(&self) -> bool {
        self.qualifier.split('|').any(|part| part == "NOT")
    }
}

/// Streams the rows of a GAF file.
pub struct Reader<R> {
    lines: LineReader<R>,
    version: Option<String>,
    /// A data line already in the buffer (read while looking for the header).
    pending: bool,
}

impl<R: BufRead> Reader<R> {
    /// Reads the leading `!` header lines. `source_name` labels errors.
    pub fn new(inner: R, source_name: &str) -> Result<Reader<R>> {
        let mut reader = Reader {
            lines: LineReader::new(inner, source_name),
            version: None,
            pending: false,
        };
        reader.pending = reader.skip_comments()?;
        Ok(reader)
    }

    /// The `!gaf-version:` of the header (`2.2`), if any.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Advances to the next data line; `false` at end of input.
    fn skip_comments(&mut self) -> Result<bool> {
        while self.lines.advance()? {
            let line = self.lines.text();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('!') {
                if let Some(version) = comment.strip_prefix("gaf-version:") {
                    self.version = Some(version.trim().to_owned());
                }
                continue;
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// The next row, borrowing the reader; `None` at end of input.
    pub fn next_row(&mut self) -> Result<Option<GafRow<'_>>> {
        let has_line = if self.pending {
            std::mem::take(&mut self.pending)
        } else {
            self.skip_comments()?
        };
        if !has_line {
            return Ok(None);
        }
        parse_row(&self.lines).map(Some)
    }

    /// Iterates over owned records.
    pub fn records(&mut self) -> Records<'_, R> {
        Records { reader: self }
    }
}

/// Iterator over the owned records of a [`Reader`].
pub struct Records<'a, R> {
    reader: &'a mut Reader<R>,
}

impl<R: BufRead> Iterator for Records<'_, R> {
    type Item = Result<GafRecord>;
    fn next(&mut self) -> Option<Self::Item> {
        self.reader
            .next_row()
            .map(|row| row.map(|row| row.to_record()))
            .transpose()
    }
}

fn parse_row<R: BufRead>(lines: &LineReader<R>) -> Result<GafRow<'_>> {
    let line = lines.text();
    let mut cols = [""; 17];
    let mut count = 0;
    for field in line.split('\t') {
        if count == cols.len() {
            return Err(lines.error(
                "columns",
                format!("more than {} tab-separated columns", cols.len()),
            ));
        }
        cols[count] = field;
        count += 1;
    }
    if count < MIN_COLUMNS {
        let message =
            format!("missing: the row has {count} columns, at least {MIN_COLUMNS} are required");
        return Err(lines.error(COLUMNS[count], message));
    }
    if cols[1].is_empty() {
        return Err(lines.error("db_object_id", "empty"));
    }
    let go_id = GoId::parse(cols[4])
        .map_err(|_| lines.error("go_id", format!("expected a GO id, found {:?}", cols[4])))?;
    let aspect = Aspect::from_code(cols[8])
        .ok_or_else(|| lines.error("aspect", format!("expected P, F or C, found {:?}", cols[8])))?;
    let date = cols[13];
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(lines.error("date", format!("expected YYYYMMDD, found {date:?}")));
    }
    Ok(GafRow {
        db: cols[0],
        db_object_id: cols[1],
        db_object_symbol: cols[2],
        qualifier: cols[3],
        go_id,
        db_reference: cols[5],
        evidence_code: cols[6],
        with_from: cols[7],
        aspect,
        db_object_name: cols[9],
        db_object_synonym: cols[10],
        db_object_type: cols[11],
        taxon: cols[12],
        date,
        assigned_by: cols[14],
        annotation_extension: cols[15],
        gene_product_form_id: cols[16],
        line: lines.line_number(),
    })
}

#[cfg(test)]
#[path = "gaf/tests.rs"]
mod tests;
