//! Configuration: built-in defaults, then a TOML file, then environment
//! variables (each later source wins).
//!
//! The file is `--config FILE`, or `$PROTEA_CONFIG`, or `protea.toml` in the
//! data directory when it exists. Every key and its default:
//!
//! ```toml
//! data_dir = "…"                  # PROTEA_DATA_DIR; default /var/lib/protea as root,
//!                                 # else $XDG_DATA_HOME/protea or ~/.local/share/protea
//! [database]
//! url = "postgresql://…"           # PROTEA_DATABASE_URL; unset = the embedded cluster
//! max_connections = 20             # PROTEA_DATABASE_MAX_CONNECTIONS
//! [api]
//! listen = "127.0.0.1:8000"        # PROTEA_LISTEN
//! max_body_mib = 64                # PROTEA_API_MAX_BODY_MIB
//! [worker]
//! concurrency = 2                  # PROTEA_WORKER_CONCURRENCY: messages at once per queue
//! lease_seconds = 30               # PROTEA_WORKER_LEASE_SECONDS
//! heartbeat_seconds = 2.0          # PROTEA_WORKER_HEARTBEAT_SECONDS
//! reaper_interval_seconds = 10     # PROTEA_WORKER_REAPER_INTERVAL_SECONDS
//! max_attempts = 5                 # PROTEA_WORKER_MAX_ATTEMPTS: deliveries before a dead letter
//! retry_base_seconds = 1.0         # PROTEA_WORKER_RETRY_BASE_SECONDS: first back-off
//! [interpro]
//! interproscan_bin = "/opt/interproscan/interproscan.sh"  # PROTEA_INTERPROSCAN_BIN; unset = PATH
//! ```

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    pub(crate) data_dir: PathBuf,
    #[serde(default)]
    pub(crate) database: DatabaseConfig,
    #[serde(default)]
    pub(crate) api: ApiSection,
    #[serde(default)]
    pub(crate) worker: WorkerSection,
    #[serde(default)]
    pub(crate) sources: SourcesSection,
    #[serde(default)]
    pub(crate) interpro: InterproSection,
}

/// Where `interproscan.sh` is when a run_interproscan_batch payload names no
/// `binary_path` (unset: looked up on `PATH`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InterproSection {
    pub(crate) interproscan_bin: Option<PathBuf>,
}

impl InterproSection {
    /// The extension the workers install for run_interproscan_batch.
    pub(crate) fn to_config(&self) -> protea_ops::interproscan::InterproScanConfig {
        protea_ops::interproscan::InterproScanConfig {
            binary: self.interproscan_bin.clone(),
        }
    }
}

/// Base URLs of UniProt REST and QuickGO (a mirror or a test server may
/// stand in for them).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourcesSection {
    pub(crate) uniprot_url: String,
    pub(crate) quickgo_url: String,
}

impl Default for SourcesSection {
    fn default() -> Self {
        SourcesSection {
            uniprot_url: protea_sources::config::DEFAULT_UNIPROT_URL.into(),
            quickgo_url: protea_sources::config::DEFAULT_QUICKGO_URL.into(),
        }
    }
}

impl SourcesSection {
    /// The extension the workers install for the ingestion operations.
    pub(crate) fn to_sources(&self) -> protea_sources::SourcesConfig {
        protea_sources::SourcesConfig {
            uniprot_url: self.uniprot_url.clone(),
            quickgo_url: self.quickgo_url.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DatabaseConfig {
    pub(crate) url: Option<String>,
    pub(crate) max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            max_connections: 20,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiSection {
    pub(crate) listen: String,
    pub(crate) max_body_mib: usize,
}

impl Default for ApiSection {
    fn default() -> Self {
        ApiSection {
            listen: "127.0.0.1:8000".into(),
            max_body_mib: 64,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WorkerSection {
    pub(crate) concurrency: usize,
    pub(crate) lease_seconds: f64,
    pub(crate) heartbeat_seconds: f64,
    pub(crate) reaper_interval_seconds: f64,
    pub(crate) max_attempts: i32,
    pub(crate) retry_base_seconds: f64,
}

impl Default for WorkerSection {
    fn default() -> Self {
        WorkerSection {
            concurrency: 2,
            lease_seconds: 30.0,
            heartbeat_seconds: 2.0,
            reaper_interval_seconds: 10.0,
            max_attempts: 5,
            retry_base_seconds: 1.0,
        }
    }
}

/// Environment variables and the keys they set.
const ENV_KEYS: &[(&str, &str)] = &[
    ("DATA_DIR", "data_dir"),
    ("DATABASE_URL", "database.url"),
    ("DATABASE_MAX_CONNECTIONS", "database.max_connections"),
    ("LISTEN", "api.listen"),
    ("API_MAX_BODY_MIB", "api.max_body_mib"),
    ("WORKER_CONCURRENCY", "worker.concurrency"),
    ("WORKER_LEASE_SECONDS", "worker.lease_seconds"),
    ("WORKER_HEARTBEAT_SECONDS", "worker.heartbeat_seconds"),
    (
        "WORKER_REAPER_INTERVAL_SECONDS",
        "worker.reaper_interval_seconds",
    ),
    ("WORKER_MAX_ATTEMPTS", "worker.max_attempts"),
    ("WORKER_RETRY_BASE_SECONDS", "worker.retry_base_seconds"),
    ("UNIPROT_URL", "sources.uniprot_url"),
    ("QUICKGO_URL", "sources.quickgo_url"),
    ("INTERPROSCAN_BIN", "interpro.interproscan_bin"),
];

pub(crate) fn default_data_dir() -> PathBuf {
    if crate::is_root() {
        return PathBuf::from("/var/lib/protea");
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg).join("protea");
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local/share/protea"),
        None => PathBuf::from("protea-data"),
    }
}

/// Loads the configuration. `data_dir` and `config_file` come from the
/// command line (which also reads their environment variables).
pub(crate) fn load(data_dir: Option<&Path>, config_file: Option<&Path>) -> anyhow::Result<Config> {
    let defaults = Config {
        data_dir: data_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(default_data_dir),
        database: DatabaseConfig::default(),
        api: ApiSection::default(),
        worker: WorkerSection::default(),
        sources: SourcesSection::default(),
        interpro: InterproSection::default(),
    };
    let mut figment = Figment::from(Serialized::defaults(&defaults));
    let file = match config_file {
        Some(file) => {
            anyhow::ensure!(
                file.is_file(),
                "config file {} does not exist",
                file.display()
            );
            Some(file.to_path_buf())
        }
        None => Some(defaults.data_dir.join("protea.toml")).filter(|f| f.is_file()),
    };
    if let Some(file) = &file {
        figment = figment.merge(Toml::file(file));
    }
    figment = figment.merge(Env::prefixed("PROTEA_").filter_map(|key| {
        ENV_KEYS
            .iter()
            .find(|(env, _)| key.as_str().eq_ignore_ascii_case(env))
            .map(|(_, path)| (*path).into())
    }));
    if let Some(dir) = data_dir {
        // The command line wins over the file.
        figment = figment.merge(Serialized::default("data_dir", dir));
    }
    let config: Config = figment.extract().with_context(|| match &file {
        Some(file) => format!("invalid configuration (file {})", file.display()),
        None => "invalid configuration".to_owned(),
    })?;
    anyhow::ensure!(
        config.worker.concurrency > 0,
        "worker.concurrency must be at least 1"
    );
    anyhow::ensure!(
        config.worker.max_attempts > 0,
        "worker.max_attempts must be at least 1"
    );
    anyhow::ensure!(
        config.worker.lease_seconds > config.worker.heartbeat_seconds,
        "worker.lease_seconds must exceed worker.heartbeat_seconds"
    );
    Ok(config)
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail fixes its closures' error type
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        std::fs::write(
            &file,
            "[api]\nlisten = \"0.0.0.0:9000\"\n[worker]\nconcurrency = 4\n",
        )
        .unwrap();
        figment::Jail::expect_with(|jail| {
            jail.set_env("PROTEA_WORKER_CONCURRENCY", "7");
            jail.set_env("PROTEA_DATABASE_URL", "");
            let config = load(Some(dir.path()), Some(&file)).map_err(|e| e.to_string())?;
            assert_eq!(config.api.listen, "0.0.0.0:9000");
            assert_eq!(config.worker.concurrency, 7);
            assert_eq!(config.worker.max_attempts, 5);
            assert_eq!(config.data_dir, dir.path());
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        std::fs::write(&file, "[api]\nlisten_on = \"x\"\n").unwrap();
        let err = load(Some(dir.path()), Some(&file)).unwrap_err();
        assert!(format!("{err:#}").contains("listen_on"), "{err:#}");
    }

    #[test]
    fn sources_come_from_the_file_and_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        std::fs::write(
            &file,
            "[sources]\nquickgo_url = \"http://mirror/quickgo\"\n",
        )
        .unwrap();
        figment::Jail::expect_with(|jail| {
            jail.set_env("PROTEA_UNIPROT_URL", "http://127.0.0.1:9/uniprot");
            let config = load(Some(dir.path()), Some(&file)).map_err(|e| e.to_string())?;
            let sources = config.sources.to_sources();
            assert_eq!(sources.uniprot_url, "http://127.0.0.1:9/uniprot");
            assert_eq!(sources.quickgo_url, "http://mirror/quickgo");
            Ok(())
        });
    }

    #[test]
    fn interproscan_binary_from_the_file_then_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.toml");
        std::fs::write(
            &file,
            "[interpro]\ninterproscan_bin = \"/opt/ips/interproscan.sh\"\n",
        )
        .unwrap();
        figment::Jail::expect_with(|jail| {
            let config = load(Some(dir.path()), Some(&file)).map_err(|e| e.to_string())?;
            let binary = config.interpro.to_config().binary;
            assert_eq!(binary, Some(PathBuf::from("/opt/ips/interproscan.sh")));
            jail.set_env("PROTEA_INTERPROSCAN_BIN", "/usr/local/bin/interproscan.sh");
            let config = load(Some(dir.path()), Some(&file)).map_err(|e| e.to_string())?;
            let binary = config.interpro.to_config().binary;
            assert_eq!(
                binary,
                Some(PathBuf::from("/usr/local/bin/interproscan.sh"))
            );
            let config = load(Some(dir.path()), None).map_err(|e| e.to_string())?;
            assert!(config.interpro.interproscan_bin.is_some());
            Ok(())
        });
    }
}
