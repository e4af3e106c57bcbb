//! Test harness: real PostgreSQL, no mocks.
//!
//! The first test in a process starts a throwaway cluster (in the system
//! temp directory, fsync off) whose server dies with the process, migrates a
//! template database once, and every [`TestDb`] is a fresh copy of that
//! template (`CREATE DATABASE … TEMPLATE`, a few milliseconds).
//!
//! Set `PROTEA_TEST_DATABASE_URL` to use an existing server instead; each
//! test still gets its own database, created through that URL.

pub mod evaluation_fixture;

use protea_store::{ClusterOptions, EmbeddedCluster};
use sqlx::postgres::PgPool;
use sqlx::{Connection, Executor, PgConnection};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::mpsc;

const TEMPLATE: &str = "protea_template";

/// Where the shared test server is and how to reach its databases.
struct Server {
    /// URL of the maintenance database, used to create test databases.
    admin_url: String,
    /// Builds the URL of a database by name.
    url_for: Box<dyn Fn(&str) -> String + Send + Sync>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// A fresh database with every migration applied.
pub struct TestDb {
    pub pool: PgPool,
    pub url: String,
    pub name: String,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let server = server();
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&server.admin_url)
            .await
            .expect("connect to test server");
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "create database {name} template {TEMPLATE}"
            )))
            .await
            .expect("create test database");
        let url = (server.url_for)(&name);
        let pool = protea_store::connect(&url, 20)
            .await
            .expect("connect to test database");
        TestDb { pool, url, name }
    }
}

/// The URL of a database by name on the shared test server (for tests that
/// start separate processes).
pub fn database_url(name: &str) -> String {
    (server().url_for)(name)
}

fn server() -> &'static Server {
    match SERVER.get_or_init(start_server) {
        Ok(server) => server,
        Err(message) => panic!("test PostgreSQL unavailable: {message}"),
    }
}

fn start_server() -> Result<Server, String> {
    if let Ok(url) = std::env::var("PROTEA_TEST_DATABASE_URL") {
        return external_server(url);
    }
    // The server must be spawned from a thread that outlives every test
    // (see EmbeddedCluster::start_attached), so a dedicated thread owns it.
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("protea-test-postgres".into())
        .spawn(move || {
            let started = start_cluster();
            match started {
                Ok((cluster, server)) => {
                    let _ = tx.send(Ok(server));
                    // Keep the cluster (and this thread) alive for the process.
                    let _keep = cluster;
                    loop {
                        std::thread::park();
                    }
                }
                Err(message) => {
                    let _ = tx.send(Err(message));
                }
            }
        })
        .map_err(|err| err.to_string())?;
    rx.recv().map_err(|err| err.to_string())?
}

fn start_cluster() -> Result<(EmbeddedCluster, Server), String> {
    remove_stale_clusters();
    let root = std::env::temp_dir().join(format!("protea-testpg-{}", std::process::id()));
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    std::fs::write(root.join("owner.pid"), std::process::id().to_string())
        .map_err(|e| e.to_string())?;
    let options = ClusterOptions {
        root: root.join("pg"),
        port: 5432,
        ephemeral: true,
    };
    let mut cluster = EmbeddedCluster::new(options).map_err(|e| error_chain(&e))?;
    cluster.start_attached().map_err(|e| error_chain(&e))?;
    let base = cluster.url("postgres");
    let socket = cluster.socket_dir();
    let url_for = move |db: &str| {
        format!(
            "postgresql:///{db}?host={}&port=5432&user={}",
            socket.display(),
            protea_store::embedded::SUPERUSER
        )
    };
    prepare_template(&base, &url_for(TEMPLATE))?;
    Ok((
        cluster,
        Server {
            admin_url: base,
            url_for: Box::new(url_for),
        },
    ))
}

fn external_server(url: String) -> Result<Server, String> {
    let (prefix, rest) = url
        .rsplit_once('/')
        .ok_or("PROTEA_TEST_DATABASE_URL has no database name")?;
    let query = rest
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    let prefix = prefix.to_owned();
    let url_for = move |db: &str| format!("{prefix}/{db}{query}");
    prepare_template(&url, &url_for(TEMPLATE))?;
    Ok(Server {
        admin_url: url,
        url_for: Box::new(url_for),
    })
}

fn prepare_template(admin_url: &str, template_url: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let mut admin = PgConnection::connect(admin_url)
            .await
            .map_err(|e| e.to_string())?;
        // Template creation is serialised across test processes sharing a server.
        admin
            .execute("select pg_advisory_lock(727274)")
            .await
            .map_err(|e| e.to_string())?;
        let exists: Option<i32> =
            sqlx::query_scalar("select 1 from pg_database where datname = $1")
                .bind(TEMPLATE)
                .fetch_optional(&mut admin)
                .await
                .map_err(|e| e.to_string())?;
        if exists.is_none() {
            admin
                .execute(sqlx::AssertSqlSafe(format!("create database {TEMPLATE}")))
                .await
                .map_err(|e| e.to_string())?;
        }
        let pool = protea_store::connect(template_url, 2)
            .await
            .map_err(|e| error_chain(&e))?;
        protea_store::migrate(&pool)
            .await
            .map_err(|e| error_chain(&e))?;
        pool.close().await;
        admin
            .execute("select pg_advisory_unlock(727274)")
            .await
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Removes clusters left by test processes that no longer exist.
fn remove_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with("protea-testpg-"));
        if !is_ours {
            continue;
        }
        let pid = std::fs::read_to_string(path.join("owner.pid"))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| PathBuf::from(format!("/proc/{pid}")).exists());
        if !alive {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
