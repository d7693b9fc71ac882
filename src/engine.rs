//! `harbor run`: sources → DataFusion → de-identification → sharded Parquet, written into a
//! run directory that appears only when complete.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::streaming::StreamingTable;
use datafusion::error::DataFusionError;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::logical_expr::{ident, Expr, ScalarUDF};
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;

use crate::config::{Action, ColumnPolicy, PipelineSpec, Policy};
use crate::deid::udf::{
    check_input_type, ColumnUdf, DeidContext, PatientOrderUdf, RowCheck, RowFilterUdf, RowHashUdf,
};
use crate::deid::{ColumnStats, Keyed, TableStats};
use crate::error::{config_err, data_err, policy_err, sanitize, source_err, HarborError};
use crate::report::{
    treatment_of, ColumnReport, DeidReport, SourceQuarantine, SourceReport, TableReport,
    REPORT_JSON, REPORT_MD,
};
use crate::sink::manifest::{
    columns_of, FileEntry, HashedFile, Manifest, TableEntry, Tool, WatermarkEntry, MANIFEST_FILE,
    MANIFEST_FORMAT,
};
use crate::sink::parquet::{ShardedWriter, ORDER_COLUMN, ROW_HASH_COLUMN};
use crate::source::sql::{self, SqlTableStream};
use crate::source::{file, SourceTableStats};
use crate::state::{PipelineState, Watermark};

/// How a run chooses which source rows to read.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Ignore stored watermarks and read everything.
    pub full: bool,
    /// Read rows with a watermark above this value instead of the stored one.
    pub since: Option<String>,
    /// Write under this directory instead of the spec's `output_dir`.
    pub output_dir: Option<PathBuf>,
}

#[derive(Debug)]
pub enum RunOutcome {
    Written {
        run_dir: PathBuf,
        report_md: PathBuf,
        rows_written: u64,
        rows_quarantined: u64,
    },
    /// Every source is incremental and none had new rows: nothing was written.
    NoNewData,
}

struct SourceTableInfo {
    name: String,
    /// The path or glob of a file table, for error messages.
    files: Option<String>,
    watermark: Option<WatermarkTracking>,
    stats: Option<Arc<SourceTableStats>>,
}

struct WatermarkTracking {
    column: String,
    previous: Option<Watermark>,
    max_seen: Arc<Mutex<Option<Watermark>>>,
}

pub async fn run(spec_path: &Path, opts: &RunOptions) -> anyhow::Result<RunOutcome> {
    let started = chrono::Utc::now();
    let spec = PipelineSpec::load(spec_path)?;
    let policy = Policy::load(&spec.resolve(&spec.pipeline.policy))?;
    let key = spec.pipeline.key.resolve("pipeline.key", &spec.base_dir)?;
    let keyed = Keyed::new(key.expose().as_bytes())?;
    let output_dir = opts
        .output_dir
        .clone()
        .unwrap_or_else(|| spec.resolve(&spec.pipeline.output_dir));
    std::fs::create_dir_all(&output_dir).map_err(|e| {
        config_err(format!(
            "cannot create output directory {}: {e}",
            output_dir.display()
        ))
    })?;
    // Held until this function returns: a second run of the same pipeline (an overlapping cron
    // job) would read the same watermarks and write the same rows again.
    let _lock = lock_output_dir(&output_dir)?;
    remove_unfinished_runs(&output_dir)?;
    let state = PipelineState::load(&output_dir)?;

    let ctx = session(&spec)?;
    let sources = register_sources(&ctx, &spec, &state, opts).await?;
    for t in &spec.transforms {
        let df = ctx
            .sql(&t.sql)
            .await
            .map_err(|e| config_err(format!("transform {}: {e}", t.name)))?;
        ctx.register_table(t.name.as_str(), df.into_view())?;
    }

    // Every output column must have a policy before a single row is read.
    let mut plans = Vec::new();
    let mut problems = Vec::new();
    for out in &spec.outputs {
        let df = ctx.table(out.table.as_str()).await?;
        let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
        match plan_table(&out.table, &schema, &policy, &mut problems) {
            Some(p) => plans.push((p, df)),
            None => continue,
        }
    }
    if !problems.is_empty() {
        return Err(policy_err(format!(
            "the policy {} does not cover the output:\n  {}",
            policy.path.display(),
            problems.join("\n  ")
        )));
    }

    let run_id = started.format("%Y%m%dT%H%M%S%6fZ").to_string();
    let tmp_dir = output_dir.join(format!(".tmp-{run_id}"));
    let run_dir = output_dir.join(&run_id);
    std::fs::create_dir_all(&tmp_dir)?;
    let result = write_run(
        &spec, &policy, &keyed, plans, &sources, &tmp_dir, &run_id, started, opts, &key,
    )
    .await;
    let (manifest, report) = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp_dir);
            return Err(e);
        }
    };

    let all_incremental = !sources.is_empty() && sources.iter().all(|s| s.watermark.is_some());
    let rows_read: u64 = sources
        .iter()
        .filter_map(|s| s.stats.as_ref().map(|st| st.rows_read()))
        .sum();
    if all_incremental && rows_read == 0 {
        std::fs::remove_dir_all(&tmp_dir)?;
        return Ok(RunOutcome::NoNewData);
    }

    std::fs::rename(&tmp_dir, &run_dir)?;
    let mut new_state = state.clone();
    new_state.last_run_id = Some(run_id.clone());
    for (table, w) in &manifest.watermarks {
        if let Some(cur) = &w.current {
            new_state.watermarks.insert(table.clone(), cur.clone());
        }
    }
    new_state.save(&output_dir)?;
    Ok(RunOutcome::Written {
        report_md: run_dir.join(REPORT_MD),
        run_dir,
        rows_written: manifest.tables.iter().map(|t| t.rows).sum(),
        rows_quarantined: report.total_quarantined(),
    })
}

fn session(spec: &PipelineSpec) -> anyhow::Result<SessionContext> {
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(FairSpillPool::new(
            spec.pipeline.memory_limit_mb * 1024 * 1024,
        )))
        .build_arc()?;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let config = SessionConfig::new()
        .with_target_partitions(threads)
        .with_batch_size(spec.pipeline.batch_rows);
    Ok(SessionContext::new_with_config_rt(config, runtime))
}

async fn register_sources(
    ctx: &SessionContext,
    spec: &PipelineSpec,
    state: &PipelineState,
    opts: &RunOptions,
) -> anyhow::Result<Vec<SourceTableInfo>> {
    let mut out = Vec::new();
    for source in &spec.sources {
        if !source.kind.is_sql() {
            for t in &source.tables {
                file::register(
                    ctx,
                    source.kind,
                    &t.name,
                    &spec.base_dir,
                    t.path.as_deref().unwrap(),
                )
                .await?;
                out.push(SourceTableInfo {
                    name: t.name.clone(),
                    files: t.path.clone(),
                    watermark: None,
                    stats: None,
                });
            }
            continue;
        }
        let url = match (&source.url, &source.path) {
            (Some(url), _) => url
                .resolve(&format!("source {}.url", source.name), &spec.base_dir)?
                .expose()
                .to_string(),
            (None, Some(path)) => {
                let p = spec.resolve(path);
                if !p.is_file() {
                    return Err(source_err(format!(
                        "source {}: SQLite database {} does not exist",
                        source.name,
                        p.display()
                    )));
                }
                format!("sqlite://{}", p.display())
            }
            (None, None) => unreachable!("validated"),
        };
        let pool = sql::connect(source.kind, &url, &source.name).await?;
        for t in &source.tables {
            let base = t
                .query
                .clone()
                .unwrap_or_else(|| format!("SELECT * FROM {}", t.name));
            let previous = t.watermark.as_ref().and_then(|_| {
                if opts.full {
                    None
                } else if let Some(s) = &opts.since {
                    Some(Watermark::parse_cli(s))
                } else {
                    state.watermarks.get(&t.name).cloned()
                }
            });
            let query = match (&t.watermark, &previous) {
                (Some(col), Some(w)) => format!(
                    "SELECT * FROM ({base}) harbor_src WHERE {col} > {}",
                    w.sql_literal()
                ),
                _ => base,
            };
            let columns = sql::describe(&pool, &query, &t.name, t.decimal_scale).await?;
            let stats = Arc::new(SourceTableStats::default());
            let mut tracking = None;
            let mut wm_index = None;
            if let Some(col) = &t.watermark {
                let idx = columns.iter().position(|(n, _)| n == col).ok_or_else(|| {
                    config_err(format!(
                        "table {}: watermark column {col} is not in the query's result",
                        t.name
                    ))
                })?;
                let max_seen = Arc::new(Mutex::new(None));
                wm_index = Some((idx, max_seen.clone()));
                tracking = Some(WatermarkTracking {
                    column: col.clone(),
                    previous: previous.clone(),
                    max_seen,
                });
            }
            let schema = sql::schema_of(&columns);
            let stream = SqlTableStream {
                pool: pool.clone(),
                table: t.name.clone(),
                query,
                schema: schema.clone(),
                kinds: columns.iter().map(|(_, k)| *k).collect(),
                batch_rows: spec.pipeline.batch_rows,
                watermark: wm_index,
                stats: stats.clone(),
            };
            let table = StreamingTable::try_new(schema, vec![Arc::new(stream)])?;
            ctx.register_table(t.name.as_str(), Arc::new(table))?;
            out.push(SourceTableInfo {
                name: t.name.clone(),
                files: None,
                watermark: tracking,
                stats: Some(stats),
            });
        }
    }
    Ok(out)
}

/// One output table's de-identification plan.
struct TablePlan {
    table: String,
    patient_id: Option<String>,
    /// Kept columns in output order with their policies.
    columns: Vec<(String, ColumnPolicy, DataType)>,
    dropped: Vec<String>,
    checks: Vec<(String, RowCheck)>,
}

/// Checks the policy against a table's schema; problems are collected so one error lists them
/// all.
fn plan_table(
    table: &str,
    schema: &Schema,
    policy: &Policy,
    problems: &mut Vec<String>,
) -> Option<TablePlan> {
    let Some(tp) = policy.tables.get(table) else {
        for f in schema.fields() {
            problems.push(format!(
                "{table}.{}: no policy (the table has none)",
                f.name()
            ));
        }
        return None;
    };
    let before = problems.len();
    let names: BTreeSet<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    for c in tp.columns.keys() {
        if !names.contains(c.as_str()) {
            problems.push(format!(
                "{table}.{c}: the policy names a column the table does not have"
            ));
        }
    }
    let mut plan = TablePlan {
        table: table.to_string(),
        patient_id: tp.patient_id.clone(),
        columns: Vec::new(),
        dropped: Vec::new(),
        checks: Vec::new(),
    };
    if let Some(pid) = &tp.patient_id {
        plan.checks.push((pid.clone(), RowCheck::PatientPresent));
    }
    for f in schema.fields() {
        let name = f.name();
        let Some(cp) = tp.columns.get(name) else {
            problems.push(format!("{table}.{name}: no policy"));
            continue;
        };
        if let Err(msg) = check_input_type(cp.action, f.data_type()) {
            problems.push(format!("{table}.{name}: {msg}"));
            continue;
        }
        let text = matches!(
            f.data_type(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        );
        match cp.action {
            Action::Drop => {
                plan.dropped.push(name.clone());
                continue;
            }
            Action::DateShift | Action::DateYear if text => {
                plan.checks.push((name.clone(), RowCheck::TextDate))
            }
            Action::Age if text => plan.checks.push((name.clone(), RowCheck::TextInteger)),
            _ => {}
        }
        plan.columns
            .push((name.clone(), cp.clone(), f.data_type().clone()));
    }
    (problems.len() == before).then_some(plan)
}

#[allow(clippy::too_many_arguments)]
async fn write_run(
    spec: &PipelineSpec,
    policy: &Policy,
    keyed: &Keyed,
    plans: Vec<(TablePlan, datafusion::dataframe::DataFrame)>,
    sources: &[SourceTableInfo],
    dir: &Path,
    run_id: &str,
    started: chrono::DateTime<chrono::Utc>,
    opts: &RunOptions,
    key: &crate::config::SecretValue,
) -> anyhow::Result<(Manifest, DeidReport)> {
    let deid_ctx = Arc::new(
        DeidContext::new(
            keyed.clone(),
            policy.policy.date_shift,
            policy.policy.reference_date,
        )
        .with_text(policy.policy.text),
    );
    let mut tables = Vec::new();
    let mut table_reports = Vec::new();
    for (plan, df) in plans {
        let files = sources
            .iter()
            .find(|s| s.name == plan.table)
            .and_then(|s| s.files.as_deref());
        let (entry, report) = write_table(spec, &deid_ctx, plan, df, dir, files).await?;
        tables.push(entry);
        table_reports.push(report);
    }

    let mut source_quarantine = Vec::new();
    let mut source_reports = Vec::new();
    let mut watermarks = BTreeMap::new();
    for s in sources {
        source_reports.push(SourceReport {
            table: s.name.clone(),
            rows_read: s.stats.as_ref().map(|st| st.rows_read()),
        });
        if let Some(st) = &s.stats {
            for ((column, reason), rows) in st.quarantined() {
                source_quarantine.push(SourceQuarantine {
                    table: s.name.clone(),
                    column,
                    reason,
                    rows,
                });
            }
        }
        if let Some(w) = &s.watermark {
            let seen = w.max_seen.lock().unwrap().clone();
            let current = match (&seen, &w.previous) {
                (Some(a), Some(b)) => Some(a.max(b).clone()),
                (a, b) => a.clone().or(b.clone()),
            };
            watermarks.insert(
                s.name.clone(),
                WatermarkEntry {
                    column: w.column.clone(),
                    previous: w.previous.clone(),
                    current,
                    rows_read: s.stats.as_ref().map_or(0, |st| st.rows_read()),
                },
            );
        }
    }

    let uses_shift = policy
        .tables
        .values()
        .flat_map(|t| t.columns.values())
        .any(|c| c.action == Action::DateShift);
    let uses_year = policy
        .tables
        .values()
        .flat_map(|t| t.columns.values())
        .any(|c| c.action == Action::DateYear);
    let date_method = match (uses_shift, uses_year) {
        (true, true) => "per-patient date shift and year-only dates (see each column)".to_string(),
        (true, false) => format!(
            "per-patient date shift of {} to {} days (expert-determination practice; intervals kept)",
            policy.policy.date_shift.min_days, policy.policy.date_shift.max_days
        ),
        (false, true) => "year only (strict Safe Harbor)".to_string(),
        (false, false) => "no date columns".to_string(),
    };
    let report = DeidReport {
        run_id: run_id.to_string(),
        pipeline: spec.pipeline.name.clone(),
        policy_name: policy.policy.name.clone(),
        policy_sha256: policy.sha256.clone(),
        key_fingerprint: key.fingerprint(),
        date_method,
        reference_date: policy.policy.reference_date.map(|d| d.to_string()),
        sources: source_reports,
        source_quarantine,
        tables: table_reports,
    };
    let mut files = Vec::new();
    for (name, bytes) in [
        (REPORT_JSON, serde_json::to_vec_pretty(&report)?),
        (REPORT_MD, report.to_markdown().into_bytes()),
    ] {
        std::fs::write(dir.join(name), &bytes)?;
        files.push(FileEntry {
            path: name.to_string(),
            rows: None,
            bytes: bytes.len() as u64,
            sha256: crate::sink::sha256_hex(&bytes),
            shard: None,
        });
    }
    let extract = if opts.full {
        "full"
    } else if opts.since.is_some() {
        "since"
    } else {
        "incremental"
    };
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_string(),
        run_id: run_id.to_string(),
        pipeline: spec.pipeline.name.clone(),
        tool: Tool {
            name: "harbor".into(),
            version: crate::VERSION.into(),
            git_commit: crate::GIT_COMMIT.into(),
        },
        started_at: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        finished_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        spec: HashedFile {
            path: spec.path.display().to_string(),
            sha256: spec.sha256.clone(),
        },
        policy: HashedFile {
            path: policy.path.display().to_string(),
            sha256: policy.sha256.clone(),
        },
        key_fingerprint: key.fingerprint(),
        text_mode: policy.policy.text.mode,
        extract: extract.to_string(),
        watermarks,
        tables,
        files,
    };
    std::fs::write(
        dir.join(MANIFEST_FILE),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    Ok((manifest, report))
}

async fn write_table(
    spec: &PipelineSpec,
    deid_ctx: &Arc<DeidContext>,
    plan: TablePlan,
    df: datafusion::dataframe::DataFrame,
    dir: &Path,
    files: Option<&str>,
) -> anyhow::Result<(TableEntry, TableReport)> {
    let table = &plan.table;
    let where_ = match files {
        Some(f) => format!("{table} (files {f:?})"),
        None => table.clone(),
    };
    let table_stats = Arc::new(TableStats::default());
    let mut df = df;
    if !plan.checks.is_empty() {
        let filter = RowFilterUdf::new(
            format!("harbor_rows_ok__{table}"),
            plan.checks.clone(),
            table_stats.clone(),
        );
        let args = plan.checks.iter().map(|(c, _)| ident(c)).collect();
        df = df.filter(ScalarUDF::new_from_impl(filter).call(args))?;
    }
    let mut select: Vec<Expr> = Vec::new();
    let mut column_stats = Vec::new();
    let mut fields = Vec::new();
    for (name, cp, dt) in &plan.columns {
        let stats = Arc::new(ColumnStats::default());
        let kind = cp.kind.clone().unwrap_or_else(|| name.clone());
        let udf = ColumnUdf::new(
            format!("harbor_{}__{table}__{name}", cp.action.as_str()),
            cp.clone(),
            kind,
            deid_ctx.clone(),
            stats.clone(),
        );
        let mut args = vec![ident(name)];
        if cp.action == Action::DateShift {
            args.push(ident(plan.patient_id.as_ref().expect("validated")));
        }
        let udf = match (&plan.patient_id, cp.action) {
            (Some(pid), Action::ScrubText) => {
                args.push(ident(pid));
                udf.with_patient()
            }
            _ => udf,
        };
        select.push(ScalarUDF::new_from_impl(udf).call(args).alias(name));
        fields.push(Field::new(
            name,
            crate::deid::udf::output_type(cp.action, dt),
            true,
        ));
        column_stats.push((name.clone(), cp.clone(), stats));
    }
    let shards = spec.pipeline.shards;
    let order_expr = match &plan.patient_id {
        Some(pid) => {
            let kind = plan
                .columns
                .iter()
                .find(|(n, _, _)| n == pid)
                .and_then(|(_, cp, _)| cp.kind.clone())
                .unwrap_or_else(|| pid.clone());
            ScalarUDF::new_from_impl(PatientOrderUdf::new(
                format!("harbor_patient_order__{table}"),
                kind,
                shards,
                deid_ctx.keyed.clone(),
            ))
            .call(vec![ident(pid)])
        }
        None => datafusion::prelude::lit(0u64),
    };
    select.push(order_expr.alias(ORDER_COLUMN));
    let raw_kept: Vec<Expr> = plan.columns.iter().map(|(n, _, _)| ident(n)).collect();
    let row_hash = if raw_kept.is_empty() {
        datafusion::prelude::lit(0u64)
    } else {
        ScalarUDF::new_from_impl(RowHashUdf::new(format!("harbor_row_hash__{table}")))
            .call(raw_kept)
    };
    select.push(row_hash.alias(ROW_HASH_COLUMN));
    let df = df.select(select)?;

    let schema = Arc::new(Schema::new(fields));
    let (files, rows_written) = write_shards(df, table, &where_, &schema, dir, spec).await?;

    let mut columns: Vec<ColumnReport> = column_stats
        .into_iter()
        .map(|(name, cp, stats)| ColumnReport {
            name,
            action: cp.action.as_str().to_string(),
            treatment: treatment_of(cp.action).to_string(),
            pseudonym_kind: (cp.action == Action::Pseudonym)
                .then(|| cp.kind.clone().unwrap_or_default())
                .filter(|k| !k.is_empty()),
            counts: stats.snapshot(),
        })
        .collect();
    for name in &plan.dropped {
        columns.push(ColumnReport {
            name: name.clone(),
            action: "drop".into(),
            treatment: treatment_of(Action::Drop).into(),
            pseudonym_kind: None,
            counts: Default::default(),
        });
    }
    let rows_in = if plan.checks.is_empty() {
        rows_written
    } else {
        table_stats
            .rows_read
            .load(std::sync::atomic::Ordering::Relaxed)
    };
    let report = TableReport {
        name: table.clone(),
        patient_id: plan.patient_id.clone(),
        rows_in,
        rows_written,
        quarantined: table_stats.quarantine_counts(),
        columns,
    };
    let entry = TableEntry {
        name: table.clone(),
        rows: rows_written,
        shards,
        schema: columns_of(&schema),
        files,
    };
    Ok((entry, report))
}

/// An error while executing a table's plan. A `HarborError` raised inside a source keeps its
/// kind; anything else is sanitized, since arrow and the drivers quote offending values.
fn execution_error(table: &str, e: DataFusionError) -> anyhow::Error {
    if let DataFusionError::External(inner) = e.find_root() {
        if let Some(h) = inner.downcast_ref::<HarborError>() {
            return HarborError::new(h.kind, h.message.clone()).into();
        }
    }
    data_err(format!(
        "table {table}: reading or de-identifying failed: {}",
        sanitize(&e.to_string())
    ))
}

/// A one-line row counter on stderr, only when stderr is a terminal (never in cron or CI logs).
/// It prints counts and table names only.
struct Progress {
    table: String,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    fn start(table: &str, rows: Arc<std::sync::atomic::AtomicU64>) -> Self {
        use std::io::IsTerminal;
        let ticker = std::io::stderr().is_terminal().then(|| {
            let table = table.to_string();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    let n = rows.load(std::sync::atomic::Ordering::Relaxed);
                    eprint!("\r{table}: {n} rows de-identified");
                }
            })
        });
        Self {
            table: table.to_string(),
            ticker,
        }
    }

    fn finish(self, rows: u64) {
        if let Some(t) = self.ticker {
            t.abort();
            eprintln!("\r{}: {rows} rows de-identified", self.table);
        }
    }
}

/// Runs a table's de-identification plan and writes its shards in parallel.
///
/// Rows are hash-partitioned on their shard number, so each shard lies wholly in one
/// partition; each partition is sorted by patient order and row hash and written by a writer
/// of its own. Which partition a shard lands in does not matter: its file holds the same rows
/// in the same order either way, so reruns are byte-identical whatever order the source
/// returned rows in.
async fn write_shards(
    df: datafusion::dataframe::DataFrame,
    table: &str,
    where_: &str,
    schema: &SchemaRef,
    dir: &Path,
    spec: &PipelineSpec,
) -> anyhow::Result<(Vec<FileEntry>, u64)> {
    use arrow::compute::SortOptions;
    use datafusion::physical_expr::expressions::col;
    use datafusion::physical_expr::{LexOrdering, PhysicalSortExpr};
    use datafusion::physical_plan::repartition::RepartitionExec;
    use datafusion::physical_plan::sorts::sort::SortExec;
    use datafusion::physical_plan::{ExecutionPlan, Partitioning};

    let fail = |e: DataFusionError| execution_error(where_, e);
    let df_schema = df.schema().clone();
    let (state, logical) = df.into_parts();
    let partitions = state.config().target_partitions().max(1);
    let plan = state.create_physical_plan(&logical).await.map_err(fail)?;
    let shard = state
        .create_physical_expr(
            ident(ORDER_COLUMN) / datafusion::prelude::lit(1u64 << 48),
            &df_schema,
        )
        .map_err(fail)?;
    let plan = Arc::new(
        RepartitionExec::try_new(plan, Partitioning::Hash(vec![shard], partitions))
            .map_err(fail)?,
    );
    let plan_schema = plan.schema();
    let ascending = SortOptions {
        descending: false,
        nulls_first: true,
    };
    let ordering = LexOrdering::new([
        PhysicalSortExpr::new(col(ORDER_COLUMN, &plan_schema).map_err(fail)?, ascending),
        PhysicalSortExpr::new(col(ROW_HASH_COLUMN, &plan_schema).map_err(fail)?, ascending),
    ])
    .expect("two sort keys");
    let plan = Arc::new(SortExec::new(ordering, plan).with_preserve_partitioning(true));

    let task_ctx = state.task_ctx();
    let rows = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut writers = Vec::with_capacity(partitions);
    for p in 0..partitions {
        let mut stream = plan.execute(p, task_ctx.clone()).map_err(fail)?;
        let mut writer =
            ShardedWriter::new(dir, table, schema.clone(), spec.pipeline.max_file_bytes);
        let rows = rows.clone();
        let where_ = where_.to_string();
        writers.push(tokio::spawn(async move {
            while let Some(batch) = stream.next().await {
                let batch = batch.map_err(|e| execution_error(&where_, e))?;
                rows.fetch_add(
                    batch.num_rows() as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                writer.write(&batch)?;
            }
            writer.finish()
        }));
    }
    let progress = Progress::start(table, rows.clone());
    let mut files = Vec::new();
    let mut first_error = None;
    for w in writers {
        match w.await {
            Ok(Ok(f)) => files.extend(f),
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(join) => {
                first_error.get_or_insert(anyhow::anyhow!(
                    "table {table}: a writer task failed: {join}"
                ));
            }
        }
    }
    let rows_written = rows.load(std::sync::atomic::Ordering::Relaxed);
    progress.finish(rows_written);
    if let Some(e) = first_error {
        return Err(e);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, rows_written))
}

/// An advisory lock on `<output_dir>/.harbor.lock`; the kernel releases it when the process
/// ends, so a crashed run leaves no stale lock behind.
fn lock_output_dir(output_dir: &Path) -> anyhow::Result<std::fs::File> {
    let path = output_dir.join(".harbor.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(HarborError::new(
            crate::error::ErrorKind::Busy,
            format!(
                "another run of this pipeline is writing to {}; try again when it ends",
                output_dir.display()
            ),
        )
        .into()),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Removes `.tmp-*` directories: with the lock held, any that exist were left by a run that
/// died before finishing. They hold de-identified data only, but must not be mistaken for runs.
fn remove_unfinished_runs(output_dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(output_dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(".tmp-") && entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}
