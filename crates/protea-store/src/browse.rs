//! Read-only views of what was loaded, for the API and the CLI: proteins
//! (search, one protein with sequence, metadata and isoforms, stats),
//! ontology snapshots and terms (ancestors/descendants), annotation sets
//! (counts by aspect and evidence). Every list is paginated.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub items: Vec<T>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProteinSummary {
    pub accession: String,
    pub entry_name: Option<String>,
    pub gene_name: Option<String>,
    pub organism: Option<String>,
    pub taxonomy_id: Option<String>,
    pub length: Option<i32>,
    pub reviewed: Option<bool>,
    pub is_canonical: bool,
    pub isoform_index: Option<i32>,
}

/// Filters of the protein list.
#[derive(Debug, Clone, Default)]
pub struct ProteinFilter {
    /// Case-insensitive substring of accession, entry name, gene or organism.
    pub search: Option<String>,
    pub reviewed: Option<bool>,
    pub canonical_only: bool,
    pub taxonomy_id: Option<String>,
}

/// `%`, `_` and `\` are literal in searches.
fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars().take(100) {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub async fn proteins(
    pool: &PgPool,
    filter: &ProteinFilter,
    limit: i64,
    offset: i64,
) -> Result<Page<ProteinSummary>, sqlx::Error> {
    let pattern = filter.search.as_deref().map(like_pattern);
    const WHERE: &str = "where ($1::text is null or accession ilike $1 or entry_name ilike $1 or gene_name ilike $1 or organism ilike $1) \
        and ($2::bool is null or reviewed = $2) and (not $3 or is_canonical) and ($4::text is null or taxonomy_id = $4)";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "select count(*) from protein {WHERE}"
    )))
    .bind(&pattern)
    .bind(filter.reviewed)
    .bind(filter.canonical_only)
    .bind(&filter.taxonomy_id)
    .fetch_one(pool)
    .await?;
    let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select accession, entry_name, gene_name, organism, taxonomy_id, length, reviewed, is_canonical, isoform_index \
         from protein {WHERE} order by accession limit $5 offset $6"
    )))
    .bind(&pattern)
    .bind(filter.reviewed)
    .bind(filter.canonical_only)
    .bind(&filter.taxonomy_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok(Page {
        total,
        offset,
        limit,
        items,
    })
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProteinStats {
    pub total: i64,
    pub canonical: i64,
    pub isoforms: i64,
    pub reviewed: i64,
    pub unreviewed: i64,
    pub with_metadata: i64,
    pub with_go_annotations: i64,
    pub sequences: i64,
}

pub async fn protein_stats(pool: &PgPool) -> Result<ProteinStats, sqlx::Error> {
    sqlx::query_as(
        "select count(*) as total, count(*) filter (where is_canonical) as canonical, \
         count(*) filter (where not is_canonical) as isoforms, count(*) filter (where reviewed) as reviewed, \
         count(*) filter (where reviewed is false) as unreviewed, \
         (select count(distinct p.canonical_accession) from protein p join protein_uniprot_metadata m \
            on m.canonical_accession = p.canonical_accession) as with_metadata, \
         (select count(distinct protein_accession) from protein_go_annotation) as with_go_annotations, \
         (select count(*) from sequence) as sequences from protein",
    )
    .fetch_one(pool)
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProteinDetail {
    pub accession: String,
    pub canonical_accession: String,
    pub entry_name: Option<String>,
    pub gene_name: Option<String>,
    pub organism: Option<String>,
    pub taxonomy_id: Option<String>,
    pub length: Option<i32>,
    pub reviewed: Option<bool>,
    pub is_canonical: bool,
    pub isoform_index: Option<i32>,
    pub sequence_id: Option<i32>,
    pub sequence: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    #[sqlx(skip)]
    pub isoforms: Vec<String>,
    #[sqlx(skip)]
    pub go_annotation_count: i64,
    #[sqlx(skip)]
    pub metadata: Option<Value>,
}

pub async fn protein(pool: &PgPool, accession: &str) -> Result<Option<ProteinDetail>, sqlx::Error> {
    let detail: Option<ProteinDetail> = sqlx::query_as(
        "select p.accession, p.canonical_accession, p.entry_name, p.gene_name, p.organism, p.taxonomy_id, p.length, \
         p.reviewed, p.is_canonical, p.isoform_index, p.sequence_id, s.sequence, p.created_at, p.updated_at \
         from protein p left join sequence s on s.id = p.sequence_id where p.accession = $1",
    )
    .bind(accession)
    .fetch_optional(pool)
    .await?;
    let Some(mut detail) = detail else {
        return Ok(None);
    };
    if detail.is_canonical {
        detail.isoforms = sqlx::query_scalar(
            "select accession from protein where canonical_accession = $1 and not is_canonical order by isoform_index",
        )
        .bind(accession)
        .fetch_all(pool)
        .await?;
    }
    detail.go_annotation_count = sqlx::query_scalar(
        "select count(*) from protein_go_annotation where protein_accession = $1",
    )
    .bind(accession)
    .fetch_one(pool)
    .await?;
    detail.metadata = sqlx::query_scalar(
        "select to_jsonb(m) - 'created_at' - 'updated_at' - 'canonical_accession' from protein_uniprot_metadata m \
         where m.canonical_accession = $1",
    )
    .bind(&detail.canonical_accession)
    .fetch_optional(pool)
    .await?;
    Ok(Some(detail))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SnapshotView {
    pub id: Uuid,
    pub obo_url: String,
    pub obo_version: String,
    pub ia_url: Option<String>,
    pub loaded_at: DateTime<Utc>,
    pub job_id: Option<Uuid>,
    pub go_term_count: i64,
    pub relationship_count: i64,
}

const SNAPSHOT_SELECT: &str = "select s.id, s.obo_url, s.obo_version, s.ia_url, s.loaded_at, s.job_id, \
    (select count(*) from go_term t where t.ontology_snapshot_id = s.id) as go_term_count, \
    (select count(*) from go_term_relationship r where r.ontology_snapshot_id = s.id) as relationship_count \
    from ontology_snapshot s";

pub async fn snapshots(
    pool: &PgPool,
    limit: i64,
    offset: i64,
) -> Result<Page<SnapshotView>, sqlx::Error> {
    let total: i64 = sqlx::query_scalar("select count(*) from ontology_snapshot")
        .fetch_one(pool)
        .await?;
    let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SNAPSHOT_SELECT} order by s.loaded_at desc, s.id limit $1 offset $2"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok(Page {
        total,
        offset,
        limit,
        items,
    })
}

pub async fn snapshot(pool: &PgPool, id: Uuid) -> Result<Option<SnapshotView>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SNAPSHOT_SELECT} where s.id = $1"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TermView {
    pub id: i64,
    pub go_id: String,
    pub name: Option<String>,
    pub aspect: Option<String>,
    pub definition: Option<String>,
    pub is_obsolete: bool,
}

/// A related term: its distance and the relation type of the first edge.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RelatedTerm {
    pub go_id: String,
    pub name: Option<String>,
    pub aspect: Option<String>,
    pub distance: i32,
    pub relation_type: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermDetail {
    #[serde(flatten)]
    pub term: TermView,
    pub alt_ids: Vec<String>,
    pub ancestors: Vec<RelatedTerm>,
    pub descendants: Vec<RelatedTerm>,
}

/// A term (by GO id or alt_id) with its ancestors and descendants up to
/// `depth` edges, through `relations` (every type when empty).
pub async fn term(
    pool: &PgPool,
    snapshot: Uuid,
    go_id: &str,
    depth: i32,
    relations: &[String],
) -> Result<Option<TermDetail>, sqlx::Error> {
    let term: Option<TermView> = sqlx::query_as(
        "select t.id, t.go_id, t.name, t.aspect, t.definition, t.is_obsolete from go_term t \
         where t.ontology_snapshot_id = $1 and (t.go_id = $2 or t.id = (select go_term_id from go_term_alt_id \
         where ontology_snapshot_id = $1 and alt_go_id = $2))",
    )
    .bind(snapshot)
    .bind(go_id)
    .fetch_optional(pool)
    .await?;
    let Some(term) = term else { return Ok(None) };
    let alt_ids = sqlx::query_scalar(
        "select alt_go_id from go_term_alt_id where go_term_id = $1 order by alt_go_id",
    )
    .bind(term.id)
    .fetch_all(pool)
    .await?;
    let walk = |up: bool| {
        let (from, to) = if up {
            ("child_go_term_id", "parent_go_term_id")
        } else {
            ("parent_go_term_id", "child_go_term_id")
        };
        format!(
            "with recursive walk(id, distance, relation_type) as ( \
               select r.{to}, 1, r.relation_type::text from go_term_relationship r \
                 where r.{from} = $1 and (cardinality($3::text[]) = 0 or r.relation_type = any($3)) \
               union \
               select r.{to}, w.distance + 1, w.relation_type from go_term_relationship r join walk w on r.{from} = w.id \
                 where w.distance < $2 and (cardinality($3::text[]) = 0 or r.relation_type = any($3))) \
             select t.go_id, t.name, t.aspect, min(w.distance) as distance, min(w.relation_type) as relation_type \
             from walk w join go_term t on t.id = w.id group by t.go_id, t.name, t.aspect order by distance, t.go_id"
        )
    };
    let ancestors = sqlx::query_as(sqlx::AssertSqlSafe(walk(true)))
        .bind(term.id)
        .bind(depth)
        .bind(relations)
        .fetch_all(pool)
        .await?;
    let descendants = sqlx::query_as(sqlx::AssertSqlSafe(walk(false)))
        .bind(term.id)
        .bind(depth)
        .bind(relations)
        .fetch_all(pool)
        .await?;
    Ok(Some(TermDetail {
        term,
        alt_ids,
        ancestors,
        descendants,
    }))
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AnnotationSetView {
    pub id: Uuid,
    pub source: String,
    pub source_version: Option<String>,
    pub ontology_snapshot_id: Uuid,
    pub job_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub meta: Value,
    pub annotation_count: i64,
}

const SET_SELECT: &str = "select s.id, s.source, s.source_version, s.ontology_snapshot_id, s.job_id, s.created_at, s.meta, \
    (select count(*) from protein_go_annotation a where a.annotation_set_id = s.id) as annotation_count from annotation_set s";

pub async fn annotation_sets(
    pool: &PgPool,
    source: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Page<AnnotationSetView>, sqlx::Error> {
    let total: i64 = sqlx::query_scalar(
        "select count(*) from annotation_set where $1::text is null or source = $1",
    )
    .bind(source)
    .fetch_one(pool)
    .await?;
    let items = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SET_SELECT} where $1::text is null or s.source = $1 order by s.created_at desc, s.id limit $2 offset $3"
    )))
    .bind(source)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok(Page {
        total,
        offset,
        limit,
        items,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct AnnotationSetDetail {
    #[serde(flatten)]
    pub set: AnnotationSetView,
    pub proteins: i64,
    /// Aspect code (P/F/C, `?` when unknown) → count.
    pub by_aspect: Vec<(String, i64)>,
    /// Evidence code → count, most frequent first.
    pub by_evidence: Vec<(String, i64)>,
    pub negated: i64,
}

pub async fn annotation_set(
    pool: &PgPool,
    id: Uuid,
) -> Result<Option<AnnotationSetDetail>, sqlx::Error> {
    let set: Option<AnnotationSetView> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SET_SELECT} where s.id = $1")))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let Some(set) = set else { return Ok(None) };
    let by_aspect = sqlx::query_as(
        "select coalesce(t.aspect, '?')::text, count(*) from protein_go_annotation a join go_term t on t.id = a.go_term_id \
         where a.annotation_set_id = $1 group by 1 order by 1",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let by_evidence = sqlx::query_as(
        "select coalesce(evidence_code, '')::text, count(*) from protein_go_annotation where annotation_set_id = $1 \
         group by 1 order by 2 desc, 1",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let (proteins, negated): (i64, i64) = sqlx::query_as(
        "select count(distinct protein_accession), count(*) filter (where qualifier like '%NOT%') \
         from protein_go_annotation where annotation_set_id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await?;
    Ok(Some(AnnotationSetDetail {
        set,
        proteins,
        by_aspect,
        by_evidence,
        negated,
    }))
}

/// A node of an ontology subgraph; `is_query` marks the seeds.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SubgraphNode {
    pub id: i64,
    pub go_id: String,
    pub name: Option<String>,
    pub aspect: Option<String>,
    pub is_query: bool,
}

/// An edge of an ontology subgraph, child → parent.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SubgraphEdge {
    pub source: i64,
    pub target: i64,
    pub relation_type: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Subgraph {
    pub nodes: Vec<SubgraphNode>,
    pub edges: Vec<SubgraphEdge>,
}

/// The terms of `snapshot` listed in `go_ids` (GO ids or alt_ids) and everything
/// `depth` edges above them through every relation type, with the edges among them.
pub async fn subgraph(
    pool: &PgPool,
    snapshot: Uuid,
    go_ids: &[String],
    depth: i32,
) -> Result<Subgraph, sqlx::Error> {
    let nodes: Vec<SubgraphNode> = sqlx::query_as(
        "with recursive seeds as ( \
           select t.id from go_term t where t.ontology_snapshot_id = $1 and t.go_id = any($2) \
           union select a.go_term_id from go_term_alt_id a where a.ontology_snapshot_id = $1 and a.alt_go_id = any($2)), \
         walk(id, level) as ( \
           select id, 0 from seeds \
           union \
           select r.parent_go_term_id, w.level + 1 from go_term_relationship r join walk w on r.child_go_term_id = w.id \
             where w.level < $3) \
         select t.id, t.go_id, t.name, t.aspect, t.id in (select id from seeds) as is_query \
         from go_term t where t.id in (select id from walk) order by t.go_id",
    )
    .bind(snapshot)
    .bind(go_ids)
    .bind(depth)
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = nodes.iter().map(|n| n.id).collect();
    let edges = sqlx::query_as(
        "select child_go_term_id as source, parent_go_term_id as target, relation_type from go_term_relationship \
         where child_go_term_id = any($1) and parent_go_term_id = any($1) order by source, target, relation_type",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    Ok(Subgraph { nodes, edges })
}

/// One GO annotation of a protein, with its set.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProteinAnnotation {
    pub go_id: String,
    pub name: Option<String>,
    pub aspect: Option<String>,
    pub qualifier: Option<String>,
    pub evidence_code: Option<String>,
    pub assigned_by: Option<String>,
    pub db_reference: Option<String>,
    pub annotation_set_id: Uuid,
    pub annotation_set_source: String,
    pub annotation_set_version: Option<String>,
}

/// The annotations of a protein (in one set, or in all), by aspect then term name.
pub async fn protein_annotations(
    pool: &PgPool,
    accession: &str,
    set: Option<Uuid>,
) -> Result<Vec<ProteinAnnotation>, sqlx::Error> {
    sqlx::query_as(
        "select t.go_id, t.name, t.aspect, a.qualifier, a.evidence_code, a.assigned_by, a.db_reference, \
           s.id as annotation_set_id, s.source as annotation_set_source, s.source_version as annotation_set_version \
         from protein_go_annotation a join go_term t on t.id = a.go_term_id join annotation_set s on s.id = a.annotation_set_id \
         where a.protein_accession = $1 and ($2::uuid is null or a.annotation_set_id = $2) \
         order by t.aspect, t.name, t.go_id, a.evidence_code",
    )
    .bind(accession)
    .bind(set)
    .fetch_all(pool)
    .await
}

/// A protein with its sequence, for FASTA downloads.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProteinSequence {
    pub accession: String,
    pub entry_name: Option<String>,
    pub organism: Option<String>,
    pub taxonomy_id: Option<String>,
    pub sequence: String,
}

/// The proteins among `accessions` that exist and have a sequence, by accession.
pub async fn protein_sequences(
    pool: &PgPool,
    accessions: &[String],
) -> Result<Vec<ProteinSequence>, sqlx::Error> {
    sqlx::query_as(
        "select p.accession, p.entry_name, p.organism, p.taxonomy_id, s.sequence \
         from protein p join sequence s on s.id = p.sequence_id \
         where p.accession = any($1) order by p.accession",
    )
    .bind(accessions)
    .fetch_all(pool)
    .await
}
