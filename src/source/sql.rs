//! SQL sources through sqlx: SQLite (the embedded default), MySQL/MariaDB and PostgreSQL.
//! Rows stream out of the database into Arrow batches of `batch_rows`; a row whose cell does
//! not fit its declared column type is quarantined and counted, never passed on half-read.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use arrow::array::RecordBatch;
use arrow::datatypes::{Field, Schema, SchemaRef};
use datafusion::error::DataFusionError;
use datafusion::execution::TaskContext;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::physical_plan::SendableRecordBatchStream;
use futures::StreamExt;
use sqlx::mysql::{MySqlPoolOptions, MySqlRow};
use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteRow};
use sqlx::{Column, Executor, Row, TypeInfo, ValueRef};

use super::cell::{Cell, ColumnBuilder, ColumnKind};
use super::SourceTableStats;
use crate::config::SourceKind;
use crate::error::{sanitize, source_err, HarborError};
use crate::state::Watermark;

#[derive(Clone, Debug)]
pub enum SqlPool {
    Sqlite(sqlx::SqlitePool),
    MySql(sqlx::MySqlPool),
    Postgres(sqlx::PgPool),
}

/// Connects, with a short timeout; the error names the source, never the URL (it may hold a
/// password).
pub async fn connect(kind: SourceKind, url: &str, source: &str) -> anyhow::Result<SqlPool> {
    let timeout = Duration::from_secs(10);
    let fail = |e: sqlx::Error| {
        source_err(format!(
            "source {source}: cannot connect to the {kind:?} database: {}",
            sanitize(&e.to_string())
        ))
    };
    Ok(match kind {
        SourceKind::Sqlite => {
            let opts: SqliteConnectOptions = url.parse().map_err(fail)?;
            let opts = opts.read_only(true).create_if_missing(false);
            SqlPool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(timeout)
                    .connect_with(opts)
                    .await
                    .map_err(fail)?,
            )
        }
        SourceKind::Mysql => SqlPool::MySql(
            MySqlPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(timeout)
                .connect(url)
                .await
                .map_err(fail)?,
        ),
        SourceKind::Postgres => SqlPool::Postgres(
            PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(timeout)
                .connect(url)
                .await
                .map_err(fail)?,
        ),
        other => unreachable!("{other:?} is not a SQL source"),
    })
}

/// Maps a driver's type name onto an Arrow column kind. Types we cannot map exactly are an
/// error that tells the user to cast them in the query.
pub fn column_kind(
    pool: &SqlPool,
    type_name: &str,
    decimal_scale: i8,
) -> Result<ColumnKind, String> {
    let t = type_name.to_ascii_uppercase();
    let k = match pool {
        SqlPool::Sqlite(_) => match t.as_str() {
            "INTEGER" | "INT" | "BIGINT" | "INT8" => ColumnKind::Int64,
            "REAL" | "FLOAT" | "DOUBLE" | "NUMERIC" => ColumnKind::Float64,
            "BOOLEAN" => ColumnKind::Bool,
            "DATE" => ColumnKind::Date,
            "DATETIME" | "TIMESTAMP" => ColumnKind::Timestamp,
            "TIME" => ColumnKind::Time,
            "BLOB" => ColumnKind::Binary,
            // SQLite is dynamically typed: an expression without a declared type is read as text.
            "TEXT" | "NULL" | "" => ColumnKind::Text,
            _ => return Err(format!("SQLite type {type_name}")),
        },
        SqlPool::MySql(_) => match t.as_str() {
            "BOOLEAN" => ColumnKind::Bool,
            "TINYINT" => ColumnKind::Int8,
            "SMALLINT" => ColumnKind::Int16,
            "MEDIUMINT" | "INT" => ColumnKind::Int32,
            "BIGINT" => ColumnKind::Int64,
            "TINYINT UNSIGNED" => ColumnKind::UInt8,
            "SMALLINT UNSIGNED" => ColumnKind::UInt16,
            "MEDIUMINT UNSIGNED" | "INT UNSIGNED" => ColumnKind::UInt32,
            "BIGINT UNSIGNED" => ColumnKind::UInt64,
            "FLOAT" => ColumnKind::Float32,
            "DOUBLE" => ColumnKind::Float64,
            "DECIMAL" => ColumnKind::Decimal(decimal_scale),
            "CHAR" | "VARCHAR" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "ENUM"
            | "SET" => ColumnKind::Text,
            "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
                ColumnKind::Binary
            }
            "DATE" => ColumnKind::Date,
            "DATETIME" => ColumnKind::Timestamp,
            "TIMESTAMP" => ColumnKind::TimestampUtc,
            "TIME" => ColumnKind::Time,
            _ => return Err(format!("MySQL type {type_name}")),
        },
        SqlPool::Postgres(_) => match t.as_str() {
            "BOOL" => ColumnKind::Bool,
            "INT2" => ColumnKind::Int16,
            "INT4" => ColumnKind::Int32,
            "INT8" => ColumnKind::Int64,
            "FLOAT4" => ColumnKind::Float32,
            "FLOAT8" => ColumnKind::Float64,
            "NUMERIC" => ColumnKind::Decimal(decimal_scale),
            "TEXT" | "VARCHAR" | "BPCHAR" | "CHAR" | "NAME" => ColumnKind::Text,
            "\"CHAR\"" => ColumnKind::Int8,
            "BYTEA" => ColumnKind::Binary,
            "DATE" => ColumnKind::Date,
            "TIMESTAMP" => ColumnKind::Timestamp,
            "TIMESTAMPTZ" => ColumnKind::TimestampUtc,
            "TIME" => ColumnKind::Time,
            _ => return Err(format!("PostgreSQL type {type_name}")),
        },
    };
    Ok(k)
}

/// Column names and kinds of a query, from the database's own description of it: no row is
/// read.
pub async fn describe(
    pool: &SqlPool,
    query: &str,
    table: &str,
    decimal_scale: i8,
) -> anyhow::Result<Vec<(String, ColumnKind)>> {
    let fail = |e: sqlx::Error| {
        source_err(format!(
            "table {table}: the database rejected the query: {}",
            sanitize(&e.to_string())
        ))
    };
    let columns: Vec<(String, String)> = match pool {
        SqlPool::Sqlite(p) => p
            .describe(query)
            .await
            .map_err(fail)?
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.type_info().name().to_string()))
            .collect(),
        SqlPool::MySql(p) => p
            .describe(query)
            .await
            .map_err(fail)?
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.type_info().name().to_string()))
            .collect(),
        SqlPool::Postgres(p) => p
            .describe(query)
            .await
            .map_err(fail)?
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.type_info().name().to_string()))
            .collect(),
    };
    columns
        .into_iter()
        .map(|(name, ty)| {
            let kind = column_kind(pool, &ty, decimal_scale).map_err(|t| {
                source_err(format!(
                    "table {table}, column {name}: {t} has no exact Arrow mapping; cast it in the query (e.g. CAST({name} AS TEXT))"
                ))
            })?;
            Ok((name, kind))
        })
        .collect()
}

fn sqlite_cell(row: &SqliteRow, i: usize) -> Result<Cell, sqlx::Error> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    let storage = raw.type_info().name().to_string();
    Ok(match storage.as_str() {
        "INTEGER" => Cell::Int(row.try_get_unchecked::<i64, _>(i)?),
        "REAL" => Cell::Float(row.try_get_unchecked::<f64, _>(i)?),
        "BLOB" => Cell::Bytes(row.try_get_unchecked::<Vec<u8>, _>(i)?),
        _ => match row.try_get_unchecked::<String, _>(i) {
            Ok(s) => Cell::Text(s),
            Err(_) => Cell::Bytes(row.try_get_unchecked::<Vec<u8>, _>(i)?),
        },
    })
}

fn mysql_cell(row: &MySqlRow, i: usize, kind: ColumnKind) -> Result<Cell, sqlx::Error> {
    use ColumnKind as K;
    Ok(match kind {
        K::Bool => opt(row.try_get::<Option<bool>, _>(i)?, Cell::Bool),
        K::Int8 => opt(row.try_get::<Option<i8>, _>(i)?, |v| Cell::Int(v.into())),
        K::Int16 => opt(row.try_get::<Option<i16>, _>(i)?, |v| Cell::Int(v.into())),
        K::Int32 => opt(row.try_get::<Option<i32>, _>(i)?, |v| Cell::Int(v.into())),
        K::Int64 => opt(row.try_get::<Option<i64>, _>(i)?, Cell::Int),
        K::UInt8 | K::UInt16 | K::UInt32 | K::UInt64 => {
            opt(row.try_get::<Option<u64>, _>(i)?, Cell::UInt)
        }
        K::Float32 => opt(row.try_get::<Option<f32>, _>(i)?, |v| Cell::Float(v.into())),
        K::Float64 => opt(row.try_get::<Option<f64>, _>(i)?, Cell::Float),
        K::Decimal(_) => opt(row.try_get::<Option<rust_decimal::Decimal>, _>(i)?, |d| {
            Cell::Decimal(d.mantissa(), d.scale())
        }),
        K::Text => opt(row.try_get::<Option<String>, _>(i)?, Cell::Text),
        K::Binary => opt(row.try_get::<Option<Vec<u8>>, _>(i)?, Cell::Bytes),
        K::Date => opt(row.try_get::<Option<chrono::NaiveDate>, _>(i)?, Cell::Date),
        K::Timestamp => opt(
            row.try_get::<Option<chrono::NaiveDateTime>, _>(i)?,
            Cell::DateTime,
        ),
        K::TimestampUtc => opt(
            row.try_get::<Option<chrono::DateTime<chrono::Utc>>, _>(i)?,
            Cell::Instant,
        ),
        K::Time => opt(row.try_get::<Option<chrono::NaiveTime>, _>(i)?, Cell::Time),
    })
}

fn pg_cell(row: &PgRow, i: usize, kind: ColumnKind) -> Result<Cell, sqlx::Error> {
    use ColumnKind as K;
    Ok(match kind {
        K::Bool => opt(row.try_get::<Option<bool>, _>(i)?, Cell::Bool),
        K::Int8 => opt(row.try_get::<Option<i8>, _>(i)?, |v| Cell::Int(v.into())),
        K::Int16 => opt(row.try_get::<Option<i16>, _>(i)?, |v| Cell::Int(v.into())),
        K::Int32 => opt(row.try_get::<Option<i32>, _>(i)?, |v| Cell::Int(v.into())),
        K::Int64 => opt(row.try_get::<Option<i64>, _>(i)?, Cell::Int),
        K::Float32 => opt(row.try_get::<Option<f32>, _>(i)?, |v| Cell::Float(v.into())),
        K::Float64 => opt(row.try_get::<Option<f64>, _>(i)?, Cell::Float),
        K::Decimal(_) => opt(row.try_get::<Option<rust_decimal::Decimal>, _>(i)?, |d| {
            Cell::Decimal(d.mantissa(), d.scale())
        }),
        K::Text => opt(row.try_get::<Option<String>, _>(i)?, Cell::Text),
        K::Binary => opt(row.try_get::<Option<Vec<u8>>, _>(i)?, Cell::Bytes),
        K::Date => opt(row.try_get::<Option<chrono::NaiveDate>, _>(i)?, Cell::Date),
        K::Timestamp => opt(
            row.try_get::<Option<chrono::NaiveDateTime>, _>(i)?,
            Cell::DateTime,
        ),
        K::TimestampUtc => opt(
            row.try_get::<Option<chrono::DateTime<chrono::Utc>>, _>(i)?,
            Cell::Instant,
        ),
        K::Time => opt(row.try_get::<Option<chrono::NaiveTime>, _>(i)?, Cell::Time),
        K::UInt8 | K::UInt16 | K::UInt32 | K::UInt64 => {
            unreachable!("PostgreSQL has no unsigned types")
        }
    })
}

fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> Cell) -> Cell {
    v.map_or(Cell::Null, f)
}

/// One SQL table as a DataFusion partition stream: each execution runs the query and streams
/// its rows.
#[derive(Debug)]
pub struct SqlTableStream {
    pub pool: SqlPool,
    pub table: String,
    pub query: String,
    pub schema: SchemaRef,
    pub kinds: Vec<ColumnKind>,
    pub batch_rows: usize,
    /// Index of the watermark column and the largest value seen so far.
    pub watermark: Option<(usize, Arc<Mutex<Option<Watermark>>>)>,
    pub stats: Arc<SourceTableStats>,
}

pub fn schema_of(columns: &[(String, ColumnKind)]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|(n, k)| Field::new(n, k.arrow_type(), true))
            .collect::<Vec<_>>(),
    ))
}

impl PartitionStream for SqlTableStream {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let (tx, rx) = tokio::sync::mpsc::channel::<datafusion::error::Result<RecordBatch>>(2);
        let job = SqlJob {
            pool: self.pool.clone(),
            table: self.table.clone(),
            query: self.query.clone(),
            schema: self.schema.clone(),
            kinds: self.kinds.clone(),
            batch_rows: self.batch_rows,
            watermark: self.watermark.clone(),
            stats: self.stats.clone(),
        };
        tokio::spawn(async move {
            if let Err(e) = job.run(&tx).await {
                let _ = tx.send(Err(DataFusionError::External(Box::new(e)))).await;
            }
        });
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), stream))
    }
}

struct SqlJob {
    pool: SqlPool,
    table: String,
    query: String,
    schema: SchemaRef,
    kinds: Vec<ColumnKind>,
    batch_rows: usize,
    watermark: Option<(usize, Arc<Mutex<Option<Watermark>>>)>,
    stats: Arc<SourceTableStats>,
}

type BatchSender = tokio::sync::mpsc::Sender<datafusion::error::Result<RecordBatch>>;

impl SqlJob {
    async fn run(self, tx: &BatchSender) -> Result<(), HarborError> {
        let mut batch = BatchBuilder::new(&self);
        macro_rules! drain {
            ($pool:expr, $cell:expr) => {{
                let mut rows = sqlx::query(&self.query).fetch($pool);
                while let Some(row) = rows.next().await {
                    let row = row.map_err(|e| self.read_error(e, batch.row_number))?;
                    let cells = (0..self.kinds.len())
                        .map(|i| $cell(&row, i, self.kinds[i]))
                        .collect::<Vec<Result<Cell, sqlx::Error>>>();
                    batch.push(cells);
                    if batch.len() >= self.batch_rows {
                        self.send(tx, batch.finish()?).await?;
                    }
                }
            }};
        }
        match &self.pool {
            SqlPool::Sqlite(p) => drain!(p, |r: &SqliteRow, i, _k| sqlite_cell(r, i)),
            SqlPool::MySql(p) => drain!(p, mysql_cell),
            SqlPool::Postgres(p) => drain!(p, pg_cell),
        }
        if batch.len() > 0 {
            self.send(tx, batch.finish()?).await?;
        }
        Ok(())
    }

    async fn send(&self, tx: &BatchSender, b: RecordBatch) -> Result<(), HarborError> {
        // A closed receiver means the plan stopped early (a LIMIT, an error elsewhere).
        let _ = tx.send(Ok(b)).await;
        Ok(())
    }

    fn read_error(&self, e: sqlx::Error, row: u64) -> HarborError {
        HarborError::new(
            crate::error::ErrorKind::Source,
            format!(
                "table {}: reading row {row} failed: {}",
                self.table,
                sanitize(&e.to_string())
            ),
        )
    }
}

struct BatchBuilder<'a> {
    job: &'a SqlJob,
    builders: Vec<ColumnBuilder>,
    rows: usize,
    /// 1-based number of the source row being read, for quarantine reports.
    row_number: u64,
}

impl<'a> BatchBuilder<'a> {
    fn new(job: &'a SqlJob) -> Self {
        Self {
            job,
            builders: job
                .kinds
                .iter()
                .map(|k| ColumnBuilder::new(*k, job.batch_rows))
                .collect(),
            rows: 0,
            row_number: 0,
        }
    }

    fn len(&self) -> usize {
        self.rows
    }

    /// Appends a row whose every cell fits its column, or quarantines it whole.
    fn push(&mut self, cells: Vec<Result<Cell, sqlx::Error>>) {
        self.row_number += 1;
        self.job.stats.add_read(1);
        let names = self.job.schema.fields();
        for (i, cell) in cells.iter().enumerate() {
            let problem = match cell {
                Err(_) => Some("the driver could not decode it as its declared type"),
                Ok(c) => self.builders[i].check(c).err(),
            };
            if let Some(reason) = problem {
                self.job
                    .stats
                    .quarantine(names[i].name(), reason, self.row_number);
                return;
            }
        }
        let cells: Vec<Cell> = cells.into_iter().map(|c| c.unwrap()).collect();
        if let Some((idx, max)) = &self.job.watermark {
            if let Some(w) = Watermark::from_cell(&cells[*idx]) {
                let mut max = max.lock().unwrap();
                if max.as_ref().is_none_or(|m| w > *m) {
                    *max = Some(w);
                }
            }
        }
        for (b, c) in self.builders.iter_mut().zip(&cells) {
            b.append(c).expect("checked above");
        }
        self.rows += 1;
    }

    fn finish(&mut self) -> Result<RecordBatch, HarborError> {
        let columns = self.builders.iter_mut().map(|b| b.finish()).collect();
        self.rows = 0;
        RecordBatch::try_new(self.job.schema.clone(), columns).map_err(|e| {
            HarborError::new(
                crate::error::ErrorKind::Internal,
                format!(
                    "table {}: building a batch: {}",
                    self.job.table,
                    sanitize(&e.to_string())
                ),
            )
        })
    }
}
