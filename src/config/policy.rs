//! De-identification policies: `schemas/*.toml`, one entry per table.column.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::read_toml;
use crate::error::config_err;

/// What happens to a column. Each maps onto a Safe Harbor identifier class in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Passes through unchanged: for values that identify nobody (codes, measurements).
    Keep,
    /// Not written at all.
    Drop,
    /// Replaced by a keyed HMAC-SHA256 token, stable across tables, sources and runs.
    Pseudonym,
    /// Only the year is kept (strict Safe Harbor).
    DateYear,
    /// Moved by the patient's keyed offset, the same in every table, so intervals survive.
    DateShift,
    /// First three ZIP digits; the restricted three-digit areas become 000.
    Zip3,
    /// Ages over 89 become 90.
    Age,
    /// Free text through the PHI scrubber.
    ScrubText,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::Drop => "drop",
            Action::Pseudonym => "pseudonym",
            Action::DateYear => "date_year",
            Action::DateShift => "date_shift",
            Action::Zip3 => "zip3",
            Action::Age => "age",
            Action::ScrubText => "scrub_text",
        }
    }

    const NAMES: &'static [&'static str] = &[
        "keep",
        "drop",
        "pseudonym",
        "date_year",
        "date_shift",
        "zip3",
        "age",
        "scrub_text",
    ];

    fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "keep" => Action::Keep,
            "drop" => Action::Drop,
            "pseudonym" => Action::Pseudonym,
            "date_year" => Action::DateYear,
            "date_shift" => Action::DateShift,
            "zip3" => Action::Zip3,
            "age" => Action::Age,
            "scrub_text" => Action::ScrubText,
            _ => return None,
        })
    }
}

/// One column's treatment: written as `col = "action"` or `col = { action = "...", ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnPolicy {
    pub action: Action,
    /// Pseudonym namespace: the same identifier under the same kind gets the same token in
    /// every table. Defaults to the column name.
    pub kind: Option<String>,
    /// For date columns that hold a birth date: one that implies an age over 89 at the
    /// policy's reference date is generalized to the same date for everyone that old.
    pub birth: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnPolicyTable {
    action: String,
    kind: Option<String>,
    #[serde(default)]
    birth: bool,
}

impl<'de> Deserialize<'de> for ColumnPolicy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ColumnPolicy;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "an action name or a table { action = \"...\", kind = \"...\", birth = true }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ColumnPolicy, E> {
                let action =
                    Action::parse(v).ok_or_else(|| E::unknown_variant(v, Action::NAMES))?;
                Ok(ColumnPolicy {
                    action,
                    kind: None,
                    birth: false,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ColumnPolicy, A::Error> {
                let t = ColumnPolicyTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let action = Action::parse(&t.action)
                    .ok_or_else(|| de::Error::unknown_variant(&t.action, Action::NAMES))?;
                Ok(ColumnPolicy {
                    action,
                    kind: t.kind,
                    birth: t.birth,
                })
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DateShiftRange {
    pub min_days: i32,
    pub max_days: i32,
}

impl Default for DateShiftRange {
    fn default() -> Self {
        Self {
            min_days: -365,
            max_days: 365,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    pub name: String,
    /// Date ages are computed at (for `age` and birth dates). Fixed in the policy so reruns
    /// give the same output.
    #[serde(
        default,
        deserialize_with = "date_or_string",
        serialize_with = "iso_date"
    )]
    pub reference_date: Option<NaiveDate>,
    #[serde(default)]
    pub date_shift: DateShiftRange,
    /// How `scrub_text` columns (and `harbor scrub --policy`) treat free text.
    #[serde(default)]
    pub text: TextSettings,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TextSettings {
    /// `tag` ([NAME]), `surrogate` (realistic values, dates shifted per patient) or `redact`.
    #[serde(default)]
    pub mode: crate::deid::text::Replace,
    /// A year on its own is a date too (the strict reading of Safe Harbor).
    #[serde(default)]
    pub years: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TablePolicy {
    /// Column holding the patient identifier: rows are sharded and dates shifted by it. A
    /// table without one (a reference table) may not use `date_shift`.
    pub patient_id: Option<String>,
    pub columns: BTreeMap<String, ColumnPolicy>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub policy: PolicySettings,
    #[serde(rename = "table", default)]
    pub tables: BTreeMap<String, TablePolicy>,
    #[serde(skip)]
    pub sha256: String,
    #[serde(skip)]
    pub path: PathBuf,
}

impl Policy {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let (mut policy, text): (Policy, String) = read_toml(path)?;
        policy.sha256 = crate::sink::sha256_hex(text.as_bytes());
        policy.path = path.to_path_buf();
        policy.validate()?;
        Ok(policy)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let file = self.path.display();
        let range = self.policy.date_shift;
        if range.min_days > range.max_days || (range.min_days == 0 && range.max_days == 0) {
            return Err(config_err(format!(
                "{file}: policy.date_shift needs min_days <= max_days and a non-zero offset in range"
            )));
        }
        if range.min_days.unsigned_abs() > 36_500 || range.max_days.unsigned_abs() > 36_500 {
            return Err(config_err(format!(
                "{file}: policy.date_shift offsets are limited to 100 years"
            )));
        }
        for (tname, table) in &self.tables {
            if let Some(pid) = &table.patient_id {
                match table.columns.get(pid) {
                    Some(c) if c.action == Action::Pseudonym => {}
                    Some(c) => {
                        return Err(config_err(format!(
                        "{file}: table.{tname}: patient id column {pid} must be pseudonym, not {}",
                        c.action.as_str()
                    )))
                    }
                    None => {
                        return Err(config_err(format!(
                            "{file}: table.{tname}: patient id column {pid} has no policy"
                        )))
                    }
                }
            }
            for (cname, c) in &table.columns {
                if c.action == Action::DateShift && table.patient_id.is_none() {
                    return Err(config_err(format!(
                        "{file}: table.{tname}.columns.{cname}: date_shift needs the table's patient_id"
                    )));
                }
                let needs_reference = c.action == Action::Age || c.birth;
                if needs_reference && self.policy.reference_date.is_none() {
                    return Err(config_err(format!(
                        "{file}: table.{tname}.columns.{cname}: needs policy.reference_date to compute ages"
                    )));
                }
                if c.birth && !matches!(c.action, Action::DateShift | Action::DateYear) {
                    return Err(config_err(format!(
                        "{file}: table.{tname}.columns.{cname}: birth = true is for date_shift or date_year"
                    )));
                }
                if c.kind.is_some() && c.action != Action::Pseudonym {
                    return Err(config_err(format!(
                        "{file}: table.{tname}.columns.{cname}: kind is for pseudonym"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Accepts a TOML date (`2026-01-01`) or a string (`"2026-01-01"`).
fn date_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let v = toml::Value::deserialize(d)?;
    let text = match &v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(dt) => dt.to_string(),
        _ => return Err(de::Error::custom("expected a date such as 2026-01-01")),
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| de::Error::custom(format!("{text:?} is not a date such as 2026-01-01")))
}

fn iso_date<S: serde::Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}
