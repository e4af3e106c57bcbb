//! EBI external2go mappings: `interpro2go` (and `pfam2go`, which has the same
//! shape). Lines read `InterPro:IPR000003 Retinoid X receptor/HNF4 > GO:DNA
//! binding ; GO:0003677`; `!` lines are comments, and the `!date:` (interpro2go)
//! or `!version date:` (pfam2go) comment gives the release date.

use crate::error::Result;
use crate::io::LineReader;
use protea_core::GoId;
use std::io::BufRead;

/// One mapping line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The source database prefix: `InterPro`, `Pfam`.
    pub db: String,
    /// The entry accession without the prefix: `IPR000003`.
    pub accession: String,
    /// The entry name as written (may be empty).
    pub name: String,
    /// The GO term name after `> GO:`.
    pub go_name: String,
    pub go_id: GoId,
    pub line: u64,
}

/// Streams the mappings of an external2go file.
pub struct Reader<R> {
    lines: LineReader<R>,
    date: Option<String>,
}

impl<R: BufRead> Reader<R> {
    pub fn new(inner: R, source_name: &str) -> Reader<R> {
        Reader {
            lines: LineReader::new(inner, source_name),
            date: None,
        }
    }

    /// The release date from the `!date:` comment (`2025/06/08 17:43:09`);
    /// known once the header comments have been read (after the first record).
    pub fn date(&self) -> Option<&str> {
        self.date.as_deref()
    }

    /// The next mapping; `None` at end of input.
    pub fn next_mapping(&mut self) -> Result<Option<Mapping>> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            let line = self.lines.text().trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('!') {
                let date = comment
                    .strip_prefix("date:")
                    .or_else(|| comment.strip_prefix("version date:"));
                if let (Some(date), None) = (date, &self.date) {
                    self.date = Some(date.trim().to_owned());
                }
                continue;
            }
            return parse_line(&self.lines).map(Some);
        }
    }

    /// Iterates over the remaining mappings.
    pub fn mappings(&mut self) -> Mappings<'_, R> {
        Mappings { reader: self }
    }
}

/// Iterator over the mappings of a [`Reader`].
pub struct Mappings<'a, R> {
    reader: &'a mut Reader<R>,
}

impl<R: BufRead> Iterator for Mappings<'_, R> {
    type Item = Result<Mapping>;
    fn next(&mut self) -> Option<Self::Item> {
        self.reader.next_mapping().transpose()
    }
}

fn parse_line<R: BufRead>(lines: &LineReader<R>) -> Result<Mapping> {
    let line = lines.text().trim_end();
    let Some((left, go_id)) = line.rsplit_once(" ; ") else {
        return Err(lines.error("go_id", "missing ` ; GO:nnnnnnn` at the end of the line"));
    };
    let go_id = GoId::parse(go_id.trim()).map_err(|_| {
        lines.error(
            "go_id",
            format!("expected a GO id, found {:?}", go_id.trim()),
        )
    })?;
    let Some((entry, go_name)) = left.split_once(" > GO:") else {
        return Err(lines.error("go_name", "missing ` > GO:<name>`"));
    };
    let (id, name) = entry.split_once(' ').unwrap_or((entry, ""));
    let Some((db, accession)) = id.split_once(':') else {
        return Err(lines.error(
            "accession",
            format!("expected `DB:accession`, found {id:?}"),
        ));
    };
    if db.is_empty() || accession.is_empty() {
        return Err(lines.error(
            "accession",
            format!("expected `DB:accession`, found {id:?}"),
        ));
    }
    Ok(Mapping {
        db: db.to_owned(),
        accession: accession.to_owned(),
        name: name.trim().to_owned(),
        go_name: go_name.trim().to_owned(),
        go_id,
        line: lines.line_number(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    fn read(text: &str) -> Result<(Option<String>, Vec<Mapping>)> {
        let mut reader = Reader::new(text.as_bytes(), "i2g");
        let mappings = reader.mappings().collect::<Result<Vec<_>>>()?;
        Ok((reader.date().map(str::to_owned), mappings))
    }

    #[test]
    fn lines_and_date() {
        let text = "!date: 2025/06/08 17:43:09\n!Mapping of InterPro entries to GO\n\n\
                    InterPro:IPR000003 Retinoid X receptor/HNF4 > GO:DNA binding ; GO:0003677\n\
                    Pfam:PF00001 7tm_1 > GO:G protein-coupled receptor activity ; GO:0004930\n";
        let (date, mappings) = read(text).unwrap();
        assert_eq!(date.as_deref(), Some("2025/06/08 17:43:09"));
        let m = &mappings[0];
        assert_eq!(
            (m.db.as_str(), m.accession.as_str()),
            ("InterPro", "IPR000003")
        );
        assert_eq!(m.name, "Retinoid X receptor/HNF4");
        assert_eq!(m.go_name, "DNA binding");
        assert_eq!((m.go_id, m.line), (GoId(3677), 4));
        assert_eq!(mappings[1].db, "Pfam");
        let (date, _) = read("!version date: 2022/03/16 10:40:04\n").unwrap();
        assert_eq!(date.as_deref(), Some("2022/03/16 10:40:04"));
    }

    fn assert_error(err: &Error, line: u64, field: &str) {
        let got = (err.source_name(), err.line(), err.field());
        assert_eq!(got, ("i2g", line, Some(field)), "{err}");
    }

    #[test]
    fn malformed_lines_name_line_and_field() {
        let ok = "InterPro:IPR1 X > GO:b ; GO:0003677\n";
        assert_error(
            &read(&format!("{ok}InterPro:IPR1 X > GO:b GO:0003677\n")).unwrap_err(),
            2,
            "go_id",
        );
        assert_error(
            &read("InterPro:IPR1 X > GO:b ; GO:3677\n").unwrap_err(),
            1,
            "go_id",
        );
        assert_error(
            &read("InterPro:IPR1 X GO:b ; GO:0003677\n").unwrap_err(),
            1,
            "go_name",
        );
        assert_error(
            &read("IPR1 X > GO:b ; GO:0003677\n").unwrap_err(),
            1,
            "accession",
        );
    }
}
