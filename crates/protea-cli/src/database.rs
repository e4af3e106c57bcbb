//! Which database a command uses: the configured URL, or the embedded
//! cluster in the data directory.

use crate::config::Config;
use anyhow::Context;
use protea_store::{ClusterOptions, EmbeddedCluster};
use sqlx::PgPool;
use std::path::PathBuf;

/// The database of embedded clusters.
const EMBEDDED_DATABASE: &str = "protea";

pub(crate) enum Database {
    External { url: String },
    Embedded { cluster: EmbeddedCluster },
}

impl Database {
    pub(crate) fn from_config(config: &Config) -> anyhow::Result<Database> {
        match &config.database.url {
            Some(url) if !url.trim().is_empty() => Ok(Database::External { url: url.clone() }),
            _ => {
                let root = embedded_root(config);
                let cluster =
                    EmbeddedCluster::new(ClusterOptions::new(&root)).with_context(|| {
                        format!("preparing the embedded PostgreSQL in {}", root.display())
                    })?;
                Ok(Database::Embedded { cluster })
            }
        }
    }

    pub(crate) fn url(&self) -> String {
        match self {
            Database::External { url } => url.clone(),
            Database::Embedded { cluster } => cluster.url(EMBEDDED_DATABASE),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Database::External { url } => format!("PostgreSQL at {}", protea_store::redact(url)),
            Database::Embedded { cluster } => {
                format!("embedded PostgreSQL in {}", cluster.root().display())
            }
        }
    }

    /// Starts the embedded cluster when needed (reusing one already running)
    /// and creates its database. Returns true when this process started it.
    pub(crate) async fn ensure_running(&mut self) -> anyhow::Result<bool> {
        let Database::Embedded { cluster } = self else {
            return Ok(false);
        };
        let started = if cluster.is_running() {
            false
        } else {
            let cluster_ref = &mut *cluster;
            tokio::task::block_in_place(|| cluster_ref.start())
                .context("starting the embedded PostgreSQL")?;
            true
        };
        let admin = protea_store::connect(&cluster.url("postgres"), 1).await?;
        let exists: Option<i32> =
            sqlx::query_scalar("select 1 from pg_database where datname = $1")
                .bind(EMBEDDED_DATABASE)
                .fetch_optional(&admin)
                .await?;
        if exists.is_none() {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "create database {EMBEDDED_DATABASE}"
            )))
            .execute(&admin)
            .await?;
        }
        admin.close().await;
        Ok(started)
    }

    /// For commands that only talk to a running platform.
    pub(crate) fn require_running(&self) -> anyhow::Result<()> {
        if let Database::Embedded { cluster } = self {
            anyhow::ensure!(
                cluster.is_running(),
                "the embedded database in {} is not running: start the platform with `protea up --data-dir {}` \
                 (or set PROTEA_DATABASE_URL)",
                cluster.root().display(),
                cluster
                    .root()
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            );
        }
        Ok(())
    }

    pub(crate) async fn connect(&self, max_connections: u32) -> anyhow::Result<PgPool> {
        Ok(protea_store::connect(&self.url(), max_connections).await?)
    }

    /// Stops the embedded cluster if this process started it.
    pub(crate) fn stop_if_started(&mut self) -> anyhow::Result<()> {
        if let Database::Embedded { cluster } = self
            && cluster.started_here()
        {
            cluster.stop().context("stopping the embedded PostgreSQL")?;
        }
        Ok(())
    }
}

fn embedded_root(config: &Config) -> PathBuf {
    config.data_dir.join("postgres")
}
