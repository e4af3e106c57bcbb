//! The `protea` binary end to end: `protea up` on the embedded PostgreSQL,
//! a ping over HTTP and through `protea job submit --wait`, then a clean stop.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_protea");

fn protea(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("PROTEA_DATABASE_URL")
        .env_remove("PROTEA_CONFIG")
        .output()
        .unwrap()
}

/// A data directory the `postgres` user can enter when the tests run as root.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("protea-cli-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

struct Up {
    child: Child,
    base: String,
}

impl Up {
    fn start(data_dir: &Path) -> Up {
        let mut child = Command::new(BIN)
            .args(["up", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env_remove("PROTEA_DATABASE_URL")
            .env_remove("PROTEA_CONFIG")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut base = None;
        for line in stdout.lines() {
            let line = line.unwrap();
            if let Some(rest) = line.trim().strip_prefix("API") {
                base = rest.split_whitespace().next().map(str::to_owned);
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        Up {
            child,
            base: base.expect("`protea up` printed its API address"),
        }
    }

    fn stop(mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "protea up did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn up_runs_a_job_end_to_end_on_the_embedded_database_and_stops_cleanly() {
    let dir = data_dir();
    let up = Up::start(dir.path());
    let client = reqwest::Client::new();

    let created: Value = client
        .post(format!("{}/jobs", up.base))
        .json(&json!({"operation": "ping"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let job: Value = client
            .get(format!("{}/jobs/{id}", up.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if job["status"] == "succeeded" {
            break;
        }
        assert!(Instant::now() < deadline, "ping never succeeded: {job}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The CLI talks to the same platform through the data directory.
    let submitted = protea(
        dir.path(),
        &[
            "job",
            "submit",
            "ping",
            "--payload",
            r#"{"message":"hello"}"#,
            "--wait",
        ],
    );
    let stdout = String::from_utf8_lossy(&submitted.stdout);
    assert!(
        submitted.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&submitted.stderr)
    );
    assert!(stdout.contains("status      succeeded"), "{stdout}");
    assert!(stdout.contains("\"message\":\"hello\""), "{stdout}");

    let failed = protea(
        dir.path(),
        &[
            "job",
            "submit",
            "ping",
            "--payload",
            r#"{"bogus":1}"#,
            "--wait",
        ],
    );
    assert!(
        !failed.status.success(),
        "a failed job makes --wait exit non-zero"
    );
    assert!(String::from_utf8_lossy(&failed.stdout).contains("`bogus`"));

    let listed = protea(dir.path(), &["job", "list", "--json"]);
    let jobs: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(jobs.as_array().unwrap().len(), 3);

    let url = protea(dir.path(), &["db", "url"]);
    let url = String::from_utf8(url.stdout).unwrap();
    assert!(
        url.trim().starts_with("postgresql:///protea?host="),
        "{url}"
    );
    assert!(
        url.contains(&dir.path().join("postgres/run").display().to_string()),
        "{url}"
    );

    let status = up.stop();
    assert!(status.success(), "{status}");
    assert!(
        !dir.path().join("postgres/data/postmaster.pid").exists(),
        "the embedded cluster was stopped"
    );

    // With the platform down, client commands say how to start it.
    let down = protea(dir.path(), &["job", "list"]);
    assert!(!down.status.success());
    assert!(
        String::from_utf8_lossy(&down.stderr).contains("protea up"),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );

    // A second start reuses the cluster and its data.
    let up = Up::start(dir.path());
    let jobs: Value = client
        .get(format!("{}/jobs?limit=10", up.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jobs.as_array().unwrap().len(), 3);
    assert!(up.stop().success());
}

#[test]
fn help_teaches_the_first_steps() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in ["protea up", "job submit ping --wait", "PROTEA_DATABASE_URL"] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
}

#[test]
fn db_url_prefers_the_configured_database() {
    let dir = data_dir();
    let output = Command::new(BIN)
        .args(["db", "url", "--data-dir"])
        .arg(dir.path())
        .env(
            "PROTEA_DATABASE_URL",
            "postgresql://u:pw@db.example:5432/protea",
        )
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap().trim(),
        "postgresql://u:pw@db.example:5432/protea"
    );
}
