//! Parquet shards: one patient's rows land in the same shard number in every table; a file is
//! closed and the next part started at a size bound.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{AsArray, RecordBatch};
use arrow::datatypes::{SchemaRef, UInt64Type};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::manifest::FileEntry;
use crate::deid::keyed::shard_of_order;

/// Sort keys after the output columns; not written. The first packs the shard number (see
/// `Keyed::patient_order`), the second orders rows within a patient.
pub const ORDER_COLUMN: &str = "__harbor_order";
pub const ROW_HASH_COLUMN: &str = "__harbor_row_hash";

/// Rows per row group: bounds what a writer holds in memory before flushing, whatever the
/// table's size, and is a size readers handle well.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

pub fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_max_row_group_size(ROW_GROUP_ROWS)
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid level"),
        ))
        .set_created_by(format!("harbor {}", crate::VERSION))
        .build()
}

/// Writes a table's batches, sorted by shard, into `tables/<table>/shard-SSSSS-part-PPPPP.parquet`.
pub struct ShardedWriter {
    run_dir: PathBuf,
    table: String,
    schema: SchemaRef,
    max_file_bytes: u64,
    current: Option<OpenFile>,
    files: Vec<FileEntry>,
}

struct OpenFile {
    shard: u32,
    part: u32,
    relative: String,
    writer: ArrowWriter<File>,
    rows: u64,
}

impl ShardedWriter {
    /// `schema` is the output schema without the shard column.
    pub fn new(run_dir: &Path, table: &str, schema: SchemaRef, max_file_bytes: u64) -> Self {
        Self {
            run_dir: run_dir.to_path_buf(),
            table: table.to_string(),
            schema,
            max_file_bytes,
            current: None,
            files: Vec::new(),
        }
    }

    /// `batch` carries the output columns, then the order key holding the shard number (and
    /// any further sort keys, which are not written), and arrives in shard order.
    pub fn write(&mut self, batch: &RecordBatch) -> anyhow::Result<()> {
        let shard_idx = self.schema.fields().len();
        let shards: Vec<u32> = batch
            .column(shard_idx)
            .as_primitive::<UInt64Type>()
            .values()
            .iter()
            .map(|o| shard_of_order(*o))
            .collect();
        let data = batch.project(&(0..shard_idx).collect::<Vec<_>>())?;
        let data = RecordBatch::try_new(self.schema.clone(), data.columns().to_vec())?;
        let mut start = 0;
        while start < data.num_rows() {
            let shard = shards[start];
            let mut end = start + 1;
            while end < data.num_rows() && shards[end] == shard {
                end += 1;
            }
            self.write_run(shard, &data.slice(start, end - start))?;
            start = end;
        }
        Ok(())
    }

    fn write_run(&mut self, shard: u32, batch: &RecordBatch) -> anyhow::Result<()> {
        let next_part = match &self.current {
            Some(open) if open.shard == shard => {
                let size =
                    open.writer.bytes_written() as u64 + open.writer.in_progress_size() as u64;
                if size < self.max_file_bytes {
                    None
                } else {
                    Some(open.part + 1)
                }
            }
            Some(open) if shard < open.shard => {
                anyhow::bail!("table {}: rows arrived out of shard order", self.table)
            }
            _ => Some(0),
        };
        if let Some(part) = next_part {
            self.close_current()?;
            let relative = format!(
                "tables/{}/shard-{shard:05}-part-{part:05}.parquet",
                self.table
            );
            let path = self.run_dir.join(&relative);
            std::fs::create_dir_all(path.parent().unwrap())?;
            let file = File::create(&path)?;
            let writer =
                ArrowWriter::try_new(file, self.schema.clone(), Some(writer_properties()))?;
            self.current = Some(OpenFile {
                shard,
                part,
                relative,
                writer,
                rows: 0,
            });
        }
        let open = self.current.as_mut().unwrap();
        open.writer.write(batch)?;
        open.rows += batch.num_rows() as u64;
        Ok(())
    }

    fn close_current(&mut self) -> anyhow::Result<()> {
        if let Some(open) = self.current.take() {
            open.writer.close()?;
            let path = self.run_dir.join(&open.relative);
            self.files.push(FileEntry {
                path: open.relative,
                rows: Some(open.rows),
                bytes: std::fs::metadata(&path)?.len(),
                sha256: super::sha256_file(&path)?,
                shard: Some(open.shard),
            });
        }
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<Vec<FileEntry>> {
        self.close_current()?;
        Ok(self.files)
    }
}
