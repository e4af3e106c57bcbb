//! The PostgreSQL queue: `queue_message` rows claimed with
//! `FOR UPDATE SKIP LOCKED` under a lease that the worker's heartbeat renews.
//! Inserts notify `protea_queue` (a trigger), so idle workers wake at once.

use super::{Delivery, MessageBody, Transport};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::{PgConnection, PgPool};
use std::time::Duration;

/// The default number of deliveries before a message is dead-lettered.
pub(crate) const DEFAULT_MAX_ATTEMPTS: i32 = 5;

#[derive(Clone, Debug)]
pub struct PgQueue {
    pool: PgPool,
    max_attempts: i32,
}

impl PgQueue {
    pub fn new(pool: PgPool) -> PgQueue {
        PgQueue {
            pool,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub fn with_max_attempts(mut self, max_attempts: i32) -> PgQueue {
        self.max_attempts = max_attempts.max(1);
        self
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[async_trait]
impl Transport for PgQueue {
    async fn publish(
        &self,
        conn: &mut PgConnection,
        queue: &str,
        body: &MessageBody,
    ) -> Result<(), sqlx::Error> {
        let kind = if body.is_child() { "child" } else { "job" };
        sqlx::query(
            "insert into queue_message (queue_name, kind, job_id, body, max_attempts) values ($1, $2, $3, $4, $5)",
        )
        .bind(queue)
        .bind(kind)
        .bind(body.job_id)
        .bind(serde_json::to_value(body).expect("message bodies serialise"))
        .bind(self.max_attempts)
        .execute(conn)
        .await?;
        Ok(())
    }

    async fn receive(
        &self,
        queue: &str,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<Delivery>, sqlx::Error> {
        let row = sqlx::query(
            "update queue_message m set locked_by = $2, \
                 locked_until = now() + make_interval(secs => $3), attempts = attempts + 1 \
             where m.id = (select id from queue_message \
                           where queue_name = $1 and locked_until is null and run_at <= now() \
                           order by run_at, id for update skip locked limit 1) \
             returning m.id, m.queue_name, m.body, m.attempts, m.max_attempts",
        )
        .bind(queue)
        .bind(worker)
        .bind(secs(lease))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.get("id");
        let body: serde_json::Value = row.get("body");
        match serde_json::from_value::<MessageBody>(body) {
            Ok(body) => Ok(Some(Delivery {
                id,
                queue: row.get("queue_name"),
                body,
                attempts: row.get("attempts"),
                max_attempts: row.get("max_attempts"),
            })),
            Err(err) => {
                // An unreadable body can never succeed: dead-letter it now.
                let mut tx = self.pool.begin().await?;
                let delivery = Delivery {
                    id,
                    queue: row.get("queue_name"),
                    body: MessageBody::job(uuid::Uuid::nil()),
                    attempts: row.get("attempts"),
                    max_attempts: row.get("max_attempts"),
                };
                self.dead_letter(
                    &mut tx,
                    &delivery,
                    &format!("unreadable message body: {err}"),
                )
                .await?;
                tx.commit().await?;
                Ok(None)
            }
        }
    }

    async fn extend_lease(
        &self,
        delivery: &Delivery,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "update queue_message set locked_until = now() + make_interval(secs => $3) \
             where id = $1 and locked_by = $2",
        )
        .bind(delivery.id)
        .bind(worker)
        .bind(secs(lease))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn ack(&self, conn: &mut PgConnection, delivery: &Delivery) -> Result<(), sqlx::Error> {
        sqlx::query("delete from queue_message where id = $1")
            .bind(delivery.id)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn retry(
        &self,
        conn: &mut PgConnection,
        delivery: &Delivery,
        delay: Duration,
        error: &str,
        count_attempt: bool,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "update queue_message set locked_by = null, locked_until = null, \
                 run_at = now() + make_interval(secs => $2), last_error = $3, \
                 attempts = case when $4 then attempts else greatest(attempts - 1, 0) end \
             where id = $1",
        )
        .bind(delivery.id)
        .bind(secs(delay))
        .bind(error)
        .bind(count_attempt)
        .execute(conn)
        .await?;
        Ok(())
    }

    async fn dead_letter(
        &self,
        conn: &mut PgConnection,
        delivery: &Delivery,
        error: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "with gone as (delete from queue_message where id = $1 \
                 returning id, queue_name, kind, job_id, body, attempts, created_at) \
             insert into dead_letter (queue_name, kind, job_id, body, attempts, error, original_message_id, created_at) \
             select queue_name, kind, job_id, body, attempts, $2, id, created_at from gone",
        )
        .bind(delivery.id)
        .bind(error)
        .execute(conn)
        .await?;
        Ok(())
    }
}
