-- Sequences (MD5-deduplicated), proteins with their isoforms, UniProt metadata.

create table sequence (
    id             serial primary key,
    sequence       text not null,
    sequence_hash  varchar(32) not null check (sequence_hash ~ '^[0-9a-f]{32}$'),
    created_at     timestamp not null default now(),
    updated_at     timestamp not null default now()
);
create unique index ix_sequence_sequence_hash on sequence (sequence_hash);

create table protein (
    accession            varchar primary key,
    entry_name           varchar,
    reviewed             boolean,
    canonical_accession  varchar not null,
    isoform_index        integer,
    is_canonical         boolean not null default true,
    taxonomy_id          varchar,
    organism             varchar,
    gene_name            varchar,
    length               integer check (length is null or length >= 0),
    sequence_id          integer references sequence (id) on delete set null,
    created_at           timestamp not null default now(),
    updated_at           timestamp not null default now(),
    check (is_canonical = (isoform_index is null)),
    check (is_canonical = (canonical_accession = accession))
);
create index ix_protein_entry_name on protein (entry_name);
create index ix_protein_reviewed on protein (reviewed);
create index ix_protein_canonical_accession on protein (canonical_accession);
create index ix_protein_taxonomy_id on protein (taxonomy_id);
create index ix_protein_sequence_id on protein (sequence_id);
create index ix_protein_gene_name on protein (gene_name);

create table protein_uniprot_metadata (
    canonical_accession     varchar primary key,
    absorption              text,
    active_site             text,
    binding_site            text,
    catalytic_activity      text,
    cofactor                text,
    dna_binding             text,
    ec_number               text,
    activity_regulation     text,
    function_cc             text,
    pathway                 text,
    kinetics                text,
    ph_dependence           text,
    redox_potential         text,
    rhea_id                 text,
    site                    text,
    temperature_dependence  text,
    keywords                text,
    features                text,
    created_at              timestamp not null default now(),
    updated_at              timestamp not null default now()
);

-- NCBI taxonomy snapshot (load_taxonomy): the prediction features need it.
create table taxonomy_snapshot (
    id          uuid primary key,
    source_url  varchar not null,
    version     varchar not null unique,
    loaded_at   timestamptz not null default now(),
    job_id      uuid references job (id) on delete set null
);

create table taxon (
    taxonomy_snapshot_id  uuid not null references taxonomy_snapshot (id) on delete cascade,
    tax_id                integer not null,
    parent_tax_id         integer not null,
    rank                  varchar not null,
    name                  varchar,
    primary key (taxonomy_snapshot_id, tax_id)
);

create table taxon_merged (
    taxonomy_snapshot_id  uuid not null references taxonomy_snapshot (id) on delete cascade,
    old_tax_id            integer not null,
    new_tax_id            integer not null,
    primary key (taxonomy_snapshot_id, old_tax_id)
);
