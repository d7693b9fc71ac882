//! One database cell on its way into an Arrow column, and the column builders.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder,
    Float64Builder, Int16Builder, Int32Builder, Int64Builder, Int8Builder, StringBuilder,
    Time64MicrosecondBuilder, TimestampMicrosecondBuilder, UInt16Builder, UInt32Builder,
    UInt64Builder, UInt8Builder,
};
use arrow::datatypes::{DataType, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

use crate::deid::rules::{date_to_days, parse_text_date};

/// The Arrow type a database column maps onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Bool,
    Int8,
    Int16,
    Int32,
    Int64,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Float32,
    Float64,
    /// Decimal128(38, scale).
    Decimal(i8),
    Text,
    Binary,
    Date,
    /// A date-time without zone: Timestamp(µs).
    Timestamp,
    /// An instant: Timestamp(µs, UTC).
    TimestampUtc,
    Time,
}

impl ColumnKind {
    pub fn arrow_type(self) -> DataType {
        match self {
            ColumnKind::Bool => DataType::Boolean,
            ColumnKind::Int8 => DataType::Int8,
            ColumnKind::Int16 => DataType::Int16,
            ColumnKind::Int32 => DataType::Int32,
            ColumnKind::Int64 => DataType::Int64,
            ColumnKind::UInt8 => DataType::UInt8,
            ColumnKind::UInt16 => DataType::UInt16,
            ColumnKind::UInt32 => DataType::UInt32,
            ColumnKind::UInt64 => DataType::UInt64,
            ColumnKind::Float32 => DataType::Float32,
            ColumnKind::Float64 => DataType::Float64,
            ColumnKind::Decimal(s) => DataType::Decimal128(38, s),
            ColumnKind::Text => DataType::Utf8,
            ColumnKind::Binary => DataType::Binary,
            ColumnKind::Date => DataType::Date32,
            ColumnKind::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            ColumnKind::TimestampUtc => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
            }
            ColumnKind::Time => DataType::Time64(TimeUnit::Microsecond),
        }
    }
}

/// A decoded cell. Drivers decode into the nearest of these; the builder then checks it fits
/// the column's declared kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    /// Unscaled value and its scale.
    Decimal(i128, u32),
    Text(String),
    Bytes(Vec<u8>),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Instant(DateTime<Utc>),
    Time(NaiveTime),
}

/// Why a cell did not fit its column; the row is quarantined with this reason.
pub type CellError = &'static str;

pub enum ColumnBuilder {
    Bool(BooleanBuilder),
    Int8(Int8Builder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    UInt8(UInt8Builder),
    UInt16(UInt16Builder),
    UInt32(UInt32Builder),
    UInt64(UInt64Builder),
    Float32(Float32Builder),
    Float64(Float64Builder),
    Decimal(Decimal128Builder, i8),
    Text(StringBuilder),
    Binary(BinaryBuilder),
    Date(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder, bool),
    Time(Time64MicrosecondBuilder),
}

/// Text in a date or timestamp column: the layouts the policy's date parser reads.
fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    parse_text_date(s).map(|d| d.value)
}

fn int_of(cell: &Cell) -> Result<Option<i64>, CellError> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Int(v) => Ok(Some(*v)),
        Cell::UInt(v) => i64::try_from(*v)
            .map(Some)
            .map_err(|_| "integer out of range"),
        Cell::Bool(b) => Ok(Some(i64::from(*b))),
        Cell::Text(s) => s.trim().parse().map(Some).map_err(|_| "not an integer"),
        _ => Err("not an integer"),
    }
}

fn narrow<T: TryFrom<i64>>(v: Option<i64>) -> Result<Option<T>, CellError> {
    v.map(|v| T::try_from(v).map_err(|_| "integer out of range"))
        .transpose()
}

fn float_of(cell: &Cell) -> Result<Option<f64>, CellError> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Float(v) => Ok(Some(*v)),
        Cell::Int(v) => Ok(Some(*v as f64)),
        Cell::UInt(v) => Ok(Some(*v as f64)),
        Cell::Decimal(m, s) => Ok(Some(*m as f64 / 10f64.powi(*s as i32))),
        Cell::Text(s) => s.trim().parse().map(Some).map_err(|_| "not a number"),
        _ => Err("not a number"),
    }
}

/// Rescales a decimal exactly, or refuses: a value is never rounded on the way in.
fn decimal_of(cell: &Cell, scale: i8) -> Result<Option<i128>, CellError> {
    let (mantissa, from) = match cell {
        Cell::Null => return Ok(None),
        Cell::Decimal(m, s) => (*m, *s as i32),
        Cell::Int(v) => (i128::from(*v), 0),
        Cell::UInt(v) => (i128::from(*v), 0),
        Cell::Text(s) => match s.trim().parse::<rust_decimal::Decimal>() {
            Ok(d) => (d.mantissa(), d.scale() as i32),
            Err(_) => return Err("not a decimal number"),
        },
        _ => return Err("not a decimal number"),
    };
    let to = i32::from(scale);
    if to >= from {
        10i128
            .checked_pow((to - from) as u32)
            .and_then(|f| mantissa.checked_mul(f))
            .map(Some)
            .ok_or("decimal out of range")
    } else {
        let f = 10i128.pow((from - to) as u32);
        if mantissa % f == 0 {
            Ok(Some(mantissa / f))
        } else {
            Err("more fractional digits than decimal_scale allows")
        }
    }
}

impl ColumnBuilder {
    pub fn new(kind: ColumnKind, capacity: usize) -> Self {
        match kind {
            ColumnKind::Bool => Self::Bool(BooleanBuilder::with_capacity(capacity)),
            ColumnKind::Int8 => Self::Int8(Int8Builder::with_capacity(capacity)),
            ColumnKind::Int16 => Self::Int16(Int16Builder::with_capacity(capacity)),
            ColumnKind::Int32 => Self::Int32(Int32Builder::with_capacity(capacity)),
            ColumnKind::Int64 => Self::Int64(Int64Builder::with_capacity(capacity)),
            ColumnKind::UInt8 => Self::UInt8(UInt8Builder::with_capacity(capacity)),
            ColumnKind::UInt16 => Self::UInt16(UInt16Builder::with_capacity(capacity)),
            ColumnKind::UInt32 => Self::UInt32(UInt32Builder::with_capacity(capacity)),
            ColumnKind::UInt64 => Self::UInt64(UInt64Builder::with_capacity(capacity)),
            ColumnKind::Float32 => Self::Float32(Float32Builder::with_capacity(capacity)),
            ColumnKind::Float64 => Self::Float64(Float64Builder::with_capacity(capacity)),
            ColumnKind::Decimal(s) => Self::Decimal(
                Decimal128Builder::with_capacity(capacity)
                    .with_precision_and_scale(38, s)
                    .expect("valid decimal"),
                s,
            ),
            ColumnKind::Text => Self::Text(StringBuilder::new()),
            ColumnKind::Binary => Self::Binary(BinaryBuilder::new()),
            ColumnKind::Date => Self::Date(Date32Builder::with_capacity(capacity)),
            ColumnKind::Timestamp => {
                Self::Timestamp(TimestampMicrosecondBuilder::with_capacity(capacity), false)
            }
            ColumnKind::TimestampUtc => Self::Timestamp(
                TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone("UTC"),
                true,
            ),
            ColumnKind::Time => Self::Time(Time64MicrosecondBuilder::with_capacity(capacity)),
        }
    }

    /// Checks that a cell fits without appending it, so a row is appended whole or not at all.
    pub fn check(&self, cell: &Cell) -> Result<(), CellError> {
        self.convert(cell).map(|_| ())
    }

    fn convert(&self, cell: &Cell) -> Result<Converted, CellError> {
        use ColumnBuilder as B;
        if matches!(cell, Cell::Null) {
            return Ok(Converted::Null);
        }
        Ok(match self {
            B::Bool(_) => Converted::Bool(match cell {
                Cell::Bool(b) => *b,
                Cell::Int(v) => *v != 0,
                Cell::UInt(v) => *v != 0,
                Cell::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "t" | "1" | "yes" => true,
                    "false" | "f" | "0" | "no" => false,
                    _ => return Err("not a boolean"),
                },
                _ => return Err("not a boolean"),
            }),
            B::Int8(_) | B::Int16(_) | B::Int32(_) | B::Int64(_) => {
                let v = int_of(cell)?.ok_or("not an integer")?;
                let fits = match self {
                    B::Int8(_) => i8::try_from(v).is_ok(),
                    B::Int16(_) => i16::try_from(v).is_ok(),
                    B::Int32(_) => i32::try_from(v).is_ok(),
                    _ => true,
                };
                if !fits {
                    return Err("integer out of range");
                }
                Converted::Int(v)
            }
            B::UInt8(_) | B::UInt16(_) | B::UInt32(_) | B::UInt64(_) => {
                let v = match cell {
                    Cell::UInt(v) => *v,
                    other => u64::try_from(int_of(other)?.ok_or("not an integer")?)
                        .map_err(|_| "integer out of range")?,
                };
                let fits = match self {
                    B::UInt8(_) => u8::try_from(v).is_ok(),
                    B::UInt16(_) => u16::try_from(v).is_ok(),
                    B::UInt32(_) => u32::try_from(v).is_ok(),
                    _ => true,
                };
                if !fits {
                    return Err("integer out of range");
                }
                Converted::UInt(v)
            }
            B::Float32(_) | B::Float64(_) => {
                Converted::Float(float_of(cell)?.ok_or("not a number")?)
            }
            B::Decimal(_, s) => {
                Converted::Decimal(decimal_of(cell, *s)?.ok_or("not a decimal number")?)
            }
            B::Text(_) => Converted::Text(match cell {
                Cell::Text(s) => s.clone(),
                Cell::Bytes(b) => {
                    String::from_utf8(b.clone()).map_err(|_| "text is not valid UTF-8")?
                }
                Cell::Int(v) => v.to_string(),
                Cell::UInt(v) => v.to_string(),
                Cell::Float(v) => v.to_string(),
                Cell::Bool(v) => v.to_string(),
                _ => return Err("not text"),
            }),
            B::Binary(_) => Converted::Bytes(match cell {
                Cell::Bytes(b) => b.clone(),
                Cell::Text(s) => s.clone().into_bytes(),
                _ => return Err("not binary"),
            }),
            B::Date(_) => Converted::Date(match cell {
                Cell::Date(d) => *d,
                Cell::DateTime(d) => d.date(),
                Cell::Text(s) => parse_datetime(s).ok_or("not a valid date")?.date(),
                _ => return Err("not a valid date"),
            }),
            B::Timestamp(_, _) => Converted::Micros(match cell {
                Cell::DateTime(d) => d.and_utc().timestamp_micros(),
                Cell::Instant(d) => d.timestamp_micros(),
                Cell::Date(d) => d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros(),
                Cell::Text(s) => parse_datetime(s)
                    .ok_or("not a valid date-time")?
                    .and_utc()
                    .timestamp_micros(),
                _ => return Err("not a valid date-time"),
            }),
            B::Time(_) => Converted::Micros(match cell {
                Cell::Time(t) => {
                    i64::from(t.num_seconds_from_midnight()) * 1_000_000
                        + i64::from(t.nanosecond() / 1000)
                }
                Cell::Text(s) => {
                    let t = NaiveTime::parse_from_str(s.trim(), "%H:%M:%S%.f")
                        .map_err(|_| "not a valid time")?;
                    i64::from(t.num_seconds_from_midnight()) * 1_000_000
                        + i64::from(t.nanosecond() / 1000)
                }
                _ => return Err("not a valid time"),
            }),
        })
    }

    /// Appends a cell that [`check`](Self::check) accepted.
    pub fn append(&mut self, cell: &Cell) -> Result<(), CellError> {
        use ColumnBuilder as B;
        let v = self.convert(cell)?;
        match (self, v) {
            (B::Bool(b), Converted::Null) => b.append_null(),
            (B::Bool(b), Converted::Bool(v)) => b.append_value(v),
            (B::Int8(b), c) => b.append_option(narrow(c.int())?),
            (B::Int16(b), c) => b.append_option(narrow(c.int())?),
            (B::Int32(b), c) => b.append_option(narrow(c.int())?),
            (B::Int64(b), c) => b.append_option(c.int()),
            (B::UInt8(b), c) => b.append_option(narrow_u(c.uint())?),
            (B::UInt16(b), c) => b.append_option(narrow_u(c.uint())?),
            (B::UInt32(b), c) => b.append_option(narrow_u(c.uint())?),
            (B::UInt64(b), c) => b.append_option(c.uint()),
            (B::Float32(b), c) => b.append_option(c.float().map(|v| v as f32)),
            (B::Float64(b), c) => b.append_option(c.float()),
            (B::Decimal(b, _), Converted::Decimal(v)) => b.append_value(v),
            (B::Decimal(b, _), _) => b.append_null(),
            (B::Text(b), Converted::Text(v)) => b.append_value(v),
            (B::Text(b), _) => b.append_null(),
            (B::Binary(b), Converted::Bytes(v)) => b.append_value(v),
            (B::Binary(b), _) => b.append_null(),
            (B::Date(b), Converted::Date(d)) => b.append_value(date_to_days(d)),
            (B::Date(b), _) => b.append_null(),
            (B::Timestamp(b, _), Converted::Micros(v)) => b.append_value(v),
            (B::Timestamp(b, _), _) => b.append_null(),
            (B::Time(b), Converted::Micros(v)) => b.append_value(v),
            (B::Time(b), _) => b.append_null(),
            (B::Bool(b), _) => b.append_null(),
        }
        Ok(())
    }

    pub fn finish(&mut self) -> ArrayRef {
        use ColumnBuilder as B;
        match self {
            B::Bool(b) => Arc::new(b.finish()),
            B::Int8(b) => Arc::new(b.finish()),
            B::Int16(b) => Arc::new(b.finish()),
            B::Int32(b) => Arc::new(b.finish()),
            B::Int64(b) => Arc::new(b.finish()),
            B::UInt8(b) => Arc::new(b.finish()),
            B::UInt16(b) => Arc::new(b.finish()),
            B::UInt32(b) => Arc::new(b.finish()),
            B::UInt64(b) => Arc::new(b.finish()),
            B::Float32(b) => Arc::new(b.finish()),
            B::Float64(b) => Arc::new(b.finish()),
            B::Decimal(b, _) => Arc::new(b.finish()),
            B::Text(b) => Arc::new(b.finish()),
            B::Binary(b) => Arc::new(b.finish()),
            B::Date(b) => Arc::new(b.finish()),
            B::Timestamp(b, _) => Arc::new(b.finish()),
            B::Time(b) => Arc::new(b.finish()),
        }
    }
}

fn narrow_u<T: TryFrom<u64>>(v: Option<u64>) -> Result<Option<T>, CellError> {
    v.map(|v| T::try_from(v).map_err(|_| "integer out of range"))
        .transpose()
}

enum Converted {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Decimal(i128),
    Text(String),
    Bytes(Vec<u8>),
    Date(NaiveDate),
    Micros(i64),
}

impl Converted {
    fn int(&self) -> Option<i64> {
        match self {
            Converted::Int(v) => Some(*v),
            _ => None,
        }
    }
    fn uint(&self) -> Option<u64> {
        match self {
            Converted::UInt(v) => Some(*v),
            _ => None,
        }
    }
    fn float(&self) -> Option<f64> {
        match self {
            Converted::Float(v) => Some(*v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_rescale_exactly_or_refuse() {
        assert_eq!(decimal_of(&Cell::Decimal(12345, 2), 4), Ok(Some(1234500)));
        assert_eq!(decimal_of(&Cell::Decimal(1234500, 4), 2), Ok(Some(12345)));
        assert!(decimal_of(&Cell::Decimal(12345, 4), 2).is_err());
    }

    #[test]
    fn narrow_integers_refuse_overflow() {
        let mut b = ColumnBuilder::new(ColumnKind::Int8, 1);
        assert!(b.check(&Cell::Int(300)).is_err());
        assert!(b.append(&Cell::Int(300)).is_err());
        assert!(b.append(&Cell::Int(-5)).is_ok());
    }
}
