//! Pipeline specs and de-identification policies, read from TOML with errors that name the
//! file, line and key.

mod policy;
mod secret;
mod spec;

pub use policy::{Action, ColumnPolicy, DateShiftRange, Policy, PolicySettings, TablePolicy};
pub use secret::{Secret, SecretValue};
pub use spec::{
    OutputFormat, OutputSpec, PipelineSection, PipelineSpec, SourceKind, SourceSpec, SourceTable,
    TransformSpec,
};

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::config_err;

/// Reads and parses a TOML file; a parse error names the file and carries the line and column
/// that `toml` reports.
pub(crate) fn read_toml<T: DeserializeOwned>(path: &Path) -> anyhow::Result<(T, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| config_err(format!("cannot read {}: {e}", path.display())))?;
    let parsed = toml::from_str::<T>(&text).map_err(|e| {
        let line_col = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(":{line}:{col}")
            })
            .unwrap_or_default();
        config_err(format!(
            "{}{line_col}: {}",
            path.display(),
            e.message().trim_end()
        ))
    })?;
    Ok((parsed, text))
}

/// A path from a spec, resolved against the directory of the file that named it.
pub(crate) fn resolve_path(base_dir: &Path, p: &Path) -> std::path::PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    }
}
