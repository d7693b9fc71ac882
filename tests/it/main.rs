//! The one integration-test binary: everything that needs the `harbor` binary, real files, or
//! real database servers.

mod bad_input;
mod common;
mod config_errors;
mod outputs;
mod readers;
mod servers;
mod sqlite_pipeline;
mod text;
