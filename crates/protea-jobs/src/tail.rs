//! Following a job's timeline live.
//!
//! Event ids come from a sequence, so they are handed out in insertion
//! order, but transactions can commit out of that order: a child's event
//! with id 99 may become visible after one with id 100. A reader that only
//! asks for `id > last seen` would skip it. [`EventTail`] therefore re-reads
//! a short window of recent events and remembers which it has delivered: an
//! event counts as settled (no earlier id can still appear) once it is
//! `SETTLE` old. Events are delivered once each, in id order within a read.

use crate::JobsError;
use crate::service::{EventView, JobService, event_from_row};
use std::collections::BTreeSet;
use uuid::Uuid;

/// How long after its insertion an event's transaction is assumed to have
/// committed. Events are written just before their transaction commits.
const SETTLE_SECONDS: f64 = 5.0;

/// What one poll of the tail found.
#[derive(Debug)]
pub enum TailStep {
    /// New events, in id order.
    Events(Vec<EventView>),
    /// Nothing new yet: wait for a notification or a moment.
    Idle,
    /// The job has finished and every event has been delivered.
    End,
}

/// A live cursor over one job's events.
#[derive(Debug)]
pub struct EventTail {
    job: Uuid,
    /// Every event with an id at or below this is settled and delivered.
    low_water: i64,
    /// Delivered events above `low_water`.
    delivered: BTreeSet<i64>,
    finished_seen: bool,
    done: bool,
}

impl EventTail {
    /// Starts after event `after` (0 for the whole timeline).
    pub fn new(job: Uuid, after: i64) -> EventTail {
        EventTail {
            job,
            low_water: after,
            delivered: BTreeSet::new(),
            finished_seen: false,
            done: false,
        }
    }

    pub fn job(&self) -> Uuid {
        self.job
    }

    pub async fn poll(&mut self, service: &JobService) -> Result<TailStep, JobsError> {
        if self.done {
            return Ok(TailStep::End);
        }
        loop {
            // Seen finished before this read: the read then has every event,
            // because a job's final state commits with its last events.
            let finished_before_read = self.finished_seen;
            let rows = sqlx::query(
                "select id, ts, level, event, message, fields, \
                        ts < clock_timestamp() - make_interval(secs => $3) as settled \
                 from job_event where job_id = $1 and id > $2 order by id limit 1000",
            )
            .bind(self.job)
            .bind(self.low_water)
            .bind(SETTLE_SECONDS)
            .fetch_all(service.pool())
            .await?;
            let mut fresh = Vec::new();
            let mut settled_prefix = true;
            for row in &rows {
                let event = event_from_row(row)?;
                let settled: bool = sqlx::Row::try_get(row, "settled")?;
                if self.delivered.insert(event.id) {
                    fresh.push(event.clone());
                }
                settled_prefix &= settled;
                if settled_prefix {
                    self.low_water = event.id;
                }
            }
            let low_water = self.low_water;
            self.delivered.retain(|id| *id > low_water);
            if !fresh.is_empty() {
                return Ok(TailStep::Events(fresh));
            }
            if finished_before_read {
                self.done = true;
                return Ok(TailStep::End);
            }
            self.finished_seen = service.get(self.job).await?.status.is_terminal();
            if !self.finished_seen {
                return Ok(TailStep::Idle);
            }
        }
    }
}
