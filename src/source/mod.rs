//! Sources: each table becomes a DataFusion table that streams Arrow record batches with a
//! declared schema.

pub mod cell;
pub mod file;
pub mod sql;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

/// Rows read from one source table, and rows held back because a cell did not fit its type.
#[derive(Debug, Default)]
pub struct SourceTableStats {
    rows_read: AtomicU64,
    quarantined: Mutex<BTreeMap<(String, String), QuarantinedRows>>,
}

/// How many rows were held back for one column and reason, with the first row numbers (never
/// the values).
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct QuarantinedRows {
    pub rows: u64,
    pub first_row_numbers: Vec<u64>,
}

const ROW_NUMBERS_KEPT: usize = 10;

impl SourceTableStats {
    pub fn add_read(&self, n: u64) {
        self.rows_read.fetch_add(n, Ordering::Relaxed);
    }

    pub fn rows_read(&self) -> u64 {
        self.rows_read.load(Ordering::Relaxed)
    }

    pub fn quarantine(&self, column: &str, reason: &str, row_number: u64) {
        let mut q = self.quarantined.lock().unwrap();
        let entry = q
            .entry((column.to_string(), reason.to_string()))
            .or_default();
        entry.rows += 1;
        if entry.first_row_numbers.len() < ROW_NUMBERS_KEPT {
            entry.first_row_numbers.push(row_number);
        }
    }

    pub fn quarantined(&self) -> BTreeMap<(String, String), QuarantinedRows> {
        self.quarantined.lock().unwrap().clone()
    }
}
