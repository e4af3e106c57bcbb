-- Embedding recipes, stored vectors, and user query sets.

create table embedding_config (
    id                  uuid primary key,
    model_name          varchar not null,
    model_backend       varchar not null default 'esm'
                        check (model_backend in ('esm', 'esm3c', 't5', 'ankh', 'auto')),
    layer_indices       jsonb not null check (jsonb_typeof(layer_indices) = 'array' and jsonb_array_length(layer_indices) > 0),
    layer_agg           varchar not null default 'mean' check (layer_agg in ('mean', 'last', 'concat')),
    pooling             varchar not null default 'mean' check (pooling in ('mean', 'max', 'cls', 'mean_max')),
    normalize_residues  boolean not null default false,
    normalize           boolean not null default true,
    max_length          integer not null default 1022 check (max_length > 0),
    use_chunking        boolean not null default false,
    chunk_size          integer not null default 512 check (chunk_size > 0),
    chunk_overlap       integer not null default 0 check (chunk_overlap >= 0),
    description         varchar,
    created_at          timestamptz not null default now(),
    check (chunk_overlap < chunk_size)
);
create index ix_embedding_config_model_name on embedding_config (model_name);

-- pgvector is not available: vectors are stored as little-endian bytes with
-- their element type and dimension, and searched in process.
create table sequence_embedding (
    id                   bigserial primary key,
    sequence_id          integer not null references sequence (id) on delete cascade,
    embedding_config_id  uuid not null references embedding_config (id) on delete restrict,
    chunk_index_s        integer not null default 0 check (chunk_index_s >= 0),
    chunk_index_e        integer,
    embedding            bytea not null,
    embedding_dtype      varchar(8) not null default 'float32' check (embedding_dtype in ('float16', 'float32')),
    embedding_dim        integer not null check (embedding_dim > 0),
    created_at           timestamptz not null default now(),
    constraint uq_seq_embedding_seq_config_chunk unique (sequence_id, embedding_config_id, chunk_index_s),
    check (octet_length(embedding) = embedding_dim * (case embedding_dtype when 'float16' then 2 else 4 end)),
    check (chunk_index_e is null or chunk_index_e > chunk_index_s)
);
create index ix_sequence_embedding_sequence_id on sequence_embedding (sequence_id);
create index ix_sequence_embedding_config on sequence_embedding (embedding_config_id);

create table query_set (
    id           uuid primary key,
    name         varchar not null,
    description  text,
    job_id       uuid references job (id) on delete set null,
    created_at   timestamptz not null default now()
);

create table query_set_entry (
    id            bigserial primary key,
    query_set_id  uuid not null references query_set (id) on delete cascade,
    sequence_id   integer not null references sequence (id) on delete restrict,
    accession     varchar not null,
    created_at    timestamptz not null default now(),
    constraint uq_query_set_entry_set_accession unique (query_set_id, accession)
);
create index ix_query_set_entry_query_set_id on query_set_entry (query_set_id);
create index ix_query_set_entry_sequence_id on query_set_entry (sequence_id);
create index ix_query_set_entry_accession on query_set_entry (accession);
