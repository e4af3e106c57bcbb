//! The reaper: releases work whose lease expired (its worker died or hung)
//! and fails coordinators whose children are all gone. It never touches work
//! that is merely old: a long job that keeps renewing its lease runs on.
//!
//! Every worker process runs it periodically; concurrent reapers skip each
//! other's rows (`SKIP LOCKED`).

use crate::context::insert_event;
use crate::fanout;
use crate::transport::{Delivery, MessageBody, Transport};
use protea_core::Level;
use serde_json::json;
use sqlx::Row;
use sqlx::postgres::PgPool;
use std::time::Duration;

/// What one pass of the reaper did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReapReport {
    pub requeued: usize,
    pub dead_lettered: usize,
    pub orphaned_parents_failed: usize,
}

pub async fn reap_once(
    pool: &PgPool,
    transport: &dyn Transport,
) -> Result<ReapReport, sqlx::Error> {
    let mut report = ReapReport::default();
    let mut tx = pool.begin().await?;
    let rows = sqlx::query(
        "select id, queue_name, kind, body, attempts, max_attempts, locked_by from queue_message \
         where locked_until < now() order by id for update skip locked limit 500",
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in rows {
        let worker: Option<String> = row.get("locked_by");
        let worker = worker.unwrap_or_default();
        let body: MessageBody = match serde_json::from_value(row.get("body")) {
            Ok(body) => body,
            Err(_) => MessageBody::job(uuid::Uuid::nil()),
        };
        let delivery = Delivery {
            id: row.get("id"),
            queue: row.get("queue_name"),
            body,
            attempts: row.get("attempts"),
            max_attempts: row.get("max_attempts"),
        };
        let is_child = row.get::<String, _>("kind") == "child";
        let job_id = delivery.body.job_id;
        if delivery.exhausted() {
            let error = format!(
                "lease expired on attempt {} of {} (worker {worker} stopped renewing it)",
                delivery.attempts, delivery.max_attempts
            );
            transport.dead_letter(&mut tx, &delivery, &error).await?;
            if is_child {
                let operation = delivery.body.operation.as_deref().unwrap_or("?");
                fanout::count_failed(&mut tx, job_id, operation, "LeaseExpired", &error).await?;
            } else {
                let failed = sqlx::query(
                    "update job set status = 'FAILED', finished_at = now(), error_code = 'LeaseExpired', \
                     error_message = $2 where id = $1 and status in ('QUEUED', 'RUNNING')",
                )
                .bind(job_id)
                .bind(&error)
                .execute(&mut *tx)
                .await?;
                if failed.rows_affected() == 1 {
                    insert_event(
                        &mut tx,
                        job_id,
                        "job.dead_lettered",
                        Some(&error),
                        &json!({}),
                        Level::Error,
                    )
                    .await?;
                    insert_event(
                        &mut tx,
                        job_id,
                        "job.failed",
                        Some(&error),
                        &json!({"error_code": "LeaseExpired"}),
                        Level::Error,
                    )
                    .await?;
                }
            }
            report.dead_lettered += 1;
        } else {
            let reason = format!("lease expired (worker {worker} stopped renewing it)");
            transport
                .retry(&mut tx, &delivery, Duration::ZERO, &reason, true)
                .await?;
            if !is_child {
                let requeued = sqlx::query(
                    "update job set status = 'QUEUED', started_at = null where id = $1 and status = 'RUNNING'",
                )
                .bind(job_id)
                .execute(&mut *tx)
                .await?;
                if requeued.rows_affected() == 1 {
                    insert_event(
                        &mut tx,
                        job_id,
                        "job.requeued",
                        Some(&reason),
                        &json!({"reason": "lease_expired", "worker": worker, "attempt": delivery.attempts}),
                        Level::Warning,
                    )
                    .await?;
                }
            }
            report.requeued += 1;
        }
    }
    // A waiting coordinator with no child message left can never close.
    let orphans = sqlx::query(
        "update job set status = 'FAILED', finished_at = now(), deferred = false, error_code = 'ChildrenLost', \
             error_message = 'every child message is gone but ' || \
                 (coalesce(progress_total, 0) - coalesce(progress_current, 0) - children_failed) || \
                 ' children were never accounted for' \
         where status = 'RUNNING' and deferred \
           and not exists (select 1 from queue_message m where m.job_id = job.id) \
         returning id",
    )
    .fetch_all(&mut *tx)
    .await?;
    for row in &orphans {
        let id: uuid::Uuid = row.get(0);
        insert_event(
            &mut tx,
            id,
            "job.failed",
            None,
            &json!({"error_code": "ChildrenLost"}),
            Level::Error,
        )
        .await?;
    }
    report.orphaned_parents_failed = orphans.len();
    sqlx::query("delete from worker where last_seen < now() - interval '10 minutes'")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(report)
}
