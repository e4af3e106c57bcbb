//! The InterProScan subprocess: where the binary is, its release, and one
//! run over a FASTA file. Always an argument list (never a shell), in its own
//! process group so a timeout kills the JVM children too, with the tail of
//! stderr kept for the failure message.

use protea_jobs::{OperationContext, OperationError};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

/// The binary when the payload names none: `PROTEA_INTERPROSCAN_BIN`, or the
/// CLI's `[interpro] interproscan_bin`, installed as a worker extension.
/// Unset: `interproscan.sh` looked up on `PATH`.
#[derive(Debug, Clone, Default)]
pub struct InterproScanConfig {
    pub binary: Option<PathBuf>,
}

/// The environment variable naming the binary.
pub const BINARY_ENV: &str = "PROTEA_INTERPROSCAN_BIN";
/// The program looked up on `PATH` when nothing is configured.
pub const DEFAULT_BINARY: &str = "interproscan.sh";

impl InterproScanConfig {
    pub fn from_env() -> InterproScanConfig {
        InterproScanConfig {
            binary: std::env::var_os(BINARY_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Payload path, then the installed configuration, then the environment,
/// then `interproscan.sh` on `PATH`.
pub fn resolve_binary(ctx: &OperationContext, payload: Option<&str>) -> PathBuf {
    if let Some(path) = payload {
        return PathBuf::from(path);
    }
    let configured = ctx
        .extension::<InterproScanConfig>()
        .and_then(|c| c.binary.clone());
    configured
        .or_else(|| InterproScanConfig::from_env().binary)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_BINARY))
}

/// Keep this much of each output stream for messages.
const TAIL_BYTES: usize = 4_000;

/// What a finished run left behind.
struct Finished {
    status: ExitStatus,
    stdout_tail: String,
    stderr_tail: String,
}

fn failed(code: &str, message: String) -> OperationError {
    OperationError::failed(code, message)
}

async fn tail_of<R: AsyncRead + Unpin>(mut reader: R) -> String {
    let mut tail = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&buf[..n]);
        if tail.len() > 2 * TAIL_BYTES {
            tail.drain(..tail.len() - TAIL_BYTES);
        }
    }
    let start = tail.len().saturating_sub(TAIL_BYTES);
    String::from_utf8_lossy(&tail[start..]).trim().to_owned()
}

#[allow(unsafe_code)]
fn kill_group(pid: u32) {
    // SAFETY: kill(2) with a negative pid signals the process group the child
    // leads (`process_group(0)`); it touches no memory of ours.
    unsafe {
        libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
    }
}

/// Runs `binary args…` with a deadline; the child leads its own process
/// group, which is killed as a whole on timeout or cancellation.
async fn run(
    binary: &Path,
    args: &[String],
    timeout: Duration,
) -> Result<Finished, OperationError> {
    let mut child = Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            failed(
                "InterProScanNotFound",
                format!(
                    "cannot start InterProScan `{}`: {e} (set binary_path, {BINARY_ENV} or \
                     [interpro] interproscan_bin)",
                    binary.display()
                ),
            )
        })?;
    let pid = child.id();
    let stdout = tokio::spawn(tail_of(child.stdout.take().expect("piped")));
    let stderr = tokio::spawn(tail_of(child.stderr.take().expect("piped")));
    let status = match tokio::time::timeout(timeout, child.wait()).await {
        Ok(status) => status.map_err(|e| {
            OperationError::Transient(format!("waiting for `{}`: {e}", binary.display()))
        })?,
        Err(_) => {
            if let Some(pid) = pid {
                kill_group(pid);
            }
            let _ = child.wait().await;
            let err = tokio::time::timeout(Duration::from_secs(5), stderr)
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            return Err(failed(
                "InterProScanTimeout",
                format!(
                    "`{}` did not finish within {} s and was killed; stderr tail: {}",
                    binary.display(),
                    timeout.as_secs_f64(),
                    if err.is_empty() { "(empty)" } else { &err }
                ),
            ));
        }
    };
    // Grandchildren may keep the pipes open after the child exits: bound the wait.
    let grace = Duration::from_secs(5);
    let stdout_tail = tokio::time::timeout(grace, stdout)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let stderr_tail = tokio::time::timeout(grace, stderr)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    Ok(Finished {
        status,
        stdout_tail,
        stderr_tail,
    })
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    }
}

/// `binary --version` (30 s): the release tag of its first non-blank line of
/// stdout, else of stderr.
pub async fn probe_release(binary: &Path) -> Result<(String, String), OperationError> {
    let run = run(binary, &["--version".to_owned()], Duration::from_secs(30)).await?;
    let line_source = if run.stdout_tail.trim().is_empty() {
        &run.stderr_tail
    } else {
        &run.stdout_tail
    };
    if !run.status.success() {
        return Err(failed(
            "InterProScanFailed",
            format!(
                "`{} --version` failed ({}); stderr tail: {}",
                binary.display(),
                describe(run.status),
                run.stderr_tail
            ),
        ));
    }
    let line = line_source
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_owned();
    let release = protea_formats::interproscan::release_from_version_output(line_source)
        .ok_or_else(|| {
            failed(
                "InterProScanFailed",
                format!("`{} --version` printed nothing", binary.display()),
            )
        })?;
    Ok((release, line))
}

/// One scan: `binary -i FASTA -f tsv -o TSV extra…`. A non-zero exit or a
/// missing output file fails with the exit status and the stderr tail.
pub async fn scan(
    binary: &Path,
    fasta: &Path,
    tsv: &Path,
    extra_args: &[String],
    timeout: Duration,
) -> Result<(), OperationError> {
    let mut args = vec![
        "-i".to_owned(),
        fasta.display().to_string(),
        "-f".to_owned(),
        "tsv".to_owned(),
        "-o".to_owned(),
        tsv.display().to_string(),
    ];
    args.extend(extra_args.iter().cloned());
    let run = run(binary, &args, timeout).await?;
    if !run.status.success() {
        return Err(failed(
            "InterProScanFailed",
            format!(
                "`{}` failed ({}); stderr tail: {}",
                binary.display(),
                describe(run.status),
                if run.stderr_tail.is_empty() {
                    "(empty)"
                } else {
                    &run.stderr_tail
                }
            ),
        ));
    }
    if !tsv.is_file() {
        return Err(failed(
            "InterProScanFailed",
            format!(
                "`{}` exited successfully but wrote no {}; stderr tail: {}",
                binary.display(),
                tsv.display(),
                run.stderr_tail
            ),
        ));
    }
    Ok(())
}
