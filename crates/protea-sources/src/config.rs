//! Base URLs of the public services, configurable so that a mirror or a test
//! server can stand in for them.

/// Where UniProt REST lives (the search endpoint is `{base}/uniprotkb/search`).
pub const DEFAULT_UNIPROT_URL: &str = "https://rest.uniprot.org";
/// The QuickGO annotation download endpoint.
pub const DEFAULT_QUICKGO_URL: &str =
    "https://www.ebi.ac.uk/QuickGO/services/annotation/downloadSearch";

/// The configured base URLs. The binary builds it from its config file and
/// environment and installs it as a job extension; operations fall back to
/// [`SourcesConfig::from_env`] when none is installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcesConfig {
    pub uniprot_url: String,
    pub quickgo_url: String,
}

impl Default for SourcesConfig {
    fn default() -> SourcesConfig {
        SourcesConfig {
            uniprot_url: DEFAULT_UNIPROT_URL.to_owned(),
            quickgo_url: DEFAULT_QUICKGO_URL.to_owned(),
        }
    }
}

impl SourcesConfig {
    /// Defaults overridden by `PROTEA_UNIPROT_URL` / `PROTEA_QUICKGO_URL`.
    pub fn from_env() -> SourcesConfig {
        let mut config = SourcesConfig::default();
        if let Some(url) = non_empty_env("PROTEA_UNIPROT_URL") {
            config.uniprot_url = url;
        }
        if let Some(url) = non_empty_env("PROTEA_QUICKGO_URL") {
            config.quickgo_url = url;
        }
        config
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
