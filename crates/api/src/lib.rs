//! Tenure's HTTP API: actix-web handlers documented with utoipa, authentication, problem+json
//! errors, metrics, and the pieces of the `tenure` binary.
//!
//! Handlers are thin: extract, authorise, convert to domain types, make one store call, map the
//! result. They never open transactions or write SQL; that is the store's job.

pub mod app;
pub mod auth;
pub mod config;
pub mod convert;
pub mod demo;
pub mod duplicate;
pub mod error;
pub mod import;
pub mod merge;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod spa;
pub mod state;
pub mod telemetry;

/// The demo password of the demo users, shown only in demo mode.
pub const DEMO_PASSWORD: &str = "demo";

/// The demo logins printed at start-up and shown on the sign-in page in demo mode.
pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("owner@demo.example", "owner"),
    ("staff@demo.example", "staff"),
    ("viewer@demo.example", "viewer"),
    ("owner@other.example", "owner of Other Ltd"),
];
