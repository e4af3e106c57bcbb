//! The evaluation data of a pair of annotation sets, computed from the database: the GO
//! graph of the effective snapshot, the CAFA delta (`protea_evaluation::compute_delta`) and
//! the snapshot as OBO text for the evaluator. Shared by the operations and the API's
//! ground-truth downloads, so both see the same delta.

use std::collections::HashMap;

use protea_core::{Aspect, GoId};
use protea_evaluation::cafa::{OboTerm, ontology_obo};
use protea_evaluation::evidence::{EXPERIMENTAL_CODES, EXPERIMENTAL_ECO_IDS};
use protea_evaluation::{AnnotationRow, Delta, GoGraph, compute_delta};
use sqlx::PgConnection;
use sqlx::types::Uuid;

use super::{
    DeltaAnnotationRow, EvaluationSetRow, annotation_set, delta_annotations, snapshot_alt_ids,
    snapshot_edges, snapshot_terms,
};
use crate::StoreError;

fn go(text: &str) -> Option<GoId> {
    GoId::parse(text).ok()
}

/// The snapshot an evaluation set is computed in: its pivot when it has one, else the old
/// set's snapshot (which the new set shares).
pub async fn effective_snapshot(
    conn: &mut PgConnection,
    set: &EvaluationSetRow,
) -> Result<Uuid, StoreError> {
    if let Some(pivot) = set.pivot_ontology_snapshot_id {
        return Ok(pivot);
    }
    let old = annotation_set(&mut *conn, set.old_annotation_set_id)
        .await?
        .ok_or(StoreError::Sqlx(sqlx::Error::RowNotFound))?;
    Ok(old.ontology_snapshot_id)
}

/// The `is_a`/`part_of` graph, aspects and alt ids of a snapshot.
pub async fn go_graph(conn: &mut PgConnection, snapshot: Uuid) -> Result<GoGraph, StoreError> {
    let mut graph = GoGraph::new();
    for t in snapshot_terms(&mut *conn, snapshot).await? {
        if let Some(id) = go(&t.go_id) {
            graph.add_term(id, t.aspect.as_deref().and_then(Aspect::from_code));
        }
    }
    for (alt, primary) in snapshot_alt_ids(&mut *conn, snapshot).await? {
        if let (Some(a), Some(p)) = (go(&alt), go(&primary)) {
            graph.add_alt_id(a, p);
        }
    }
    for e in snapshot_edges(&mut *conn, snapshot).await? {
        if let (Some(c), Some(p)) = (go(&e.child), go(&e.parent)) {
            graph.add_edge(c, p, &e.relation_type);
        }
    }
    Ok(graph)
}

fn rows(db_rows: Vec<DeltaAnnotationRow>) -> Vec<AnnotationRow> {
    db_rows
        .into_iter()
        .filter_map(|r| {
            Some(AnnotationRow {
                go_id: go(&r.go_id)?,
                protein: r.protein_accession,
                qualifier: r.qualifier,
                evidence_code: r.evidence_code,
            })
        })
        .collect()
}

/// Computes the delta between two annotation sets in `snapshot`.
pub async fn compute_set_delta(
    conn: &mut PgConnection,
    old: Uuid,
    new: Uuid,
    snapshot: Uuid,
) -> Result<Delta, StoreError> {
    let graph = go_graph(&mut *conn, snapshot).await?;
    let codes: Vec<&str> = EXPERIMENTAL_CODES
        .iter()
        .chain(EXPERIMENTAL_ECO_IDS.iter())
        .copied()
        .collect();
    let old_rows = rows(delta_annotations(&mut *conn, old, &codes).await?);
    let new_rows = rows(delta_annotations(&mut *conn, new, &codes).await?);
    // The delta is CPU work on possibly millions of rows: keep it off the async threads.
    tokio::task::spawn_blocking(move || compute_delta(&old_rows, &new_rows, &graph))
        .await
        .map_err(|e| StoreError::Io {
            path: "compute_delta".into(),
            source: std::io::Error::other(e.to_string()),
        })
}

/// The delta of a stored evaluation set.
pub async fn evaluation_set_delta(
    conn: &mut PgConnection,
    set: &EvaluationSetRow,
) -> Result<Delta, StoreError> {
    let snapshot = effective_snapshot(&mut *conn, set).await?;
    compute_set_delta(
        conn,
        set.old_annotation_set_id,
        set.new_annotation_set_id,
        snapshot,
    )
    .await
}

/// A snapshot as OBO text (`protea_evaluation::cafa::ontology_obo`): the evaluator sees the
/// stored terms and edges, not a re-downloaded file.
pub async fn snapshot_obo(conn: &mut PgConnection, snapshot: Uuid) -> Result<String, StoreError> {
    let mut terms: Vec<OboTerm> = Vec::new();
    let mut index: HashMap<GoId, usize> = HashMap::new();
    for t in snapshot_terms(&mut *conn, snapshot).await? {
        let Some(id) = go(&t.go_id) else { continue };
        index.insert(id, terms.len());
        terms.push(OboTerm {
            go_id: id,
            aspect: t.aspect.as_deref().and_then(Aspect::from_code),
            obsolete: t.is_obsolete,
            ..OboTerm::default()
        });
    }
    for (alt, primary) in snapshot_alt_ids(&mut *conn, snapshot).await? {
        if let (Some(a), Some(&i)) = (go(&alt), go(&primary).and_then(|p| index.get(&p))) {
            terms[i].alt_ids.push(a);
        }
    }
    for e in snapshot_edges(&mut *conn, snapshot).await? {
        let (Some(&i), Some(p)) = (go(&e.child).and_then(|c| index.get(&c)), go(&e.parent)) else {
            continue;
        };
        match e.relation_type.as_str() {
            "is_a" => terms[i].is_a.push(p),
            _ => terms[i].part_of.push(p),
        }
    }
    Ok(ontology_obo(&terms))
}
