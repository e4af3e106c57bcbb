//! insert_proteins, fetch_uniprot_metadata, load_quickgo_annotations and
//! load_taxonomy against the real files, paginated by the test server.

use crate::support::*;
use protea_sources::mock::{Fault, MockConfig};
use serde_json::json;
use std::collections::HashSet;

fn fasta_stats(text: &str) -> (usize, usize) {
    let mut records = 0;
    let mut sequences = HashSet::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.starts_with('>') {
            if records > 0 {
                sequences.insert(std::mem::take(&mut current));
            }
            records += 1;
        } else {
            current.push_str(line.trim());
        }
    }
    sequences.insert(current);
    (records, sequences.len())
}

#[tokio::test]
async fn yeast_proteome_in_pages_with_faults_then_nothing_new_and_conservative_update() {
    let Some(data) = shared_data() else { return };
    let config = MockConfig {
        uniprot_fasta: Some(data.join(YEAST)),
        ..MockConfig::default()
    };
    let env = env(&data, config).await;
    let (records, distinct) = fasta_stats(&read_text(&data.join(YEAST)));
    assert_eq!(records, 6067);
    env.server.push_fault(Fault::TooManyRequests {
        retry_after: Some(1),
    });
    env.server.push_fault(Fault::Status(500));
    let payload = json!({"search_criteria": "proteome:UP000002311", "page_size": 1000, "compressed": true,
                         "backoff_base_seconds": 0.01, "jitter_seconds": 0.0});
    let job = env.run("insert_proteins", payload.clone()).await;
    assert_eq!(job.status.as_str(), "succeeded", "{job:#?}");
    let r = job.result.clone().unwrap();
    assert_eq!(r["pages"], 7);
    assert_eq!(r["retrieved_records"], records);
    assert_eq!(r["proteins_inserted"], records);
    assert_eq!(r["sequences_inserted"], distinct);
    assert_eq!(r["http_retries"], 2);
    assert_eq!(r["http_requests"], 9);
    assert_eq!(job.progress_current, Some(records as i64));
    assert_eq!(job.progress_total, Some(records as i64));
    let retries: Vec<_> = env
        .events(job.id)
        .await
        .into_iter()
        .filter(|e| e.event == "http.retry")
        .collect();
    assert_eq!(retries.len(), 2);
    assert_eq!(retries[0].fields["wait_seconds"], 1.0);
    assert_eq!(
        env.count("select count(*) from protein").await,
        records as i64
    );
    assert_eq!(
        env.count("select count(*) from sequence").await,
        distinct as i64
    );
    assert_eq!(
        env.count("select count(*) from protein where reviewed")
            .await,
        6066
    );
    assert_eq!(
        env.count("select count(*) from protein p join sequence s on s.id = p.sequence_id where length(s.sequence) = p.length and s.sequence_hash = md5(s.sequence)").await,
        records as i64
    );
    assert_eq!(env.count("select count(*) from protein where gene_name = 'STE2' and taxonomy_id = '559292' and organism like 'Saccharomyces cerevisiae%'").await, 1);

    // Second run writes nothing new.
    let again = env.ok("insert_proteins", payload.clone()).await;
    assert_eq!(
        (
            again["proteins_inserted"].as_u64(),
            again["proteins_updated"].as_u64()
        ),
        (Some(0), Some(0))
    );
    // Reuse is counted per page: sequences repeated across pages count once per page.
    let per_page =
        r["sequences_inserted"].as_u64().unwrap() + r["sequences_reused"].as_u64().unwrap();
    assert_eq!(
        (
            again["sequences_inserted"].as_u64(),
            again["sequences_reused"].as_u64()
        ),
        (Some(0), Some(per_page))
    );

    // Conservative update: set values stay, blanks are filled.
    sqlx::query(
        "update protein set gene_name = 'KEEP', organism = null where accession = 'D6VTK4'",
    )
    .execute(env.pool())
    .await
    .unwrap();
    sqlx::query("update protein set entry_name = '' where accession = 'O13297'")
        .execute(env.pool())
        .await
        .unwrap();
    let third = env.ok("insert_proteins", payload).await;
    assert_eq!(third["proteins_updated"], 2);
    let (gene, organism): (String, String) =
        sqlx::query_as("select gene_name, organism from protein where accession = 'D6VTK4'")
            .fetch_one(env.pool())
            .await
            .unwrap();
    assert_eq!(gene, "KEEP");
    assert!(organism.starts_with("Saccharomyces cerevisiae"));
    assert_eq!(
        env.count("select count(*) from protein where entry_name = 'CET1_YEAST'")
            .await,
        1
    );

    // total_limit cuts the last page.
    sqlx::query("delete from protein")
        .execute(env.pool())
        .await
        .unwrap();
    let limited = env
        .ok(
            "insert_proteins",
            json!({"search_criteria": "x", "page_size": 1000, "total_limit": 1500}),
        )
        .await;
    assert_eq!(
        (
            limited["retrieved_records"].as_u64(),
            limited["pages"].as_u64()
        ),
        (Some(1500), Some(2))
    );
    assert_eq!(limited["limit_reached"], true);
}

#[tokio::test]
async fn isoforms_share_sequences_and_point_to_their_canonical() {
    let Some(data) = shared_data() else { return };
    let config = MockConfig {
        uniprot_fasta: Some(fixture("yeast4.isoforms.fasta")),
        ..MockConfig::default()
    };
    let env = env(&data, config).await;
    let r = env
        .ok(
            "insert_proteins",
            json!({"search_criteria": "x", "page_size": 4}),
        )
        .await;
    assert_eq!(r["retrieved_records"], 6);
    assert_eq!(r["isoform_records"], 2);
    assert_eq!(r["sequences_inserted"], 4);
    assert_eq!(
        r["sequences_reused"], 2,
        "the second page's isoforms reuse first-page sequences"
    );
    let rows: Vec<(String, String, bool, Option<i32>)> = sqlx::query_as(
        "select accession, canonical_accession, is_canonical, isoform_index from protein where canonical_accession = 'A0A0B7P3V8' order by accession",
    ).fetch_all(env.pool()).await.unwrap();
    assert_eq!(
        rows,
        vec![
            ("A0A0B7P3V8".into(), "A0A0B7P3V8".into(), true, None),
            ("A0A0B7P3V8-2".into(), "A0A0B7P3V8".into(), false, Some(2)),
            ("A0A0B7P3V8-3".into(), "A0A0B7P3V8".into(), false, Some(3)),
        ]
    );
    assert_eq!(env.count("select count(distinct sequence_id) from protein where accession in ('A0A0B7P3V8', 'A0A0B7P3V8-2')").await, 1);
}

#[tokio::test]
async fn bad_header_and_non_amino_acid_letters_fail_with_page_and_line_and_write_nothing() {
    let Some(data) = shared_data() else { return };
    for (file, page_size, needle) in [
        ("yeast6.bad_header.fasta", 10, "UniProt page 1 "),
        ("yeast6.bad_header.fasta", 2, "UniProt page 2 "),
        ("yeast6.non_amino_acid.fasta", 10, "UniProt page 1 "),
    ] {
        let config = MockConfig {
            uniprot_fasta: Some(fixture(file)),
            ..MockConfig::default()
        };
        let env = env(&data, config).await;
        let job = env
            .run(
                "insert_proteins",
                json!({"search_criteria": "x", "page_size": page_size}),
            )
            .await;
        assert_eq!(job.status.as_str(), "failed", "{job:#?}");
        let message = job.error_message.unwrap();
        assert!(message.contains(needle), "{message}");
        if page_size == 10 {
            let line = if file.contains("header") {
                ":41:"
            } else {
                ":52:"
            };
            assert!(message.contains(line), "{message}");
        }
        assert_eq!(env.count("select count(*) from protein").await, 0, "{file}");
        assert_eq!(
            env.count("select count(*) from sequence").await,
            0,
            "{file}"
        );
    }
}

#[tokio::test]
async fn uniprot_metadata_keyed_by_canonical_with_core_backfill() {
    let Some(data) = shared_data() else { return };
    let tsv = data.join("uniprot/uniprotkb_human_reviewed.first500.rest.tsv");
    let config = MockConfig {
        uniprot_tsv: Some(tsv.clone()),
        ..MockConfig::default()
    };
    let env = env(&data, config).await;
    sqlx::query("insert into protein (accession, canonical_accession, gene_name) values ('A0A0C5B5G6', 'A0A0C5B5G6', null), ('A0A1B0GTW7', 'A0A1B0GTW7', 'KEEP')")
        .execute(env.pool()).await.unwrap();
    let text = std::fs::read_to_string(&tsv).unwrap();
    let entries: HashSet<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let r = env
        .ok(
            "fetch_uniprot_metadata",
            json!({"search_criteria": "reviewed:true", "page_size": 200}),
        )
        .await;
    assert_eq!(r["pages"], 3);
    assert_eq!(r["rows"], 500);
    assert_eq!(r["proteins_backfilled"], 2);
    assert_eq!(
        env.count("select count(*) from protein_uniprot_metadata")
            .await,
        entries.len() as i64
    );
    assert_eq!(env.count("select count(*) from protein_uniprot_metadata where function_cc like 'FUNCTION: Regulates insulin sensitivity%' and canonical_accession = 'A0A0C5B5G6'").await, 1);
    assert_eq!(env.count("select count(*) from protein where accession = 'A0A0C5B5G6' and gene_name = 'MT-RNR1' and organism = 'Homo sapiens (Human)'").await, 1);
    assert_eq!(
        env.count(
            "select count(*) from protein where accession = 'A0A1B0GTW7' and gene_name = 'KEEP'"
        )
        .await,
        1
    );
    let log = env.server.requests();
    assert!(
        log[0].contains("format=tsv") && log[0].contains("fields=accession,reviewed,id"),
        "{log:?}"
    );
    let again = env
        .ok(
            "fetch_uniprot_metadata",
            json!({"search_criteria": "reviewed:true", "page_size": 200}),
        )
        .await;
    assert_eq!(again["proteins_backfilled"], 0);
    assert_eq!(
        env.count("select count(*) from protein_uniprot_metadata")
            .await,
        entries.len() as i64
    );
}

#[tokio::test]
async fn quickgo_batches_from_the_database() {
    let Some(data) = shared_data() else { return };
    let rel = "quickgo/QuickGO-annotations.ai-gene-review66.tsv.gz";
    let config = MockConfig {
        quickgo_tsv: Some(data.join(rel)),
        ..MockConfig::default()
    };
    let env = env(&data, config).await;
    let snapshot = env
        .ok(
            "load_ontology_snapshot",
            json!({"obo_url": env.url(GO_2026)}),
        )
        .await["snapshot_id"]
        .clone();
    let text = read_text(&data.join(rel));
    let header: Vec<&str> = text.lines().next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id_col, go_col, eco_col) = (col("GENE PRODUCT ID"), col("GO TERM"), col("ECO ID"));
    // Evidence rule: built-in ECO → GO code table, else the raw ECO id.
    let code = |eco: &str| {
        protea_formats::eco::builtin_code(eco)
            .unwrap_or(eco)
            .to_owned()
    };
    let mut ids: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(id_col).unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    let kept: Vec<String> = ids.iter().step_by(2).cloned().collect();
    sqlx::query("insert into protein (accession, canonical_accession) select a, a from unnest($1::varchar[]) a")
        .bind(&kept).execute(env.pool()).await.unwrap();
    let terms: HashSet<String> =
        sqlx::query_scalar("select go_id from go_term union select alt_go_id from go_term_alt_id")
            .fetch_all(env.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
    let kept_set: HashSet<&String> = kept.iter().collect();
    let expected: HashSet<(String, String, String)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (kept_set.contains(&c[id_col].to_owned()) && terms.contains(c[go_col]))
                .then(|| (c[id_col].to_owned(), c[go_col].to_owned(), code(c[eco_col])))
        })
        .collect();
    let job = env
        .run(
            "load_quickgo_annotations",
            json!({"ontology_snapshot_id": snapshot, "source_version": "2025",
        "gene_product_batch_size": 10}),
        )
        .await;
    assert_eq!(job.status.as_str(), "succeeded", "{job:#?}");
    let r = job.result.unwrap();
    assert_eq!(r["batches"], kept.len().div_ceil(10));
    assert_eq!(job.progress_current, Some(kept.len().div_ceil(10) as i64));
    assert_eq!(r["inserted"], expected.len(), "{r}");
    let raw_eco = expected.iter().filter(|e| e.2.starts_with("ECO:")).count() as i64;
    assert_eq!(
        env.count("select count(*) from protein_go_annotation where evidence_code like 'ECO:%'")
            .await,
        raw_eco
    );
    assert!(env.count("select count(*) from protein_go_annotation where evidence_code in ('IEA', 'IBA', 'IDA')").await > 0);
    assert_eq!(env.count("select count(*) from annotation_set where source = 'quickgo' and (meta->>'complete')::boolean").await, 1);
}

#[tokio::test]
async fn taxdump_subset_and_rerun() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    let dir = data.join("taxonomy/taxdumpy_subset");
    let nodes = std::fs::read_to_string(dir.join("nodes.dmp"))
        .unwrap()
        .lines()
        .count() as i64;
    let merged = std::fs::read_to_string(dir.join("merged.dmp"))
        .unwrap()
        .lines()
        .count() as i64;
    let r = env
        .ok(
            "load_taxonomy",
            json!({"taxdump_url": env.url("taxonomy/taxdumpy_subset"), "version": "subset"}),
        )
        .await;
    assert_eq!(r["taxa"], nodes);
    assert_eq!(r["merged"], merged);
    assert_eq!(
        env.count("select count(*) from taxon where name is null")
            .await,
        0
    );
    assert_eq!(env.count("select count(*) from taxon where tax_id = 9606 and name = 'Homo sapiens' and rank = 'species'").await, 1);
    let again = env
        .ok(
            "load_taxonomy",
            json!({"taxdump_url": dir.display().to_string(), "version": "subset"}),
        )
        .await;
    assert_eq!(again["skipped"], true);
    assert_eq!(env.count("select count(*) from taxon").await, nodes);
}

#[tokio::test]
async fn taxdump_archive_is_read_like_the_directory() {
    let Some(data) = shared_data() else { return };
    let env = env(&data, MockConfig::default()).await;
    let dir = data.join("taxonomy/taxdumpy_subset");
    // NCBI's archive layout: the .dmp files at the top, other files beside them.
    let archive_dir = tempfile::tempdir().unwrap();
    let archive = archive_dir.path().join("taxdump.tar.gz");
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&archive).unwrap(),
        flate2::Compression::fast(),
    );
    let mut tar = tar::Builder::new(gz);
    for name in ["nodes.dmp", "names.dmp", "merged.dmp", "division.dmp"] {
        tar.append_path_with_name(dir.join(name), name).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    let nodes = std::fs::read_to_string(dir.join("nodes.dmp"))
        .unwrap()
        .lines()
        .count() as i64;

    let r = env
        .ok(
            "load_taxonomy",
            json!({"taxdump_url": archive.display().to_string(), "version": "archive"}),
        )
        .await;
    assert_eq!(r["taxa"], nodes);
    assert!(r["merged"].as_i64().unwrap() > 0);
    assert_eq!(
        env.count("select count(*) from taxon where tax_id = 562 and name = 'Escherichia coli'")
            .await,
        1
    );
}
