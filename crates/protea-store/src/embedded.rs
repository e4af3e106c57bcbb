//! The embedded PostgreSQL cluster.
//!
//! With no database configured, PROTEA runs its own cluster inside its data
//! directory, reachable only through a Unix socket there. The cluster uses
//! the installed PostgreSQL server binaries (found on `PATH` or under
//! `/usr/lib/postgresql/<version>/bin`). PostgreSQL refuses to run as root, so
//! when this process is root the cluster's files belong to the unprivileged
//! `postgres` system user and its programs run as that user.
//!
//! Layout under the cluster root: `data/` (PGDATA), `run/` (the socket),
//! `postgres.log`.

use crate::StoreError;
use std::ffi::CString;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The superuser the embedded cluster is created with.
pub const SUPERUSER: &str = "protea";

/// How to lay out and run an embedded cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// Directory holding the cluster (`data/`, `run/`, `postgres.log`).
    pub root: PathBuf,
    /// Port number; with no TCP listener it only names the socket file.
    pub port: u16,
    /// Trade durability for speed (fsync off): for throwaway test clusters only.
    pub ephemeral: bool,
}

impl ClusterOptions {
    pub fn new(root: impl Into<PathBuf>) -> ClusterOptions {
        ClusterOptions {
            root: root.into(),
            port: 5432,
            ephemeral: false,
        }
    }
}

/// A PostgreSQL cluster living in a directory of ours.
#[derive(Debug)]
pub struct EmbeddedCluster {
    options: ClusterOptions,
    bin_dir: PathBuf,
    /// (uid, gid) the server runs as when we are root.
    run_as: Option<(u32, u32)>,
    /// Set when this process started a daemonised server (`start`).
    started_here: bool,
    /// A server tied to this process's life (`start_attached`).
    attached: Option<Child>,
}

impl EmbeddedCluster {
    /// Prepares the directories; does not start anything.
    pub fn new(options: ClusterOptions) -> Result<EmbeddedCluster, StoreError> {
        let bin_dir = find_bin_dir().ok_or(StoreError::NoPostgres)?;
        let run_as = if is_root() {
            Some(postgres_user(&options.root)?)
        } else {
            None
        };
        let cluster = EmbeddedCluster {
            options,
            bin_dir,
            run_as,
            started_here: false,
            attached: None,
        };
        cluster.prepare_dirs()?;
        Ok(cluster)
    }

    pub fn root(&self) -> &Path {
        &self.options.root
    }

    pub fn data_dir(&self) -> PathBuf {
        self.options.root.join("data")
    }

    pub fn socket_dir(&self) -> PathBuf {
        self.options.root.join("run")
    }

    pub fn log_file(&self) -> PathBuf {
        self.options.root.join("postgres.log")
    }

    /// The connection URL of database `database` in this cluster.
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql:///{database}?host={}&port={}&user={SUPERUSER}",
            self.socket_dir().display(),
            self.options.port
        )
    }

    /// Runs `initdb` unless the cluster already exists.
    pub fn init(&self) -> Result<(), StoreError> {
        let data = self.data_dir();
        if data.join("PG_VERSION").exists() {
            return Ok(());
        }
        let mut cmd = self.command("initdb");
        cmd.arg("-D").arg(&data).args([
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
        ]);
        if self.options.ephemeral {
            cmd.arg("--no-sync");
        }
        run(cmd, "initdb", &data)
    }

    /// True when a server is running on this cluster's data directory.
    pub fn is_running(&self) -> bool {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("status").arg("-D").arg(self.data_dir());
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        cmd.status().map(|s| s.success()).unwrap_or(false)
    }

    /// Initialises if needed and starts a daemonised server, unless one is
    /// already running on this directory (then it is reused and left running).
    pub fn start(&mut self) -> Result<(), StoreError> {
        self.init()?;
        if self.is_running() {
            return Ok(());
        }
        let mut cmd = self.command("pg_ctl");
        cmd.arg("start")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_file());
        let options: Vec<String> = self
            .server_settings()
            .into_iter()
            .map(|(name, value)| format!("-c {name}='{value}'"))
            .collect();
        cmd.args(["-w", "-t", "60", "-o"]).arg(options.join(" "));
        run(cmd, "pg_ctl start", &self.data_dir()).map_err(|err| self.with_log_tail(err))?;
        self.started_here = true;
        Ok(())
    }

    /// Starts the server as a child that dies with this process (for test
    /// harnesses: no cluster outlives the tests even when they are killed).
    ///
    /// Linux sends the parent-death signal when the *thread* that spawned the
    /// child exits, so call this from a thread that lives as long as the process.
    pub fn start_attached(&mut self) -> Result<(), StoreError> {
        self.init()?;
        let mut cmd = self.command("postgres");
        cmd.arg("-D").arg(self.data_dir());
        for (name, value) in self.server_settings() {
            cmd.arg("-c").arg(format!("{name}={value}"));
        }
        let log =
            std::fs::File::create(self.log_file()).map_err(StoreError::io(self.log_file()))?;
        if let Some((uid, gid)) = self.run_as {
            chown(&self.log_file(), uid, gid)?;
        }
        cmd.stdout(Stdio::null()).stderr(log);
        set_parent_death_signal(&mut cmd);
        let child = cmd.spawn().map_err(|err| StoreError::Cluster {
            what: "postgres",
            dir: self.data_dir(),
            message: err.to_string(),
        })?;
        self.attached = Some(child);
        self.wait_ready(Duration::from_secs(60))
            .map_err(|err| self.with_log_tail(err))
    }

    /// Stops a server this process started (daemonised or attached).
    pub fn stop(&mut self) -> Result<(), StoreError> {
        if let Some(mut child) = self.attached.take() {
            // SIGINT is PostgreSQL's "fast" shutdown.
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
            return Ok(());
        }
        if self.started_here {
            let mut cmd = self.command("pg_ctl");
            cmd.arg("stop")
                .arg("-D")
                .arg(self.data_dir())
                .args(["-m", "fast", "-w"]);
            run(cmd, "pg_ctl stop", &self.data_dir())?;
            self.started_here = false;
        }
        Ok(())
    }

    /// Whether `stop` would stop anything.
    pub fn started_here(&self) -> bool {
        self.started_here || self.attached.is_some()
    }

    /// Server settings as (name, value) pairs.
    fn server_settings(&self) -> Vec<(&'static str, String)> {
        let mut settings = vec![
            ("listen_addresses", String::new()),
            (
                "unix_socket_directories",
                self.socket_dir().display().to_string(),
            ),
            ("unix_socket_permissions", "0700".to_owned()),
            ("port", self.options.port.to_string()),
            ("max_connections", "200".to_owned()),
        ];
        if self.options.ephemeral {
            for (name, value) in [
                ("fsync", "off"),
                ("synchronous_commit", "off"),
                ("full_page_writes", "off"),
            ] {
                settings.push((name, value.to_owned()));
            }
        }
        settings
    }

    fn wait_ready(&mut self, timeout: Duration) -> Result<(), StoreError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(child) = self.attached.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(StoreError::Cluster {
                    what: "postgres",
                    dir: self.data_dir(),
                    message: format!("server exited during start-up ({status})"),
                });
            }
            let mut cmd = Command::new(self.bin_dir.join("pg_isready"));
            cmd.arg("-q")
                .arg("-h")
                .arg(self.socket_dir())
                .arg("-p")
                .arg(self.options.port.to_string());
            if cmd.status().map(|s| s.success()).unwrap_or(false) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(StoreError::Cluster {
                    what: "postgres",
                    dir: self.data_dir(),
                    message: format!("not ready after {timeout:?}"),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn with_log_tail(&self, err: StoreError) -> StoreError {
        let Ok(log) = std::fs::read_to_string(self.log_file()) else {
            return err;
        };
        let tail: Vec<&str> = log.lines().rev().take(8).collect();
        match err {
            StoreError::Cluster { what, dir, message } => StoreError::Cluster {
                what,
                dir,
                message: format!(
                    "{message}\nlast lines of the server log:\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ),
            },
            other => other,
        }
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.current_dir(&self.options.root);
        cmd.env_remove("PGDATA").env("LC_ALL", "C");
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    fn prepare_dirs(&self) -> Result<(), StoreError> {
        for dir in [self.options.root.clone(), self.socket_dir()] {
            std::fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
                .map_err(StoreError::io(&dir))?;
            if let Some((uid, gid)) = self.run_as {
                chown(&dir, uid, gid)?;
            }
        }
        if let Some((uid, _)) = self.run_as {
            check_traversable(&self.options.root, uid)?;
        }
        Ok(())
    }
}

impl Drop for EmbeddedCluster {
    fn drop(&mut self) {
        if self.attached.is_some() {
            let _ = self.stop();
        }
    }
}

fn run(mut cmd: Command, what: &'static str, dir: &Path) -> Result<(), StoreError> {
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|err| StoreError::Cluster {
            what,
            dir: dir.to_owned(),
            message: err.to_string(),
        })?;
    if output.status.success() {
        return Ok(());
    }
    Err(StoreError::Cluster {
        what,
        dir: dir.to_owned(),
        message: format!(
            "{}: {}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim()
        ),
    })
}

/// Finds the directory holding `initdb`, `pg_ctl` and `postgres`.
pub fn find_bin_dir() -> Option<PathBuf> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres", "pg_isready"]
            .iter()
            .all(|p| dir.join(p).is_file())
    };
    // Debian's versioned directories first: PATH often holds only client wrappers.
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort();
    if let Some((_, dir)) = versions.into_iter().rev().find(|(_, dir)| has_all(dir)) {
        return Some(dir);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find(|dir| has_all(dir))
        .map(|dir| {
            // Resolve symlinks so sibling tools are found next to the real binary.
            std::fs::canonicalize(dir.join("initdb"))
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .filter(|d| has_all(d))
                .unwrap_or(dir)
        })
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    #[allow(unsafe_code)]
    unsafe {
        libc::geteuid() == 0
    }
}

fn postgres_user(root: &Path) -> Result<(u32, u32), StoreError> {
    let name = CString::new("postgres").expect("static name");
    // SAFETY: getpwnam reads a static buffer; we copy the two ids out at once
    // and do not keep the pointer.
    #[allow(unsafe_code)]
    let ids = unsafe {
        let entry = libc::getpwnam(name.as_ptr());
        if entry.is_null() {
            None
        } else {
            Some(((*entry).pw_uid, (*entry).pw_gid))
        }
    };
    ids.ok_or_else(|| StoreError::Cluster {
        what: "running as root",
        dir: root.to_owned(),
        message: "PostgreSQL refuses to run as root and there is no `postgres` system user to run it as; \
                  create one (the postgresql package does) or run protea as an ordinary user"
            .to_owned(),
    })
}

fn chown(path: &Path, uid: u32, gid: u32) -> Result<(), StoreError> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).map_err(StoreError::io(path))
}

/// The server user must be able to walk down to its directory.
fn check_traversable(root: &Path, uid: u32) -> Result<(), StoreError> {
    let mut blocked = None;
    for dir in root.ancestors().skip(1) {
        let Ok(meta) = std::fs::metadata(dir) else {
            continue;
        };
        let mode = meta.permissions().mode();
        let ok = mode & 0o001 != 0 || (meta.uid() == uid && mode & 0o100 != 0);
        if !ok {
            blocked = Some(dir.to_owned());
        }
    }
    match blocked {
        None => Ok(()),
        Some(dir) => Err(StoreError::Cluster {
            what: "preparing",
            dir: root.to_owned(),
            message: format!(
                "the `postgres` user cannot enter {} (the server runs as that user because protea runs as root); \
                 choose a data directory outside it (e.g. --data-dir /var/lib/protea) or run `chmod o+x {}`",
                dir.display(),
                dir.display()
            ),
        }),
    }
}

#[allow(unsafe_code)]
fn set_parent_death_signal(cmd: &mut Command) {
    // SAFETY: the closure runs between fork and exec and only calls the
    // async-signal-safe prctl. It runs after the uid switch, which would
    // otherwise clear the setting.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_points_at_the_socket_directory() {
        let Some(_) = find_bin_dir() else {
            eprintln!("skipping: no PostgreSQL server binaries installed");
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let cluster = EmbeddedCluster::new(ClusterOptions::new(dir.path().join("pg"))).unwrap();
        let url = cluster.url("protea");
        assert!(url.starts_with("postgresql:///protea?host="), "{url}");
        assert!(url.contains(&format!("{}", dir.path().join("pg/run").display())));
        let parsed: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
        assert_eq!(parsed.get_database(), Some("protea"));
    }
}
