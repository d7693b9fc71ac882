//! `harbor verify`: checks a run directory against its manifest and scans every output column
//! for planted canary values and patterned identifiers. Findings name the file, column and row,
//! never the value.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Serialize;

use crate::deid::text::find_byte_spans;
use crate::sink::manifest::{Manifest, MANIFEST_FILE};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// 0-based row within the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    pub problem: String,
}

#[derive(Debug, Serialize)]
pub struct VerifyReport {
    pub run_dir: String,
    pub files_checked: usize,
    pub values_scanned: u64,
    pub canaries: usize,
    /// False for a run whose free text holds surrogates (they look like identifiers by
    /// design): only canaries are checked then.
    pub shapes_scanned: bool,
    pub findings: Vec<Finding>,
}

/// Identifier shapes that must not appear in any output string. Dates are left out: shifted
/// dates are allowed in the output.
const SCANNED_TYPES: &[&str] = &["SSN", "PHONE", "EMAIL", "URL", "IP", "MRN", "AGE"];

/// At most this many findings are kept per file and column, so a wholesale leak gives a
/// readable report.
const FINDINGS_PER_COLUMN: usize = 20;

pub fn verify(run_dir: &Path, canary_file: Option<&Path>) -> anyhow::Result<VerifyReport> {
    let manifest = Manifest::load(run_dir)?;
    let mut findings = Vec::new();
    let mut listed = BTreeSet::new();
    for f in manifest.all_files() {
        listed.insert(f.path.clone());
        let path = run_dir.join(&f.path);
        match std::fs::metadata(&path) {
            Err(_) => findings.push(problem(&f.path, "listed in the manifest but missing")),
            Ok(m) if m.len() != f.bytes => {
                findings.push(problem(&f.path, "size differs from the manifest"))
            }
            Ok(_) => {
                if crate::sink::sha256_file(&path)? != f.sha256 {
                    findings.push(problem(&f.path, "sha256 differs from the manifest"));
                }
            }
        }
    }
    for path in walk(run_dir)? {
        let rel = path
            .strip_prefix(run_dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel != MANIFEST_FILE && !listed.contains(&rel) {
            findings.push(problem(&rel, "not listed in the manifest"));
        }
    }

    let canaries: Vec<String> = match canary_file {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| anyhow::anyhow!("cannot read canary file {}: {e}", p.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };
    let matcher = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&canaries)?;

    let mut values_scanned = 0u64;
    let mut files_checked = 0;
    for table in &manifest.tables {
        for f in &table.files {
            let path = run_dir.join(&f.path);
            if !path.is_file() {
                continue;
            }
            files_checked += 1;
            values_scanned += scan_parquet(
                &path,
                &f.path,
                &matcher,
                !canaries.is_empty(),
                manifest.text_mode != crate::deid::text::Replace::Surrogate,
                &mut findings,
            )?;
        }
    }
    findings.sort();
    Ok(VerifyReport {
        run_dir: run_dir.display().to_string(),
        files_checked,
        values_scanned,
        canaries: canaries.len(),
        shapes_scanned: manifest.text_mode != crate::deid::text::Replace::Surrogate,
        findings,
    })
}

fn problem(file: &str, what: &str) -> Finding {
    Finding {
        file: file.to_string(),
        column: None,
        row: None,
        problem: what.to_string(),
    }
}

fn walk(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let p = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// Whether a canary occurs in `value` as a whole word: not run together with letters or digits
/// on either side. A 32-hex-digit pseudonym holds an 8-digit run now and then, and one of
/// those equal to a planted MRN is chance, not a leak; "MRN: 10007919." is a leak.
fn contains_canary(canaries: &AhoCorasick, value: &str) -> bool {
    let bytes = value.as_bytes();
    let alnum = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_alphanumeric);
    canaries.find_overlapping_iter(value).any(|m| {
        let (start, end) = (m.start(), m.end());
        let open_before = !alnum(start) || start == 0 || !alnum(start - 1);
        let open_after = !alnum(end - 1) || !alnum(end);
        open_before && open_after
    })
}

fn scan_parquet(
    path: &Path,
    rel: &str,
    canaries: &AhoCorasick,
    have_canaries: bool,
    scan_shapes: bool,
    findings: &mut Vec<Finding>,
) -> anyhow::Result<u64> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path)?)?.build()?;
    let mut scanned = 0u64;
    let mut row_base = 0u64;
    let mut per_column: std::collections::HashMap<String, usize> = Default::default();
    for batch in reader {
        let batch = batch?;
        for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
            let is_text = matches!(
                field.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            );
            // Numbers are scanned for canaries too: an MRN can hide in an integer column.
            let Ok(text) = cast(column, &DataType::Utf8) else {
                continue;
            };
            let text = text.as_string::<i32>();
            for i in 0..text.len() {
                if text.is_null(i) {
                    continue;
                }
                scanned += 1;
                let v = text.value(i);
                let mut hit: Option<String> = None;
                if have_canaries && contains_canary(canaries, v) {
                    hit = Some("a planted canary value".into());
                } else if is_text && scan_shapes {
                    if let Some((_, _, kind)) = find_byte_spans(v)
                        .into_iter()
                        .find(|(_, _, k)| SCANNED_TYPES.contains(k))
                    {
                        hit = Some(format!("a value shaped like {kind}"));
                    }
                }
                if let Some(what) = hit {
                    let n = per_column.entry(field.name().clone()).or_default();
                    *n += 1;
                    if *n <= FINDINGS_PER_COLUMN {
                        findings.push(Finding {
                            file: rel.to_string(),
                            column: Some(field.name().clone()),
                            row: Some(row_base + i as u64),
                            problem: format!("contains {what}"),
                        });
                    }
                }
            }
        }
        row_base += batch.num_rows() as u64;
    }
    Ok(scanned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canaries_count_only_as_whole_words() {
        let m = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["16414390", "(511) 555-0304", "Avery Delacroix"])
            .unwrap();
        assert!(contains_canary(&m, "16414390"));
        assert!(contains_canary(&m, "MRN: 16414390."));
        assert!(contains_canary(&m, "call x(511) 555-0304."));
        assert!(contains_canary(&m, "seen with AVERY DELACROIX's son"));
        assert!(!contains_canary(&m, "cf7e18751641439022e9ee409eed7343"));
        assert!(!contains_canary(&m, "116414390"));
        assert!(!contains_canary(&m, "Avery Delacroixson"));
    }
}
