-- Prediction runs, predicted GO terms with every feature column, scoring
-- configurations and re-ranker models.

create table prediction_set (
    id                    uuid primary key,
    embedding_config_id   uuid not null references embedding_config (id) on delete restrict,
    annotation_set_id     uuid not null references annotation_set (id) on delete restrict,
    ontology_snapshot_id  uuid not null references ontology_snapshot (id) on delete restrict,
    query_set_id          uuid constraint fk_prediction_set_query_set_id references query_set (id) on delete set null,
    limit_per_entry       integer not null check (limit_per_entry > 0),
    distance_threshold    double precision,
    job_id                uuid references job (id) on delete set null,
    created_at            timestamptz not null default now(),
    meta                  jsonb not null default '{}'::jsonb
);
create index ix_prediction_set_embedding_config_id on prediction_set (embedding_config_id);
create index ix_prediction_set_annotation_set_id on prediction_set (annotation_set_id);
create index ix_prediction_set_ontology_snapshot_id on prediction_set (ontology_snapshot_id);
create index ix_prediction_set_query_set_id on prediction_set (query_set_id);

create table go_prediction (
    id                              bigserial primary key,
    prediction_set_id               uuid not null references prediction_set (id) on delete cascade,
    protein_accession               varchar not null,
    go_term_id                      bigint not null references go_term (id) on delete cascade,
    ref_protein_accession           varchar not null,
    distance                        double precision not null,
    qualifier                       varchar,
    evidence_code                   varchar,
    -- alignment (NW global, SW local)
    identity_nw                     double precision,
    similarity_nw                   double precision,
    alignment_score_nw              double precision,
    gaps_pct_nw                     double precision,
    alignment_length_nw             double precision,
    identity_sw                     double precision,
    similarity_sw                   double precision,
    alignment_score_sw              double precision,
    gaps_pct_sw                     double precision,
    alignment_length_sw             double precision,
    length_query                    integer,
    length_ref                      integer,
    -- re-ranker aggregates
    vote_count                      integer,
    k_position                      integer,
    go_term_frequency               integer,
    ref_annotation_density          integer,
    neighbor_distance_std           double precision,
    neighbor_vote_fraction          double precision,
    neighbor_min_distance           double precision,
    neighbor_mean_distance          double precision,
    -- taxonomy
    query_taxonomy_id               integer,
    ref_taxonomy_id                 integer,
    taxonomic_lca                   integer,
    taxonomic_distance              integer,
    taxonomic_common_ancestors      integer,
    taxonomic_relation              varchar(20),
    -- v6 features: Anc2Vec (6), taxonomic voters (3), embedding PCA (16)
    anc2vec_neighbor_cos            double precision,
    anc2vec_neighbor_maxcos         double precision,
    anc2vec_has_emb                 double precision,
    anc2vec_query_known_cos         double precision,
    anc2vec_query_known_maxcos      double precision,
    anc2vec_query_known_count       double precision,
    tax_voters_same_frac            double precision,
    tax_voters_close_frac           double precision,
    tax_voters_mean_common_ancestors double precision,
    emb_pca_query_0  double precision, emb_pca_query_1  double precision,
    emb_pca_query_2  double precision, emb_pca_query_3  double precision,
    emb_pca_query_4  double precision, emb_pca_query_5  double precision,
    emb_pca_query_6  double precision, emb_pca_query_7  double precision,
    emb_pca_query_8  double precision, emb_pca_query_9  double precision,
    emb_pca_query_10 double precision, emb_pca_query_11 double precision,
    emb_pca_query_12 double precision, emb_pca_query_13 double precision,
    emb_pca_query_14 double precision, emb_pca_query_15 double precision,
    -- the re-ranker's score, persisted (the original kept it in memory only)
    reranker_score                  double precision,
    constraint uq_go_prediction_set_protein_term unique (prediction_set_id, protein_accession, go_term_id)
);
create index ix_go_prediction_set_accession on go_prediction (prediction_set_id, protein_accession);
create index ix_go_prediction_go_term_id on go_prediction (go_term_id);

create table scoring_config (
    id                uuid primary key,
    name              varchar(255) not null,
    formula           varchar(50) not null default 'linear' check (formula in ('linear', 'evidence_weighted')),
    weights           jsonb not null,
    evidence_weights  jsonb,
    description       text,
    created_at        timestamptz not null default now()
);

create table reranker_model (
    id                  uuid primary key,
    name                varchar(255) not null unique,
    prediction_set_id   uuid references prediction_set (id) on delete set null,
    evaluation_set_id   uuid,
    category            varchar(10) not null check (category in ('nk', 'lk', 'pk')),
    aspect              varchar(3) check (aspect in ('bpo', 'mfo', 'cco')),
    model_data          text not null,
    artifact_uri        varchar,
    feature_schema_sha  varchar(64),
    metrics             jsonb not null default '{}'::jsonb,
    feature_importance  jsonb not null default '{}'::jsonb,
    created_at          timestamptz not null default now()
);
create index ix_reranker_model_prediction_set_id on reranker_model (prediction_set_id);
create index ix_reranker_model_evaluation_set_id on reranker_model (evaluation_set_id);
