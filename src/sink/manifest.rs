//! `manifest.json`: every file of a run with its checksum, what produced it, and with what.

use std::collections::BTreeMap;
use std::path::Path;

use arrow::datatypes::Schema;
use serde::{Deserialize, Serialize};

use crate::state::Watermark;

pub const MANIFEST_FILE: &str = "manifest.json";
pub const MANIFEST_FORMAT: &str = "harbor-run/1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    /// Relative to the run directory, with `/` separators.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub rows: Option<u64>,
    pub bytes: u64,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ColumnSchema {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
    pub nullable: bool,
}

pub fn columns_of(schema: &Schema) -> Vec<ColumnSchema> {
    schema
        .fields()
        .iter()
        .map(|f| ColumnSchema {
            name: f.name().clone(),
            data_type: f.data_type().to_string(),
            nullable: f.is_nullable(),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableEntry {
    pub name: String,
    pub rows: u64,
    pub shards: u32,
    pub schema: Vec<ColumnSchema>,
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HashedFile {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    pub name: String,
    pub version: String,
    pub git_commit: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WatermarkEntry {
    pub column: String,
    pub previous: Option<Watermark>,
    pub current: Option<Watermark>,
    pub rows_read: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    pub run_id: String,
    pub pipeline: String,
    pub tool: Tool,
    pub started_at: String,
    pub finished_at: String,
    pub spec: HashedFile,
    pub policy: HashedFile,
    pub key_fingerprint: String,
    /// How free-text columns were scrubbed: `tag`, `surrogate` or `redact`. Surrogates look
    /// like real identifiers by design, so `verify` checks them against canaries only.
    #[serde(default)]
    pub text_mode: crate::deid::text::Replace,
    /// `full`, `incremental` or `since`.
    pub extract: String,
    pub watermarks: BTreeMap<String, WatermarkEntry>,
    pub tables: Vec<TableEntry>,
    /// Reports and other files of the run besides table shards.
    pub files: Vec<FileEntry>,
}

impl Manifest {
    pub fn load(run_dir: &Path) -> anyhow::Result<Self> {
        let path = run_dir.join(MANIFEST_FILE);
        let bytes = std::fs::read(&path).map_err(|e| {
            crate::error::HarborError::new(
                crate::error::ErrorKind::Verify,
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        serde_json::from_slice(&bytes).map_err(|e| {
            crate::error::HarborError::new(
                crate::error::ErrorKind::Verify,
                format!("{} is not a harbor manifest: {e}", path.display()),
            )
            .into()
        })
    }

    /// Every file the manifest lists.
    pub fn all_files(&self) -> impl Iterator<Item = &FileEntry> {
        self.tables
            .iter()
            .flat_map(|t| t.files.iter())
            .chain(self.files.iter())
    }
}
