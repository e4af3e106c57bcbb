//! EmbeddingConfig: the validated recipe a user creates (shared by the API
//! and the CLI), its translation into `protea-plm` settings, and where the
//! workers find model weights.
//!
//! Backends are protea-plm's names (`esm2`, `esmc`, `prott5`, `prostt5`,
//! `ankh`, `kmer`); the original's names are accepted and stored under
//! their protea-plm equivalent (`esm`/`auto` → `esm2`, `esm3c` → `esmc`,
//! `t5` → `prostt5` when the model name contains "prostt5", else `prott5`),
//! so one recipe has one spelling.

use protea_core::PayloadError;
use protea_plm::{BackendKind, EmbedOptions, LayerAgg, Pooling, T5Flavour};
use protea_store::embeddings::{EmbeddingConfigRow, NewEmbeddingConfig, VectorDtype};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The backends a config may name (after alias resolution).
pub const BACKENDS: [&str; 6] = ["esm2", "esmc", "prott5", "prostt5", "ankh", "kmer"];

fn default_backend() -> String {
    "esm2".into()
}
fn default_layers() -> Vec<i64> {
    vec![0]
}
fn default_mean() -> String {
    "mean".into()
}
fn default_true() -> bool {
    true
}
fn default_max_length() -> i64 {
    1022
}
fn default_chunk_size() -> i64 {
    512
}
fn default_dtype() -> String {
    "float32".into()
}

/// A new config as the API and the CLI receive it (the reference's field
/// names and defaults, plus `model_path` and `embedding_dtype`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbeddingConfigRequest {
    /// Hugging Face id or local name (`facebook/esm2_t33_650M_UR50D`,
    /// `kmer3`); for `kmer`, `kmerK` picks k (default 3).
    pub model_name: String,
    #[serde(default = "default_backend")]
    pub model_backend: String,
    /// Local model directory; unset = `model_name` under the workers' model directory.
    #[serde(default)]
    pub model_path: Option<String>,
    /// Reverse indices (0 = last layer; negative ones count from the end).
    #[serde(default = "default_layers")]
    pub layer_indices: Vec<i64>,
    #[serde(default = "default_mean")]
    pub layer_agg: String,
    #[serde(default = "default_mean")]
    pub pooling: String,
    #[serde(default)]
    pub normalize_residues: bool,
    #[serde(default = "default_true")]
    pub normalize: bool,
    #[serde(default = "default_max_length")]
    pub max_length: i64,
    #[serde(default)]
    pub use_chunking: bool,
    #[serde(default = "default_chunk_size")]
    pub chunk_size: i64,
    #[serde(default)]
    pub chunk_overlap: i64,
    /// `float32` (default) or `float16`: the element type vectors are stored in.
    #[serde(default = "default_dtype")]
    pub embedding_dtype: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// The stored spelling of a backend name, or `None` if unknown.
pub fn canonical_backend(backend: &str, model_name: &str) -> Option<&'static str> {
    Some(match backend {
        "esm2" | "esm" | "auto" => "esm2",
        "esmc" | "esm3c" => "esmc",
        "prott5" => "prott5",
        "prostt5" => "prostt5",
        "t5" if model_name.to_lowercase().contains("prostt5") => "prostt5",
        "t5" => "prott5",
        "ankh" => "ankh",
        "kmer" => "kmer",
        _ => return None,
    })
}

impl EmbeddingConfigRequest {
    /// Checks every field and returns the row to insert, or every problem at once.
    pub fn validate(self) -> Result<NewEmbeddingConfig, Vec<PayloadError>> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, message: String| errors.push(PayloadError::new(field, message));
        if self.model_name.trim().is_empty() {
            bad("model_name", "must be a non-empty string".into());
        }
        let backend = canonical_backend(&self.model_backend, &self.model_name);
        if backend.is_none() {
            bad(
                "model_backend",
                format!(
                    "{:?} is not one of {} (or esm, esm3c, t5, auto)",
                    self.model_backend,
                    BACKENDS.join(", ")
                ),
            );
        }
        if self.layer_indices.is_empty() {
            bad(
                "layer_indices",
                "must be a non-empty list of integers".into(),
            );
        }
        if self.layer_agg.parse::<LayerAgg>().is_err() {
            bad(
                "layer_agg",
                format!("{:?} is not one of mean, last, concat", self.layer_agg),
            );
        }
        if self.pooling.parse::<Pooling>().is_err() {
            bad(
                "pooling",
                format!("{:?} is not one of mean, max, cls, mean_max", self.pooling),
            );
        }
        if !(1..=i32::MAX as i64).contains(&self.max_length) {
            bad("max_length", "must be > 0".into());
        }
        if !(1..=i32::MAX as i64).contains(&self.chunk_size) {
            bad("chunk_size", "must be > 0".into());
        }
        if self.chunk_overlap < 0 {
            bad("chunk_overlap", "must be >= 0".into());
        } else if self.chunk_overlap >= self.chunk_size {
            bad(
                "chunk_overlap",
                format!("must be < chunk_size ({})", self.chunk_size),
            );
        }
        if VectorDtype::parse(&self.embedding_dtype).is_none() {
            bad(
                "embedding_dtype",
                format!("{:?} is not one of float32, float16", self.embedding_dtype),
            );
        }
        if backend == Some("kmer") {
            if self.pooling != "mean" {
                bad(
                    "pooling",
                    "the kmer backend supports only mean (composition)".into(),
                );
            }
            if self.layer_indices.iter().any(|&i| i != 0 && i != -1) {
                bad(
                    "layer_indices",
                    "the kmer backend has a single layer (0)".into(),
                );
            }
            if kmer_k(&self.model_name).is_none() {
                bad(
                    "model_name",
                    "for the kmer backend use `kmer` or `kmer1`..`kmer4`".into(),
                );
            }
        }
        if matches!(&self.model_path, Some(p) if p.trim().is_empty()) {
            bad("model_path", "must be a non-empty path when given".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewEmbeddingConfig {
            model_name: self.model_name.trim().to_owned(),
            model_backend: backend.expect("checked").to_owned(),
            model_path: self.model_path,
            layer_indices: self.layer_indices,
            layer_agg: self.layer_agg,
            pooling: self.pooling,
            normalize_residues: self.normalize_residues,
            normalize: self.normalize,
            max_length: self.max_length as i32,
            use_chunking: self.use_chunking,
            chunk_size: self.chunk_size as i32,
            chunk_overlap: self.chunk_overlap as i32,
            embedding_dtype: self.embedding_dtype,
            description: self.description,
        })
    }
}

/// `k` of a kmer model name: `kmer` → 3, `kmerK` → K for K in 1..=4.
fn kmer_k(model_name: &str) -> Option<usize> {
    match model_name.strip_prefix("kmer")? {
        "" => Some(3),
        k => k.parse().ok().filter(|k| (1..=4).contains(k)),
    }
}

/// What a worker needs to run a config.
#[derive(Debug, Clone, PartialEq)]
pub struct PlmSettings {
    pub backend: BackendKind,
    pub options: EmbedOptions,
    pub dtype: VectorDtype,
}

/// Translates a stored config into protea-plm settings; an error names the
/// field that cannot be run.
pub fn plm_settings(row: &EmbeddingConfigRow) -> Result<PlmSettings, PayloadError> {
    let backend = match canonical_backend(&row.model_backend, &row.model_name) {
        Some("esm2") => BackendKind::Esm2,
        Some("prott5") => BackendKind::T5(Some(T5Flavour::ProtT5)),
        Some("prostt5") => BackendKind::T5(Some(T5Flavour::ProstT5)),
        Some("ankh") => BackendKind::T5(Some(T5Flavour::Ankh)),
        Some("kmer") => BackendKind::Kmer {
            k: kmer_k(&row.model_name).ok_or_else(|| {
                PayloadError::new(
                    "model_name",
                    format!("{:?} is not kmer or kmer1..kmer4", row.model_name),
                )
            })?,
        },
        Some("esmc") => {
            return Err(PayloadError::new(
                "model_backend",
                "the esmc backend is not implemented in protea-plm yet",
            ));
        }
        _ => {
            return Err(PayloadError::new(
                "model_backend",
                format!("{:?} is not a known backend", row.model_backend),
            ));
        }
    };
    let layer_indices: Vec<i64> = serde_json::from_value(row.layer_indices.clone())
        .map_err(|e| PayloadError::new("layer_indices", e.to_string()))?;
    let parse_err = |field: &'static str| {
        move |e: protea_plm::PlmError| PayloadError::new(field, e.to_string())
    };
    let options = EmbedOptions {
        layer_indices,
        layer_agg: row.layer_agg.parse().map_err(parse_err("layer_agg"))?,
        pooling: row.pooling.parse().map_err(parse_err("pooling"))?,
        normalize: row.normalize,
        normalize_residues: row.normalize_residues,
        max_length: Some(row.max_length.max(1) as usize),
        chunking: row
            .use_chunking
            .then_some((row.chunk_size as usize, row.chunk_overlap as usize)),
    };
    let dtype = VectorDtype::parse(&row.embedding_dtype).ok_or_else(|| {
        PayloadError::new(
            "embedding_dtype",
            format!("{:?} is not float32 or float16", row.embedding_dtype),
        )
    })?;
    Ok(PlmSettings {
        backend,
        options,
        dtype,
    })
}

/// Where a config's weights are: its `model_path`, else `model_name` when it
/// is a directory, else `model_name` under `models_dir`. `None` for kmer.
pub fn model_dir(
    row: &EmbeddingConfigRow,
    models_dir: Option<&Path>,
) -> Result<Option<PathBuf>, String> {
    if canonical_backend(&row.model_backend, &row.model_name) == Some("kmer") {
        return Ok(None);
    }
    let mut tried = Vec::new();
    if let Some(p) = &row.model_path {
        let p = PathBuf::from(p);
        if p.is_dir() {
            return Ok(Some(p));
        }
        tried.push(p);
    } else {
        let direct = PathBuf::from(&row.model_name);
        if direct.is_dir() {
            return Ok(Some(direct));
        }
        tried.push(direct);
        if let Some(dir) = models_dir {
            let under = dir.join(&row.model_name);
            if under.is_dir() {
                return Ok(Some(under));
            }
            tried.push(under);
        }
    }
    let tried: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
    Err(format!(
        "model {:?} is not available locally (looked in {}); set the config's model_path or place the \
         Hugging Face model directory (config.json, weights, tokenizer files) there",
        row.model_name,
        tried.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> EmbeddingConfigRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn defaults_are_the_reference_ones() {
        let c = request(serde_json::json!({"model_name": "facebook/esm2_t6_8M_UR50D"}))
            .validate()
            .unwrap();
        assert_eq!(c.model_backend, "esm2");
        assert_eq!(c.layer_indices, vec![0]);
        assert_eq!((c.layer_agg.as_str(), c.pooling.as_str()), ("mean", "mean"));
        assert!(c.normalize && !c.normalize_residues && !c.use_chunking);
        assert_eq!(
            (c.max_length, c.chunk_size, c.chunk_overlap),
            (1022, 512, 0)
        );
        assert_eq!(c.embedding_dtype, "float32");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = request(serde_json::json!({
            "model_name": " ", "model_backend": "bert", "layer_indices": [],
            "layer_agg": "sum", "pooling": "median", "max_length": 0,
            "chunk_size": 4, "chunk_overlap": 4, "embedding_dtype": "int8"
        }))
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "model_name",
                "model_backend",
                "layer_indices",
                "layer_agg",
                "pooling",
                "max_length",
                "chunk_overlap",
                "embedding_dtype"
            ]
        );
    }

    #[test]
    fn original_backend_names_are_stored_under_protea_plm_names() {
        assert_eq!(canonical_backend("esm", "x"), Some("esm2"));
        assert_eq!(canonical_backend("auto", "x"), Some("esm2"));
        assert_eq!(canonical_backend("esm3c", "esmc_300m"), Some("esmc"));
        assert_eq!(canonical_backend("t5", "Rostlab/ProstT5"), Some("prostt5"));
        assert_eq!(
            canonical_backend("t5", "Rostlab/prot_t5_xl"),
            Some("prott5")
        );
        assert_eq!(canonical_backend("word2vec", "x"), None);
    }

    #[test]
    fn kmer_configs_are_checked_for_what_the_backend_can_do() {
        let errors = request(serde_json::json!({
            "model_name": "kmer9", "model_backend": "kmer", "pooling": "max", "layer_indices": [1]
        }))
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["pooling", "layer_indices", "model_name"]);
        assert_eq!(kmer_k("kmer"), Some(3));
        assert_eq!(kmer_k("kmer2"), Some(2));
    }
}
