//! `ping`: a smoke test of the queue, end to end, touching no data table.

use protea_core::{PayloadError, Validate};
use protea_jobs::{Emitter, Operation, OperationContext, OperationError, OperationResult, queues};
use serde::Deserialize;
use serde_json::json;

/// `ping` takes no fields; an optional `message` is echoed back.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PingPayload {
    #[serde(default)]
    pub message: Option<String>,
}

impl Validate for PingPayload {
    fn validate(&self) -> Result<(), PayloadError> {
        match &self.message {
            Some(m) if m.len() > 1000 => Err(PayloadError::new(
                "message",
                "must be at most 1000 characters",
            )),
            _ => Ok(()),
        }
    }
}

pub struct Ping;

impl Operation for Ping {
    type Payload = PingPayload;
    const NAME: &'static str = "ping";
    const QUEUE: &'static str = queues::PING;
    const SUMMARY: &'static str = "Smoke test: emits one ping.pong event and returns at once";

    async fn execute(
        &self,
        _ctx: &mut OperationContext,
        payload: PingPayload,
        emit: &Emitter,
    ) -> Result<OperationResult, OperationError> {
        let message = payload.message.unwrap_or_else(|| "pong".to_owned());
        emit.info("ping.pong", Some(&message), json!({})).await;
        Ok(OperationResult::done(
            json!({"pong": true, "message": message}),
        ))
    }
}
