//! Live job events: one `LISTEN protea_job_event` connection per process,
//! fanned out to every open stream through a broadcast channel.

use sqlx::postgres::{PgListener, PgPool};
use std::time::Duration;
use tokio::sync::broadcast;
use uuid::Uuid;

/// Announces "job X has a new event" to live streams.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Uuid>,
}

impl EventHub {
    /// Starts the listener task on `pool`.
    pub fn start(pool: PgPool) -> EventHub {
        let (sender, _) = broadcast::channel(1024);
        tokio::spawn(listen(pool, sender.clone()));
        EventHub { sender }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.sender.subscribe()
    }
}

async fn listen(pool: PgPool, sender: broadcast::Sender<Uuid>) {
    loop {
        if pool.is_closed() {
            return; // shutting down
        }
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(_) if pool.is_closed() => return,
            Err(err) => {
                tracing::warn!(error = %err, "event stream listener cannot connect; streams fall back to polling");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        if listener.listen("protea_job_event").await.is_err() {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        while let Ok(notification) = listener.recv().await {
            let job = notification
                .payload()
                .split(':')
                .next()
                .and_then(|id| id.parse().ok());
            if let Some(job) = job {
                // No receivers is fine: nobody is watching.
                let _ = sender.send(job);
            }
        }
        if sender.receiver_count() == 0 && sender.is_empty() {
            // Keep listening anyway: streams may open later.
        }
    }
}
