//! Domain vocabulary shared by every PROTEA crate.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of the
//! database, HTTP or async runtimes. Everything here is plain data and pure
//! functions, so every other crate can depend on it.

pub mod accession;
pub mod aspect;
pub mod go_id;
pub mod job;
pub mod payload;

pub use accession::{IsoformParts, parse_isoform};
pub use aspect::Aspect;
pub use go_id::{GoId, GoIdError};
pub use job::{JobStatus, Level, UnknownStatus};
pub use payload::{PayloadError, Validate, decode_payload};
