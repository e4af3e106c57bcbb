//! ECO evidence ids → GO evidence codes: the built-in table of the original
//! platform and a reader for the GAF-ECO mapping files
//! (`ECO:0000269<TAB>EXP<TAB>Default`, the column order may also be
//! `EXP<TAB>Default<TAB>ECO:0000269`; two-column `ECO:… CODE` lines count as
//! defaults). For an ECO id with several rows the `Default` row wins; rows
//! qualified by a `GO_REF` are used only when there is no default.

use crate::error::Result;
use crate::io::LineReader;
use std::collections::HashMap;
use std::io::BufRead;

/// The built-in map (original platform §5.4), used when no file is given.
pub const BUILTIN: [(&str, &str); 30] = [
    ("ECO:0000269", "EXP"),
    ("ECO:0007005", "HDA"),
    ("ECO:0007007", "HEP"),
    ("ECO:0007003", "HGI"),
    ("ECO:0007001", "HMP"),
    ("ECO:0006056", "HTP"),
    ("ECO:0000318", "IBA"),
    ("ECO:0000319", "IBD"),
    ("ECO:0000305", "IC"),
    ("ECO:0000314", "IDA"),
    ("ECO:0000501", "IEA"),
    ("ECO:0000270", "IEP"),
    ("ECO:0000317", "IGC"),
    ("ECO:0000316", "IGI"),
    ("ECO:0000320", "IKR"),
    ("ECO:0000315", "IMP"),
    ("ECO:0000353", "IPI"),
    ("ECO:0000321", "IRD"),
    ("ECO:0000247", "ISA"),
    ("ECO:0000255", "ISM"),
    ("ECO:0000266", "ISO"),
    ("ECO:0000250", "ISS"),
    ("ECO:0000303", "NAS"),
    ("ECO:0000307", "ND"),
    ("ECO:0000245", "RCA"),
    ("ECO:0000304", "TAS"),
    // UniProt automatic-assertion terms.
    ("ECO:0000256", "IEA"),
    ("ECO:0000366", "IEA"),
    ("ECO:0007322", "IEA"),
    ("ECO:0007826", "IEA"),
];

/// The built-in code for an ECO id.
pub fn builtin_code(eco_id: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(eco, _)| *eco == eco_id)
        .map(|(_, code)| *code)
}

/// A map read from a GAF-ECO mapping file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EcoMap {
    codes: HashMap<String, (String, bool)>,
}

impl EcoMap {
    /// Reads a mapping file. Empty lines and `#` / `!` comments are skipped;
    /// a line without an `ECO:` id or without a code is an error.
    pub fn read<R: BufRead>(inner: R, source_name: &str) -> Result<EcoMap> {
        let mut lines = LineReader::new(inner, source_name);
        let mut map = EcoMap::default();
        while lines.advance()? {
            let line = lines.text().trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
                continue;
            }
            let tokens: Vec<&str> = line.split_whitespace().collect();
            let Some(eco) = tokens.iter().find(|t| t.starts_with("ECO:")) else {
                return Err(lines.error("eco_id", "no `ECO:` id on the line"));
            };
            let mut others = tokens.iter().filter(|t| !t.starts_with("ECO:"));
            let code = others
                .clone()
                .find(|t| **t != "Default" && !t.contains(':'));
            let Some(code) = code else {
                return Err(lines.error("evidence_code", "no evidence code on the line"));
            };
            let is_default = tokens.len() == 2 || others.any(|t| *t == "Default");
            let entry = map.codes.entry((*eco).to_owned());
            match entry {
                std::collections::hash_map::Entry::Occupied(mut slot) => {
                    if is_default && !slot.get().1 {
                        slot.insert(((*code).to_owned(), true));
                    }
                }
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(((*code).to_owned(), is_default));
                }
            }
        }
        Ok(map)
    }

    /// The code the file gives for an ECO id.
    pub fn code(&self, eco_id: &str) -> Option<&str> {
        self.codes.get(eco_id).map(|(code, _)| code.as_str())
    }

    /// The file's code, else the built-in one, else the raw ECO id (unknown
    /// codes pass through unchanged, as in the original).
    pub fn resolve<'a>(&'a self, eco_id: &'a str) -> &'a str {
        self.code(eco_id)
            .or_else(|| builtin_code(eco_id))
            .unwrap_or(eco_id)
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rows_win_and_both_column_orders_read() {
        let text = "# comment\n\
                    ECO:0000256\tIEA\tGO_REF:0000002\n\
                    ECO:0000256\tISS\tDefault\n\
                    ECO:0000250\tISS\tDefault\n\
                    ECO:0000250\tIEA\tGO_REF:0000024\n\
                    EXP\tDefault\tECO:0000269\n\
                    ECO:0000314 IDA\n";
        let map = EcoMap::read(text.as_bytes(), "eco.txt").unwrap();
        assert_eq!(map.len(), 4);
        assert_eq!(map.code("ECO:0000256"), Some("ISS"));
        assert_eq!(map.code("ECO:0000250"), Some("ISS"));
        assert_eq!(map.code("ECO:0000269"), Some("EXP"));
        assert_eq!(map.code("ECO:0000314"), Some("IDA"));
        assert_eq!(map.resolve("ECO:0000318"), "IBA"); // built-in
        assert_eq!(map.resolve("ECO:9999999"), "ECO:9999999");
    }

    #[test]
    fn builtin_table() {
        assert_eq!(builtin_code("ECO:0007826"), Some("IEA"));
        assert_eq!(builtin_code("ECO:0000304"), Some("TAS"));
        assert_eq!(builtin_code("ECO:1"), None);
    }

    #[test]
    fn malformed_lines_name_line_and_field() {
        let err = EcoMap::read(&b"ECO:0000269\tEXP\nEXP\tDefault\n"[..], "eco.txt").unwrap_err();
        assert_eq!(
            (err.source_name(), err.line(), err.field()),
            ("eco.txt", 2, Some("eco_id"))
        );
        let err = EcoMap::read(&b"ECO:0000269\tDefault\n"[..], "eco.txt").unwrap_err();
        assert_eq!((err.line(), err.field()), (1, Some("evidence_code")));
    }
}
