//! `load_taxonomy` (not in the spec; the prediction features need it): an
//! NCBI taxdump (`nodes.dmp`, `names.dmp`, optional `merged.dmp`) →
//! `taxonomy_snapshot`, `taxon` (with the scientific name) and
//! `taxon_merged`. Idempotent by `version`; one transaction.

use crate::ingest::{
    EmitRetries, check_location, check_timeout, client, format_error, source_error, user_agent,
};
use protea_core::{PayloadError, Validate};
use protea_formats::taxdump::{self, Merged, Name, Node};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use protea_sources::{HttpClient, Location, SourceError};
use protea_store::taxonomy;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadTaxonomyPayload {
    /// Directory (URL, `file://` or path) holding nodes.dmp, names.dmp and
    /// optionally merged.dmp, or NCBI's `taxdump.tar.gz` archive itself
    /// (a location ending in `.tar.gz` or `.tgz`).
    pub taxdump_url: String,
    /// Release label, e.g. `2026-05-01`; one snapshot per label.
    pub version: String,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: f64,
}

fn default_timeout() -> f64 {
    300.0
}

impl Validate for LoadTaxonomyPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        check_location("taxdump_url", &self.taxdump_url)?;
        if self.version.trim().is_empty() {
            return Err(PayloadError::new("version", "must not be empty"));
        }
        check_timeout(self.timeout_seconds)
    }
}

pub struct LoadTaxonomy;

impl Operation for LoadTaxonomy {
    type Payload = LoadTaxonomyPayload;
    const NAME: &'static str = "load_taxonomy";
    const QUEUE: &'static str = queues::JOBS;
    const SUMMARY: &'static str =
        "Load an NCBI taxonomy snapshot from a taxdump (nodes, names, merged)";

    async fn execute(
        &self,
        ctx: &mut OperationContext,
        payload: LoadTaxonomyPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        if let Some(id) = taxonomy::find_snapshot(ctx.tx(), &payload.version).await? {
            return Ok(OperationResult::done(
                json!({"taxonomy_snapshot_id": id, "skipped": true, "taxa": 0, "merged": 0}),
            ));
        }
        let http = client(&user_agent(Self::NAME), payload.timeout_seconds, None)?;
        let url = payload.taxdump_url.trim_end_matches('/');
        // Keeps the downloads (temporary files) alive while they are parsed.
        let _files: Vec<Box<dyn std::any::Any + Send>>;
        let paths = if url.ends_with(".tar.gz") || url.ends_with(".tgz") {
            let location = Location::parse(url).map_err(source_error)?;
            let archive = http
                .download(&location, &EmitRetries(emit))
                .await
                .map_err(source_error)?;
            let archive_path = archive.path().to_path_buf();
            let dir = tokio::task::spawn_blocking(move || unpack_taxdump(&archive_path))
                .await
                .map_err(|e| OperationError::Transient(format!("unpacking thread: {e}")))??;
            let merged = dir.path().join("merged.dmp");
            let paths = (
                dir.path().join("nodes.dmp"),
                dir.path().join("names.dmp"),
                merged.is_file().then_some(merged),
            );
            _files = vec![Box::new(archive), Box::new(dir)];
            paths
        } else {
            let nodes_file = fetch(&http, emit, url, "nodes.dmp", true).await?;
            let names_file = fetch(&http, emit, url, "names.dmp", true).await?;
            let (Some(nodes_file), Some(names_file)) = (nodes_file, names_file) else {
                return Err(OperationError::failed(
                    "FileNotFound",
                    "nodes.dmp and names.dmp are required",
                ));
            };
            let merged_file = fetch(&http, emit, url, "merged.dmp", false).await?;
            let paths = (
                nodes_file.path().to_path_buf(),
                names_file.path().to_path_buf(),
                merged_file.as_ref().map(|f| f.path().to_path_buf()),
            );
            _files = vec![
                Box::new(nodes_file),
                Box::new(names_file),
                Box::new(merged_file),
            ];
            paths
        };
        let (taxa, merged) = tokio::task::spawn_blocking(move || parse(paths))
            .await
            .map_err(|e| OperationError::Transient(format!("parser thread: {e}")))??;
        let job_id = Some(ctx.job_id());
        let id =
            taxonomy::insert_snapshot(ctx.tx(), &payload.taxdump_url, &payload.version, job_id)
                .await?;
        let taxa_n = taxonomy::insert_taxa(ctx.tx(), id, &taxa).await?;
        let merged_n = taxonomy::insert_merged(ctx.tx(), id, &merged).await?;
        let result = json!({"taxonomy_snapshot_id": id, "skipped": false, "taxa": taxa_n, "merged": merged_n});
        emit.info("load_taxonomy.done", None, result.clone()).await;
        Ok(OperationResult::done(result))
    }
}

async fn fetch(
    http: &HttpClient,
    emit: &Emitter,
    base: &str,
    file: &str,
    required: bool,
) -> Result<Option<protea_sources::Download>, OperationError> {
    let url = format!("{}/{file}", base.trim_end_matches('/'));
    let location = Location::parse(&url).map_err(source_error)?;
    match http.download(&location, &EmitRetries(emit)).await {
        Ok(download) => Ok(Some(download)),
        Err(SourceError::Io { .. } | SourceError::Status { status: 404, .. }) if !required => {
            Ok(None)
        }
        Err(err) => Err(source_error(err)),
    }
}

/// Extracts the three files we read from a taxdump archive (gzip'd tar)
/// into a temporary directory; the rest of the archive is skipped.
fn unpack_taxdump(archive: &std::path::Path) -> Result<tempfile::TempDir, OperationError> {
    let bad = |message: String| OperationError::failed("FileFormatError", message);
    let file =
        std::fs::File::open(archive).map_err(|e| bad(format!("{}: {e}", archive.display())))?;
    let dir = tempfile::tempdir().map_err(|e| OperationError::Transient(e.to_string()))?;
    let mut tar = tar::Archive::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
        file,
    )));
    let entries = tar
        .entries()
        .map_err(|e| bad(format!("taxdump archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("taxdump archive: {e}")))?;
        let path = entry
            .path()
            .map_err(|e| bad(format!("taxdump archive: {e}")))?;
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if matches!(name.as_str(), "nodes.dmp" | "names.dmp" | "merged.dmp") {
            let mut out = std::fs::File::create(dir.path().join(&name))
                .map_err(|e| OperationError::Transient(e.to_string()))?;
            std::io::copy(&mut entry, &mut out)
                .map_err(|e| bad(format!("taxdump archive, {name}: {e}")))?;
        }
    }
    for required in ["nodes.dmp", "names.dmp"] {
        if !dir.path().join(required).is_file() {
            return Err(OperationError::failed(
                "FileNotFound",
                format!("the taxdump archive has no {required}"),
            ));
        }
    }
    Ok(dir)
}

type Taxa = Vec<(i32, i32, String, Option<String>)>;

fn parse(
    paths: (
        std::path::PathBuf,
        std::path::PathBuf,
        Option<std::path::PathBuf>,
    ),
) -> Result<(Taxa, Vec<(i32, i32)>), OperationError> {
    let open = |path: &std::path::Path| {
        protea_formats::io::open(path)
            .map_err(|e| OperationError::failed("FileFormatError", e.to_string()))
    };
    let mut names: HashMap<u32, String> = HashMap::new();
    for name in taxdump::Reader::<Name, _>::new(open(&paths.1)?, "names.dmp") {
        let name = name.map_err(format_error)?;
        if name.is_scientific() {
            names.insert(name.taxid, name.name);
        }
    }
    let mut taxa = Vec::new();
    for node in taxdump::Reader::<Node, _>::new(open(&paths.0)?, "nodes.dmp") {
        let node = node.map_err(format_error)?;
        let (id, parent) = (to_i32(node.taxid)?, to_i32(node.parent)?);
        taxa.push((id, parent, node.rank, names.remove(&node.taxid)));
    }
    let mut merged = Vec::new();
    if let Some(path) = &paths.2 {
        for row in taxdump::Reader::<Merged, _>::new(open(path)?, "merged.dmp") {
            let row = row.map_err(format_error)?;
            merged.push((to_i32(row.old)?, to_i32(row.new)?));
        }
    }
    Ok((taxa, merged))
}

fn to_i32(id: u32) -> Result<i32, OperationError> {
    i32::try_from(id)
        .map_err(|_| OperationError::failed("FileFormatError", format!("taxid {id} out of range")))
}
