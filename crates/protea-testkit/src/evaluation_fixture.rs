//! A hand-built CAFA evaluation scenario for tests of the evaluation operations and API.
//!
//! GO DAG (snapshot `v1`): BP 8150 ← 1 (is_a) ← 2 (is_a), 1 ← 3 (part_of); MF 3674 ← 10;
//! CC 5575 ← 20. Annotation sets old (t0) and new (t1):
//!
//! | protein | old (t0)          | new (t1)                                      | delta |
//! |---------|-------------------|-----------------------------------------------|-------|
//! | P1      | —                 | IDA 2, EXP 10                                 | NK (BP, MF) |
//! | P2      | IDA 1, TAS 10     | IDA 1, IMP 2, TAS 10, HDA 20                  | PK in BP {2} (known {1}), LK in CC {20} |
//! | P3      | IDA 10            | IEA NOT 1, IDA 2, IDA 3, IDA 20               | 2 and 3 excluded by the NOT; LK in CC {20} |
//! | P4      | —                 | IEA 2                                         | none (not experimental) |
//!
//! Predictions (`distance` → score `1 − d/2`): P1: 2 @0.4 (0.8), 3 @0.2 (0.9), 10 @0.4
//! (0.8), 5575 @1.8 (0.1); P2: 20 @0.0 (1.0), 2 @0.6 (0.7), 1 @0.2 (0.9); P4: 2 @0.0.
//! P3 has none, so `restrict_gt_to_predicted` drops it.

use sqlx::PgPool;
use uuid::Uuid;

/// Ids of the seeded rows.
#[derive(Debug, Clone, Copy)]
pub struct EvalFixture {
    pub snapshot: Uuid,
    pub old_set: Uuid,
    pub new_set: Uuid,
    pub prediction_set: Uuid,
}

const TERMS: [(&str, &str); 8] = [
    ("GO:0008150", "P"),
    ("GO:0000001", "P"),
    ("GO:0000002", "P"),
    ("GO:0000003", "P"),
    ("GO:0003674", "F"),
    ("GO:0000010", "F"),
    ("GO:0005575", "C"),
    ("GO:0000020", "C"),
];

const EDGES: [(&str, &str, &str); 5] = [
    ("GO:0000001", "GO:0008150", "is_a"),
    ("GO:0000002", "GO:0000001", "is_a"),
    ("GO:0000003", "GO:0000001", "part_of"),
    ("GO:0000010", "GO:0003674", "is_a"),
    ("GO:0000020", "GO:0005575", "is_a"),
];

/// (protein, term, evidence, qualifier) of the old and new sets.
const OLD: [(&str, &str, &str, Option<&str>); 3] = [
    ("P2", "GO:0000001", "IDA", None),
    ("P2", "GO:0000010", "TAS", None),
    ("P3", "GO:0000010", "IDA", None),
];
const NEW: [(&str, &str, &str, Option<&str>); 11] = [
    ("P1", "GO:0000002", "IDA", None),
    ("P1", "GO:0000010", "EXP", None),
    ("P2", "GO:0000001", "IDA", None),
    ("P2", "GO:0000002", "IMP", None),
    ("P2", "GO:0000010", "TAS", None),
    ("P2", "GO:0000020", "HDA", None),
    ("P3", "GO:0000001", "IEA", Some("NOT|involved_in")),
    ("P3", "GO:0000002", "IDA", None),
    ("P3", "GO:0000003", "IDA", None),
    ("P3", "GO:0000020", "IDA", None),
    ("P4", "GO:0000002", "IEA", None),
];

/// (protein, term, distance) of the prediction set.
pub const PREDICTIONS: [(&str, &str, f64); 8] = [
    ("P1", "GO:0000002", 0.4),
    ("P1", "GO:0000003", 0.2),
    ("P1", "GO:0000010", 0.4),
    ("P1", "GO:0005575", 1.8),
    ("P2", "GO:0000020", 0.0),
    ("P2", "GO:0000002", 0.6),
    ("P2", "GO:0000001", 0.2),
    ("P4", "GO:0000002", 0.0),
];

async fn exec(pool: &PgPool, sql: &str, binds: &[&str]) {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for b in binds {
        q = q.bind(*b);
    }
    q.execute(pool).await.expect(sql);
}

/// Inserts a snapshot with the fixture's terms and edges.
pub async fn seed_snapshot(pool: &PgPool, version: &str) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into ontology_snapshot (id, obo_url, obo_version) values ($1, 'test://go', $2)",
    )
    .bind(id)
    .bind(version)
    .execute(pool)
    .await
    .unwrap();
    for (go, aspect) in TERMS {
        sqlx::query(
            "insert into go_term (go_id, aspect, ontology_snapshot_id) values ($1, $2, $3)",
        )
        .bind(go)
        .bind(aspect)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    }
    for (child, parent, rel) in EDGES {
        sqlx::query(
            "insert into go_term_relationship (child_go_term_id, parent_go_term_id, relation_type, ontology_snapshot_id)
             select c.id, p.id, $3, $4 from go_term c, go_term p
              where c.go_id = $1 and p.go_id = $2 and c.ontology_snapshot_id = $4 and p.ontology_snapshot_id = $4",
        )
        .bind(child)
        .bind(parent)
        .bind(rel)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    }
    id
}

/// Inserts an annotation set on `snapshot` with the given rows.
pub async fn seed_annotation_set(
    pool: &PgPool,
    snapshot: Uuid,
    rows: &[(&str, &str, &str, Option<&str>)],
) -> Uuid {
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into annotation_set (id, source, ontology_snapshot_id) values ($1, 'goa', $2)",
    )
    .bind(id)
    .bind(snapshot)
    .execute(pool)
    .await
    .unwrap();
    for (protein, go, evidence, qualifier) in rows {
        sqlx::query(
            "insert into protein_go_annotation (annotation_set_id, protein_accession, go_term_id, evidence_code, qualifier)
             select $1, $2, id, $4, $5 from go_term where go_id = $3 and ontology_snapshot_id = $6",
        )
        .bind(id)
        .bind(protein)
        .bind(go)
        .bind(evidence)
        .bind(qualifier)
        .bind(snapshot)
        .execute(pool)
        .await
        .unwrap();
    }
    id
}

/// The old and new rows of the scenario.
pub fn old_rows() -> &'static [(
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
)] {
    &OLD
}

/// See [`old_rows`].
pub fn new_rows() -> &'static [(
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
)] {
    &NEW
}

/// Seeds the whole scenario.
pub async fn seed(pool: &PgPool) -> EvalFixture {
    for p in ["P1", "P2", "P3", "P4"] {
        exec(
            pool,
            "insert into protein (accession, canonical_accession) values ($1, $1) on conflict do nothing",
            &[p],
        )
        .await;
    }
    let snapshot = seed_snapshot(pool, &format!("v1-{}", Uuid::new_v4())).await;
    let old_set = seed_annotation_set(pool, snapshot, &OLD).await;
    let new_set = seed_annotation_set(pool, snapshot, &NEW).await;
    let embedding = Uuid::new_v4();
    sqlx::query(
        "insert into embedding_config (id, model_name, layer_indices) values ($1, 'test', '[0]')",
    )
    .bind(embedding)
    .execute(pool)
    .await
    .unwrap();
    let prediction_set = Uuid::new_v4();
    sqlx::query(
        "insert into prediction_set (id, embedding_config_id, annotation_set_id, ontology_snapshot_id, limit_per_entry)
         values ($1, $2, $3, $4, 5)",
    )
    .bind(prediction_set)
    .bind(embedding)
    .bind(old_set)
    .bind(snapshot)
    .execute(pool)
    .await
    .unwrap();
    for (protein, go, distance) in PREDICTIONS {
        sqlx::query(
            "insert into go_prediction (prediction_set_id, protein_accession, go_term_id, ref_protein_accession, distance)
             select $1, $2, id, 'REF', $4 from go_term where go_id = $3 and ontology_snapshot_id = $5",
        )
        .bind(prediction_set)
        .bind(protein)
        .bind(go)
        .bind(distance)
        .bind(snapshot)
        .execute(pool)
        .await
        .unwrap();
    }
    EvalFixture {
        snapshot,
        old_set,
        new_set,
        prediction_set,
    }
}
