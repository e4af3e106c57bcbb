//! Streaming readers for the biological formats PROTEA ingests.
//!
//! Pure: no database, no HTTP, no async. Every reader takes any
//! [`std::io::BufRead`] plus a `source_name` (a file name or URL) used in
//! errors, reads one record at a time into reused buffers, and reports
//! failures as [`Error`] naming the source, the 1-based line and the field.
//! [`io::open`] opens a path and gunzips it when it starts with the gzip magic;
//! [`io::decompress_if_gzip`] does the same for any reader (an HTTP body).
//!
//! One module per format: [`fasta`], [`uniprot_tsv`], [`obo`], [`gaf`],
//! [`quickgo_tsv`] (+ [`eco`]), [`interpro2go`], [`taxdump`] (+ [`taxonomy`]),
//! and [`ia`].

pub mod eco;
pub mod error;
pub mod fasta;
pub mod gaf;
pub mod ia;
pub mod interpro2go;
pub mod io;
pub mod obo;
pub mod quickgo_tsv;
pub mod taxdump;
pub mod taxonomy;
pub mod uniprot_tsv;

pub use error::{Error, Result};
