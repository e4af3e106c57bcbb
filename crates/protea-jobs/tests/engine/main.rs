#![allow(unreachable_pub)]

//! Job-engine integration tests against a real PostgreSQL (one throwaway
//! cluster per test process, a fresh database per test).

mod lifecycle;
mod recovery;
mod support;
mod tail;
