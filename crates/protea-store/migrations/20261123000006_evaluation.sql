-- CAFA evaluation sets (temporal deltas) and their results.

create table evaluation_set (
    id                     uuid primary key,
    old_annotation_set_id  uuid not null references annotation_set (id) on delete restrict,
    new_annotation_set_id  uuid not null references annotation_set (id) on delete restrict,
    pivot_ontology_snapshot_id uuid references ontology_snapshot (id) on delete restrict,
    job_id                 uuid references job (id) on delete set null,
    created_at             timestamptz not null default now(),
    stats                  jsonb not null default '{}'::jsonb,
    constraint uq_evaluation_set_pair unique (old_annotation_set_id, new_annotation_set_id),
    check (old_annotation_set_id <> new_annotation_set_id)
);
create index ix_evaluation_set_old on evaluation_set (old_annotation_set_id);
create index ix_evaluation_set_new on evaluation_set (new_annotation_set_id);

alter table reranker_model
    add constraint fk_reranker_model_evaluation_set
    foreign key (evaluation_set_id) references evaluation_set (id) on delete set null;

create table evaluation_result (
    id                 uuid primary key,
    evaluation_set_id  uuid not null references evaluation_set (id) on delete cascade,
    prediction_set_id  uuid not null references prediction_set (id) on delete cascade,
    scoring_config_id  uuid references scoring_config (id) on delete set null,
    reranker_model_id  uuid references reranker_model (id) on delete set null,
    reranker_config    jsonb,
    job_id             uuid references job (id) on delete set null,
    created_at         timestamptz not null default now(),
    results            jsonb not null default '{}'::jsonb
);
create index ix_evaluation_result_evaluation_set_id on evaluation_result (evaluation_set_id);
create index ix_evaluation_result_prediction_set_id on evaluation_result (prediction_set_id);
create index ix_evaluation_result_scoring_config_id on evaluation_result (scoring_config_id);
create index ix_evaluation_result_reranker_model_id on evaluation_result (reranker_model_id);

create table support_entry (
    id          uuid primary key,
    comment     text check (comment is null or char_length(comment) <= 500),
    created_at  timestamptz not null default now()
);
