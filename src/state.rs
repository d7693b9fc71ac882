//! Pipeline state kept between runs: the watermark of each incremental source table. It is
//! written only after a run directory is complete, so a failed run never advances it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::source::cell::Cell;

/// The largest watermark value read from a table. Dates and times are kept as ISO text of a
/// fixed layout, so text order is time order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Watermark {
    Int(i64),
    Text(String),
}

impl Watermark {
    pub fn from_cell(cell: &Cell) -> Option<Self> {
        Some(match cell {
            Cell::Int(v) => Watermark::Int(*v),
            Cell::UInt(v) => Watermark::Int(i64::try_from(*v).ok()?),
            Cell::Text(s) => Watermark::Text(s.clone()),
            Cell::Date(d) => Watermark::Text(d.format("%Y-%m-%d").to_string()),
            Cell::DateTime(d) => Watermark::Text(d.format("%Y-%m-%d %H:%M:%S%.6f").to_string()),
            Cell::Instant(d) => {
                Watermark::Text(d.format("%Y-%m-%d %H:%M:%S%.6f+00:00").to_string())
            }
            _ => return None,
        })
    }

    /// A value given on the command line (`--since`): a number or text.
    pub fn parse_cli(s: &str) -> Self {
        s.parse()
            .map(Watermark::Int)
            .unwrap_or_else(|_| Watermark::Text(s.to_string()))
    }

    /// The value as an SQL literal. Text is single-quoted with quotes doubled; it comes from
    /// our own state file or the operator's `--since`, never from data.
    pub fn sql_literal(&self) -> String {
        match self {
            Watermark::Int(v) => v.to_string(),
            Watermark::Text(s) => format!("'{}'", s.replace('\'', "''")),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PipelineState {
    pub last_run_id: Option<String>,
    /// Watermark per source table.
    pub watermarks: BTreeMap<String, Watermark>,
}

impl PipelineState {
    pub fn path(output_dir: &Path) -> PathBuf {
        output_dir.join("state.json")
    }

    pub fn load(output_dir: &Path) -> anyhow::Result<Self> {
        let path = Self::path(output_dir);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                crate::error::config_err(format!(
                    "{}: unreadable pipeline state ({e}); move it aside to start a full extract",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    /// Written to a temporary file and renamed, so a crash leaves the old state whole.
    pub fn save(&self, output_dir: &Path) -> anyhow::Result<()> {
        let path = Self::path(output_dir);
        let tmp = output_dir.join(".state.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_quote_text_and_order_times() {
        assert_eq!(Watermark::Text("it's".into()).sql_literal(), "'it''s'");
        assert_eq!(Watermark::parse_cli("42"), Watermark::Int(42));
        let a = Watermark::from_cell(&Cell::DateTime(
            chrono::NaiveDate::from_ymd_opt(2024, 1, 9)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        ));
        let b = Watermark::from_cell(&Cell::DateTime(
            chrono::NaiveDate::from_ymd_opt(2024, 1, 10)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap(),
        ));
        assert!(a < b);
    }
}
