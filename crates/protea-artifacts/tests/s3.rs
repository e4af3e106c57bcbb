//! The S3 store against a real S3 server on loopback: `s3s-fs` (an S3 implementation on
//! a directory) served over HTTP in this process, reached through `object_store`'s S3
//! client with signed requests, as a MinIO would be.

use std::net::SocketAddr;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use protea_artifacts::{ArtifactError, ArtifactStore, S3ArtifactStore, S3Config, sha256_hex};

const ACCESS_KEY: &str = "protea-test";
const SECRET_KEY: &str = "protea-test-secret";

/// Starts the emulator on 127.0.0.1 (random port) on its own thread; it stops with the
/// test process.
fn start_emulator(root: &std::path::Path) -> SocketAddr {
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let http = ConnBuilder::new(TokioExecutor::new());
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let conn = http
                    .serve_connection(TokioIo::new(socket), service.clone())
                    .into_owned();
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        });
    });
    rx.recv().unwrap()
}

fn config(addr: SocketAddr, secret: &str) -> S3Config {
    S3Config {
        endpoint: Some(format!("http://{addr}")),
        region: Some("us-east-1".into()),
        access_key_id: Some(ACCESS_KEY.into()),
        secret_access_key: Some(secret.into()),
    }
}

#[test]
fn put_get_exists_delete_through_s3() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("protea")).unwrap(); // the bucket
    let addr = start_emulator(root.path());
    let store = S3ArtifactStore::new(&config(addr, SECRET_KEY), "protea", "datasets/demo").unwrap();

    let bytes = b"train.parquet bytes".repeat(1000);
    let stored = store.put_hashed("train.parquet", &bytes).unwrap();
    assert_eq!(stored.uri, "s3://protea/datasets/demo/train.parquet");
    assert_eq!(stored.sha256, sha256_hex(&bytes));
    // The object really is in the emulator's bucket directory.
    let on_disk = std::fs::read(root.path().join("protea/datasets/demo/train.parquet")).unwrap();
    assert_eq!(on_disk, bytes);

    assert_eq!(store.get(&stored.uri).unwrap(), bytes);
    assert_eq!(store.get_key("train.parquet").unwrap(), bytes);
    assert!(store.exists("train.parquet").unwrap());
    assert!(!store.exists("eval.parquet").unwrap());
    assert!(matches!(
        store.get_key("eval.parquet").unwrap_err(),
        ArtifactError::NotFound { .. }
    ));

    // URIs outside the store and unsafe keys are refused before any request.
    assert!(store.get("s3://other/datasets/demo/train.parquet").is_err());
    assert!(store.get("s3://protea/elsewhere/train.parquet").is_err());
    assert!(store.get("file:///etc/hostname").is_err());
    assert!(matches!(
        store.put("../escape", b"x").unwrap_err(),
        ArtifactError::InvalidKey { .. }
    ));

    assert!(store.delete("train.parquet").unwrap());
    assert!(!store.delete("train.parquet").unwrap());
    assert!(!store.exists("train.parquet").unwrap());
}

#[test]
fn works_from_inside_an_async_runtime() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    let addr = start_emulator(root.path());
    let store = S3ArtifactStore::new(&config(addr, SECRET_KEY), "bucket", "").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let uri = store.put("a/b.txt", b"hello").unwrap();
        assert_eq!(uri, "s3://bucket/a/b.txt");
        assert_eq!(store.get(&uri).unwrap(), b"hello");
    });
}

#[test]
fn wrong_credentials_are_an_error_not_a_silent_fallback() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bucket")).unwrap();
    let addr = start_emulator(root.path());
    let store = S3ArtifactStore::new(&config(addr, "wrong"), "bucket", "").unwrap();
    let err = store.put("x", b"x").unwrap_err();
    assert!(matches!(err, ArtifactError::ObjectStore { .. }), "{err}");
    assert!(!root.path().join("bucket/x").exists());
}

#[test]
fn uris_open_the_right_store() {
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file://{}/ds/", dir.path().display());
    let store = protea_artifacts::open(&uri).unwrap();
    let put = store.put("manifest.json", b"{}").unwrap();
    assert_eq!(
        put,
        format!("file://{}/ds/manifest.json", dir.path().display())
    );
    assert_eq!(protea_artifacts::read_uri(&put).unwrap(), b"{}");
    let written =
        protea_artifacts::write_uri(&format!("file://{}/x/y.txt", dir.path().display()), b"y")
            .unwrap();
    assert_eq!(protea_artifacts::read_uri(&written).unwrap(), b"y");
    for bad in ["http://x/y", "file://relative/dir", "file:///a/../b", "ds/"] {
        assert!(protea_artifacts::open(bad).is_err(), "{bad}");
    }
}
