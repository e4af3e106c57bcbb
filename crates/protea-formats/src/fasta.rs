//! FASTA: UniProt headers (`>sp|ACC|NAME desc OS=… OX=… GN=… PE=… SV=…`,
//! `>tr|…`), plain `>ID desc` headers of user files, a streaming reader, a
//! writer, and the validation rules for user uploads (see [`validate`]).
//!
//! Header rule (the original platform's): split on `|`; with at least three
//! fields the accession is the 2nd and the entry name the first token of the
//! 3rd, otherwise the accession is the first whitespace token. `reviewed` means
//! the header starts with `sp|`. The sequence is the concatenated lines with
//! whitespace removed, in upper case.

pub mod validate;

use crate::error::{Error, Result};
use crate::io::LineReader;
use protea_core::{IsoformParts, parse_isoform};
use std::io::{self, BufRead, Write};

/// One FASTA record with its parsed header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FastaRecord {
    /// UniProt accession (`P12345`, `P12345-2`) or the first token of a plain header.
    pub accession: String,
    /// `NAME_YEAST` for UniProt headers.
    pub entry_name: Option<String>,
    /// The header starts with `sp|`.
    pub reviewed: bool,
    /// The protein name: the text before the first `XX=` tag (after the entry
    /// name for UniProt headers, after the id for plain ones); may be empty.
    pub description: String,
    /// `OS=` (the text up to the next tag).
    pub organism: Option<String>,
    /// `OX=`, the digits, kept as text as the original stores it.
    pub taxonomy_id: Option<String>,
    /// `GN=`, first token.
    pub gene_name: Option<String>,
    /// `PE=` (1..5).
    pub protein_existence: Option<u8>,
    /// `SV=`.
    pub sequence_version: Option<u32>,
    /// Residues, upper case, whitespace removed.
    pub sequence: String,
    /// The header line without `>`.
    pub header: String,
    /// 1-based line of the header.
    pub line: u64,
}

impl FastaRecord {
    /// Canonical accession and isoform index (`P12345-2` → `P12345`, 2).
    pub fn isoform(&self) -> IsoformParts<'_> {
        parse_isoform(&self.accession)
    }

    /// Residue count.
    pub fn length(&self) -> usize {
        self.sequence.len()
    }
}

/// Parses a header (without `>`) into the header fields of a record. `line`
/// and `source_name` only label errors.
pub fn parse_header(header: &str, source_name: &str, line: u64) -> Result<FastaRecord> {
    let err = |field: &str, message: &str| Error::parse(source_name, line, field, message);
    if header.trim().is_empty() {
        return Err(err("header", "missing identifier after `>`"));
    }
    if header.starts_with(char::is_whitespace) {
        return Err(err("header", "whitespace between `>` and the identifier"));
    }
    let header = header.trim_end();
    let mut record = FastaRecord {
        header: header.to_owned(),
        line,
        ..FastaRecord::default()
    };
    let mut parts = header.splitn(3, '|');
    let rest = match (parts.next(), parts.next(), parts.next()) {
        (Some(db), Some(accession), Some(third)) => {
            if accession.is_empty() || accession.contains(char::is_whitespace) {
                return Err(err("accession", "empty or blank accession between `|`"));
            }
            let third = third.trim_start();
            let (entry_name, rest) = third.split_once(char::is_whitespace).unwrap_or((third, ""));
            record.accession = accession.to_owned();
            record.entry_name = (!entry_name.is_empty()).then(|| entry_name.to_owned());
            record.reviewed = db == "sp";
            rest
        }
        _ => {
            let (id, rest) = header
                .split_once(char::is_whitespace)
                .unwrap_or((header, ""));
            if id.is_empty() {
                return Err(err("header", "missing identifier after `>`"));
            }
            record.accession = id.to_owned();
            rest
        }
    };
    parse_tags(rest, &mut record, &err)?;
    Ok(record)
}

const TAGS: [&str; 5] = ["OS", "OX", "GN", "PE", "SV"];

/// Byte offsets where a known `XX=` tag starts (at the start or after a space).
fn tag_starts(text: &str) -> Vec<(usize, &'static str)> {
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    for i in 0..bytes.len().saturating_sub(2) {
        if bytes[i + 2] == b'='
            && (i == 0 || bytes[i - 1] == b' ')
            && let Some(tag) = TAGS.iter().find(|tag| tag.as_bytes() == &bytes[i..i + 2])
        {
            starts.push((i, *tag));
        }
    }
    starts
}

fn parse_tags(
    rest: &str,
    record: &mut FastaRecord,
    err: &dyn Fn(&str, &str) -> Error,
) -> Result<()> {
    let starts = tag_starts(rest);
    let first = starts.first().map_or(rest.len(), |&(i, _)| i);
    record.description = rest[..first].trim().to_owned();
    for (k, &(start, tag)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(rest.len(), |&(i, _)| i);
        let value = rest[start + 3..end].trim();
        match tag {
            "OS" => record.organism = Some(value.to_owned()),
            "OX" => {
                let digits: &str = &value[..value.bytes().take_while(u8::is_ascii_digit).count()];
                if digits.is_empty() {
                    return Err(err("OX", "expected a numeric taxonomy id"));
                }
                record.taxonomy_id = Some(digits.to_owned());
            }
            "GN" => record.gene_name = value.split_whitespace().next().map(str::to_owned),
            "PE" => {
                let pe = value
                    .parse()
                    .map_err(|_| err("PE", "expected a protein existence level 1-5"))?;
                record.protein_existence = Some(pe);
            }
            _ => {
                let sv = value
                    .parse()
                    .map_err(|_| err("SV", "expected a sequence version number"))?;
                record.sequence_version = Some(sv);
            }
        }
    }
    Ok(())
}

/// Streams FASTA records.
pub struct Reader<R> {
    lines: LineReader<R>,
    /// The next header (read while collecting the previous sequence) and its line.
    next_header: Option<(String, u64)>,
}

impl<R: BufRead> Reader<R> {
    /// `source_name` labels errors (a file name, an upload name, a URL).
    pub fn new(inner: R, source_name: &str) -> Reader<R> {
        Reader {
            lines: LineReader::new(inner, source_name),
            next_header: None,
        }
    }

    /// The next record; `None` at end of input.
    pub fn next_record(&mut self) -> Result<Option<FastaRecord>> {
        let (header, line) = match self.next_header.take() {
            Some(pending) => pending,
            None => loop {
                if !self.lines.advance()? {
                    return Ok(None);
                }
                let text = self.lines.text();
                if let Some(header) = text.strip_prefix('>') {
                    break (header.to_owned(), self.lines.line_number());
                }
                if !text.trim().is_empty() && !text.starts_with(';') {
                    return Err(self
                        .lines
                        .error("header", "sequence data before the first `>` header"));
                }
            },
        };
        let mut record = parse_header(&header, self.lines.source_name(), line)?;
        let mut sequence = Vec::with_capacity(1024);
        while self.lines.advance()? {
            let text = self.lines.text();
            if let Some(next) = text.strip_prefix('>') {
                self.next_header = Some((next.to_owned(), self.lines.line_number()));
                break;
            }
            if text.starts_with(';') {
                continue;
            }
            sequence.extend(
                text.bytes()
                    .filter(|b| !b.is_ascii_whitespace())
                    .map(|b| b.to_ascii_uppercase()),
            );
        }
        // Lines were checked UTF-8 and only ASCII bytes were changed.
        record.sequence =
            String::from_utf8(sequence).map_err(|_| self.lines.error("sequence", "not UTF-8"))?;
        Ok(Some(record))
    }

    /// Iterates over the remaining records.
    pub fn records(&mut self) -> Records<'_, R> {
        Records { reader: self }
    }
}

/// Iterator over the records of a [`Reader`].
pub struct Records<'a, R> {
    reader: &'a mut Reader<R>,
}

impl<R: BufRead> Iterator for Records<'_, R> {
    type Item = Result<FastaRecord>;
    fn next(&mut self) -> Option<Self::Item> {
        self.reader.next_record().transpose()
    }
}

/// Writes FASTA with sequence lines wrapped at a fixed width (60 like UniProt).
pub struct Writer<W> {
    inner: W,
    width: usize,
}

impl<W: Write> Writer<W> {
    pub fn new(inner: W) -> Writer<W> {
        Writer { inner, width: 60 }
    }

    /// Sets the line width (0 writes each sequence on one line).
    pub fn with_width(mut self, width: usize) -> Writer<W> {
        self.width = width;
        self
    }

    /// Writes `>header` and the wrapped sequence.
    pub fn write(&mut self, header: &str, sequence: &str) -> io::Result<()> {
        writeln!(self.inner, ">{header}")?;
        let bytes = sequence.as_bytes();
        if self.width == 0 || bytes.is_empty() {
            return if bytes.is_empty() {
                Ok(())
            } else {
                writeln!(self.inner, "{sequence}")
            };
        }
        for chunk in bytes.chunks(self.width) {
            self.inner.write_all(chunk)?;
            self.inner.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Writes a record with its original header.
    pub fn write_record(&mut self, record: &FastaRecord) -> io::Result<()> {
        self.write(&record.header, &record.sequence)
    }

    /// Returns the inner writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

#[cfg(test)]
#[path = "fasta/tests.rs"]
mod tests;
