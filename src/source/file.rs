//! File sources: CSV (with a header row), Parquet and NDJSON, by path or glob. DataFusion reads
//! them as listing tables, streaming file by file.

use std::path::{Path, PathBuf};

use arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::{CsvReadOptions, NdJsonReadOptions, ParquetReadOptions, SessionContext};

use crate::config::SourceKind;
use crate::error::{sanitize, source_err};

/// The absolute form of a path or glob from the spec, and the files it matches now.
pub fn expand(base_dir: &Path, pattern: &str) -> anyhow::Result<(String, Vec<PathBuf>)> {
    let joined = crate::config::resolve_path(base_dir, Path::new(pattern));
    let absolute = if joined.is_absolute() {
        joined
    } else {
        std::env::current_dir()?.join(joined)
    };
    let text = absolute.to_string_lossy().into_owned();
    let files: Vec<PathBuf> = glob::glob(&text)
        .map_err(|e| source_err(format!("bad glob {pattern:?}: {e}")))?
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .collect();
    Ok((text, files))
}

/// Registers one file table. The extension filter follows the pattern's own extension, so
/// `notes/*.jsonl` and `export.txt` work as well as `*.csv`.
pub async fn register(
    ctx: &SessionContext,
    kind: SourceKind,
    table: &str,
    base_dir: &Path,
    pattern: &str,
) -> anyhow::Result<()> {
    let (path, files) = expand(base_dir, pattern)?;
    if files.is_empty() {
        return Err(source_err(format!(
            "table {table}: no files match {pattern:?}"
        )));
    }
    let ext = Path::new(pattern)
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .filter(|e| !e.contains('*'))
        .unwrap_or_default();
    let fail = |e: datafusion::error::DataFusionError| {
        source_err(format!(
            "table {table}: cannot read {pattern:?}: {}",
            sanitize(&e.to_string())
        ))
    };
    match kind {
        SourceKind::Csv => {
            let options = CsvReadOptions::new()
                .has_header(true)
                .file_extension(&ext)
                .schema_infer_max_records(10_000);
            ctx.register_csv(table, &path, options.clone())
                .await
                .map_err(fail)?;
            // Dates inferred from CSV text would fail the whole read on one bad value; as text
            // they reach the policy's date parser, which quarantines the row instead.
            let inferred = ctx.table_provider(table).await.map_err(fail)?.schema();
            let as_text = Schema::new(
                inferred
                    .fields()
                    .iter()
                    .map(|f| match f.data_type() {
                        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _) => {
                            Field::new(f.name(), DataType::Utf8, true)
                        }
                        _ => f.as_ref().clone(),
                    })
                    .collect::<Vec<_>>(),
            );
            ctx.deregister_table(table).map_err(fail)?;
            ctx.register_csv(table, &path, options.schema(&as_text))
                .await
                .map_err(fail)?
        }
        SourceKind::Parquet => ctx
            .register_parquet(table, &path, ParquetReadOptions::new().file_extension(&ext))
            .await
            .map_err(fail)?,
        SourceKind::Ndjson => ctx
            .register_json(
                table,
                &path,
                NdJsonReadOptions::default()
                    .file_extension(&ext)
                    .schema_infer_max_records(10_000),
            )
            .await
            .map_err(fail)?,
        other => unreachable!("{other:?} is not a file source"),
    }
    Ok(())
}
