//! Information-accretion (IA) weights for weighted CAFA metrics: a TSV of
//! `GO:id<TAB>float` with no header. Empty lines and `#` comments are skipped;
//! a value must be a finite, non-negative number.

use crate::error::Result;
use crate::io::LineReader;
use protea_core::GoId;
use std::collections::HashMap;
use std::io::BufRead;

/// One weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IaEntry {
    pub go_id: GoId,
    pub ia: f64,
    pub line: u64,
}

/// Streams IA entries.
pub struct Reader<R> {
    lines: LineReader<R>,
}

impl<R: BufRead> Reader<R> {
    pub fn new(inner: R, source_name: &str) -> Reader<R> {
        Reader {
            lines: LineReader::new(inner, source_name),
        }
    }

    /// The next entry; `None` at end of input.
    pub fn next_entry(&mut self) -> Result<Option<IaEntry>> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            let text = self.lines.text().trim();
            if !text.is_empty() && !text.starts_with('#') {
                break;
            }
        }
        let lines = &self.lines;
        let text = lines.text().trim();
        let Some((go, value)) = text.split_once(['\t', ' ']) else {
            return Err(lines.error("ia", "missing the weight column"));
        };
        let go_id = GoId::parse(go)
            .map_err(|_| lines.error("go_id", format!("expected a GO id, found {go:?}")))?;
        let value = value.trim();
        let ia: f64 = value
            .parse()
            .map_err(|_| lines.error("ia", format!("expected a number, found {value:?}")))?;
        if !ia.is_finite() || ia < 0.0 {
            return Err(lines.error(
                "ia",
                format!("expected a finite non-negative weight, found {value}"),
            ));
        }
        Ok(Some(IaEntry {
            go_id,
            ia,
            line: lines.line_number(),
        }))
    }

    /// Reads every entry into a map; a GO id listed twice is an error.
    pub fn read_map(mut self) -> Result<HashMap<GoId, f64>> {
        let mut map = HashMap::new();
        while let Some(entry) = self.next_entry()? {
            if map.insert(entry.go_id, entry.ia).is_some() {
                return Err(self
                    .lines
                    .error("go_id", format!("{} listed twice", entry.go_id)));
            }
        }
        Ok(map)
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = Result<IaEntry>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_entry().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_weights() {
        let text = "GO:0000001\t0.0\n\n# comment\nGO:0000002\t2.8496657269155685\n";
        let map = Reader::new(text.as_bytes(), "ia.tsv").read_map().unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(map[&GoId(2)], 2.8496657269155685);
    }

    #[test]
    fn malformed_lines_name_line_and_field() {
        let check = |text: &str, line: u64, field: &str| {
            let err = Reader::new(text.as_bytes(), "ia.tsv")
                .read_map()
                .unwrap_err();
            assert_eq!(
                (err.source_name(), err.line(), err.field()),
                ("ia.tsv", line, Some(field)),
                "{err}"
            );
        };
        check("GO:0000001\t0.5\nGO:0000002\tabc\n", 2, "ia");
        check("GO:0000001\n", 1, "ia");
        check("GO:1\t0.5\n", 1, "go_id");
        check("GO:0000001\t-1\n", 1, "ia");
        check("GO:0000001\tNaN\n", 1, "ia");
        check("GO:0000001\t1\nGO:0000001\t2\n", 2, "go_id");
    }
}
