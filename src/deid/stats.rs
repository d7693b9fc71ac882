//! Counters the UDFs fill while DataFusion runs them; the report reads them afterwards.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Default)]
pub struct ColumnStats {
    pub rows: AtomicU64,
    pub nulls: AtomicU64,
    pub changed: AtomicU64,
    pub zip_restricted: AtomicU64,
    pub zip_unreadable: AtomicU64,
    pub ages_capped: AtomicU64,
    pub dates_shifted: AtomicU64,
    pub dates_truncated: AtomicU64,
    pub births_generalized: AtomicU64,
    pub text_findings: Mutex<BTreeMap<String, u64>>,
}

/// A snapshot of [`ColumnStats`] for the report.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct ColumnCounts {
    pub rows: u64,
    pub nulls: u64,
    pub changed: u64,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub zip_restricted_to_000: u64,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub zip_unreadable_to_000: u64,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub ages_capped: u64,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub dates_shifted: u64,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub dates_truncated_to_year: u64,
    #[serde(skip_serializing_if = "is_zero", default)]
    pub birth_dates_generalized: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub text_findings: BTreeMap<String, u64>,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

pub(crate) fn add(counter: &AtomicU64, n: usize) {
    if n > 0 {
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }
}

impl ColumnStats {
    pub fn snapshot(&self) -> ColumnCounts {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ColumnCounts {
            rows: g(&self.rows),
            nulls: g(&self.nulls),
            changed: g(&self.changed),
            zip_restricted_to_000: g(&self.zip_restricted),
            zip_unreadable_to_000: g(&self.zip_unreadable),
            ages_capped: g(&self.ages_capped),
            dates_shifted: g(&self.dates_shifted),
            dates_truncated_to_year: g(&self.dates_truncated),
            birth_dates_generalized: g(&self.births_generalized),
            text_findings: self.text_findings.lock().unwrap().clone(),
        }
    }

    pub fn add_text_findings(&self, found: &BTreeMap<&'static str, u64>) {
        if found.is_empty() {
            return;
        }
        let mut all = self.text_findings.lock().unwrap();
        for (k, v) in found {
            *all.entry((*k).to_string()).or_default() += v;
        }
    }
}

/// Rows held back from a table, by column and reason. Values are never kept, only counts.
#[derive(Debug, Default)]
pub struct TableStats {
    pub rows_read: AtomicU64,
    pub quarantined: Mutex<BTreeMap<(String, String), u64>>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct QuarantineCount {
    pub column: String,
    pub reason: String,
    pub rows: u64,
}

impl TableStats {
    pub fn quarantine(&self, column: &str, reason: &str, rows: u64) {
        if rows > 0 {
            *self
                .quarantined
                .lock()
                .unwrap()
                .entry((column.to_string(), reason.to_string()))
                .or_default() += rows;
        }
    }

    pub fn quarantine_counts(&self) -> Vec<QuarantineCount> {
        self.quarantined
            .lock()
            .unwrap()
            .iter()
            .map(|((column, reason), rows)| QuarantineCount {
                column: column.clone(),
                reason: reason.clone(),
                rows: *rows,
            })
            .collect()
    }
}
