//! Run records: `<runs>/<run_id>/` holds the model, `spec.yaml` and `run.json`; export
//! copies them elsewhere with their content hashes.

use protea_artifacts::{ArtifactError, ArtifactStore, open, sha256_hex, short_sha};
use serde_json::{Map, Value, json};

use crate::contract::{Emit, ExportResult, ExportedFile, Result, RunnerError};
use crate::env::RunnerEnv;
use protea_core::Level;

/// The spec's digest: short sha256 of its canonical JSON (keys sorted).
pub fn spec_hash(spec: &Value) -> String {
    short_sha(serde_json::to_string(spec).unwrap_or_default().as_bytes())
}

/// `{UTC %Y%m%dT%H%M%S}_{runner}_{spec hash[:6]}`, as the lab names runs.
pub fn new_run_id(runner: &str, spec: &Value) -> String {
    let now = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    format!("{now}_{runner}_{}", &spec_hash(spec)[..6])
}

/// `spec.yaml`: the resolved spec. JSON is YAML 1.2, so the JSON text is written as is
/// (no YAML library needed, and any YAML reader loads it).
pub fn spec_yaml(spec: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(spec).unwrap_or_default();
    out.push(b'\n');
    out
}

/// An open run directory.
pub struct RunDir {
    pub run_id: String,
    pub store: Box<dyn ArtifactStore>,
    pub record: Map<String, Value>,
}

impl RunDir {
    /// Creates a fresh run directory (the id gets a `-N` suffix if already taken) and
    /// writes `spec.yaml` and a `started` run.json at once, as the lab does.
    pub fn start(env: &RunnerEnv, runner: &str, spec: &Value, dataset_uri: &str) -> Result<RunDir> {
        let base = new_run_id(runner, spec);
        let mut run_id = base.clone();
        let mut n = 1;
        let store = loop {
            let store = env.run_store(&run_id)?;
            if !store.exists("run.json")? {
                break store;
            }
            n += 1;
            run_id = format!("{base}-{n}");
        };
        let mut record = Map::new();
        record.insert("run_id".into(), json!(run_id));
        record.insert("runner".into(), json!(runner));
        record.insert("status".into(), json!("started"));
        record.insert("started_at".into(), json!(chrono::Utc::now().to_rfc3339()));
        record.insert("spec_hash".into(), json!(spec_hash(spec)));
        record.insert("dataset_uri".into(), json!(dataset_uri));
        record.insert(
            "producer".into(),
            json!({"name": "protea-runners", "version": env!("CARGO_PKG_VERSION"),
                   "git_sha": option_env!("PROTEA_GIT_SHA")}),
        );
        let dir = RunDir {
            run_id,
            store,
            record,
        };
        dir.store.put("spec.yaml", &spec_yaml(spec))?;
        dir.write_record()?;
        Ok(dir)
    }

    fn write_record(&self) -> Result<String> {
        let mut bytes = serde_json::to_vec_pretty(&self.record).unwrap_or_default();
        bytes.push(b'\n');
        Ok(self.store.put("run.json", &bytes)?)
    }

    /// Stores a file of the run, recording its hash in run.json's `files`.
    pub fn put(&mut self, name: &str, bytes: &[u8]) -> Result<String> {
        let uri = self.store.put(name, bytes)?;
        let files = self
            .record
            .entry("files")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("files is an object");
        files.insert(
            name.into(),
            json!({"sha256": sha256_hex(bytes), "size": bytes.len()}),
        );
        Ok(uri)
    }

    /// Marks the run `ok` with its final fields and writes run.json.
    pub fn finish(mut self, fields: Map<String, Value>) -> Result<String> {
        let started = self.record["started_at"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let finished = chrono::Utc::now();
        let duration = chrono::DateTime::parse_from_rfc3339(&started)
            .map(|s| (finished - s.with_timezone(&chrono::Utc)).as_seconds_f64())
            .unwrap_or(f64::NAN);
        self.record.extend(fields);
        self.record.insert("status".into(), json!("ok"));
        self.record
            .insert("finished_at".into(), json!(finished.to_rfc3339()));
        self.record.insert("duration_s".into(), json!(duration));
        self.write_record()?;
        Ok(self.run_id)
    }

    /// Marks the run `failed` with the error (best effort: the error itself matters more).
    pub fn fail(mut self, error: &RunnerError) {
        self.record.insert("status".into(), json!("failed"));
        self.record.insert("error".into(), json!(error.to_string()));
        let _ = self.write_record();
    }
}

/// Copies a finished run's files (`files` = the names to export, the model first) plus
/// spec.yaml and run.json under `output_uri`, returning URIs and sha256 hashes. Each
/// file's hash is checked against the one run.json recorded.
pub fn export_run(
    env: &RunnerEnv,
    runner: &str,
    run_id: &str,
    model_files: &[&str],
    output_uri: &str,
    emit: Emit<'_>,
) -> Result<ExportResult> {
    let src = env.run_store(run_id)?;
    let record_bytes = match src.get_key("run.json") {
        Ok(b) => b,
        Err(ArtifactError::NotFound { .. }) => {
            return Err(RunnerError::Input(format!(
                "no run {run_id:?} under {}",
                env.runs_uri
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let record: Value = serde_json::from_slice(&record_bytes)
        .map_err(|e| RunnerError::Input(format!("run {run_id}: run.json: {e}")))?;
    if record["runner"] != json!(runner) {
        return Err(RunnerError::Input(format!(
            "run {run_id} was made by runner {}, not {runner:?}",
            record["runner"]
        )));
    }
    if record["status"] != json!("ok") {
        return Err(RunnerError::Input(format!(
            "run {run_id} has status {}, only finished runs are exported",
            record["status"]
        )));
    }
    let dst = open(output_uri)?;
    emit(
        &format!("runner.{runner}.export_start"),
        None,
        json!({"run_id": run_id, "output_uri": output_uri}),
        Level::Info,
    );
    let mut out = ExportResult::default();
    for name in model_files.iter().copied().chain(["spec.yaml", "run.json"]) {
        let bytes = src.get_key(name)?;
        if let Some(expected) = record["files"][name]["sha256"].as_str()
            && expected != sha256_hex(&bytes)
        {
            return Err(RunnerError::Input(format!(
                "run {run_id}: {name} does not match the hash run.json recorded"
            )));
        }
        let stored = dst.put_hashed(name, &bytes)?;
        out.files.insert(
            name.to_owned(),
            ExportedFile {
                uri: stored.uri,
                sha256: stored.sha256,
                size: stored.size,
            },
        );
    }
    emit(
        &format!("runner.{runner}.export_done"),
        None,
        json!({"run_id": run_id, "files": out.files.len()}),
        Level::Info,
    );
    Ok(out)
}
