//! `harbor synth`: a deterministic synthetic EHR (OMOP-like tables) with planted identifiers,
//! written to SQLite and CSV, and the list of planted "canary" values that must never reach an
//! output. Never real PHI: names, places and numbers are drawn from small built-in lists and a
//! seeded generator.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Executor, Row};

pub const DB_FILE: &str = "ehr.sqlite";
pub const CANARY_FILE: &str = "canaries.txt";
pub const CSV_DIR: &str = "csv";

const FIRST: &[&str] = &[
    "Avery",
    "Bartholomew",
    "Cordelia",
    "Desmond",
    "Evangeline",
    "Fitzgerald",
    "Griselda",
    "Horatio",
    "Imogen",
    "Jasper",
    "Katarina",
    "Leopold",
    "Marisol",
    "Nathaniel",
    "Ophelia",
    "Percival",
    "Quintessa",
    "Rosalind",
    "Sebastian",
    "Theodora",
    "Ulysses",
    "Valentina",
    "Wilhelmina",
    "Xavier",
    "Yolanda",
    "Zebulon",
];
const LAST: &[&str] = &[
    "Abernathy",
    "Blackwood",
    "Castellanos",
    "Delacroix",
    "Eberhardt",
    "Fairweather",
    "Gallagher",
    "Hollingsworth",
    "Ishikawa",
    "Jankowski",
    "Kowalczyk",
    "Lindqvist",
    "Montgomery",
    "Nakamura",
    "Oyelaran",
    "Pemberton",
    "Quintero",
    "Rasmussen",
    "Szymanski",
    "Thorndike",
    "Underhill",
    "Vanderbilt",
    "Whitcombe",
    "Xiong",
    "Yarborough",
    "Zielinski",
];
const STREETS: &[&str] = &[
    "Maple",
    "Juniper",
    "Harbor View",
    "Old Mill",
    "Larkspur",
    "Cedar Hollow",
    "Briar Patch",
    "Foxglove",
    "Willow Bend",
    "Quarry",
];
const STREET_KINDS: &[&str] = &["Street", "Avenue", "Road", "Lane", "Court", "Drive"];
/// (city, state, ZIP prefix); a share of the prefixes are Safe Harbor's restricted ones.
const PLACES: &[(&str, &str, &str)] = &[
    ("Boston", "MA", "021"),
    ("Cambridge", "MA", "021"),
    ("Worcester", "MA", "016"),
    ("Hartford", "CT", "061"),
    ("Providence", "RI", "029"),
    ("Albany", "NY", "122"),
    ("Brooklyn", "NY", "112"),
    ("Philadelphia", "PA", "191"),
    ("Berlin", "NH", "036"),
    ("Barrow", "AK", "997"),
    ("Elko", "NV", "893"),
    ("Wendover", "UT", "840"),
    ("Cheyenne", "WY", "820"),
    ("Rock Springs", "WY", "829"),
    ("Tonopah", "NV", "890"),
    ("Pecos", "TX", "797"),
];
const RACES: &[&str] = &[
    "White",
    "Black or African American",
    "Asian",
    "American Indian or Alaska Native",
    "Other",
];
const VISIT_TYPES: &[&str] = &["outpatient", "inpatient", "emergency"];
const CARE_SITES: &[&str] = &[
    "Internal Medicine Clinic",
    "Cardiology",
    "Emergency Department",
    "Family Practice",
];
const ICD10: &[(&str, &str)] = &[
    ("E11.9", "type 2 diabetes"),
    ("I10", "hypertension"),
    ("J45.909", "asthma"),
    ("I25.10", "coronary artery disease"),
    ("N18.3", "chronic kidney disease stage 3"),
    ("F32.9", "depression"),
    ("M54.5", "low back pain"),
    ("J18.9", "pneumonia"),
];
const LOINC: &[(&str, &str, f64, f64)] = &[
    ("2345-7", "mg/dL", 70.0, 220.0),
    ("4548-4", "%", 4.8, 11.0),
    ("2160-0", "mg/dL", 0.5, 3.5),
    ("8480-6", "mm[Hg]", 95.0, 180.0),
    ("2823-3", "mmol/L", 3.1, 5.6),
];
const RXNORM: &[(&str, f64)] = &[
    ("860975", 500.0),
    ("314076", 10.0),
    ("197361", 5.0),
    ("866924", 25.0),
    ("617312", 40.0),
];

/// Where a synthetic data set landed.
#[derive(Debug)]
pub struct SynthOutput {
    pub sqlite: PathBuf,
    pub csv_dir: PathBuf,
    pub canaries: PathBuf,
    pub rows: Vec<(String, usize)>,
}

struct Table {
    name: &'static str,
    /// Column name and SQLite declared type.
    columns: &'static [(&'static str, &'static str)],
    rows: Vec<Vec<Value>>,
}

#[derive(Clone)]
enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Value {
    fn csv(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Int(v) => v.to_string(),
            Value::Real(v) => format!("{v:.2}"),
            Value::Text(s) if s.contains([',', '"', '\n', '\r']) => {
                format!("\"{}\"", s.replace('"', "\"\""))
            }
            Value::Text(s) => s.clone(),
        }
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}
fn date(d: NaiveDate) -> Value {
    text(d.format("%Y-%m-%d").to_string())
}
fn datetime(d: NaiveDateTime) -> Value {
    text(d.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// Every row carries an `updated_at` for incremental extraction; the first load is stamped at
/// this instant plus the row's position, so later loads (tests) can add rows after it.
pub fn base_updated_at() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

pub const REFERENCE_DATE: (i32, u32, u32) = (2026, 1, 1);

pub fn generate(patients: usize, seed: u64) -> (Vec<TableData>, Vec<String>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let reference =
        NaiveDate::from_ymd_opt(REFERENCE_DATE.0, REFERENCE_DATE.1, REFERENCE_DATE.2).unwrap();
    let mut canaries = Vec::new();
    let mut person = Table {
        name: "person",
        columns: PERSON_COLUMNS,
        rows: Vec::new(),
    };
    let mut visit = Table {
        name: "visit_occurrence",
        columns: VISIT_COLUMNS,
        rows: Vec::new(),
    };
    let mut condition = Table {
        name: "condition_occurrence",
        columns: CONDITION_COLUMNS,
        rows: Vec::new(),
    };
    let mut measurement = Table {
        name: "measurement",
        columns: MEASUREMENT_COLUMNS,
        rows: Vec::new(),
    };
    let mut drug = Table {
        name: "drug_exposure",
        columns: DRUG_COLUMNS,
        rows: Vec::new(),
    };
    let mut note = Table {
        name: "note",
        columns: NOTE_COLUMNS,
        rows: Vec::new(),
    };
    let mut stamp = 0i64;
    let mut next_stamp = || {
        stamp += 1;
        datetime(base_updated_at() - Duration::seconds(10_000_000) + Duration::seconds(stamp))
    };
    let (mut visit_id, mut condition_id, mut measurement_id, mut drug_id, mut note_id) =
        (0i64, 0i64, 0i64, 0i64, 0i64);

    for pid in 1..=patients as i64 {
        let first = FIRST[rng.gen_range(0..FIRST.len())];
        let last = LAST[rng.gen_range(0..LAST.len())];
        // One in twelve patients is over 89 at the reference date.
        let birth = if rng.gen_ratio(1, 12) {
            reference - Duration::days(rng.gen_range(90 * 366..104 * 365))
        } else {
            reference - Duration::days(rng.gen_range(18 * 366..89 * 365))
        };
        let age = crate::deid::rules::age_at(birth, reference);
        let (city, state, prefix) = PLACES[rng.gen_range(0..PLACES.len())];
        let zip = format!("{prefix}{:02}", rng.gen_range(0..100));
        let mrn = format!("{:08}", 10_000_000 + pid * 7919 % 89_999_999);
        let ssn = format!(
            "{:03}-{:02}-{:04}",
            rng.gen_range(100..666),
            rng.gen_range(10..99),
            rng.gen_range(1000..9999)
        );
        let phone = format!(
            "({:03}) 555-{:04}",
            rng.gen_range(201..989),
            rng.gen_range(100..9999)
        );
        let email = format!(
            "{}.{}{}@mail.example.org",
            first.to_lowercase(),
            last.to_lowercase(),
            pid
        );
        let address = format!(
            "{} {} {}",
            rng.gen_range(10..9999),
            STREETS[rng.gen_range(0..STREETS.len())],
            STREET_KINDS[rng.gen_range(0..STREET_KINDS.len())]
        );
        canaries.extend([
            mrn.clone(),
            ssn.clone(),
            phone.clone(),
            email.clone(),
            address.clone(),
            format!("{first} {last}"),
        ]);
        person.rows.push(vec![
            Value::Int(pid),
            text(&mrn),
            text(&ssn),
            text(first),
            text(last),
            date(birth),
            Value::Int(age.into()),
            text(if rng.gen_bool(0.5) { "F" } else { "M" }),
            if rng.gen_ratio(1, 10) {
                Value::Null
            } else {
                text(RACES[rng.gen_range(0..RACES.len())])
            },
            text(&address),
            text(city),
            text(state),
            text(&zip),
            text(&phone),
            text(&email),
            next_stamp(),
        ]);

        let visits = rng.gen_range(2..6);
        let mut day =
            birth.max(reference - Duration::days(3650)) + Duration::days(rng.gen_range(0..400));
        for _ in 0..visits {
            visit_id += 1;
            day += Duration::days(rng.gen_range(14..300));
            let start = day
                .and_hms_opt(rng.gen_range(7..18), rng.gen_range(0..60), 0)
                .unwrap();
            let end = start + Duration::hours(rng.gen_range(1..96));
            visit.rows.push(vec![
                Value::Int(visit_id),
                Value::Int(pid),
                datetime(start),
                datetime(end),
                text(VISIT_TYPES[rng.gen_range(0..VISIT_TYPES.len())]),
                text(CARE_SITES[rng.gen_range(0..CARE_SITES.len())]),
                next_stamp(),
            ]);
            let (_, problem) = ICD10[rng.gen_range(0..ICD10.len())];
            for _ in 0..rng.gen_range(1..3) {
                condition_id += 1;
                condition.rows.push(vec![
                    Value::Int(condition_id),
                    Value::Int(pid),
                    Value::Int(visit_id),
                    text(ICD10[rng.gen_range(0..ICD10.len())].0),
                    date(start.date()),
                    next_stamp(),
                ]);
            }
            for _ in 0..rng.gen_range(1..4) {
                measurement_id += 1;
                let (loinc, unit, lo, hi) = LOINC[rng.gen_range(0..LOINC.len())];
                measurement.rows.push(vec![
                    Value::Int(measurement_id),
                    Value::Int(pid),
                    text(loinc),
                    Value::Real((rng.gen_range(lo..hi) * 100.0_f64).round() / 100.0),
                    text(unit),
                    datetime(start + Duration::minutes(rng.gen_range(5..240))),
                    next_stamp(),
                ]);
            }
            if rng.gen_bool(0.6) {
                drug_id += 1;
                let (rx, dose) = RXNORM[rng.gen_range(0..RXNORM.len())];
                let drug_start = start.date();
                drug.rows.push(vec![
                    Value::Int(drug_id),
                    Value::Int(pid),
                    text(rx),
                    date(drug_start),
                    date(drug_start + Duration::days(rng.gen_range(7..180))),
                    Value::Real(dose),
                    next_stamp(),
                ]);
            }
            note_id += 1;
            let mut body = String::new();
            let _ = write!(
                body,
                "{age} yo {} seen {} for {problem}. ",
                if rng.gen_bool(0.5) { "F" } else { "M" },
                start.format("%m/%d/%Y")
            );
            if rng.gen_bool(0.5) {
                let _ = write!(body, "MRN: {mrn}. ");
            }
            if rng.gen_bool(0.4) {
                let _ = write!(body, "Reachable at {phone}. ");
            }
            if rng.gen_bool(0.3) {
                let _ = write!(body, "Patient email {email} on file. ");
            }
            if rng.gen_bool(0.2) {
                let _ = write!(body, "SSN {ssn} verified for billing. ");
            }
            if rng.gen_bool(0.1) {
                let _ = write!(
                    body,
                    "Portal login from 10.{}.{}.{} via https://portal.example.org/p/{pid}. ",
                    rng.gen_range(0..255),
                    rng.gen_range(0..255),
                    rng.gen_range(1..255)
                );
            }
            let _ = write!(
                body,
                "Plan: continue current meds, recheck labs, follow up on {}.",
                (start.date() + Duration::days(rng.gen_range(14..90))).format("%B %-d, %Y")
            );
            note.rows.push(vec![
                Value::Int(note_id),
                Value::Int(pid),
                date(start.date()),
                text("progress note"),
                text(body),
                next_stamp(),
            ]);
        }
    }
    let tables = [person, visit, condition, measurement, drug, note]
        .into_iter()
        .map(|t| TableData {
            name: t.name,
            columns: t.columns,
            rows: t.rows,
        })
        .collect();
    (tables, canaries)
}

/// A generated table, ready to write.
pub struct TableData {
    pub name: &'static str,
    pub columns: &'static [(&'static str, &'static str)],
    rows: Vec<Vec<Value>>,
}

impl TableData {
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

pub const PERSON_COLUMNS: &[(&str, &str)] = &[
    ("person_id", "INTEGER"),
    ("mrn", "TEXT"),
    ("ssn", "TEXT"),
    ("first_name", "TEXT"),
    ("last_name", "TEXT"),
    ("birth_date", "DATE"),
    ("age", "INTEGER"),
    ("gender", "TEXT"),
    ("race", "TEXT"),
    ("address", "TEXT"),
    ("city", "TEXT"),
    ("state", "TEXT"),
    ("zip", "TEXT"),
    ("phone", "TEXT"),
    ("email", "TEXT"),
    ("updated_at", "DATETIME"),
];
pub const VISIT_COLUMNS: &[(&str, &str)] = &[
    ("visit_id", "INTEGER"),
    ("person_id", "INTEGER"),
    ("visit_start", "DATETIME"),
    ("visit_end", "DATETIME"),
    ("visit_type", "TEXT"),
    ("care_site", "TEXT"),
    ("updated_at", "DATETIME"),
];
pub const CONDITION_COLUMNS: &[(&str, &str)] = &[
    ("condition_id", "INTEGER"),
    ("person_id", "INTEGER"),
    ("visit_id", "INTEGER"),
    ("icd10_code", "TEXT"),
    ("condition_date", "DATE"),
    ("updated_at", "DATETIME"),
];
pub const MEASUREMENT_COLUMNS: &[(&str, &str)] = &[
    ("measurement_id", "INTEGER"),
    ("person_id", "INTEGER"),
    ("loinc_code", "TEXT"),
    ("value", "REAL"),
    ("unit", "TEXT"),
    ("measured_at", "DATETIME"),
    ("updated_at", "DATETIME"),
];
pub const DRUG_COLUMNS: &[(&str, &str)] = &[
    ("drug_exposure_id", "INTEGER"),
    ("person_id", "INTEGER"),
    ("rxnorm_code", "TEXT"),
    ("start_date", "DATE"),
    ("end_date", "DATE"),
    ("dose_mg", "REAL"),
    ("updated_at", "DATETIME"),
];
pub const NOTE_COLUMNS: &[(&str, &str)] = &[
    ("note_id", "INTEGER"),
    ("person_id", "INTEGER"),
    ("note_date", "DATE"),
    ("note_type", "TEXT"),
    ("note_text", "TEXT"),
    ("updated_at", "DATETIME"),
];

/// Writes the data set under `out`: `ehr.sqlite`, `csv/<table>.csv`, `canaries.txt`.
pub async fn write(out: &Path, patients: usize, seed: u64) -> anyhow::Result<SynthOutput> {
    std::fs::create_dir_all(out.join(CSV_DIR))?;
    let (tables, canaries) = generate(patients, seed);
    let sqlite = out.join(DB_FILE);
    let tmp = out.join(format!(".{DB_FILE}.tmp"));
    let _ = std::fs::remove_file(&tmp);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(&tmp)
                .create_if_missing(true),
        )
        .await?;
    for t in &tables {
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|(n, ty)| format!("{n} {ty}"))
            .collect();
        pool.execute(format!("CREATE TABLE {} ({})", t.name, cols.join(", ")).as_str())
            .await?;
        let mut tx = pool.begin().await?;
        let placeholders = vec!["?"; t.columns.len()].join(", ");
        let insert = format!("INSERT INTO {} VALUES ({placeholders})", t.name);
        for row in &t.rows {
            let mut q = sqlx::query(&insert);
            for v in row {
                q = match v {
                    Value::Null => q.bind(None::<String>),
                    Value::Int(i) => q.bind(*i),
                    Value::Real(f) => q.bind(*f),
                    Value::Text(s) => q.bind(s.as_str()),
                };
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        let mut csv = String::new();
        let names: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
        csv.push_str(&names.join(","));
        csv.push('\n');
        for row in &t.rows {
            let cells: Vec<String> = row.iter().map(Value::csv).collect();
            csv.push_str(&cells.join(","));
            csv.push('\n');
        }
        std::fs::write(out.join(CSV_DIR).join(format!("{}.csv", t.name)), csv)?;
    }
    let check: i64 = sqlx::query("SELECT count(*) FROM person")
        .fetch_one(&pool)
        .await?
        .get(0);
    anyhow::ensure!(check as usize == patients, "person table is incomplete");
    pool.close().await;
    std::fs::rename(&tmp, &sqlite)?;
    let canary_path = out.join(CANARY_FILE);
    std::fs::write(&canary_path, canaries.join("\n") + "\n")?;
    Ok(SynthOutput {
        sqlite,
        csv_dir: out.join(CSV_DIR),
        canaries: canary_path,
        rows: tables
            .iter()
            .map(|t| (t.name.to_string(), t.len()))
            .collect(),
    })
}
