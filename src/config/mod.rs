//! Pipeline specs and de-identification policies, read from TOML with errors that name the
//! file, line and key.

mod policy;
mod secret;
mod spec;

pub use policy::{
    Action, ColumnPolicy, DateShiftRange, Policy, PolicySettings, TablePolicy, TextSettings,
};
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
        let (line_col, snippet) = e
            .span()
            .map(|span| {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                // The offending line names the key; its values are withheld, since a
                // mistyped setting could hold a secret.
                let source_line = text.lines().nth(line - 1).unwrap_or("").trim();
                (
                    format!(":{line}:{col}"),
                    format!("\n  | {}", crate::error::sanitize(source_line)),
                )
            })
            .unwrap_or_default();
        config_err(format!(
            "{}{line_col}: {}{snippet}",
            path.display(),
            e.message().trim_end()
        ))
    })?;
    Ok((parsed, text))
}

/// A path from a spec, resolved against the directory of the file that named it, with `.` and
/// `dir/..` folded away so messages show `out/demo`, not `pipelines/../out/demo`.
pub(crate) fn resolve_path(base_dir: &Path, p: &Path) -> std::path::PathBuf {
    use std::path::Component;
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    };
    let mut out = std::path::PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_paths_are_folded() {
        let r = |b: &str, p: &str| resolve_path(Path::new(b), Path::new(p));
        assert_eq!(r("pipelines", "../out/demo"), Path::new("out/demo"));
        assert_eq!(r("", "./a/b"), Path::new("a/b"));
        assert_eq!(r("x", "/abs/p"), Path::new("/abs/p"));
        assert_eq!(r("..", "../d"), Path::new("../../d"));
        assert_eq!(r("a", ".."), Path::new("."));
    }
}
