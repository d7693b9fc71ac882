//! `harbor bench`: de-identification throughput and peak memory against a plain DataFusion
//! Parquet→Parquet copy of the same data, measured in the same run (these machines are noisy,
//! so only ratios within one run mean anything).
//!
//! Each measured step runs in a child process of its own (`harbor bench-step`) so its peak
//! resident memory is its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use parquet::arrow::ArrowWriter;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

const FILES: usize = 10;
const BATCH: usize = 65_536;

/// What one step measured.
#[derive(Debug, Serialize, Deserialize)]
pub struct StepResult {
    pub seconds: f64,
    pub peak_rss_mib: f64,
    pub rows: u64,
}

/// Writes `rows` measurement-like rows as Parquet files under `dir/input`.
pub fn generate(dir: &Path, rows: usize) -> anyhow::Result<PathBuf> {
    let input = dir.join("input");
    std::fs::create_dir_all(&input)?;
    let schema = Arc::new(Schema::new(vec![
        Field::new("person_id", DataType::Int64, false),
        Field::new("measurement_id", DataType::Int64, false),
        Field::new("loinc_code", DataType::Utf8, false),
        Field::new("value", DataType::Float64, true),
        Field::new(
            "measured_at",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        Field::new("zip", DataType::Utf8, false),
    ]));
    let mut rng = StdRng::seed_from_u64(42);
    let patients = (rows / 20).max(1) as i64;
    let per_file = rows.div_ceil(FILES);
    let mut id = 0i64;
    for f in 0..FILES {
        let n_file = per_file.min(rows.saturating_sub(f * per_file));
        if n_file == 0 {
            break;
        }
        let file = std::fs::File::create(input.join(format!("part-{f:03}.parquet")))?;
        let mut writer = ArrowWriter::try_new(
            file,
            schema.clone(),
            Some(crate::sink::parquet::writer_properties()),
        )?;
        let mut left = n_file;
        while left > 0 {
            let n = left.min(BATCH);
            left -= n;
            let person: Int64Array = (0..n).map(|_| rng.gen_range(1..=patients)).collect();
            let mid: Int64Array = (0..n)
                .map(|_| {
                    id += 1;
                    id
                })
                .collect();
            let loinc: StringArray = (0..n)
                .map(|_| Some(["2345-7", "4548-4", "2160-0", "8480-6"][rng.gen_range(0..4)]))
                .collect();
            let value: Float64Array = (0..n).map(|_| Some(rng.gen_range(0.0..200.0))).collect();
            let at: TimestampMicrosecondArray = (0..n)
                .map(|_| rng.gen_range(1_500_000_000_000_000i64..1_760_000_000_000_000))
                .map(Some)
                .collect();
            let zip: StringArray = (0..n)
                .map(|_| Some(format!("{:05}", rng.gen_range(0..100_000))))
                .collect();
            let columns: Vec<ArrayRef> = vec![
                Arc::new(person),
                Arc::new(mid),
                Arc::new(loinc),
                Arc::new(value),
                Arc::new(at),
                Arc::new(zip),
            ];
            writer.write(&RecordBatch::try_new(schema.clone(), columns)?)?;
        }
        writer.close()?;
    }
    std::fs::write(dir.join("key.txt"), "bench-key-not-secret-0123456789abcdef")?;
    std::fs::write(
        dir.join("policy.toml"),
        r#"[policy]
name = "bench"
[table.measurement]
patient_id = "person_id"
[table.measurement.columns]
person_id = { action = "pseudonym", kind = "person" }
measurement_id = { action = "pseudonym", kind = "measurement" }
loinc_code = "keep"
value = "keep"
measured_at = "date_shift"
zip = "zip3"
"#,
    )?;
    std::fs::write(
        dir.join("bench.toml"),
        r#"[pipeline]
name = "bench"
policy = "policy.toml"
key = { file = "key.txt" }
output_dir = "deid-out"
shards = 8

[[source]]
name = "files"
kind = "parquet"
[[source.table]]
name = "measurement"
path = "input/*.parquet"

[[output]]
table = "measurement"
"#,
    )?;
    Ok(input)
}

/// Peak resident set size of this process so far, from the kernel's own count.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// The baseline: DataFusion reads the input and writes it back as Parquet, nothing else.
pub async fn copy_step(dir: &Path) -> anyhow::Result<StepResult> {
    let start = Instant::now();
    let ctx = SessionContext::new();
    let input = dir.join("input");
    let df = ctx
        .read_parquet(
            format!("{}/", input.display()),
            ParquetReadOptions::default(),
        )
        .await?;
    let out = dir.join("copy-out");
    let _ = std::fs::remove_dir_all(&out);
    let written = df
        .write_parquet(
            &format!("{}/", out.display()),
            DataFrameWriteOptions::new(),
            None,
        )
        .await?;
    let rows = written
        .iter()
        .map(|b| {
            arrow::array::AsArray::as_primitive::<arrow::datatypes::UInt64Type>(b.column(0))
                .value(0)
        })
        .sum();
    Ok(StepResult {
        seconds: start.elapsed().as_secs_f64(),
        peak_rss_mib: peak_rss_mib(),
        rows,
    })
}

/// The measured work: the same input through a full `harbor run`.
pub async fn deid_step(dir: &Path) -> anyhow::Result<StepResult> {
    let start = Instant::now();
    let _ = std::fs::remove_dir_all(dir.join("deid-out"));
    let outcome = crate::engine::run(
        &dir.join("bench.toml"),
        &crate::engine::RunOptions::default(),
    )
    .await?;
    let rows = match outcome {
        crate::engine::RunOutcome::Written { rows_written, .. } => rows_written,
        crate::engine::RunOutcome::NoNewData => 0,
    };
    Ok(StepResult {
        seconds: start.elapsed().as_secs_f64(),
        peak_rss_mib: peak_rss_mib(),
        rows,
    })
}

/// Throughput of the free-text scrubber on notes made from a gold file's texts, repeated to
/// `megabytes`: one thread, then `threads`, in the same run. Returns a printable table.
pub fn text_throughput(gold: &Path, megabytes: usize, threads: usize) -> anyhow::Result<String> {
    use crate::deid::text::Replace;
    use crate::scrub::{read_gold, scrub_jsonl, ScrubSettings};
    let notes = read_gold(std::io::BufReader::new(std::fs::File::open(gold)?))?;
    anyhow::ensure!(!notes.is_empty(), "{} holds no notes", gold.display());
    // Short notes are the gold notes as they are (a few hundred bytes, like nursing and
    // telephone notes); long ones join twenty of them as paragraphs of one document, the
    // length of a discharge summary. Both workloads hold about `megabytes` of JSONL.
    const PARAGRAPHS_PER_LONG_NOTE: usize = 20;
    let texts: Vec<&str> = notes.iter().map(|n| n.text.as_str()).collect();
    let long_texts: Vec<String> = texts
        .chunks(PARAGRAPHS_PER_LONG_NOTE)
        .map(|c| c.join("\n\n"))
        .collect();
    let workload = |texts: &[&str]| -> anyhow::Result<(Vec<u8>, usize, usize)> {
        let mut input = Vec::new();
        let (mut count, mut text_bytes) = (0usize, 0usize);
        while input.len() < megabytes << 20 {
            for text in texts {
                let line = serde_json::json!({"id": count, "patient": format!("p{}", count % 997), "text": text});
                serde_json::to_writer(&mut input, &line)?;
                input.push(b'\n');
                count += 1;
                text_bytes += text.len();
            }
        }
        Ok((input, count, text_bytes))
    };
    let short = workload(&texts)?;
    let long = workload(&long_texts.iter().map(String::as_str).collect::<Vec<_>>())?;
    // The first notes a thread scrubs build the dictionaries and the regexes' lazy automata
    // (start-up, paid once per process and thread); the runs below measure the steady state.
    let warm_up_lines = long.0[..long.0.len().min(4 << 20)]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let started = Instant::now();
    crate::deid::text::words::warm_up();
    let mut warm = ScrubSettings::new(Replace::Tag);
    warm.threads = threads;
    scrub_jsonl(&long.0[..warm_up_lines], std::io::sink(), &warm, false)?;
    let mut out = format!(
        "free-text scrubber: gold notes from {} repeated; start-up and warm-up {:.2} s\n",
        gold.display(),
        started.elapsed().as_secs_f64()
    );
    out.push_str(&format!(
        "{:<34} {:>8} {:>10} {:>12} {:>9}\n",
        "run", "threads", "MB/s", "notes/s", "speedup"
    ));
    let mut base = None;
    for (label, (input, count, text_bytes), mode, t) in [
        ("tag, short notes", &short, Replace::Tag, 1),
        ("tag, short notes", &short, Replace::Tag, threads),
        (
            "surrogate, short notes",
            &short,
            Replace::Surrogate,
            threads,
        ),
        ("tag, long notes", &long, Replace::Tag, 1),
        ("tag, long notes", &long, Replace::Tag, threads),
    ] {
        let mut settings = ScrubSettings::new(mode);
        settings.threads = t;
        if mode == Replace::Surrogate {
            settings.keyed = Some(crate::deid::keyed::Keyed::new(
                b"bench key, not a secret at all",
            )?);
        }
        let start = Instant::now();
        let summary = scrub_jsonl(&input[..], std::io::sink(), &settings, false)?;
        let secs = start.elapsed().as_secs_f64();
        let mbs = summary.bytes as f64 / 1e6 / secs;
        let b = *base.get_or_insert(mbs);
        let label = format!("{label} ({:.0} B avg)", *text_bytes as f64 / *count as f64);
        out.push_str(&format!(
            "{label:<34} {t:>8} {mbs:>10.1} {:>12.0} {:>8.2}x\n",
            summary.notes as f64 / secs,
            mbs / b
        ));
    }
    Ok(out)
}
