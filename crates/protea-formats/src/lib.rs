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
//!
//! Readers stream: each holds one line buffer and one record at a time, so
//! memory stays constant whatever the file size. Hot paths that import millions
//! of rows borrow the buffer ([`gaf::Reader::next_row`]); the iterators
//! (`records()`, `terms()`, ...) yield owned values for convenience.
//!
//! Release figures on the shared 2-core machine (`examples/bench_parse.rs`):
//! full go-basic parse 0.06-0.07 s (target < 0.5 s; `fastobo` 2.6-5.6 s, see
//! [`obo`]); GAF parse + filter 2.1-2.8 M rows/s (target >= 1 M rows/s); yeast
//! proteome FASTA about 630 k records/s (300 M residues/s).

pub mod eco;
pub mod error;
pub mod fasta;
pub mod gaf;
pub mod ia;
pub mod interpro2go;
pub mod interproscan;
pub mod io;
pub mod obo;
pub mod quickgo_tsv;
pub mod taxdump;
pub mod taxonomy;
pub mod uniprot_tsv;

pub use error::{Error, Result};
