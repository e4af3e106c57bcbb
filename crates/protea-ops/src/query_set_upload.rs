//! Query-set uploads: a user FASTA validated record by record (alphabet,
//! empty sequence, length, duplicate ids, header syntax) and stored as a
//! named query set in one transaction. An invalid upload writes nothing and
//! returns the full per-record report, not just the first problem. Shared by
//! the API (`POST /query-sets`) and the CLI (`protea query-set upload`).

use crate::ingest::md5_hex;
use protea_formats::fasta::{self, validate::Validator};
use protea_store::query_sets::{self, QuerySetView};
use serde::Serialize;
use sqlx::PgPool;

/// Longest accepted sequence (residues); titin is about 35 000.
pub const MAX_LENGTH: usize = 100_000;
/// Records listed in a report at most (the count is always complete).
const MAX_REPORTED: usize = 1_000;

/// One bad record.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RecordIssue {
    /// 1-based line of the record's header.
    pub line: u64,
    pub accession: String,
    pub issues: Vec<String>,
}

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("{0}")]
    Invalid(String),
    #[error("{} invalid record(s) in {file}", .records)]
    BadRecords {
        file: String,
        records: usize,
        report: Vec<RecordIssue>,
    },
    #[error("database error")]
    Database(#[from] sqlx::Error),
}

/// What was stored.
#[derive(Debug, Clone, Serialize)]
pub struct Uploaded {
    #[serde(flatten)]
    pub query_set: QuerySetView,
    pub sequences_inserted: u64,
}

/// Parses and validates; returns (accession, md5, sequence) per record.
pub fn validate(bytes: &[u8], file: &str) -> Result<Vec<(String, String, String)>, UploadError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| UploadError::Invalid(format!("{file}: not UTF-8 text")))?;
    let mut reader = fasta::Reader::new(text.as_bytes(), file);
    let mut validator = Validator::new().with_max_length(MAX_LENGTH);
    let mut records = Vec::new();
    let mut report = Vec::new();
    let mut bad = 0usize;
    loop {
        let record = match reader.next_record() {
            Ok(Some(record)) => record,
            Ok(None) => break,
            Err(err) => {
                // The reader cannot go on after a syntax error: report it last.
                bad += 1;
                report.push(RecordIssue {
                    line: err.line(),
                    accession: String::new(),
                    issues: vec![err.to_string()],
                });
                break;
            }
        };
        let issues = validator.check(&record);
        if issues.is_empty() {
            let hash = md5_hex(&record.sequence);
            records.push((record.accession, hash, record.sequence));
        } else {
            bad += 1;
            if report.len() < MAX_REPORTED {
                report.push(RecordIssue {
                    line: record.line,
                    accession: record.accession,
                    issues: issues.iter().map(ToString::to_string).collect(),
                });
            }
        }
    }
    if bad > 0 {
        return Err(UploadError::BadRecords {
            file: file.to_owned(),
            records: bad,
            report,
        });
    }
    if records.is_empty() {
        return Err(UploadError::Invalid(format!("{file}: no FASTA record")));
    }
    Ok(records)
}

/// Validates and stores an upload.
pub async fn upload(
    pool: &PgPool,
    name: &str,
    description: Option<&str>,
    bytes: &[u8],
    file: &str,
) -> Result<Uploaded, UploadError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(UploadError::Invalid(
            "name must be 1 to 200 characters".into(),
        ));
    }
    let records = validate(bytes, file)?;
    let (query_set, sequences_inserted) =
        query_sets::create(pool, name, description, &records).await?;
    Ok(Uploaded {
        query_set,
        sequences_inserted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_record_is_reported() {
        let fasta = b">a\nMKV\n>b\nMK1V\n>a\nMKV\n>c\n\n>d\nACDE\n";
        match validate(fasta, "q.fasta") {
            Err(UploadError::BadRecords {
                records, report, ..
            }) => {
                assert_eq!(records, 3);
                assert_eq!(report[0].accession, "b");
                assert_eq!(report[0].line, 3);
                assert!(report[0].issues[0].contains("invalid residue"));
                assert!(report[1].issues[0].contains("duplicate"));
                assert!(report[2].issues[0].contains("empty"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(validate(b">x\nmkv\n", "q").unwrap()[0].2, "MKV");
        assert!(matches!(validate(b"", "q"), Err(UploadError::Invalid(_))));
        assert!(matches!(
            validate(b">\nMKV\n", "q"),
            Err(UploadError::BadRecords { .. })
        ));
    }
}
