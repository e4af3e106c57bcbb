//! The client layer against the loopback test server serving the real files
//! of shared/data: pagination, gzip, retries on 429/5xx/dropped/slow answers,
//! downloads, file:// and local paths.

#![cfg(feature = "mock-server")]

use futures::future::BoxFuture;
use protea_sources::mock::{Fault, MockConfig, MockServer};
use protea_sources::uniprot::{Format, Pager, SearchQuery};
use protea_sources::{HttpClient, Location, RetryEvent, RetryObserver, RetryPolicy, SourceError};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("PROTEA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if dir.join("uniprot").is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: shared data not found at {} (set PROTEA_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

const YEAST: &str = "uniprot/UP000002311_yeast_S288c.2025-10-19.fasta.gz";

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_secs(2),
        jitter: Duration::from_millis(5),
        timeout: Duration::from_secs(5),
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<RetryEvent>>);

impl RetryObserver for Recorder {
    fn on_retry<'a>(&'a self, event: &'a RetryEvent) -> BoxFuture<'a, ()> {
        self.0.lock().unwrap().push(event.clone());
        Box::pin(async {})
    }
}

fn count_headers(path: &std::path::Path) -> usize {
    let mut text = String::new();
    protea_formats::io::open(path)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text.lines().filter(|l| l.starts_with('>')).count()
}

async fn server(data: &std::path::Path) -> MockServer {
    MockServer::start(MockConfig {
        root: data.to_path_buf(),
        uniprot_fasta: Some(data.join(YEAST)),
        ..MockConfig::default()
    })
    .await
}

async fn all_pages(
    client: &HttpClient,
    base: &str,
    size: u32,
    compressed: bool,
    obs: &Recorder,
) -> (usize, usize, Option<u64>) {
    let query = SearchQuery {
        base_url: base.to_owned(),
        format: Format::Fasta,
        query: "proteome:UP000002311".into(),
        page_size: size,
        include_isoforms: true,
        compressed,
        fields: None,
    };
    let mut pager = Pager::new(client, &query).unwrap();
    let (mut pages, mut records, mut total) = (0, 0, None);
    while let Some(page) = pager.next_page(obs).await.unwrap() {
        pages += 1;
        total = total.or(page.total_results);
        records += page
            .body
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b">"))
            .count();
    }
    (pages, records, total)
}

#[tokio::test]
async fn uniprot_pages_follow_link_headers_plain_and_gzip() {
    let Some(data) = shared_data() else { return };
    let expected = count_headers(&data.join(YEAST));
    assert_eq!(expected, 6067);
    let server = server(&data).await;
    let client = HttpClient::new("PROTEA/test", fast_policy()).unwrap();
    let obs = Recorder::default();
    let (pages, records, total) = all_pages(&client, &server.base_url, 1000, false, &obs).await;
    assert_eq!(
        (pages, records, total),
        (7, expected, Some(expected as u64))
    );
    let (pages, records, _) = all_pages(&client, &server.base_url, 2500, true, &obs).await;
    assert_eq!((pages, records), (3, expected));
    let log = server.requests();
    assert!(log[1].contains("cursor=c1000"), "{log:?}");
    assert!(log.iter().all(|r| r.contains("includeIsoform=true")));
    assert!(obs.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn retries_429_with_retry_after_500_drops_and_slow_answers() {
    let Some(data) = shared_data() else { return };
    let server = server(&data).await;
    let mut policy = fast_policy();
    policy.timeout = Duration::from_millis(700);
    policy.max_retries = 6;
    let client = HttpClient::new("PROTEA/test", policy).unwrap();
    let obs = Recorder::default();
    server.push_fault(Fault::TooManyRequests {
        retry_after: Some(1),
    });
    server.push_fault(Fault::Status(500));
    server.push_fault(Fault::Drop);
    server.push_fault(Fault::Slow(Duration::from_secs(2)));
    server.push_fault(Fault::Status(503));
    let started = Instant::now();
    let (_, records, _) = all_pages(&client, &server.base_url, 1000, true, &obs).await;
    assert_eq!(records, 6067);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    let events = obs.0.lock().unwrap().clone();
    assert_eq!(events.len(), 5, "{events:#?}");
    assert_eq!(events[0].attempt, 1);
    assert_eq!(events[0].wait_seconds, 1.0);
    assert_eq!(events[0].reason, "HTTP 429");
    assert_eq!(events[1].reason, "HTTP 500");
    assert_eq!(events[1].attempt, 2);
    assert!(
        !events[2].reason.starts_with("HTTP"),
        "drop is a network error: {}",
        events[2].reason
    );
    assert!(
        !events[3].reason.starts_with("HTTP"),
        "timeout: {}",
        events[3].reason
    );
    assert_eq!(events[4].reason, "HTTP 503");
    assert_eq!(client.retries(), 5);
    assert_eq!(client.requests(), 7 + 5);
}

#[tokio::test]
async fn retries_run_out_and_other_statuses_fail_at_once() {
    let Some(data) = shared_data() else { return };
    let server = server(&data).await;
    let client = HttpClient::new("PROTEA/test", fast_policy()).unwrap();
    let obs = Recorder::default();
    for _ in 0..4 {
        server.push_fault(Fault::Status(503));
    }
    let url = reqwest::Url::parse(&server.url("/files/go/go-basic.2026-05-19.slice.obo")).unwrap();
    match client.get(&url, None, &obs).await {
        Err(SourceError::Status {
            status: 503,
            attempts: 4,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(obs.0.lock().unwrap().len(), 3);
    server.push_fault(Fault::Status(404));
    let before = server.requests().len();
    match client.get(&url, None, &obs).await {
        Err(SourceError::Status {
            status: 404,
            attempts: 1,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), before + 1);
}

#[tokio::test]
async fn downloads_over_http_file_urls_and_paths_are_byte_identical() {
    let Some(data) = shared_data() else { return };
    let server = server(&data).await;
    let client = HttpClient::new("PROTEA/test", fast_policy()).unwrap();
    let obs = Recorder::default();
    let rel = "goa/goa_uniprot_all.r203.EXP_NOT.noheader.gaf.gz";
    let original = std::fs::read(data.join(rel)).unwrap();
    server.push_fault(Fault::Drop);
    let location = Location::parse(&server.url(&format!("/files/{rel}"))).unwrap();
    let download = client.download(&location, &obs).await.unwrap();
    assert_eq!(std::fs::read(download.path()).unwrap(), original);
    assert_eq!(obs.0.lock().unwrap().len(), 1);
    let path = data.join(rel).canonicalize().unwrap();
    for text in [
        format!("file://{}", path.display()),
        path.display().to_string(),
    ] {
        let download = client
            .download(&Location::parse(&text).unwrap(), &obs)
            .await
            .unwrap();
        assert_eq!(download.path(), path);
    }
    let missing = Location::parse("/nonexistent/file.obo").unwrap();
    assert!(matches!(
        client.download(&missing, &obs).await,
        Err(SourceError::Io { .. })
    ));
}
