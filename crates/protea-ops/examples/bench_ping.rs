//! Benchmark: ping jobs through submit → run → done with 2 workers.
//!
//! `cargo run --release -p protea-ops --example bench_ping [JOBS] [SAMPLES]`
//!
//! Runs on a throwaway PostgreSQL (fsync off, as every test cluster) and
//! prints, side by side in the same run:
//! - the floor: bare queue round trips (insert a message, claim it with
//!   `FOR UPDATE SKIP LOCKED`, delete it), which no job engine on this
//!   database can beat;
//! - throughput: JOBS ping jobs from 4 concurrent submitters, 2 workers,
//!   until the last one SUCCEEDED (jobs/s, and as a ratio of the floor);
//! - latency: SAMPLES jobs submitted one at a time on an idle platform,
//!   submit → SUCCEEDED as seen by the submitter (median, p99).

use protea_jobs::{Extensions, JobService, PgQueue, SubmitRequest, Worker, WorkerConfig};
use protea_testkit::TestDb;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let jobs: usize = args
        .next()
        .map(|a| a.parse().expect("JOBS"))
        .unwrap_or(2000);
    let samples: usize = args
        .next()
        .map(|a| a.parse().expect("SAMPLES"))
        .unwrap_or(300);
    let db = TestDb::new().await;
    let pool = db.pool.clone();

    let floor = bare_queue_cycles(&pool, jobs).await;

    let registry = protea_ops::registry();
    let transport = Arc::new(PgQueue::new(pool.clone()));
    let service = JobService::new(pool.clone(), registry.clone(), transport.clone());
    let (stop, rx) = watch::channel(false);
    let mut handles = Vec::new();
    for _ in 0..2 {
        let worker = Worker::new(
            pool.clone(),
            registry.clone(),
            transport.clone(),
            Arc::new(Extensions::default()),
            WorkerConfig {
                queues: vec!["protea.ping".into()],
                concurrency: 1,
                ..WorkerConfig::default()
            },
        );
        let rx = rx.clone();
        handles.push(tokio::spawn(async move { worker.run(rx).await.unwrap() }));
    }

    // Throughput: 4 concurrent submitters while the 2 workers run.
    let started = Instant::now();
    let submitters: Vec<_> = (0..4)
        .map(|i| {
            let service = service.clone();
            tokio::spawn(async move {
                for _ in (i..jobs).step_by(4) {
                    service.submit(request()).await.unwrap();
                }
            })
        })
        .collect();
    for submitter in submitters {
        submitter.await.unwrap();
    }
    let submitted = started.elapsed();
    loop {
        let left: i64 = sqlx::query_scalar("select count(*) from job where status <> 'SUCCEEDED'")
            .fetch_one(&pool)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    let throughput = jobs as f64 / elapsed.as_secs_f64();

    // Latency: one job at a time on an idle platform.
    let mut latencies = Vec::with_capacity(samples);
    for _ in 0..samples {
        let t0 = Instant::now();
        let id = service.submit(request()).await.unwrap().id;
        loop {
            let status: String = sqlx::query_scalar("select status::text from job where id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
            if status == "SUCCEEDED" {
                break;
            }
            tokio::task::yield_now().await;
        }
        latencies.push(t0.elapsed());
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];

    let _ = stop.send(true);
    for handle in handles {
        handle.await.unwrap();
    }
    println!("bare queue cycles (floor):   {floor:>8.0} msgs/s");
    println!(
        "ping, 2 workers, {jobs} jobs:  {throughput:>8.0} jobs/s  ({:.2} of the floor; all submitted in {:.2?}, all done in {:.2?})",
        throughput / floor,
        submitted,
        elapsed
    );
    println!(
        "latency submit→SUCCEEDED ({samples} sequential): median {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3
    );
}

fn request() -> SubmitRequest {
    SubmitRequest {
        operation: "ping".into(),
        payload: json!({}),
        queue_name: None,
        meta: Value::Null,
    }
}

/// Insert, claim and delete messages with no job bookkeeping, two consumers.
async fn bare_queue_cycles(pool: &sqlx::PgPool, n: usize) -> f64 {
    sqlx::query("create table bench_queue (id bigserial primary key, body jsonb not null)")
        .execute(pool)
        .await
        .unwrap();
    let started = Instant::now();
    for _ in 0..n {
        sqlx::query("insert into bench_queue (body) values ('{}')")
            .execute(pool)
            .await
            .unwrap();
    }
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                loop {
                    let mut tx = pool.begin().await.unwrap();
                    let id: Option<i64> = sqlx::query_scalar(
                        "select id from bench_queue order by id for update skip locked limit 1",
                    )
                    .fetch_optional(&mut *tx)
                    .await
                    .unwrap();
                    let Some(id) = id else { break };
                    sqlx::query("delete from bench_queue where id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                }
            })
        })
        .collect();
    for consumer in consumers {
        consumer.await.unwrap();
    }
    n as f64 / started.elapsed().as_secs_f64()
}
