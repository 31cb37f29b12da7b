//! The API's integration tests: the real server on a random port, talked to over HTTP, once on
//! SQLite (a temp file per test) and once on PostgreSQL (a fresh database per test binary, one
//! organisation per test). One binary for all of them keeps linking cheap.
//!
//! Nothing here is mocked; the only shortcut is creating organisations and users through the
//! store, which is how the `tenure` CLI does it too.

mod harness;

mod auth;
mod bulk;
mod customers;
mod duplicates;
mod errors;
mod export;
mod gdpr;
mod import;
mod import_crash;
mod import_jobs;
mod list;
mod merges;
mod ops;
mod records;
mod seed;
mod spa;
mod timeline;
