-- One row per protein and InterProScan release that was scanned, whatever
-- the number of matches. The original decided "already scanned" from
-- interpro_annotation alone, so a protein with no match was rescanned by
-- every resumed run; this record makes ipr_release_floor resumption exact.

create table interpro_scan (
    protein_accession  varchar not null,
    ipr_release        varchar not null,
    match_count        integer not null check (match_count >= 0),
    job_id             uuid references job (id) on delete set null,
    scanned_at         timestamptz not null default now(),
    primary key (protein_accession, ipr_release)
);
