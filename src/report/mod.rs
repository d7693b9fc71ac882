//! The de-identification report: `deid_report.json` for machines, `deid_report.md` for the
//! people who sign off on a release. Counts and names only, never values.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::deid::stats::{ColumnCounts, QuarantineCount};
use crate::source::QuarantinedRows;

pub const REPORT_JSON: &str = "deid_report.json";
pub const REPORT_MD: &str = "deid_report.md";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ColumnReport {
    pub name: String,
    pub action: String,
    /// The Safe Harbor identifier class the action answers, in plain words.
    pub treatment: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pseudonym_kind: Option<String>,
    #[serde(flatten)]
    pub counts: ColumnCounts,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TableReport {
    pub name: String,
    pub patient_id: Option<String>,
    /// Rows that reached de-identification.
    pub rows_in: u64,
    pub rows_written: u64,
    pub quarantined: Vec<QuarantineCount>,
    pub columns: Vec<ColumnReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceQuarantine {
    pub table: String,
    pub column: String,
    pub reason: String,
    #[serde(flatten)]
    pub rows: QuarantinedRows,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceReport {
    pub table: String,
    pub rows_read: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeidReport {
    pub run_id: String,
    pub pipeline: String,
    pub policy_name: String,
    pub policy_sha256: String,
    pub key_fingerprint: String,
    pub date_method: String,
    pub reference_date: Option<String>,
    pub sources: Vec<SourceReport>,
    /// Rows a source could not read into their declared types, held back before de-identification.
    pub source_quarantine: Vec<SourceQuarantine>,
    pub tables: Vec<TableReport>,
}

/// What a policy action means under Safe Harbor, for readers who are not engineers.
pub fn treatment_of(action: crate::config::Action) -> &'static str {
    use crate::config::Action as A;
    match action {
        A::Keep => "kept as is (not an identifier under the policy)",
        A::Drop => "removed from the output",
        A::Pseudonym => {
            "replaced by a keyed pseudonym (identifier codes: record, account, plan numbers)"
        }
        A::DateYear => "date reduced to its year (Safe Harbor: dates)",
        A::DateShift => "date moved by a per-patient offset (dates; intervals kept)",
        A::Zip3 => "ZIP reduced to 3 digits, small areas to 000 (geographic subdivisions)",
        A::Age => "ages over 89 reported as 90 (ages over 89)",
        A::ScrubText => "free text scrubbed of identifiers",
    }
}

impl DeidReport {
    pub fn total_quarantined(&self) -> u64 {
        self.source_quarantine
            .iter()
            .map(|q| q.rows.rows)
            .sum::<u64>()
            + self
                .tables
                .iter()
                .flat_map(|t| t.quarantined.iter())
                .map(|q| q.rows)
                .sum::<u64>()
    }

    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "# De-identification report: {}\n", self.pipeline);
        let _ = writeln!(md, "| | |\n|---|---|");
        let _ = writeln!(md, "| Run | `{}` |", self.run_id);
        let _ = writeln!(
            md,
            "| Policy | {} (sha256 `{}`) |",
            self.policy_name, &self.policy_sha256
        );
        let _ = writeln!(md, "| Key fingerprint | `{}` |", self.key_fingerprint);
        let _ = writeln!(md, "| Dates | {} |", self.date_method);
        if let Some(r) = &self.reference_date {
            let _ = writeln!(md, "| Ages computed at | {r} |");
        }
        let _ = writeln!(
            md,
            "| Rows held back (quarantined) | {} |\n",
            self.total_quarantined()
        );

        if !self.source_quarantine.is_empty() {
            let _ = writeln!(md, "## Rows held back while reading sources\n");
            let _ = writeln!(
                md,
                "| Table | Column | Reason | Rows | First row numbers |\n|---|---|---|---:|---|"
            );
            for q in &self.source_quarantine {
                let rows: Vec<String> = q
                    .rows
                    .first_row_numbers
                    .iter()
                    .map(u64::to_string)
                    .collect();
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} |",
                    q.table,
                    q.column,
                    q.reason,
                    q.rows.rows,
                    rows.join(", ")
                );
            }
            md.push('\n');
        }

        for t in &self.tables {
            let _ = writeln!(md, "## Table `{}`\n", t.name);
            let _ = writeln!(
                md,
                "Patient column: {}. Rows in: {}; rows written: {}.\n",
                t.patient_id.as_deref().unwrap_or("none"),
                t.rows_in,
                t.rows_written
            );
            if !t.quarantined.is_empty() {
                let _ = writeln!(md, "| Held back: column | Reason | Rows |\n|---|---|---:|");
                for q in &t.quarantined {
                    let _ = writeln!(md, "| {} | {} | {} |", q.column, q.reason, q.rows);
                }
                md.push('\n');
            }
            let _ = writeln!(md, "| Column | Action | Treatment | Rows | Nulls | Changed | Details |\n|---|---|---|---:|---:|---:|---|");
            for c in &t.columns {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    c.name,
                    c.action,
                    c.treatment,
                    c.counts.rows,
                    c.counts.nulls,
                    c.counts.changed,
                    details(&c.counts)
                );
            }
            md.push('\n');
        }
        md
    }
}

fn details(c: &ColumnCounts) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |n: u64, what: &str| {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    };
    push(c.zip_restricted_to_000, "restricted ZIPs → 000");
    push(c.zip_unreadable_to_000, "unreadable ZIPs → 000");
    push(c.ages_capped, "ages capped at 90");
    push(c.dates_shifted, "dates shifted");
    push(c.dates_truncated_to_year, "dates cut to year");
    push(
        c.birth_dates_generalized,
        "birth dates (age > 89) generalized",
    );
    let found: BTreeMap<&String, &u64> = c.text_findings.iter().collect();
    for (k, v) in found {
        parts.push(format!("{v} {k}"));
    }
    parts.join("; ")
}
