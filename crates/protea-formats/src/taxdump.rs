//! NCBI taxdump files: `nodes.dmp` (taxid, parent, rank), `names.dmp`,
//! `merged.dmp` (old → new taxid) and `delnodes.dmp`. Fields are separated by
//! `\t|\t` and lines end with `\t|`. The in-memory tree built from them is in
//! [`crate::taxonomy`].

use crate::error::Result;
use crate::io::LineReader;
use std::io::BufRead;
use std::marker::PhantomData;

/// A `nodes.dmp` row (only the columns PROTEA uses).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub taxid: u32,
    pub parent: u32,
    pub rank: String,
}

/// A `names.dmp` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub taxid: u32,
    pub name: String,
    pub unique_name: String,
    /// `scientific name`, `synonym`, ...
    pub name_class: String,
}

impl Name {
    pub fn is_scientific(&self) -> bool {
        self.name_class == "scientific name"
    }
}

/// A `merged.dmp` row: `old` was merged into `new`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    pub old: u32,
    pub new: u32,
}

/// A `delnodes.dmp` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    pub taxid: u32,
}

/// A row type of one of the dump files.
pub trait DmpRow: Sized {
    /// The least number of fields a row has.
    const MIN_FIELDS: usize;
    /// The field names, for errors.
    const FIELDS: &'static [&'static str];
    #[doc(hidden)]
    fn from_fields(fields: &[&str], taxid: &dyn Fn(usize) -> Result<u32>) -> Result<Self>;
}

impl DmpRow for Node {
    const MIN_FIELDS: usize = 3;
    const FIELDS: &'static [&'static str] = &["tax_id", "parent_tax_id", "rank"];
    fn from_fields(fields: &[&str], taxid: &dyn Fn(usize) -> Result<u32>) -> Result<Self> {
        Ok(Node {
            taxid: taxid(0)?,
            parent: taxid(1)?,
            rank: fields[2].to_owned(),
        })
    }
}

impl DmpRow for Name {
    const MIN_FIELDS: usize = 4;
    const FIELDS: &'static [&'static str] = &["tax_id", "name_txt", "unique_name", "name_class"];
    fn from_fields(fields: &[&str], taxid: &dyn Fn(usize) -> Result<u32>) -> Result<Self> {
        Ok(Name {
            taxid: taxid(0)?,
            name: fields[1].to_owned(),
            unique_name: fields[2].to_owned(),
            name_class: fields[3].to_owned(),
        })
    }
}

impl DmpRow for Merged {
    const MIN_FIELDS: usize = 2;
    const FIELDS: &'static [&'static str] = &["old_tax_id", "new_tax_id"];
    fn from_fields(_: &[&str], taxid: &dyn Fn(usize) -> Result<u32>) -> Result<Self> {
        Ok(Merged {
            old: taxid(0)?,
            new: taxid(1)?,
        })
    }
}

impl DmpRow for Deleted {
    const MIN_FIELDS: usize = 1;
    const FIELDS: &'static [&'static str] = &["tax_id"];
    fn from_fields(_: &[&str], taxid: &dyn Fn(usize) -> Result<u32>) -> Result<Self> {
        Ok(Deleted { taxid: taxid(0)? })
    }
}

/// Streams the rows of one dump file: `Reader::<Node, _>::new(file, "nodes.dmp")`.
pub struct Reader<T, R> {
    lines: LineReader<R>,
    row: PhantomData<fn() -> T>,
}

impl<T: DmpRow, R: BufRead> Reader<T, R> {
    pub fn new(inner: R, source_name: &str) -> Reader<T, R> {
        Reader {
            lines: LineReader::new(inner, source_name),
            row: PhantomData,
        }
    }

    /// The next row; `None` at end of input. Empty lines are skipped.
    pub fn next_row(&mut self) -> Result<Option<T>> {
        loop {
            if !self.lines.advance()? {
                return Ok(None);
            }
            if !self.lines.text().is_empty() {
                break;
            }
        }
        let lines = &self.lines;
        let text = lines.text();
        let text = text.strip_suffix("\t|").unwrap_or(text);
        let fields: Vec<&str> = text.split("\t|\t").collect();
        if fields.len() < T::MIN_FIELDS {
            let field = T::FIELDS[fields.len()];
            return Err(lines.error(
                field,
                format!("missing: the row has {} fields", fields.len()),
            ));
        }
        let taxid = |i: usize| -> Result<u32> {
            let text = fields[i].trim();
            text.parse().map_err(|_| {
                lines.error(T::FIELDS[i], format!("expected a taxon id, found {text:?}"))
            })
        };
        T::from_fields(&fields, &taxid).map(Some)
    }
}

impl<T: DmpRow, R: BufRead> Iterator for Reader<T, R> {
    type Item = Result<T>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows<T: DmpRow>(text: &str) -> Result<Vec<T>> {
        Reader::<T, _>::new(text.as_bytes(), "t.dmp").collect()
    }

    #[test]
    fn each_file_kind() {
        let nodes: Vec<Node> =
            rows("1\t|\t1\t|\tno rank\t|\t\t|\t8\t|\n2\t|\t131567\t|\tdomain\t|\t\t|\n").unwrap();
        assert_eq!(
            nodes[1],
            Node {
                taxid: 2,
                parent: 131567,
                rank: "domain".into()
            }
        );
        let names: Vec<Name> =
            rows("2\t|\tBacteria\t|\tBacteria <bacteria>\t|\tscientific name\t|\n1\t|\tall\t|\t\t|\tsynonym\t|\n")
                .unwrap();
        assert!(names[0].is_scientific() && !names[1].is_scientific());
        assert_eq!(names[0].unique_name, "Bacteria <bacteria>");
        let merged: Vec<Merged> = rows("30\t|\t29\t|\n").unwrap();
        assert_eq!(merged, vec![Merged { old: 30, new: 29 }]);
        let deleted: Vec<Deleted> = rows("3451490\t|\n\n").unwrap();
        assert_eq!(deleted, vec![Deleted { taxid: 3451490 }]);
    }

    #[test]
    fn malformed_rows_name_line_and_field() {
        let err = rows::<Node>("1\t|\t1\t|\tno rank\t|\n9\t|\t9606\n").unwrap_err();
        assert_eq!(
            (err.source_name(), err.line(), err.field()),
            ("t.dmp", 2, Some("rank"))
        );
        let err = rows::<Node>("x\t|\t1\t|\tno rank\t|\n").unwrap_err();
        assert_eq!((err.line(), err.field()), (1, Some("tax_id")));
        let err = rows::<Merged>("30\t|\t-\t|\n").unwrap_err();
        assert_eq!((err.line(), err.field()), (1, Some("new_tax_id")));
    }
}
