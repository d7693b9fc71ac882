//! The policy actions as DataFusion scalar UDFs, so DataFusion runs them over partitions in
//! parallel. One UDF instance per output column carries that column's counters.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Date64Array, Float64Array, Int32Array,
    Int64Array, PrimitiveArray, StringArray, StringBuilder,
};
use arrow::compute::cast;
use arrow::datatypes::{
    ArrowTimestampType, DataType, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType,
};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};
use datafusion::common::{exec_err, Result as DfResult};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::keyed::Keyed;
use super::rules::{
    cap_age, cap_age_f64, date_to_days, days_to_datetime, format_text_date, generalized_birth_date,
    implies_age_over_89, parse_text_date, zip3, Zip3Outcome,
};
use super::stats::{add, ColumnStats, TableStats};
use super::text::{Options, Scrubber};
use crate::config::{Action, ColumnPolicy, DateShiftRange, TextSettings};

/// UDF identity is the name: each UDF of a run has a name of its own (action, table, column).
macro_rules! udf_identity {
    ($t:ty) => {
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.name == other.name
            }
        }
        impl Eq for $t {}
        impl Hash for $t {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.name.hash(state)
            }
        }
    };
}

/// The `ScalarUDFImpl` methods every UDF here answers from its `name` and `signature` fields.
macro_rules! udf_common_methods {
    () => {
        fn as_any(&self) -> &dyn Any {
            self
        }
        fn name(&self) -> &str {
            &self.name
        }
        fn signature(&self) -> &Signature {
            &self.signature
        }
    };
}

/// What every column UDF of a run shares: the key, the policy-wide settings, and the patients'
/// date offsets computed so far (one offset per patient, whatever the table or column).
pub struct DeidContext {
    pub keyed: Keyed,
    pub date_shift: DateShiftRange,
    pub reference_date: Option<NaiveDate>,
    /// How `scrub_text` columns are scrubbed.
    pub text: TextSettings,
    offset_cache: std::sync::Mutex<HashMap<String, i32>>,
}

/// Offsets kept before the cache starts over: bounds memory on very large extracts.
const OFFSET_CACHE_MAX: usize = 1 << 20;

impl std::fmt::Debug for DeidContext {
    // The cache holds raw patient ids: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeidContext")
            .field("date_shift", &self.date_shift)
            .field("reference_date", &self.reference_date)
            .finish_non_exhaustive()
    }
}

impl DeidContext {
    pub fn new(
        keyed: Keyed,
        date_shift: DateShiftRange,
        reference_date: Option<NaiveDate>,
    ) -> Self {
        Self {
            keyed,
            date_shift,
            reference_date,
            text: TextSettings::default(),
            offset_cache: Default::default(),
        }
    }

    pub fn with_text(mut self, text: TextSettings) -> Self {
        self.text = text;
        self
    }

    /// Date offsets for a batch of patient ids (None for a null id). Patients recur across
    /// batches and tables, so offsets are cached rather than re-derived by HMAC each time.
    pub fn date_offsets(&self, patients: &StringArray) -> Vec<Option<i32>> {
        let mut out = vec![None; patients.len()];
        let mut missing: Vec<(usize, &str)> = Vec::new();
        {
            let cache = self.offset_cache.lock().unwrap();
            for (i, pid) in patients.iter().enumerate() {
                let Some(pid) = pid else { continue };
                match cache.get(pid) {
                    Some(d) => out[i] = Some(*d),
                    None => missing.push((i, pid)),
                }
            }
        }
        if missing.is_empty() {
            return out;
        }
        let mut computed: HashMap<&str, i32> = HashMap::new();
        for (i, pid) in missing {
            let d = *computed
                .entry(pid)
                .or_insert_with(|| self.keyed.date_offset_days(pid, self.date_shift));
            out[i] = Some(d);
        }
        let mut cache = self.offset_cache.lock().unwrap();
        if cache.len() + computed.len() > OFFSET_CACHE_MAX {
            cache.clear();
        }
        cache.extend(computed.into_iter().map(|(k, v)| (k.to_string(), v)));
        out
    }
}

/// Whether an action can take a column of this type; the error names the problem for the
/// policy author.
pub fn check_input_type(action: Action, dt: &DataType) -> Result<(), String> {
    let ok = match action {
        Action::Keep | Action::Drop | Action::Pseudonym | Action::Zip3 => true,
        Action::DateYear | Action::DateShift => is_temporal(dt) || is_text(dt),
        Action::Age => dt.is_numeric() || is_text(dt),
        Action::ScrubText => is_text(dt),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} cannot apply to a column of type {dt}",
            action.as_str()
        ))
    }
}

fn is_text(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn is_temporal(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)
    )
}

/// The type an action writes for an input type.
pub fn output_type(action: Action, input: &DataType) -> DataType {
    match action {
        Action::Keep | Action::Drop => input.clone(),
        Action::Pseudonym | Action::Zip3 | Action::ScrubText => DataType::Utf8,
        Action::DateYear => DataType::Int32,
        Action::DateShift if is_text(input) => DataType::Utf8,
        Action::DateShift => input.clone(),
        Action::Age if is_text(input) => DataType::Int64,
        Action::Age => input.clone(),
    }
}

#[derive(Debug)]
pub struct ColumnUdf {
    name: String,
    policy: ColumnPolicy,
    kind: String,
    ctx: Arc<DeidContext>,
    stats: Arc<ColumnStats>,
    signature: Signature,
}

impl ColumnUdf {
    /// `kind` is the pseudonym namespace (the policy's or the column name). The UDF takes the
    /// column, and for `date_shift` the patient id as a second argument.
    pub fn new(
        name: String,
        policy: ColumnPolicy,
        kind: String,
        ctx: Arc<DeidContext>,
        stats: Arc<ColumnStats>,
    ) -> Self {
        let args = if policy.action == Action::DateShift {
            2
        } else {
            1
        };
        Self {
            name,
            policy,
            kind,
            ctx,
            stats,
            // Volatile: evaluated once per row, never folded or reordered, so the counters
            // count each row once.
            signature: Signature::any(args, Volatility::Volatile),
        }
    }

    /// A `scrub_text` column that gets the row's patient id as a second argument: its
    /// surrogates are consistent per patient and its dates move by the patient's offset.
    pub fn with_patient(mut self) -> Self {
        self.signature = Signature::any(2, Volatility::Volatile);
        self
    }
}

udf_identity!(ColumnUdf);

impl ScalarUDFImpl for ColumnUdf {
    udf_common_methods!();
    fn return_type(&self, arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(output_type(self.policy.action, &arg_types[0]))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let values = &arrays[0];
        let stats = &self.stats;
        add(&stats.rows, values.len());
        add(&stats.nulls, values.null_count());
        let out: ArrayRef = match self.policy.action {
            Action::Keep | Action::Drop => Arc::clone(values),
            Action::Pseudonym => {
                let text = as_utf8(values)?;
                let mut out = StringBuilder::with_capacity(text.len(), text.len() * 32);
                let mut hex = [0u8; 32];
                for v in text.iter() {
                    match v {
                        Some(v) => {
                            self.ctx.keyed.pseudonym_into(&self.kind, v, &mut hex);
                            out.append_value(std::str::from_utf8(&hex).expect("hex is ASCII"));
                        }
                        None => out.append_null(),
                    }
                }
                let out = out.finish();
                add(&stats.changed, out.len() - out.null_count());
                Arc::new(out)
            }
            Action::Zip3 => {
                let text = as_utf8(values)?;
                let mut changed = 0;
                let out: StringArray = text
                    .iter()
                    .map(|v| {
                        v.map(|v| {
                            let (z, outcome) = zip3(v);
                            match outcome {
                                Zip3Outcome::Restricted => add(&stats.zip_restricted, 1),
                                Zip3Outcome::Invalid => add(&stats.zip_unreadable, 1),
                                Zip3Outcome::Kept => {}
                            }
                            changed += usize::from(z != v);
                            z
                        })
                    })
                    .collect();
                add(&stats.changed, changed);
                Arc::new(out)
            }
            Action::ScrubText => self.scrub_text(values, arrays.get(1))?,
            Action::Age => self.age(values)?,
            Action::DateYear => self.date_year(values)?,
            Action::DateShift => self.date_shift(values, &arrays[1])?,
        };
        Ok(ColumnarValue::Array(out))
    }
}

impl ColumnUdf {
    fn scrub_text(&self, values: &ArrayRef, patients: Option<&ArrayRef>) -> DfResult<ArrayRef> {
        let text = as_utf8(values)?;
        let patients = patients.map(as_utf8).transpose()?;
        let offsets = patients.as_ref().map(|p| self.ctx.date_offsets(p));
        let scrubber = Scrubber {
            replace: self.ctx.text.mode,
            options: Options {
                years: self.ctx.text.years,
            },
            keyed: Some(&self.ctx.keyed),
        };
        let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
        let mut changed = 0;
        let mut out = StringBuilder::with_capacity(text.len(), text.value_data().len());
        for (i, v) in text.iter().enumerate() {
            let Some(v) = v else {
                out.append_null();
                continue;
            };
            let patient = patients
                .as_ref()
                .filter(|p| p.is_valid(i))
                .map_or("", |p| p.value(i));
            // No patient, no offset: surrogate dates then become [DATE] rather than pass.
            let offset = offsets.as_ref().and_then(|o| o[i]);
            let (scrubbed, spans) = scrubber.scrub(v, patient, offset);
            for s in &spans {
                *counts.entry(s.2).or_default() += 1;
            }
            match scrubbed {
                Some(s) => {
                    changed += 1;
                    out.append_value(s);
                }
                None => out.append_value(v),
            }
        }
        let stats = &self.stats;
        add(&stats.changed, changed);
        stats.add_text_findings(&counts);
        Ok(Arc::new(out.finish()))
    }

    fn reference(&self) -> DfResult<NaiveDate> {
        match self.ctx.reference_date {
            Some(d) => Ok(d),
            None => exec_err!("policy.reference_date is required for {}", self.name),
        }
    }

    fn age(&self, values: &ArrayRef) -> DfResult<ArrayRef> {
        let stats = &self.stats;
        let mut capped = 0;
        if values.data_type().is_floating() {
            let f = cast(values, &DataType::Float64)?;
            let out: Float64Array = f
                .as_primitive::<arrow::datatypes::Float64Type>()
                .iter()
                .map(|v| {
                    v.map(|v| {
                        let (a, c) = cap_age_f64(v);
                        capped += usize::from(c);
                        a
                    })
                })
                .collect();
            add(&stats.ages_capped, capped);
            add(&stats.changed, capped);
            return Ok(cast(&(Arc::new(out) as ArrayRef), values.data_type())?);
        }
        let ints: Int64Array = if is_text(values.data_type()) {
            as_utf8(values)?
                .iter()
                .map(|v| v.and_then(|v| v.trim().parse::<i64>().ok()))
                .collect()
        } else {
            cast(values, &DataType::Int64)?
                .as_primitive::<arrow::datatypes::Int64Type>()
                .clone()
        };
        let out: Int64Array = ints
            .iter()
            .map(|v| {
                v.map(|v| {
                    let (a, c) = cap_age(v);
                    capped += usize::from(c);
                    a
                })
            })
            .collect();
        add(&stats.ages_capped, capped);
        add(&stats.changed, capped);
        let target = output_type(Action::Age, values.data_type());
        Ok(cast(&(Arc::new(out) as ArrayRef), &target)?)
    }

    fn date_year(&self, values: &ArrayRef) -> DfResult<ArrayRef> {
        let temporal = Temporal::read(values)?;
        let reference = if self.policy.birth {
            Some(self.reference()?)
        } else {
            None
        };
        let mut generalized = 0;
        let out: Int32Array = temporal
            .values
            .iter()
            .map(|v| {
                v.map(|(dt, _)| match reference {
                    Some(r) if implies_age_over_89(dt.date(), r) => {
                        generalized += 1;
                        generalized_birth_date(r).year()
                    }
                    _ => dt.year(),
                })
            })
            .collect();
        let n = out.len() - out.null_count();
        add(&self.stats.dates_truncated, n);
        add(&self.stats.changed, n);
        add(&self.stats.births_generalized, generalized);
        Ok(Arc::new(out))
    }

    fn date_shift(&self, values: &ArrayRef, patients: &ArrayRef) -> DfResult<ArrayRef> {
        let mut temporal = Temporal::read(values)?;
        let patients = as_utf8(patients)?;
        let reference = if self.policy.birth {
            Some(self.reference()?)
        } else {
            None
        };
        let offsets = self.ctx.date_offsets(&patients);
        let (mut shifted, mut generalized) = (0, 0);
        for (i, slot) in temporal.values.iter_mut().enumerate() {
            let Some((dt, _)) = slot else { continue };
            if let Some(r) = reference {
                if implies_age_over_89(dt.date(), r) {
                    *dt = generalized_birth_date(r).and_hms_opt(0, 0, 0).unwrap();
                    generalized += 1;
                    continue;
                }
            }
            let Some(days) = offsets[i] else {
                // The row filter quarantines rows without a patient; never pass a date on.
                *slot = None;
                continue;
            };
            *dt += chrono::Duration::days(i64::from(days));
            shifted += 1;
        }
        add(&self.stats.dates_shifted, shifted);
        add(&self.stats.births_generalized, generalized);
        add(&self.stats.changed, shifted + generalized);
        temporal.write(values.data_type())
    }
}

fn as_utf8(values: &ArrayRef) -> DfResult<StringArray> {
    Ok(cast(values, &DataType::Utf8)?.as_string::<i32>().clone())
}

/// A date or timestamp column as date-times (UTC for zoned timestamps), with the text layout
/// for columns that hold dates as strings.
struct Temporal {
    values: Vec<Option<(NaiveDateTime, &'static str)>>,
}

const NO_LAYOUT: &str = "";

impl Temporal {
    fn read(values: &ArrayRef) -> DfResult<Self> {
        let dt = values.data_type();
        let values: Vec<Option<(NaiveDateTime, &'static str)>> = match dt {
            DataType::Date32 => values
                .as_primitive::<arrow::datatypes::Date32Type>()
                .iter()
                .map(|v| v.and_then(days_to_datetime).map(|d| (d, NO_LAYOUT)))
                .collect(),
            DataType::Date64 => values
                .as_primitive::<arrow::datatypes::Date64Type>()
                .iter()
                .map(|v| {
                    v.and_then(DateTime::from_timestamp_millis)
                        .map(|d| (d.naive_utc(), NO_LAYOUT))
                })
                .collect(),
            DataType::Timestamp(unit, _) => {
                let micros = cast(values, &DataType::Timestamp(TimeUnit::Microsecond, None))?;
                let _ = unit;
                micros
                    .as_primitive::<TimestampMicrosecondType>()
                    .iter()
                    .map(|v| {
                        v.and_then(DateTime::from_timestamp_micros)
                            .map(|d| (d.naive_utc(), NO_LAYOUT))
                    })
                    .collect()
            }
            _ if is_text(dt) => as_utf8(values)?
                .iter()
                .map(|v| v.and_then(parse_text_date).map(|d| (d.value, d.layout)))
                .collect(),
            other => return exec_err!("not a date column: {other}"),
        };
        Ok(Self { values })
    }

    fn write(self, like: &DataType) -> DfResult<ArrayRef> {
        let vals = self.values;
        Ok(match like {
            DataType::Date32 => Arc::new(
                vals.iter()
                    .map(|v| v.map(|(d, _)| date_to_days(d.date())))
                    .collect::<Date32Array>(),
            ),
            DataType::Date64 => Arc::new(
                vals.iter()
                    .map(|v| v.map(|(d, _)| d.and_utc().timestamp_millis()))
                    .collect::<Date64Array>(),
            ),
            DataType::Timestamp(unit, tz) => match unit {
                TimeUnit::Second => {
                    timestamps::<TimestampSecondType>(&vals, tz, |d| Some(d.and_utc().timestamp()))
                }
                TimeUnit::Millisecond => timestamps::<TimestampMillisecondType>(&vals, tz, |d| {
                    Some(d.and_utc().timestamp_millis())
                }),
                TimeUnit::Microsecond => timestamps::<TimestampMicrosecondType>(&vals, tz, |d| {
                    Some(d.and_utc().timestamp_micros())
                }),
                TimeUnit::Nanosecond => timestamps::<TimestampNanosecondType>(&vals, tz, |d| {
                    d.and_utc().timestamp_nanos_opt()
                }),
            },
            _ => Arc::new(
                vals.iter()
                    .map(|v| v.map(|(d, layout)| format_text_date(d, layout)))
                    .collect::<StringArray>(),
            ),
        })
    }
}

fn timestamps<T: ArrowTimestampType>(
    vals: &[Option<(NaiveDateTime, &'static str)>],
    tz: &Option<Arc<str>>,
    to_value: impl Fn(NaiveDateTime) -> Option<i64>,
) -> ArrayRef {
    let arr: PrimitiveArray<T> = vals
        .iter()
        .map(|v| v.and_then(|(d, _)| to_value(d)))
        .collect();
    Arc::new(arr.with_timezone_opt(tz.clone()))
}

/// What the row filter checks on one column before any action runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RowCheck {
    /// The patient id must be present: a row without one cannot be sharded or date-shifted.
    PatientPresent,
    /// A date held as text must parse.
    TextDate,
    /// An age held as text must be a whole number.
    TextInteger,
}

impl RowCheck {
    pub fn reason(&self) -> &'static str {
        match self {
            RowCheck::PatientPresent => "patient id is null",
            RowCheck::TextDate => "not a valid date",
            RowCheck::TextInteger => "not a whole number",
        }
    }
}

/// Returns false for rows that must be quarantined, counting them by column and reason.
#[derive(Debug)]
pub struct RowFilterUdf {
    name: String,
    checks: Vec<(String, RowCheck)>,
    stats: Arc<TableStats>,
    signature: Signature,
}

impl RowFilterUdf {
    /// The UDF takes one argument per check, in the same order.
    pub fn new(name: String, checks: Vec<(String, RowCheck)>, stats: Arc<TableStats>) -> Self {
        let n = checks.len().max(1);
        Self {
            name,
            checks,
            stats,
            signature: Signature::any(n, Volatility::Volatile),
        }
    }
}

udf_identity!(RowFilterUdf);

impl ScalarUDFImpl for RowFilterUdf {
    udf_common_methods!();
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let rows = args.number_rows;
        add(&self.stats.rows_read, rows);
        let mut keep = vec![true; rows];
        for ((column, check), values) in self.checks.iter().zip(&arrays) {
            let mut failed = 0u64;
            match check {
                RowCheck::PatientPresent => {
                    for (i, k) in keep.iter_mut().enumerate() {
                        if *k && values.is_null(i) {
                            *k = false;
                            failed += 1;
                        }
                    }
                }
                RowCheck::TextDate | RowCheck::TextInteger => {
                    let text = as_utf8(values)?;
                    for (i, k) in keep.iter_mut().enumerate() {
                        if !*k || text.is_null(i) {
                            continue;
                        }
                        let v = text.value(i);
                        let ok = match check {
                            RowCheck::TextDate => parse_text_date(v).is_some(),
                            _ => v.trim().parse::<i64>().is_ok(),
                        };
                        if !ok {
                            *k = false;
                            failed += 1;
                        }
                    }
                }
            }
            self.stats.quarantine(column, check.reason(), failed);
        }
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(keep))))
    }
}

/// The patient's place in the output (shard and order within it, see
/// [`Keyed::patient_order`]), from the raw patient id; the id itself is never written here.
#[derive(Debug)]
pub struct PatientOrderUdf {
    name: String,
    kind: String,
    shards: u32,
    keyed: Keyed,
    signature: Signature,
}

impl PatientOrderUdf {
    pub fn new(name: String, kind: String, shards: u32, keyed: Keyed) -> Self {
        Self {
            name,
            kind,
            shards,
            keyed,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

udf_identity!(PatientOrderUdf);

impl ScalarUDFImpl for PatientOrderUdf {
    udf_common_methods!();
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::UInt64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let ids = as_utf8(&arrays[0])?;
        let out: arrow::array::UInt64Array = ids
            .iter()
            .map(|v| Some(v.map_or(0, |v| self.keyed.patient_order(&self.kind, v, self.shards))))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// A stable 64-bit hash of a row's raw kept values: the last sort key, so rows of one patient
/// come out in the same order whatever order the source returned them in, without sorting on
/// every column. Rows that hash alike and differ are vanishingly rare (64 bits); rows that are
/// equal write equal bytes in either order.
#[derive(Debug)]
pub struct RowHashUdf {
    name: String,
    signature: Signature,
}

impl RowHashUdf {
    pub fn new(name: String) -> Self {
        Self {
            name,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

udf_identity!(RowHashUdf);

/// FNV-1a, 64 bits: fixed constants, so the order is the same on every machine.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl ScalarUDFImpl for RowHashUdf {
    udf_common_methods!();
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::UInt64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        use arrow::row::{RowConverter, SortField};
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let converter = RowConverter::new(
            arrays
                .iter()
                .map(|a| SortField::new(a.data_type().clone()))
                .collect(),
        )?;
        let rows = converter.convert_columns(&arrays)?;
        let out: arrow::array::UInt64Array = rows.iter().map(|r| Some(fnv1a(r.as_ref()))).collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::Field;
    use datafusion::config::ConfigOptions;
    use proptest::prelude::*;

    fn context() -> Arc<DeidContext> {
        Arc::new(DeidContext::new(
            Keyed::new(b"a test key that is long enough!!").unwrap(),
            DateShiftRange {
                min_days: -365,
                max_days: 365,
            },
            NaiveDate::from_ymd_opt(2026, 1, 1),
        ))
    }

    fn invoke(udf: &dyn ScalarUDFImpl, args: Vec<ArrayRef>) -> ArrayRef {
        let rows = args[0].len();
        let arg_fields = args
            .iter()
            .map(|a| Arc::new(Field::new("a", a.data_type().clone(), true)))
            .collect();
        let ret = udf
            .return_type(
                &args
                    .iter()
                    .map(|a| a.data_type().clone())
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        let out = udf
            .invoke_with_args(ScalarFunctionArgs {
                args: args.into_iter().map(ColumnarValue::Array).collect(),
                arg_fields,
                number_rows: rows,
                return_field: Arc::new(Field::new("r", ret, true)),
                config_options: Arc::new(ConfigOptions::default()),
            })
            .unwrap();
        match out {
            ColumnarValue::Array(a) => a,
            ColumnarValue::Scalar(_) => panic!("expected an array"),
        }
    }

    fn shift_udf(ctx: &Arc<DeidContext>, table: &str) -> ColumnUdf {
        ColumnUdf::new(
            format!("shift_{table}"),
            ColumnPolicy {
                action: Action::DateShift,
                kind: None,
                birth: false,
            },
            "d".into(),
            ctx.clone(),
            Arc::new(ColumnStats::default()),
        )
    }

    proptest! {
        #[test]
        fn date_shift_preserves_intervals_within_a_patient_across_tables(
            a in 0i32..40_000, b in 0i32..40_000, patient in "[A-Za-z0-9]{1,12}",
            micros in 0i64..2_000_000_000_000_000,
        ) {
            let ctx = context();
            let (visits, labs) = (shift_udf(&ctx, "visits"), shift_udf(&ctx, "labs"));
            let pids: ArrayRef = Arc::new(StringArray::from(vec![patient.clone(), patient.clone()]));
            let dates: ArrayRef = Arc::new(Date32Array::from(vec![a, b]));
            let shifted = invoke(&visits, vec![dates, pids.clone()]);
            let shifted = shifted.as_primitive::<arrow::datatypes::Date32Type>();
            prop_assert_eq!(shifted.value(1) - shifted.value(0), b - a);
            let offset = shifted.value(0) - a;
            prop_assert!(offset != 0 && (-365..=365).contains(&offset));

            // Another table, a timestamp column: the same patient moves by the same offset.
            let ts: ArrayRef = Arc::new(arrow::array::TimestampMicrosecondArray::from(vec![micros, micros + 1]));
            let moved = invoke(&labs, vec![ts, pids]);
            let moved = moved.as_primitive::<TimestampMicrosecondType>();
            prop_assert_eq!(moved.value(0) - micros, i64::from(offset) * 86_400_000_000);
            prop_assert_eq!(moved.value(1) - moved.value(0), 1);
        }
    }

    #[test]
    fn text_dates_keep_their_layout_and_null_patients_get_no_date() {
        let ctx = context();
        let udf = shift_udf(&ctx, "t");
        let dates: ArrayRef = Arc::new(StringArray::from(vec![
            Some("03/04/2021"),
            Some("2021-03-04 10:00:00"),
        ]));
        let pids: ArrayRef = Arc::new(StringArray::from(vec![Some("p1"), None]));
        let out = invoke(&udf, vec![dates, pids]);
        let out = out.as_string::<i32>();
        let shifted = NaiveDate::parse_from_str(out.value(0), "%m/%d/%Y").unwrap();
        assert_ne!(shifted, NaiveDate::from_ymd_opt(2021, 3, 4).unwrap());
        assert!(out.is_null(1));
    }

    #[test]
    fn row_hash_ignores_row_position() {
        let udf = RowHashUdf::new("h".into());
        let a: ArrayRef = Arc::new(StringArray::from(vec!["x", "y"]));
        let b: ArrayRef = Arc::new(StringArray::from(vec!["y", "x"]));
        let ha = invoke(&udf, vec![a]);
        let hb = invoke(&udf, vec![b]);
        let (ha, hb) = (
            ha.as_primitive::<arrow::datatypes::UInt64Type>(),
            hb.as_primitive::<arrow::datatypes::UInt64Type>(),
        );
        assert_eq!(ha.value(0), hb.value(1));
        assert_ne!(ha.value(0), ha.value(1));
    }
}
