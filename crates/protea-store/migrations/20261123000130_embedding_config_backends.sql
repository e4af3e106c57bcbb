-- EmbeddingConfig for the Rust backends: the backend names of protea-plm
-- (esm2, esmc, prott5, prostt5, ankh, kmer) beside the original's (esm,
-- esm3c, t5, ankh, auto), an optional local model directory, and the
-- element type vectors are stored in.
alter table embedding_config drop constraint embedding_config_model_backend_check;
alter table embedding_config add constraint embedding_config_model_backend_check
    check (model_backend in ('esm', 'esm3c', 't5', 'ankh', 'auto', 'esm2', 'esmc', 'prott5', 'prostt5', 'kmer'));
alter table embedding_config add column model_path varchar;
alter table embedding_config add column embedding_dtype varchar(8) not null default 'float32'
    check (embedding_dtype in ('float16', 'float32'));
