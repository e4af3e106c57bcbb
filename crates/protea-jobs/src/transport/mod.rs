//! The queue interface and its PostgreSQL implementation.
//!
//! A transport moves message bodies between publishers and workers. Every
//! body is plain JSON ([`MessageBody`]), so another broker (RabbitMQ, with the
//! same queue names) can carry them unchanged. Acknowledgement, retry and
//! dead-lettering take the database transaction that commits the work: the
//! PostgreSQL transport does them inside it (exactly-once effects); a broker
//! transport would act once that transaction has committed.

mod postgres;

pub use postgres::PgQueue;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgConnection;
use std::time::Duration;
use uuid::Uuid;

/// A queue message as it travels: `{"job_id"}` for a job, or
/// `{"operation", "job_id" (the parent), "payload"}` for a child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageBody {
    pub job_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
}

impl MessageBody {
    pub fn job(job_id: Uuid) -> MessageBody {
        MessageBody {
            job_id,
            operation: None,
            payload: None,
        }
    }

    pub fn is_child(&self) -> bool {
        self.operation.is_some()
    }
}

/// A message handed to a worker under a lease.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub queue: String,
    pub body: MessageBody,
    /// Deliveries so far, this one included.
    pub attempts: i32,
    pub max_attempts: i32,
}

impl Delivery {
    pub fn exhausted(&self) -> bool {
        self.attempts >= self.max_attempts
    }
}

#[async_trait]
pub trait Transport: Send + Sync {
    /// Publishes `body` to `queue` as part of the caller's transaction.
    async fn publish(
        &self,
        conn: &mut PgConnection,
        queue: &str,
        body: &MessageBody,
    ) -> Result<(), sqlx::Error>;

    /// Takes the next ready message of `queue`, leased to `worker` for `lease`.
    async fn receive(
        &self,
        queue: &str,
        worker: &str,
        lease: Duration,
    ) -> Result<Option<Delivery>, sqlx::Error>;

    /// Extends the lease; false when the message is no longer ours.
    async fn extend_lease(
        &self,
        delivery: &Delivery,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, sqlx::Error>;

    /// Acknowledges: the message is done.
    async fn ack(&self, conn: &mut PgConnection, delivery: &Delivery) -> Result<(), sqlx::Error>;

    /// Puts the message back, to be delivered again after `delay`.
    /// `count_attempt = false` for retries that are not failures (RetryLater).
    async fn retry(
        &self,
        conn: &mut PgConnection,
        delivery: &Delivery,
        delay: Duration,
        error: &str,
        count_attempt: bool,
    ) -> Result<(), sqlx::Error>;

    /// Moves the message to the dead letters with its error.
    async fn dead_letter(
        &self,
        conn: &mut PgConnection,
        delivery: &Delivery,
        error: &str,
    ) -> Result<(), sqlx::Error>;
}

/// Back-off after failed attempt number `attempts` (1-based): `base`, then
/// doubling (`base·2^(attempts−1)`), capped at 5 minutes.
pub fn failure_backoff(base: Duration, attempts: i32) -> Duration {
    let exp = (attempts.clamp(1, 20) - 1) as u32;
    base.saturating_mul(1 << exp).min(Duration::from_secs(300))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_serialise_like_the_original() {
        let id = Uuid::nil();
        assert_eq!(
            serde_json::to_value(MessageBody::job(id)).unwrap(),
            serde_json::json!({"job_id": id.to_string()})
        );
        let child = MessageBody {
            job_id: id,
            operation: Some("store".into()),
            payload: Some(serde_json::json!({"a": 1})),
        };
        let text = serde_json::to_string(&child).unwrap();
        assert_eq!(serde_json::from_str::<MessageBody>(&text).unwrap(), child);
        assert!(child.is_child());
    }

    #[test]
    fn backoff_grows_and_caps() {
        let base = Duration::from_secs(1);
        let delays: Vec<u64> = (1..=4)
            .map(|a| failure_backoff(base, a).as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8]);
        assert_eq!(failure_backoff(base, 30).as_secs(), 300);
        assert_eq!(
            failure_backoff(Duration::from_millis(100), 2),
            Duration::from_millis(200)
        );
    }
}
