//! The job engine.
//!
//! A *job* is a row in `job` plus a message on a queue. Workers take messages
//! from their queues, run the named [`Operation`], and commit the operation's
//! writes, the job's final state and the message's acknowledgement in one
//! transaction. Delivery is at-least-once: a message whose worker dies is
//! released when its lease expires and runs again elsewhere, and since the
//! killed attempt's transaction never committed, its writes never happened.
//!
//! Coordinators fan out *child* messages (no job row) and return
//! `deferred`; each child counts as done or failed on its parent, and the
//! last one closes the parent, so no parent waits forever.
//!
//! Map: [`operation`] (the contract and the registry), [`context`] (what an
//! operation sees), [`transport`] (the queue interface and its PostgreSQL
//! implementation), [`service`] (submit, list, cancel, dead letters: shared by
//! the API and the CLI), [`worker`] (the run loop), [`reaper`].

pub mod context;
mod error;
mod fanout;
pub mod operation;
pub mod queues;
pub mod reaper;
pub mod service;
pub mod tail;
pub mod transport;
pub mod worker;

pub use context::{Emitter, Extensions, OperationContext};
pub use error::JobsError;
pub use operation::{Operation, OperationError, OperationInfo, OperationResult, Registry};
pub use service::{
    CancelOutcome, DeadLetterView, EventView, JobFilter, JobService, JobView, SubmitRequest,
    WorkerView,
};
pub use tail::{EventTail, TailStep};
pub use transport::{Delivery, MessageBody, PgQueue, Transport};
pub use worker::{Worker, WorkerConfig};
