//! The embedding workers' shared state, installed by the binary as a job
//! extension: where model directories live, the back-off used when another
//! embedding run holds the GPU, and a process cache of the one loaded model
//! (size 1, keyed by backend, directory and device, as the reference keeps
//! it), so a worker loads its weights once and not per batch.

use protea_plm::{BackendKind, Device, Embedder};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

/// What identifies a loaded model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ModelKey {
    pub backend: String,
    pub dir: Option<PathBuf>,
    pub cuda: bool,
}

type Slot = Option<(ModelKey, Arc<Embedder>)>;

/// Worker-side settings and the model cache.
#[derive(Clone)]
pub struct EmbeddingModels {
    /// Where `model_name` directories are looked up when a config has no `model_path`.
    pub models_dir: Option<PathBuf>,
    /// First RetryLater delay while another compute_embeddings runs (spec: 60 s).
    pub busy_retry: Duration,
    slot: Arc<Mutex<Slot>>,
}

impl Default for EmbeddingModels {
    fn default() -> Self {
        EmbeddingModels::new(None)
    }
}

impl EmbeddingModels {
    pub fn new(models_dir: Option<PathBuf>) -> EmbeddingModels {
        EmbeddingModels {
            models_dir,
            busy_retry: Duration::from_secs(60),
            slot: Arc::default(),
        }
    }

    /// The installed extension, else a process-wide default.
    pub(crate) fn of(ctx: &protea_jobs::OperationContext) -> EmbeddingModels {
        static DEFAULT: LazyLock<EmbeddingModels> = LazyLock::new(EmbeddingModels::default);
        ctx.extension::<EmbeddingModels>()
            .unwrap_or(&DEFAULT)
            .clone()
    }

    /// The loaded model for `key`, loading it (on a blocking thread) when
    /// the cache holds another one or none. Returns whether it was loaded now.
    pub(crate) async fn get(
        &self,
        key: ModelKey,
        kind: BackendKind,
    ) -> Result<(Arc<Embedder>, bool), String> {
        let slot = self.slot.clone();
        tokio::task::spawn_blocking(move || {
            // Held while loading: concurrent batches wait for one load.
            let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((k, m)) = guard.as_ref()
                && *k == key
            {
                return Ok((m.clone(), false));
            }
            // Drop the old model before loading the next (one in memory).
            *guard = None;
            let device = if key.cuda {
                Device::cuda_if_available(0).map_err(|e| e.to_string())?
            } else {
                Device::Cpu
            };
            let model = Embedder::load(kind, key.dir.as_deref(), &device)
                .map(Arc::new)
                .map_err(|e| e.to_string())?;
            *guard = Some((key, model.clone()));
            Ok((model, true))
        })
        .await
        .map_err(|e| format!("model loading panicked: {e}"))?
    }
}
