//! `predict_go_terms_from_interpro`: the stored InterProScan matches of the
//! query proteins → their distinct InterPro entries → interpro2go at one
//! `source_version` → GO terms of the target snapshot (alt ids resolved to
//! their primary term) → per protein and term, the number N of distinct
//! entries voting for it, stored as `distance = 1/N`, `vote_count = N` in a
//! new prediction set tagged `meta.algorithm = "interpro_propagation"`.
//!
//! Single stage, one transaction: the set and all its rows appear together
//! or not at all. `ref_protein_accession` (NOT NULL, "who contributed the
//! term") holds the voting InterPro entries, comma-separated and sorted.
//! `limit_per_entry` is 1: there are no neighbours, the column is NOT NULL.

use protea_core::payload::check_range;
use protea_core::{PayloadError, Validate};
use protea_formats::interproscan::release_at_least;
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_store::interpro_hits;
use protea_store::interpro_propagation::{self, NewPredictionSet, NewVote};
use protea_store::ontology;
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictGoTermsFromInterproPayload {
    pub embedding_config_id: Uuid,
    pub annotation_set_id: Uuid,
    pub ontology_snapshot_id: Uuid,
    pub source_version: String,
    #[serde(default)]
    pub query_set_id: Option<Uuid>,
    #[serde(default)]
    pub query_accessions: Option<Vec<String>>,
    #[serde(default)]
    pub ipr_release_floor: Option<String>,
    #[serde(default = "default_chunk")]
    pub chunk_size: u32,
}

fn default_chunk() -> u32 {
    1000
}

impl Validate for PredictGoTermsFromInterproPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        if self.source_version.trim().is_empty() {
            return Err(PayloadError::new("source_version", "must not be empty"));
        }
        if self.query_set_id.is_none() && self.query_accessions.is_none() {
            return Err(PayloadError::new(
                "query_set_id",
                "at least one of query_set_id / query_accessions is required",
            ));
        }
        if let Some(list) = &self.query_accessions
            && let Some(i) = list.iter().position(|a| a.trim().is_empty())
        {
            return Err(PayloadError::new(
                "query_accessions",
                format!("item {i} is empty"),
            ));
        }
        if let Some(floor) = &self.ipr_release_floor
            && floor.trim().is_empty()
        {
            return Err(PayloadError::new("ipr_release_floor", "must not be empty"));
        }
        check_range("chunk_size", self.chunk_size, 1, 100_000)
    }
}

pub struct PredictGoTermsFromInterpro;

/// One protein's votes: GO term row id → (voting entries, evidence codes).
type Votes = BTreeMap<i64, (BTreeSet<String>, BTreeSet<String>)>;

impl Operation for PredictGoTermsFromInterpro {
    type Payload = PredictGoTermsFromInterproPayload;
    const NAME: &'static str = "predict_go_terms_from_interpro";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Propagate GO terms from stored InterPro matches through interpro2go (vote per entry)";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: PredictGoTermsFromInterproPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let (config, set, snapshot) = interpro_propagation::trace_pointers_exist(
            ctx.tx(),
            payload.embedding_config_id,
            payload.annotation_set_id,
            payload.ontology_snapshot_id,
        )
        .await?;
        for (ok, what, id) in [
            (config, "embedding config", payload.embedding_config_id),
            (set, "annotation set", payload.annotation_set_id),
            (snapshot, "ontology snapshot", payload.ontology_snapshot_id),
        ] {
            if !ok {
                return Err(OperationError::failed(
                    "NotFound",
                    format!("{what} {id} not found"),
                ));
            }
        }
        if interpro_hits::mapping_count(ctx.tx(), &payload.source_version).await? == 0 {
            return Err(OperationError::failed(
                "NotFound",
                format!(
                    "no interpro2go mapping loaded for source_version {:?} (run load_interpro_go_mapping first)",
                    payload.source_version
                ),
            ));
        }
        // The union of both inputs, in order, each accession once.
        let mut seen = HashSet::new();
        let mut accessions = Vec::new();
        if let Some(id) = payload.query_set_id {
            let rows = interpro_hits::query_set_sequences(ctx.tx(), id)
                .await?
                .ok_or_else(|| {
                    OperationError::failed("NotFound", format!("query set {id} not found"))
                })?;
            accessions.extend(rows.into_iter().map(|(a, _)| a));
        }
        accessions.extend(
            payload
                .query_accessions
                .iter()
                .flatten()
                .map(|a| a.trim().to_owned()),
        );
        accessions.retain(|a| seen.insert(a.clone()));
        emit.info(
            "predict_go_terms_from_interpro.start",
            None,
            json!({"query_proteins": accessions.len(), "source_version": payload.source_version,
                   "ipr_release_floor": payload.ipr_release_floor,
                   "_progress_current": 0, "_progress_total": accessions.len()}),
        )
        .await;
        let terms = ontology::resolvable_ids(ctx.tx(), payload.ontology_snapshot_id).await?;
        let prediction_set_id = Uuid::new_v4();
        let job_id = ctx.job_id();
        interpro_propagation::insert_prediction_set(
            ctx.tx(),
            &NewPredictionSet {
                id: prediction_set_id,
                embedding_config_id: payload.embedding_config_id,
                annotation_set_id: payload.annotation_set_id,
                ontology_snapshot_id: payload.ontology_snapshot_id,
                query_set_id: payload.query_set_id,
                limit_per_entry: 1,
                job_id: Some(job_id),
                meta: json!({
                    "algorithm": "interpro_propagation",
                    "source_version": payload.source_version,
                    "ipr_release_floor": payload.ipr_release_floor,
                    "query_accessions": payload.query_accessions.as_ref().map(Vec::len),
                }),
            },
        )
        .await?;
        let (mut with_ipr, mut with_predictions, mut candidates, mut inserted) =
            (0usize, 0usize, 0usize, 0u64);
        let mut unresolved: BTreeSet<String> = BTreeSet::new();
        let mut done = 0usize;
        for chunk in accessions.chunks(payload.chunk_size as usize) {
            ctx.check_cancelled()?;
            // Distinct (protein, entry) at or above the floor.
            let mut entries: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (protein, ipr, release) in interpro_hits::interpro_entries(ctx.tx(), chunk).await? {
                let keep = match (&payload.ipr_release_floor, &release) {
                    (None, _) => true,
                    (Some(floor), Some(release)) => release_at_least(release, floor),
                    (Some(_), None) => false,
                };
                if keep {
                    entries.entry(protein).or_default().insert(ipr);
                }
            }
            with_ipr += entries.len();
            let distinct: Vec<String> = entries
                .values()
                .flatten()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut mapping: HashMap<String, Vec<(String, String)>> = HashMap::new();
            for (ipr, go, evidence) in
                interpro_hits::go_mappings(ctx.tx(), &payload.source_version, &distinct).await?
            {
                mapping.entry(ipr).or_default().push((go, evidence));
            }
            let mut rows = Vec::new();
            for (protein, iprs) in &entries {
                let mut pairs: BTreeSet<&str> = BTreeSet::new();
                let mut votes = Votes::new();
                for ipr in iprs {
                    for (go, evidence) in mapping.get(ipr).into_iter().flatten() {
                        pairs.insert(go);
                        let Some(&term) = terms.get(go) else {
                            unresolved.insert(go.clone());
                            continue;
                        };
                        let vote = votes.entry(term).or_default();
                        vote.0.insert(ipr.clone());
                        vote.1.insert(evidence.clone());
                    }
                }
                candidates += pairs.len();
                with_predictions += usize::from(!votes.is_empty());
                for (term, (voters, evidence)) in votes {
                    let n = voters.len();
                    rows.push(NewVote {
                        protein_accession: protein.clone(),
                        go_term_id: term,
                        entries: voters.into_iter().collect::<Vec<_>>().join(","),
                        distance: 1.0 / n as f64,
                        vote_count: n as i32,
                        evidence_code: Some(evidence.into_iter().collect::<Vec<_>>().join(",")),
                    });
                }
            }
            inserted +=
                interpro_propagation::insert_votes(ctx.tx(), prediction_set_id, &rows).await?;
            done += chunk.len();
            emit.info(
                "predict_go_terms_from_interpro.progress",
                None,
                json!({"predictions": rows.len(), "_progress_current": done, "_progress_total": accessions.len()}),
            )
            .await;
        }
        if !unresolved.is_empty() {
            emit.warning(
                "predict_go_terms_from_interpro.unresolved_go_ids",
                Some("mapped GO ids absent from the snapshot are dropped"),
                json!({"count": unresolved.len(), "examples": unresolved.iter().take(20).collect::<Vec<_>>()}),
            )
            .await;
        }
        let result = json!({
            "prediction_set_id": prediction_set_id,
            "proteins_with_ipr": with_ipr,
            "proteins_with_predictions": with_predictions,
            "candidate_pairs": candidates,
            "predictions_inserted": inserted,
            "query_proteins": accessions.len(),
            "unresolved_go_ids": unresolved.len(),
        });
        emit.info("predict_go_terms_from_interpro.done", None, result.clone())
            .await;
        Ok(OperationResult::done(result))
    }
}
