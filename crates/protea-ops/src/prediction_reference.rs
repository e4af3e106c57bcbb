//! The reference side of `predict_go_terms`, loaded from the database and cached in the
//! worker: the [`ReferenceCache`] extension keeps the last reference set keyed by
//! (embedding config, annotation set, pooling options) and checks a fingerprint of the
//! inputs on every use, so embeddings or annotations added later are seen (the
//! original's disk cache was never invalidated, original_platform.md §9.2).

use std::collections::HashMap;
use std::sync::Arc;

use protea_core::Aspect;
use protea_jobs::{OperationContext, OperationError};
use protea_predict::{
    AncestorIndex, RefAnnotation, ReferenceMatrix, ReferenceOptions, ReferenceSet,
};
use protea_store::predictions as store;
use tokio::sync::Mutex;
use uuid::Uuid;

/// What identifies a reference set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReferenceKey {
    pub embedding_config_id: Uuid,
    pub annotation_set_id: Uuid,
    pub options: ReferenceOptions,
}

struct Cached {
    key: ReferenceKey,
    fingerprint: (i64, i64, i64),
    set: Arc<ReferenceSet>,
}

/// The worker's reference cache (one entry; a new key evicts the old one) and the last
/// snapshot's ancestor index. Installed by the binary as a job extension; without it every
/// batch loads its references.
#[derive(Default)]
pub struct ReferenceCache {
    reference: Mutex<Option<Cached>>,
    ancestry: Mutex<Option<(Uuid, Arc<AncestorIndex>)>>,
}

/// Where a reference set came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    Hit,
    Miss,
    NoCache,
}

impl CacheUse {
    pub fn as_str(self) -> &'static str {
        match self {
            CacheUse::Hit => "hit",
            CacheUse::Miss => "miss",
            CacheUse::NoCache => "none",
        }
    }
}

/// The reference set for `key`, from the cache when its fingerprint still matches.
pub async fn reference_set(
    ctx: &mut OperationContext,
    key: ReferenceKey,
) -> Result<(Arc<ReferenceSet>, CacheUse), OperationError> {
    let fingerprint =
        store::reference_fingerprint(ctx.tx(), key.embedding_config_id, key.annotation_set_id)
            .await?;
    let Some(cache) = ctx.extension::<Arc<ReferenceCache>>().cloned() else {
        return Ok((Arc::new(load(ctx, key).await?), CacheUse::NoCache));
    };
    // Held while loading, so concurrent batches of one worker load once.
    let mut slot = cache.reference.lock().await;
    if let Some(c) = slot.as_ref()
        && c.key == key
        && c.fingerprint == fingerprint
    {
        return Ok((c.set.clone(), CacheUse::Hit));
    }
    *slot = None; // free the old set before building the new one
    let set = Arc::new(load(ctx, key).await?);
    *slot = Some(Cached {
        key,
        fingerprint,
        set: set.clone(),
    });
    Ok((set, CacheUse::Miss))
}

async fn load(
    ctx: &mut OperationContext,
    key: ReferenceKey,
) -> Result<ReferenceSet, OperationError> {
    let (vectors, annotations) =
        store::reference_inputs(ctx.tx(), key.embedding_config_id, key.annotation_set_id).await?;
    if vectors.accessions.is_empty() {
        return Err(OperationError::failed(
            "NoReferences",
            format!(
                "no protein annotated in annotation set {} has an embedding for embedding config {}",
                key.annotation_set_id, key.embedding_config_id
            ),
        ));
    }
    tokio::task::spawn_blocking(move || build(vectors, annotations, key.options))
        .await
        .map_err(|e| OperationError::failed("PredictionError", e.to_string()))?
}

fn build(
    vectors: store::Vectors,
    annotations: Vec<store::ReferenceAnnotation>,
    options: ReferenceOptions,
) -> Result<ReferenceSet, OperationError> {
    let index: HashMap<&str, usize> = vectors
        .accessions
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    let mut lists: Vec<Vec<RefAnnotation>> = vec![Vec::new(); vectors.accessions.len()];
    for a in annotations {
        let (Some(&i), Some(aspect)) = (
            index.get(a.protein_accession.as_str()),
            a.aspect.as_deref().and_then(Aspect::from_code),
        ) else {
            continue; // not embedded, or a term without aspect
        };
        lists[i].push(RefAnnotation {
            go_term_id: a.go_term_id,
            aspect,
            qualifier: a.qualifier,
            evidence_code: a.evidence_code,
        });
    }
    let matrix = ReferenceMatrix::from_f32(&vectors.data, vectors.dim)
        .map_err(|e| predict_error(e.into()))?;
    drop(vectors.data);
    ReferenceSet::build(&matrix, vectors.accessions, lists, options).map_err(predict_error)
}

/// The is_a / part_of ancestor index of `snapshot`, cached when the extension is present.
pub async fn ancestor_index(
    ctx: &mut OperationContext,
    snapshot: Uuid,
) -> Result<Arc<AncestorIndex>, OperationError> {
    let cache = ctx.extension::<Arc<ReferenceCache>>().cloned();
    if let Some(cache) = &cache
        && let Some((id, index)) = cache.ancestry.lock().await.as_ref()
        && *id == snapshot
    {
        return Ok(index.clone());
    }
    let (edges, aspects) = store::ancestry(ctx.tx(), snapshot).await?;
    let aspects = aspects
        .into_iter()
        .filter_map(|(id, a)| Some((id, Aspect::from_code(a.as_deref()?)?)))
        .collect();
    let index = Arc::new(AncestorIndex::new(edges, aspects));
    if let Some(cache) = cache {
        *cache.ancestry.lock().await = Some((snapshot, index.clone()));
    }
    Ok(index)
}

pub(crate) fn predict_error(err: protea_predict::PredictError) -> OperationError {
    OperationError::failed("PredictionError", err.to_string())
}
