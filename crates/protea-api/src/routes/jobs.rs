//! `/jobs`: submit, list, inspect, follow and cancel jobs; operations,
//! dead letters and workers.

use crate::extract::{Json, Query};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use protea_core::JobStatus;
use protea_jobs::{
    CancelOutcome, DeadLetterView, EventTail, EventView, JobFilter, JobView, OperationInfo,
    SubmitRequest, TailStep, WorkerView,
};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_job, list_jobs))
        .routes(routes!(get_job, delete_job))
        .routes(routes!(job_events))
        .routes(routes!(job_event_stream))
        .routes(routes!(cancel_job))
        .routes(routes!(list_operations))
        .routes(routes!(list_dead_letters))
        .routes(routes!(requeue_dead_letter))
        .routes(routes!(list_workers))
}

/// The answer to a submission.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Created {
    id: Uuid,
    /// Always `queued`.
    status: &'static str,
    queue_name: String,
}

/// Submit a job. The operation must be registered and submittable; the
/// queue defaults to the operation's own. The payload is validated by the
/// worker, which fails the job naming the bad field.
#[utoipa::path(post, path = "/jobs", tag = "jobs", request_body = SubmitRequest, responses(
    (status = 201, body = Created),
    (status = 400, description = "unknown operation, internal operation or wrong queue", body = crate::error::ErrorBody),
    (status = 422, description = "malformed body", body = crate::error::ErrorBody),
))]
async fn create_job(
    State(state): State<AppState>,
    Json(request): Json<SubmitRequest>,
) -> Result<(StatusCode, axum::Json<Created>), ApiError> {
    let job = state.jobs.submit(request).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Created {
            id: job.id,
            status: "queued",
            queue_name: job.queue_name,
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// queued, running, succeeded, failed or cancelled.
    status: Option<String>,
    operation: Option<String>,
    /// Include child jobs (default false: top-level jobs only).
    #[serde(default)]
    include_children: bool,
    parent_job_id: Option<Uuid>,
    /// 1..500, default 50.
    limit: Option<i64>,
    /// Rows to skip (pagination), default 0.
    offset: Option<i64>,
}

/// List jobs, newest first.
#[utoipa::path(get, path = "/jobs", tag = "jobs", params(ListQuery), responses(
    (status = 200, body = Vec<JobView>),
    (status = 400, body = crate::error::ErrorBody),
))]
async fn list_jobs(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<Vec<JobView>>, ApiError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<JobStatus>()
                .map_err(|err| ApiError::BadRequest(err.to_string()))?,
        ),
    };
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and 500, got {limit}"
        )));
    }
    let offset = query.offset.unwrap_or(0);
    if offset < 0 {
        return Err(ApiError::BadRequest("offset must not be negative".into()));
    }
    let filter = JobFilter {
        status,
        operation: query.operation,
        parent_job_id: query.parent_job_id,
        include_children: query.include_children,
        limit,
        offset,
    };
    Ok(axum::Json(state.jobs.list(&filter).await?))
}

/// One job with its payload, meta and result.
#[utoipa::path(get, path = "/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)), responses(
    (status = 200, body = JobView),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn get_job(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<JobView>, ApiError> {
    Ok(axum::Json(state.jobs.get(id).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Deleted {
    deleted: Uuid,
}

/// Delete a job and its events (409 while it runs).
#[utoipa::path(delete, path = "/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)), responses(
    (status = 200, body = Deleted),
    (status = 404, body = crate::error::ErrorBody),
    (status = 409, body = crate::error::ErrorBody),
))]
async fn delete_job(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Deleted>, ApiError> {
    state.jobs.delete(id).await?;
    Ok(axum::Json(Deleted { deleted: id }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventsQuery {
    /// 1..2000, default 200.
    limit: Option<i64>,
    /// Only events with a larger id, oldest first (forward paging).
    after_id: Option<i64>,
    /// `desc` (default, newest first) or `asc`.
    order: Option<String>,
}

/// A job's event timeline.
#[utoipa::path(get, path = "/jobs/{id}/events", tag = "jobs", params(("id" = Uuid, Path), EventsQuery), responses(
    (status = 200, body = Vec<EventView>),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn job_events(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(query): Query<EventsQuery>,
) -> Result<axum::Json<Vec<EventView>>, ApiError> {
    let limit = query.limit.unwrap_or(200);
    if !(1..=2000).contains(&limit) {
        return Err(ApiError::BadRequest(format!(
            "limit must be between 1 and 2000, got {limit}"
        )));
    }
    let ascending = match query.order.as_deref() {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "order must be asc or desc, got {other:?}"
            )));
        }
    };
    Ok(axum::Json(
        state
            .jobs
            .events(id, query.after_id, limit, ascending)
            .await?,
    ))
}

/// Live event stream (Server-Sent Events). Sends the job's events in order,
/// each with its id (resume with `Last-Event-ID`), then an `end` event once
/// the job has finished and every event has been sent.
#[utoipa::path(get, path = "/jobs/{id}/events/stream", tag = "jobs", params(("id" = Uuid, Path)), responses(
    (status = 200, content_type = "text/event-stream", description = "job events as they happen"),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn job_event_stream(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    state.jobs.get(id).await?;
    let after = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<i64>().ok())
        .unwrap_or(0);
    let stream = EventStream {
        state: state.clone(),
        tail: EventTail::new(id, after),
        wake: state.events.subscribe(),
        closed: false,
    };
    let events =
        futures::stream::unfold(stream, EventStream::next_batch).flat_map(futures::stream::iter);
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

struct EventStream {
    state: AppState,
    tail: EventTail,
    wake: broadcast::Receiver<Uuid>,
    /// The closing frame (`end` or `error`) was sent.
    closed: bool,
}

impl EventStream {
    async fn next_batch(mut self) -> Option<(Vec<Result<Event, Infallible>>, EventStream)> {
        if self.closed {
            return None;
        }
        loop {
            match self.tail.poll(&self.state.jobs).await {
                Ok(TailStep::Events(events)) => {
                    let batch = events
                        .iter()
                        .map(|event| {
                            Ok(Event::default()
                                .id(event.id.to_string())
                                .json_data(event)
                                .expect("events serialise"))
                        })
                        .collect();
                    return Some((batch, self));
                }
                Ok(TailStep::Idle) => self.wait_for_news().await,
                Ok(TailStep::End) => {
                    self.closed = true;
                    return Some((vec![Ok(Event::default().event("end").data("{}"))], self));
                }
                Err(err) => {
                    self.closed = true;
                    return Some((
                        vec![Ok(Event::default().event("error").data(err.to_string()))],
                        self,
                    ));
                }
            }
        }
    }

    async fn wait_for_news(&mut self) {
        let deadline = tokio::time::sleep(Duration::from_secs(1));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                received = self.wake.recv() => match received {
                    Ok(job) if job == self.tail.job() => return,
                    Ok(_) => continue,
                    Err(broadcast::error::RecvError::Lagged(_)) => return,
                    Err(broadcast::error::RecvError::Closed) => { (&mut deadline).await; return; }
                },
                _ = &mut deadline => return,
            }
        }
    }
}

/// Cancel a queued or running job. A finished job is returned unchanged.
#[utoipa::path(post, path = "/jobs/{id}/cancel", tag = "jobs", params(("id" = Uuid, Path)), responses(
    (status = 200, body = CancelOutcome),
    (status = 404, body = crate::error::ErrorBody),
))]
async fn cancel_job(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<CancelOutcome>, ApiError> {
    Ok(axum::Json(state.jobs.cancel(id).await?))
}

/// Registered operations with their queues.
#[utoipa::path(get, path = "/operations", tag = "jobs", responses((status = 200, body = Vec<OperationInfo>)))]
async fn list_operations(State(state): State<AppState>) -> axum::Json<Vec<OperationInfo>> {
    axum::Json(state.jobs.registry().list())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeadLetterQuery {
    /// 1..500, default 100.
    limit: Option<i64>,
    /// Include dead letters already re-queued.
    #[serde(default)]
    include_requeued: bool,
}

/// Messages that kept failing, newest first.
#[utoipa::path(get, path = "/dead-letters", tag = "jobs", params(DeadLetterQuery), responses(
    (status = 200, body = Vec<DeadLetterView>),
))]
async fn list_dead_letters(
    State(state): State<AppState>,
    Query(query): Query<DeadLetterQuery>,
) -> Result<axum::Json<Vec<DeadLetterView>>, ApiError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    Ok(axum::Json(
        state
            .jobs
            .dead_letters(limit, query.include_requeued)
            .await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Requeued {
    requeued: i64,
}

/// Put a dead letter back on its queue.
#[utoipa::path(post, path = "/dead-letters/{id}/requeue", tag = "jobs", params(("id" = i64, Path)), responses(
    (status = 200, body = Requeued),
    (status = 404, body = crate::error::ErrorBody),
    (status = 409, body = crate::error::ErrorBody),
))]
async fn requeue_dead_letter(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<Requeued>, ApiError> {
    state.jobs.requeue_dead_letter(id).await?;
    Ok(axum::Json(Requeued { requeued: id }))
}

/// Worker processes seen in the last minute.
#[utoipa::path(get, path = "/workers", tag = "jobs", responses((status = 200, body = Vec<WorkerView>)))]
async fn list_workers(
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<WorkerView>>, ApiError> {
    Ok(axum::Json(state.jobs.workers(60.0).await?))
}
