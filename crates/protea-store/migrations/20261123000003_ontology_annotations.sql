-- GO releases, terms, the DAG, annotation sets and their annotations,
-- InterPro annotations and mappings.

create table ontology_snapshot (
    id           uuid primary key,
    obo_url      varchar not null,
    obo_version  varchar not null,
    ia_url       varchar,
    loaded_at    timestamptz not null default now(),
    job_id       uuid references job (id) on delete set null
);
comment on column ontology_snapshot.ia_url is
    'URL or path of an Information-Accretion TSV (go_id<TAB>ia); NULL means uniform IC in evaluations';
create unique index ix_ontology_snapshot_obo_version on ontology_snapshot (obo_version);

create table go_term (
    id                    bigserial primary key,
    go_id                 varchar(15) not null check (go_id ~ '^GO:[0-9]{7}$'),
    name                  varchar,
    aspect                varchar(1) check (aspect in ('P', 'F', 'C')),
    definition            text,
    is_obsolete           boolean not null default false,
    ontology_snapshot_id  uuid not null references ontology_snapshot (id) on delete cascade,
    constraint uq_go_term_snapshot unique (go_id, ontology_snapshot_id)
);
create index ix_go_term_go_id on go_term (go_id);
create index ix_go_term_ontology_snapshot_id on go_term (ontology_snapshot_id);

-- Alternative ids resolve to their primary term within one snapshot.
create table go_term_alt_id (
    ontology_snapshot_id  uuid not null references ontology_snapshot (id) on delete cascade,
    alt_go_id             varchar(15) not null,
    go_term_id            bigint not null references go_term (id) on delete cascade,
    primary key (ontology_snapshot_id, alt_go_id)
);

create table go_term_relationship (
    id                    bigserial primary key,
    child_go_term_id      bigint not null references go_term (id) on delete cascade,
    parent_go_term_id     bigint not null references go_term (id) on delete cascade,
    relation_type         varchar(40) not null,
    ontology_snapshot_id  uuid not null references ontology_snapshot (id) on delete cascade,
    constraint uq_go_term_relationship unique (child_go_term_id, parent_go_term_id, relation_type)
);
create index ix_go_term_relationship_child on go_term_relationship (child_go_term_id);
create index ix_go_term_relationship_parent on go_term_relationship (parent_go_term_id);
create index ix_go_term_relationship_snapshot on go_term_relationship (ontology_snapshot_id);

create table annotation_set (
    id                    uuid primary key,
    source                varchar not null,
    source_version        varchar,
    ontology_snapshot_id  uuid not null references ontology_snapshot (id) on delete restrict,
    job_id                uuid references job (id) on delete set null,
    created_at            timestamptz not null default now(),
    meta                  jsonb not null default '{}'::jsonb
);
create index ix_annotation_set_source on annotation_set (source);
create index ix_annotation_set_ontology_snapshot_id on annotation_set (ontology_snapshot_id);
create index ix_annotation_set_job_id on annotation_set (job_id);

create table protein_go_annotation (
    id                 bigserial primary key,
    annotation_set_id  uuid not null references annotation_set (id) on delete cascade,
    protein_accession  varchar not null references protein (accession) on delete cascade,
    go_term_id         bigint not null references go_term (id) on delete cascade,
    qualifier          varchar,
    evidence_code      varchar,
    assigned_by        varchar,
    db_reference       varchar,
    with_from          varchar,
    annotation_date    varchar(8),
    constraint uq_pga_set_protein_term_evidence
        unique nulls not distinct (annotation_set_id, protein_accession, go_term_id, evidence_code)
);
create index ix_pga_set_accession on protein_go_annotation (annotation_set_id, protein_accession);
create index ix_pga_protein_accession on protein_go_annotation (protein_accession);
create index ix_pga_go_term_id on protein_go_annotation (go_term_id);
create index ix_pga_evidence_code on protein_go_annotation (evidence_code);

create table interpro_go_mapping (
    id              bigserial primary key,
    ipr_accession   varchar not null check (ipr_accession ~ '^IPR[0-9]+$'),
    ipr_name        varchar,
    go_id           varchar(15) not null,
    go_name         varchar,
    source_version  varchar not null,
    evidence        varchar not null default 'IEA',
    created_at      timestamptz not null default now(),
    constraint uq_interpro_go_mapping_pair unique (ipr_accession, go_id, source_version)
);
create index ix_interpro_go_mapping_version on interpro_go_mapping (source_version, ipr_accession);

create table interpro_annotation (
    id                  bigserial primary key,
    protein_accession   varchar not null,
    ipr_accession       varchar,
    signature_db        varchar not null,
    signature_accession varchar not null,
    signature_name      varchar,
    start_pos           integer,
    end_pos             integer,
    score               double precision,
    ipr_release         varchar,
    job_id              uuid references job (id) on delete set null,
    created_at          timestamptz not null default now(),
    constraint uq_interpro_annotation unique nulls not distinct
        (protein_accession, signature_db, signature_accession, start_pos, end_pos, ipr_release)
);
create index ix_interpro_annotation_protein on interpro_annotation (protein_accession);
create index ix_interpro_annotation_ipr on interpro_annotation (ipr_accession);
