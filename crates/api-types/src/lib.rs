//! The wire format of Tenure's public API: request and response bodies, shared by the server and
//! the SPA so the two cannot drift.
//!
//! Types here are plain serde structs with no behaviour and no validation: the server parses
//! them into domain types at the edge. OpenAPI schemas are derived behind the `openapi` feature
//! so the wasm SPA does not compile utoipa. Nothing here may depend on the server's crates.

pub mod activity;
pub mod auth;
pub mod contact;
pub mod custom_field;
pub mod customer;
pub mod duplicate;
pub mod gdpr;
pub mod goal;
pub mod import;
pub mod ledger;
pub mod merge;
pub mod overview;
pub mod problem;
pub mod tier;
pub mod vocabulary;

pub use activity::*;
pub use auth::*;
pub use contact::*;
pub use custom_field::*;
pub use customer::*;
pub use duplicate::*;
pub use gdpr::*;
pub use goal::*;
pub use import::*;
pub use ledger::*;
pub use merge::*;
pub use overview::*;
pub use problem::*;
pub use tier::*;
