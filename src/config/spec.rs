//! The pipeline spec: `pipelines/*.toml`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{read_toml, resolve_path, Secret};
use crate::error::config_err;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSpec {
    pub pipeline: PipelineSection,
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceSpec>,
    #[serde(default, rename = "transform")]
    pub transforms: Vec<TransformSpec>,
    #[serde(default, rename = "output")]
    pub outputs: Vec<OutputSpec>,
    /// Directory of the spec file: relative paths in it are resolved against this.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// SHA-256 of the spec file's bytes, for the manifest.
    #[serde(skip)]
    pub sha256: String,
    #[serde(skip)]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSection {
    pub name: String,
    /// De-identification policy file.
    pub policy: PathBuf,
    /// The pseudonym key: `{ env = "VAR" }` or `{ file = "path" }`.
    pub key: Secret,
    /// Run directories are created under this directory.
    pub output_dir: PathBuf,
    /// Number of patient shards per output table.
    #[serde(default = "default_shards")]
    pub shards: u32,
    /// A Parquet file is closed and a new part started once it reaches this size.
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
    /// Rows per Arrow record batch read from SQL sources.
    #[serde(default = "default_batch_rows")]
    pub batch_rows: usize,
    /// Memory for sorting and joins before DataFusion spills to disk.
    #[serde(default = "default_memory_limit_mb")]
    pub memory_limit_mb: usize,
}

fn default_shards() -> u32 {
    4
}
fn default_max_file_bytes() -> u64 {
    256 * 1024 * 1024
}
fn default_batch_rows() -> usize {
    8192
}
fn default_memory_limit_mb() -> usize {
    512
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Sqlite,
    Mysql,
    Postgres,
    Csv,
    Parquet,
    Ndjson,
}

impl SourceKind {
    pub fn is_sql(self) -> bool {
        matches!(
            self,
            SourceKind::Sqlite | SourceKind::Mysql | SourceKind::Postgres
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub name: String,
    pub kind: SourceKind,
    /// Database URL (MySQL, PostgreSQL, or SQLite): a secret, since it may hold a password.
    pub url: Option<Secret>,
    /// SQLite database file, as an alternative to `url`.
    pub path: Option<PathBuf>,
    #[serde(rename = "table")]
    pub tables: Vec<SourceTable>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceTable {
    /// Name the table has in the pipeline's SQL.
    pub name: String,
    /// SQL sources: the query (default `SELECT * FROM <name>`).
    pub query: Option<String>,
    /// File sources: a path or glob.
    pub path: Option<String>,
    /// Column for incremental extraction: only rows with a larger value than the last
    /// completed run's are read.
    pub watermark: Option<String>,
    /// Scale used for DECIMAL/NUMERIC columns (the drivers do not report it). Values with more
    /// fractional digits stop the run rather than being rounded.
    #[serde(default = "default_decimal_scale")]
    pub decimal_scale: i8,
}

fn default_decimal_scale() -> i8 {
    6
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransformSpec {
    pub name: String,
    pub sql: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Parquet,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    pub table: String,
    #[serde(default)]
    pub format: OutputFormat,
}

impl PipelineSpec {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let (mut spec, text): (PipelineSpec, String) = read_toml(path)?;
        spec.path = path.to_path_buf();
        spec.base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        spec.sha256 = crate::sink::sha256_hex(text.as_bytes());
        spec.validate()?;
        Ok(spec)
    }

    pub fn resolve(&self, p: &Path) -> PathBuf {
        resolve_path(&self.base_dir, p)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let file = self.path.display();
        if self.pipeline.key.is_plain() {
            return Err(config_err(format!(
                "{file}: pipeline.key must come from {{ env = \"VAR\" }} or {{ file = \"path\" }}, never written in the spec"
            )));
        }
        if self.pipeline.shards == 0 || self.pipeline.shards > 65_536 {
            return Err(config_err(format!(
                "{file}: pipeline.shards must be between 1 and 65536"
            )));
        }
        if self.pipeline.batch_rows == 0 {
            return Err(config_err(format!(
                "{file}: pipeline.batch_rows must be > 0"
            )));
        }
        let mut names = HashSet::new();
        for source in &self.sources {
            let sname = &source.name;
            if source.kind.is_sql() {
                match (&source.url, &source.path, source.kind) {
                    (Some(_), Some(_), _) => {
                        return Err(config_err(format!(
                            "{file}: source {sname}: give either url or path, not both"
                        )))
                    }
                    (None, Some(_), SourceKind::Sqlite) | (Some(_), None, _) => {}
                    (None, Some(_), _) => {
                        return Err(config_err(format!(
                            "{file}: source {sname}: path is only for sqlite; use url"
                        )))
                    }
                    (None, None, _) => {
                        return Err(config_err(format!(
                            "{file}: source {sname}: kind {:?} needs url (or path, for sqlite)",
                            source.kind
                        )))
                    }
                }
            } else if source.url.is_some() || source.path.is_some() {
                return Err(config_err(format!(
                    "{file}: source {sname}: file sources take a path per [[source.table]], not url or path"
                )));
            }
            if let Some(Secret::Plain(url)) = &source.url {
                if url_has_password(url) {
                    return Err(config_err(format!(
                        "{file}: source {sname}: url holds a password; give it as {{ env = \"VAR\" }} or {{ file = \"path\" }}"
                    )));
                }
            }
            if source.tables.is_empty() {
                return Err(config_err(format!(
                    "{file}: source {sname}: needs at least one [[source.table]]"
                )));
            }
            for t in &source.tables {
                let tname = &t.name;
                if !is_identifier(tname) {
                    return Err(config_err(format!(
                        "{file}: source {sname}: table name {tname:?} must be letters, digits and _"
                    )));
                }
                if !names.insert(tname.clone()) {
                    return Err(config_err(format!(
                        "{file}: table {tname} is defined twice"
                    )));
                }
                if source.kind.is_sql() {
                    if t.path.is_some() {
                        return Err(config_err(format!(
                            "{file}: table {tname}: SQL tables take query, not path"
                        )));
                    }
                    if let Some(w) = &t.watermark {
                        if !is_identifier(w) {
                            return Err(config_err(format!(
                                "{file}: table {tname}: watermark must be a column name"
                            )));
                        }
                    }
                } else {
                    if t.path.is_none() {
                        return Err(config_err(format!(
                            "{file}: table {tname}: file tables need path"
                        )));
                    }
                    if t.query.is_some() || t.watermark.is_some() {
                        return Err(config_err(format!(
                            "{file}: table {tname}: query and watermark are for SQL sources; use a [[transform]] for files"
                        )));
                    }
                }
                if !(0..=30).contains(&t.decimal_scale) {
                    return Err(config_err(format!(
                        "{file}: table {tname}: decimal_scale must be 0..=30"
                    )));
                }
            }
        }
        for t in &self.transforms {
            if !is_identifier(&t.name) {
                return Err(config_err(format!(
                    "{file}: transform name {:?} must be letters, digits and _",
                    t.name
                )));
            }
            if !names.insert(t.name.clone()) {
                return Err(config_err(format!(
                    "{file}: table {} is defined twice",
                    t.name
                )));
            }
        }
        if self.outputs.is_empty() {
            return Err(config_err(format!("{file}: no [[output]] tables")));
        }
        let mut seen = HashSet::new();
        for o in &self.outputs {
            if !names.contains(&o.table) {
                return Err(config_err(format!(
                    "{file}: output table {} is neither a source table nor a transform",
                    o.table
                )));
            }
            if !seen.insert(&o.table) {
                return Err(config_err(format!(
                    "{file}: output table {} is listed twice",
                    o.table
                )));
            }
        }
        Ok(())
    }

    /// Every source table with a watermark column, as (table name, column).
    pub fn watermarked_tables(&self) -> Vec<(&str, &str)> {
        self.sources
            .iter()
            .flat_map(|s| s.tables.iter())
            .filter_map(|t| t.watermark.as_deref().map(|w| (t.name.as_str(), w)))
            .collect()
    }
}

pub(crate) fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `scheme://user:password@host…`: a URL that must not be written into a spec.
fn url_has_password(url: &str) -> bool {
    url.split_once("://")
        .map(|(_, rest)| rest.split(['/', '?']).next().unwrap_or(""))
        .and_then(|authority| authority.rsplit_once('@'))
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_recognized() {
        assert!(url_has_password("mysql://root:pw@db:3306/x"));
        assert!(!url_has_password("mysql://root@db:3306/x"));
        assert!(!url_has_password("sqlite://data/ehr.sqlite"));
        assert!(!url_has_password("postgres://db/x?user=a"));
    }
}
