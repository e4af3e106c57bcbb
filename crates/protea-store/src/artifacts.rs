//! The artifact store, re-exported from `protea-artifacts` (its home: an I/O crate of
//! its own, so that runners and tools use it without the database). Kept here so the
//! evaluation code's paths stay valid; `ArtifactError` converts into [`crate::StoreError`].

pub use protea_artifacts::{
    ArtifactError, ArtifactStore, LocalArtifactStore, S3ArtifactStore, S3Config, Stored,
    file_uri_path, open, read_uri, sha256_hex, validate_key, write_uri,
};
