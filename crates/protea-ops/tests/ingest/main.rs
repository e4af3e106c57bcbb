//! Ingestion operations end to end: a real worker, a fresh PostgreSQL
//! database per test, and the real files of shared/data served by the
//! loopback test server (with injected faults where the test says so).

#![allow(unreachable_pub)]

mod annotations;
mod interpro;
mod ontology;
mod proteins;
mod support;
