//! PostgreSQL for PROTEA.
//!
//! This crate owns the schema (the SQL migrations in `migrations/`, embedded
//! in the binary), connection pools, and the embedded PostgreSQL cluster that
//! `protea up` runs when no database is configured.
//!
//! Architecture invariant: the schema changes only through new migration
//! files; applied migrations are never edited.

pub mod annotations;
pub mod artifacts;
pub mod browse;
pub mod curation;
pub mod embedded;
pub mod embeddings;
mod error;
pub mod evaluation;
pub mod interpro;
pub mod interpro_hits;
pub mod interpro_propagation;
pub mod ontology;
pub mod predictions;
pub mod proteins;
pub mod query_sets;
pub mod reranker_models;
pub mod scoring;
pub mod taxonomy;

pub use embedded::{ClusterOptions, EmbeddedCluster};
pub use error::StoreError;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// Every migration of the platform, in order.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Opens a pool on `url` without touching the schema.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, StoreError> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|err| StoreError::BadUrl {
            url: redact(url),
            message: err.to_string(),
        })?
        .application_name("protea");
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Connect {
            url: redact(url),
            source,
        })?;
    Ok(pool)
}

/// Applies every pending migration. Safe to run concurrently from several
/// processes: sqlx takes an advisory lock.
pub async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Hides the password of a connection URL for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact("postgres:///db?host=/tmp"),
            "postgres:///db?host=/tmp"
        );
    }

    #[test]
    fn migrations_are_embedded_in_order() {
        let versions: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
        assert!(versions.len() >= 6);
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
    }
}
