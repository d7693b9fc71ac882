//! harbor: EHR tables to de-identified, model-ready data under HIPAA Safe Harbor.
//!
//! The flow is sources → DataFusion plan → de-identification (scalar UDFs) → sharded Parquet
//! sinks → an atomically renamed run directory with a manifest and a de-identification report.

pub mod bench;
pub mod config;
pub mod deid;
pub mod engine;
pub mod error;
pub mod report;
pub mod scrub;
pub mod sink;
pub mod source;
pub mod state;
pub mod synth;
pub mod verify;

pub use error::{ErrorKind, HarborError};

/// Version and commit stamped into every manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const GIT_COMMIT: &str = env!("HARBOR_GIT_COMMIT");
