//! InterProScan TSV output (`-f tsv`, InterProScan 5 and 6): one match per
//! line, 11 to 15 tab-separated columns —
//!
//! | # | column | here |
//! |---|---|---|
//! | 1 | protein id (the FASTA id) | `protein_id` |
//! | 2 | sequence MD5 | `md5` |
//! | 3 | sequence length | `length` |
//! | 4 | analysis (member database: Pfam, PANTHER, ...) | `analysis` |
//! | 5 | signature accession | `signature_accession` |
//! | 6 | signature description | `signature_description` |
//! | 7, 8 | start, stop (1-based, inclusive) | `start`, `end` |
//! | 9 | score (an e-value, or `-`) | `score` |
//! | 10 | status (`T`) | `status` |
//! | 11 | run date | `date` |
//! | 12, 13 | InterPro accession and description (optional) | `interpro_accession`, `interpro_description` |
//! | 14 | GO terms, `|`-separated, `GO:0005506(InterPro)` in 5.60+ and 6 | `go_terms` |
//! | 15 | pathways, `|`-separated (`MetaCyc:PWY-1042`, `Reactome:R-HSA-…`) | `pathways` |
//!
//! `-` and empty cells are "missing" (and `null` in the score column, as
//! InterProScan 6 writes it). Unlike the original, which skipped
//! short lines and bad coordinates silently, every malformed line is an error
//! naming the source, the line and the field: a half-read scan must never
//! look like a complete one. Blank lines are ignored; `#` lines are comments
//! (the first is kept as [`Reader::comment`]).

use crate::error::Result;
use crate::io::LineReader;
use protea_core::GoId;
use std::cmp::Ordering;
use std::io::BufRead;

/// One GO cross-reference of column 14: the term and, when written, the
/// source in parentheses (`InterPro`, `PANTHER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoXref {
    pub go_id: GoId,
    pub source: Option<String>,
}

/// One match line.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub protein_id: String,
    pub md5: Option<String>,
    pub length: u32,
    pub analysis: String,
    pub signature_accession: String,
    pub signature_description: Option<String>,
    pub start: u32,
    pub end: u32,
    pub score: Option<f64>,
    pub status: Option<String>,
    pub date: Option<String>,
    pub interpro_accession: Option<String>,
    pub interpro_description: Option<String>,
    pub go_terms: Vec<GoXref>,
    pub pathways: Vec<String>,
    /// 1-based line number in the source.
    pub line: u64,
}

const NAMES: [&str; 15] = [
    "protein_id",
    "md5",
    "length",
    "analysis",
    "signature_accession",
    "signature_description",
    "start",
    "end",
    "score",
    "status",
    "date",
    "interpro_accession",
    "interpro_description",
    "go_terms",
    "pathways",
];

/// Streams the matches of an InterProScan TSV file.
pub struct Reader<R> {
    lines: LineReader<R>,
    comment: Option<String>,
}

impl<R: BufRead> Reader<R> {
    pub fn new(inner: R, source_name: &str) -> Reader<R> {
        Reader {
            lines: LineReader::new(inner, source_name),
            comment: None,
        }
    }

    /// The first `#` comment line (without the `#`), if any was read.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }

    /// The next match; `None` at end of input.
    pub fn next_match(&mut self) -> Result<Option<Match>> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            let line = self.lines.text();
            if line.trim().is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                if self.comment.is_none() {
                    self.comment = Some(comment.trim().to_owned());
                }
                continue;
            }
            return parse_line(&self.lines).map(Some);
        }
    }

    /// Iterates over the remaining matches.
    pub fn matches(&mut self) -> Matches<'_, R> {
        Matches { reader: self }
    }
}

/// Iterator over the matches of a [`Reader`].
pub struct Matches<'a, R> {
    reader: &'a mut Reader<R>,
}

impl<R: BufRead> Iterator for Matches<'_, R> {
    type Item = Result<Match>;
    fn next(&mut self) -> Option<Self::Item> {
        self.reader.next_match().transpose()
    }
}

fn optional(cell: Option<&str>) -> Option<&str> {
    cell.map(str::trim).filter(|c| !c.is_empty() && *c != "-")
}

fn parse_line<R: BufRead>(lines: &LineReader<R>) -> Result<Match> {
    let line = lines.text();
    let cells: Vec<&str> = line.split('\t').collect();
    if cells.len() < 11 || cells.len() > 15 {
        let field = NAMES.get(cells.len()).unwrap_or(&"line");
        return Err(lines.error(
            *field,
            format!(
                "expected 11 to 15 tab-separated columns, found {}",
                cells.len()
            ),
        ));
    }
    let cell = |i: usize| optional(cells.get(i).copied());
    let required =
        |i: usize| cell(i).ok_or_else(|| lines.error(NAMES[i], "required column is empty or `-`"));
    let number = |i: usize| -> Result<u32> {
        let text = required(i)?;
        text.parse::<u32>()
            .map_err(|_| lines.error(NAMES[i], format!("expected a whole number, found {text:?}")))
    };
    let length = number(2)?;
    let start = number(6)?;
    let end = number(7)?;
    if start == 0 {
        return Err(lines.error("start", "positions are 1-based; found 0"));
    }
    if end < start {
        return Err(lines.error("end", format!("stop {end} is before start {start}")));
    }
    // InterProScan 6 writes `null` where 5 wrote `-` (CDD, PANTHER, PRINTS, SUPERFAMILY).
    let score = match cell(8) {
        None | Some("null") => None,
        Some(text) => Some(
            text.parse::<f64>()
                .ok()
                .filter(|s| !s.is_nan())
                .ok_or_else(|| {
                    lines.error("score", format!("expected a number or `-`, found {text:?}"))
                })?,
        ),
    };
    let interpro_accession = cell(11).map(str::to_owned);
    if let Some(ipr) = &interpro_accession
        && !(ipr.len() > 3
            && ipr.starts_with("IPR")
            && ipr[3..].bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(lines.error(
            "interpro_accession",
            format!("expected IPRnnnnnn or `-`, found {ipr:?}"),
        ));
    }
    let mut go_terms = Vec::new();
    for item in cell(13).into_iter().flat_map(|c| c.split('|')) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (id, source) = match item.split_once('(') {
            Some((id, rest)) => match rest.strip_suffix(')') {
                Some(source) => (id, Some(source.to_owned())),
                None => {
                    return Err(lines.error("go_terms", format!("unclosed `(` in {item:?}")));
                }
            },
            None => (item, None),
        };
        let go_id = GoId::parse(id)
            .map_err(|_| lines.error("go_terms", format!("expected a GO id, found {id:?}")))?;
        go_terms.push(GoXref { go_id, source });
    }
    let pathways = cell(14)
        .into_iter()
        .flat_map(|c| c.split('|'))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(Match {
        protein_id: required(0)?.to_owned(),
        md5: cell(1).map(str::to_owned),
        length,
        analysis: required(3)?.to_owned(),
        signature_accession: required(4)?.to_owned(),
        signature_description: cell(5).map(str::to_owned),
        start,
        end,
        score,
        status: cell(9).map(str::to_owned),
        date: cell(10).map(str::to_owned),
        interpro_accession,
        interpro_description: cell(12).map(str::to_owned),
        go_terms,
        pathways,
        line: lines.line_number(),
    })
}

/// Orders release tags (`5.77-108.0`, `104.0`) the way a person reads them:
/// runs of digits compare as numbers, everything else byte by byte. The spec
/// calls the `ipr_release_floor` comparison lexicographic; for tags of equal
/// width the two agree, and this one also keeps `99.0` below `100.0`.
pub fn compare_releases(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let na = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let nb = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (da, db) = (trim_zeros(&a[..na]), trim_zeros(&b[..nb]));
                let order = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[na..];
                b = &b[nb..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&d| d == b'0').count();
    &digits[zeros.min(digits.len().saturating_sub(1))..]
}

/// True when `release` is at or above `floor` (see [`compare_releases`]).
pub fn release_at_least(release: &str, floor: &str) -> bool {
    compare_releases(release, floor) != Ordering::Less
}

/// The release tag in the first non-blank line of `interproscan.sh
/// --version` (`InterProScan version 5.77-108.0` → `5.77-108.0`): the last
/// whitespace-separated token that starts with a digit, else the whole line.
pub fn release_from_version_output(output: &str) -> Option<String> {
    let line = output.lines().map(str::trim).find(|l| !l.is_empty())?;
    let token = line
        .split_whitespace()
        .rev()
        .find(|t| t.as_bytes()[0].is_ascii_digit())
        .unwrap_or(line);
    Some(token.to_owned())
}

#[cfg(test)]
#[path = "interproscan_tests.rs"]
mod tests;
