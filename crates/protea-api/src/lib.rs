//! PROTEA's REST API.
//!
//! [`app`] builds the router from shared state; serving it is the binary's
//! business. Every error leaves through [`ApiError`], which maps domain
//! errors to HTTP statuses in one place and renders one JSON shape:
//! `{"detail": "...", "code": "..."}` (`detail` as FastAPI clients expect).
//!
//! Architecture invariant: handlers hold no domain logic; they parse, call a
//! service (`JobService`, later the store's query modules) and render.

mod error;
mod events;
mod extract;
mod routes;

pub use error::{ApiError, ErrorBody};
pub use events::EventHub;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use protea_jobs::JobService;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Shared state of the API.
#[derive(Clone)]
pub struct AppState {
    pub jobs: JobService,
    pub events: EventHub,
}

/// API settings.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
}

impl Default for ApiConfig {
    fn default() -> ApiConfig {
        ApiConfig {
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

#[derive(OpenApi)]
#[openapi(info(
    title = "PROTEA",
    description = "Protein function annotation platform: jobs, events and the data they produce."
))]
struct ApiDoc;

/// The whole API as a router (with `/openapi.json`).
pub fn app(state: AppState, config: &ApiConfig) -> Router {
    let (router, openapi) = api_router().with_state(state).split_for_parts();
    let openapi_json = openapi
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let body = openapi_json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                }
            }),
        )
        .fallback(|| async { ApiError::NotFound("no such endpoint".into()) })
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// The OpenAPI document alone (for `protea openapi` and tests).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(routes::jobs::router())
        .merge(routes::evaluation::router())
        .merge(routes::scoring::router())
        .merge(routes::catalog::router())
        .merge(routes::embeddings::router())
        .merge(routes::query_sets::router())
        .merge(routes::interpro::router())
        .merge(routes::reranker_models::router())
        .merge(routes::predictions::router())
}
