//! Shared test fixtures: a workspace with synthetic data, a key and a spec; running the
//! binary; reading outputs back.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow::array::RecordBatch;
use harbor::sink::manifest::Manifest;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

pub const KEY: &str = "integration-test-key-0123456789abcdef";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub struct Workspace {
    pub dir: tempfile::TempDir,
}

pub struct RunResult {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl RunResult {
    pub fn run_dir(&self) -> PathBuf {
        let line = self
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("run directory:"))
            .unwrap_or_else(|| {
                panic!(
                    "no run directory in output: {}\n{}",
                    self.stdout, self.stderr
                )
            });
        PathBuf::from(line.trim())
    }
}

impl Workspace {
    /// A workspace with `patients` synthetic patients in `data/`, the key in `key.txt`, and the
    /// OMOP policy copied to `policy.toml`.
    pub fn with_synth(patients: usize) -> Self {
        let ws = Self::empty();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(harbor::synth::write(&ws.path("data"), patients, 11))
            .unwrap();
        ws
    }

    pub fn empty() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("key.txt"), KEY).unwrap();
        std::fs::copy(
            repo_root().join("schemas/omop.toml"),
            dir.path().join("policy.toml"),
        )
        .unwrap();
        Self { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A spec reading the six synthetic tables from `source` (a `[[source]]` header and its
    /// connection lines), with watermarks, into `out/`.
    pub fn omop_spec(&self, name: &str, source: &str) -> PathBuf {
        let mut spec = format!(
            "[pipeline]\nname = \"{name}\"\npolicy = \"policy.toml\"\nkey = {{ file = \"key.txt\" }}\noutput_dir = \"out/{name}\"\nshards = 3\n\n{source}\n"
        );
        for t in OMOP_TABLES {
            spec.push_str(&format!(
                "\n[[source.table]]\nname = \"{t}\"\nwatermark = \"updated_at\"\n"
            ));
        }
        for t in OMOP_TABLES {
            spec.push_str(&format!("\n[[output]]\ntable = \"{t}\"\n"));
        }
        self.write(&format!("{name}.toml"), &spec)
    }

    pub fn sqlite_spec(&self, name: &str) -> PathBuf {
        self.omop_spec(
            name,
            "[[source]]\nname = \"ehr\"\nkind = \"sqlite\"\npath = \"data/ehr.sqlite\"",
        )
    }
}

pub const OMOP_TABLES: [&str; 6] = [
    "person",
    "visit_occurrence",
    "condition_occurrence",
    "measurement",
    "drug_exposure",
    "note",
];

pub fn harbor(args: &[&str]) -> RunResult {
    harbor_env(args, &[])
}

pub fn harbor_env(args: &[&str], env: &[(&str, &str)]) -> RunResult {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_harbor"));
    cmd.args(args);
    run_command(cmd, env)
}

fn run_command(mut cmd: Command, env: &[(&str, &str)]) -> RunResult {
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out: Output = cmd.output().expect("run harbor");
    RunResult {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn run_ok(spec: &Path, extra: &[&str]) -> RunResult {
    let mut args = vec!["run", spec.to_str().unwrap()];
    args.extend_from_slice(extra);
    let r = harbor(&args);
    assert_eq!(r.code, 0, "harbor run failed:\n{}\n{}", r.stdout, r.stderr);
    r
}

/// Every table of a run, read back: table name → batches (one per file, in manifest order).
pub fn read_tables(run_dir: &Path) -> BTreeMap<String, Vec<(String, RecordBatch)>> {
    let manifest = Manifest::load(run_dir).unwrap();
    let mut out = BTreeMap::new();
    for t in &manifest.tables {
        let mut batches = Vec::new();
        for f in &t.files {
            let reader = ParquetRecordBatchReaderBuilder::try_new(
                File::open(run_dir.join(&f.path)).unwrap(),
            )
            .unwrap()
            .build()
            .unwrap();
            let parts: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
            let schema = parts.first().map(|b| b.schema()).unwrap();
            batches.push((
                f.path.clone(),
                arrow::compute::concat_batches(&schema, &parts).unwrap(),
            ));
        }
        out.insert(t.name.clone(), batches);
    }
    out
}

/// Cell as text, for comparisons: arrow's display form.
pub fn cell(batch: &RecordBatch, column: &str, row: usize) -> Option<String> {
    let col = batch
        .column_by_name(column)
        .unwrap_or_else(|| panic!("no column {column}"));
    if col.is_null(row) {
        return None;
    }
    Some(arrow::util::display::array_value_to_string(col, row).unwrap())
}

/// Table file checksums from a run's manifest, keyed by relative path.
pub fn table_checksums(run_dir: &Path) -> BTreeMap<String, String> {
    let m = Manifest::load(run_dir).unwrap();
    m.tables
        .iter()
        .flat_map(|t| t.files.iter())
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect()
}

/// Rows of a query against the synthetic SQLite database, as text cells.
pub fn sqlite_rows(db: &Path, query: &str) -> Vec<Vec<Option<String>>> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::{Row, ValueRef};
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let rows = sqlx::query(query).fetch_all(&pool).await.unwrap();
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        if r.try_get_raw(i).unwrap().is_null() {
                            None
                        } else {
                            Some(
                                r.try_get::<String, _>(i)
                                    .or_else(|_| r.try_get::<i64, _>(i).map(|v| v.to_string()))
                                    .or_else(|_| r.try_get::<f64, _>(i).map(|v| v.to_string()))
                                    .unwrap(),
                            )
                        }
                    })
                    .collect()
            })
            .collect()
    })
}

/// Executes statements against the synthetic SQLite database (tests that add rows).
pub fn sqlite_exec(db: &Path, statements: &[&str]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Executor;
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", db.display()))
            .await
            .unwrap();
        for s in statements {
            pool.execute(*s).await.unwrap();
        }
    })
}

/// For tests that need a server: the URL from the environment, or a `skipped:` line (a failure
/// under CI=true, where the servers must be there).
pub fn server_url(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{test}: {var} is not set, and CI=true requires server tests to run");
            }
            println!("skipped: {test}: set {var} to run it");
            None
        }
    }
}

/// Fails with the whole text shown, so a wrong message is readable in the test log.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}

/// What a directory holds besides the pipeline's lock file (which is not output).
pub fn entries_besides_lock(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n != ".harbor.lock")
                .collect()
        })
        .unwrap_or_default()
}

/// Runs harbor with `stdin` read from a file (large inputs are not held in the test).
pub fn harbor_with_stdin_file(args: &[&str], stdin: &Path, env: &[(&str, &str)]) -> RunResult {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_harbor"));
    cmd.args(args)
        .stdin(std::fs::File::open(stdin).expect("open stdin file"));
    run_command(cmd, env)
}

/// A file or folder of `../shared/data`, or `None` (after a `skipped:` line) where this
/// checkout has none.
pub fn shared_data(rel: &str, test: &str) -> Option<PathBuf> {
    let path = repo_root().join("../shared/data").join(rel);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {test}: {} is missing", path.display());
        None
    }
}
