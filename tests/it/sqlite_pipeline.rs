//! The demo pipeline on the embedded SQLite default: what a compliance officer and an ML
//! engineer need to be true of its output.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveDateTime};
use harbor::config::DateShiftRange;
use harbor::deid::rules::RESTRICTED_ZIP3;
use harbor::deid::Keyed;
use harbor::sink::manifest::Manifest;

use crate::common::*;

const RANGE: DateShiftRange = DateShiftRange {
    min_days: -365,
    max_days: 365,
};

fn parse_dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"))
        .or_else(|_| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| d.and_hms_opt(0, 0, 0).unwrap())
        })
        .unwrap_or_else(|_| panic!("not a date: {s}"))
}

fn shard_of_path(path: &str) -> u32 {
    let name = path.rsplit('/').next().unwrap();
    name["shard-".len().."shard-".len() + 5].parse().unwrap()
}

#[test]
fn sqlite_demo_output_is_deidentified_linked_and_shifted_consistently() {
    let ws = Workspace::with_synth(80);
    let db = ws.path("data/ehr.sqlite");
    let r = run_ok(&ws.sqlite_spec("ehr"), &[]);
    let run_dir = r.run_dir();

    let v = harbor(&[
        "verify",
        run_dir.to_str().unwrap(),
        "--canaries",
        ws.path("data/canaries.txt").to_str().unwrap(),
    ]);
    assert_eq!(
        v.code, 0,
        "verify found problems:\n{}{}",
        v.stdout, v.stderr
    );
    assert_contains(&v.stdout, "480 canaries");

    let keyed = Keyed::new(KEY.as_bytes()).unwrap();
    let tables = read_tables(&run_dir);

    // person: one row per patient, ZIPs and ages generalized.
    let people = sqlite_rows(&db, "SELECT person_id, zip, birth_date, age FROM person");
    let reference = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut by_pseudonym = BTreeMap::new();
    for p in &people {
        let id = p[0].clone().unwrap();
        by_pseudonym.insert(keyed.pseudonym("person", &id), p.clone());
    }
    let mut person_shard = BTreeMap::new();
    let mut seen = 0;
    let (mut restricted_seen, mut old_seen) = (0, 0);
    for (path, batch) in &tables["person"] {
        for row in 0..batch.num_rows() {
            seen += 1;
            let pseudo = cell(batch, "person_id", row).unwrap();
            let orig = &by_pseudonym[&pseudo];
            person_shard.insert(pseudo.clone(), shard_of_path(path));
            let zip = orig[1].as_deref().unwrap();
            let out_zip = cell(batch, "zip", row).unwrap();
            if RESTRICTED_ZIP3.contains(&&zip[..3]) {
                restricted_seen += 1;
                assert_eq!(out_zip, "000");
            } else {
                assert_eq!(out_zip, &zip[..3]);
            }
            let age: i64 = cell(batch, "age", row).unwrap().parse().unwrap();
            assert!(age <= 90, "age {age} above 90");
            let birth = NaiveDate::parse_from_str(orig[2].as_deref().unwrap(), "%Y-%m-%d").unwrap();
            let out_birth = parse_dt(&cell(batch, "birth_date", row).unwrap());
            if harbor::deid::rules::age_at(birth, reference) > 89 {
                old_seen += 1;
                assert_eq!(
                    out_birth.date(),
                    NaiveDate::from_ymd_opt(1936, 1, 1).unwrap()
                );
                assert_eq!(age, 90);
            } else {
                let offset = keyed.date_offset_days(orig[0].as_deref().unwrap(), RANGE);
                assert_ne!(offset, 0);
                assert_eq!((out_birth.date() - birth).num_days(), i64::from(offset));
            }
        }
    }
    assert_eq!(seen, 80);
    assert!(
        restricted_seen > 0 && old_seen > 0,
        "the synthetic data plants both"
    );

    // Every event table: the patient links to person, lands in the patient's shard, and every
    // date moved by exactly that patient's offset (so intervals are preserved).
    let checks: [(&str, &str, &str, &str); 6] = [
        ("visit_occurrence", "visit", "visit_id", "visit_start"),
        ("visit_occurrence", "visit", "visit_id", "visit_end"),
        (
            "condition_occurrence",
            "condition",
            "condition_id",
            "condition_date",
        ),
        (
            "measurement",
            "measurement",
            "measurement_id",
            "measured_at",
        ),
        (
            "drug_exposure",
            "drug_exposure",
            "drug_exposure_id",
            "end_date",
        ),
        ("note", "note", "note_id", "note_date"),
    ];
    for (table, kind, id_col, date_col) in checks {
        let orig: BTreeMap<String, (String, String)> = sqlite_rows(
            &db,
            &format!("SELECT {id_col}, person_id, {date_col} FROM {table}"),
        )
        .into_iter()
        .map(|r| {
            (
                keyed.pseudonym(kind, r[0].as_deref().unwrap()),
                (r[1].clone().unwrap(), r[2].clone().unwrap()),
            )
        })
        .collect();
        let mut rows = 0;
        for (path, batch) in &tables[table] {
            for row in 0..batch.num_rows() {
                rows += 1;
                let (pid, orig_date) = &orig[&cell(batch, id_col, row).unwrap()];
                let person = cell(batch, "person_id", row).unwrap();
                assert_eq!(
                    person,
                    keyed.pseudonym("person", pid),
                    "{table}: patient link"
                );
                assert_eq!(
                    person_shard[&person],
                    shard_of_path(path),
                    "{table}: shard of patient"
                );
                let shifted = parse_dt(&cell(batch, date_col, row).unwrap());
                let delta = shifted - parse_dt(orig_date);
                assert_eq!(
                    delta.num_seconds() % 86_400,
                    0,
                    "{table}.{date_col}: whole days"
                );
                assert_eq!(
                    delta.num_days(),
                    i64::from(keyed.date_offset_days(pid, RANGE)),
                    "{table}.{date_col}: the patient's offset"
                );
            }
        }
        assert_eq!(rows, orig.len(), "{table}: every row written");
    }

    // Notes keep their clinical words and lose their identifiers.
    let notes = &tables["note"];
    let texts: Vec<String> = notes
        .iter()
        .flat_map(|(_, b)| (0..b.num_rows()).map(move |r| cell(b, "note_text", r).unwrap()))
        .collect();
    assert!(texts
        .iter()
        .all(|t| t.contains("Plan: continue current meds")));
    assert!(texts.iter().any(|t| t.contains("[MRN]")));
    assert!(texts.iter().any(|t| t.contains("[PHONE]")));
    assert!(texts.iter().all(|t| !t.contains("@mail.example.org")));

    // The report tells the compliance officer what happened, in counts.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir.join("deid_report.json")).unwrap()).unwrap();
    let person = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "person")
        .unwrap();
    let zip = person["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "zip")
        .unwrap();
    assert_eq!(zip["zip_restricted_to_000"], restricted_seen);
    let birth = person["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "birth_date")
        .unwrap();
    assert_eq!(birth["birth_dates_generalized"], old_seen);
    assert!(std::fs::read_to_string(run_dir.join("deid_report.md"))
        .unwrap()
        .contains("restricted ZIPs"));
}

#[test]
fn reruns_with_the_same_key_are_byte_identical() {
    let ws = Workspace::with_synth(40);
    let spec = ws.sqlite_spec("ehr");
    let a = run_ok(
        &spec,
        &["--full", "--out-dir", ws.path("a").to_str().unwrap()],
    )
    .run_dir();
    let b = run_ok(
        &spec,
        &["--full", "--out-dir", ws.path("b").to_str().unwrap()],
    )
    .run_dir();
    let (ca, cb) = (table_checksums(&a), table_checksums(&b));
    assert!(ca.len() >= 6, "{ca:?}");
    assert_eq!(ca, cb);

    // The same rows in another order give the same bytes.
    let db = ws.path("data/ehr.sqlite");
    for t in ["measurement", "note"] {
        let ddl = sqlite_rows(
            &db,
            &format!("SELECT sql FROM sqlite_master WHERE name = '{t}'"),
        )[0][0]
            .clone()
            .unwrap()
            .replacen(t, "shuffled", 1);
        sqlite_exec(
            &db,
            &[&format!(
                "{ddl}; INSERT INTO shuffled SELECT * FROM {t} ORDER BY random(); DROP TABLE {t}; ALTER TABLE shuffled RENAME TO {t}"
            )],
        );
    }
    let shuffled = run_ok(
        &spec,
        &["--full", "--out-dir", ws.path("s").to_str().unwrap()],
    )
    .run_dir();
    assert_eq!(table_checksums(&shuffled), ca);

    // A different key gives different files.
    ws.write("key.txt", "another-key-that-is-long-enough-0000");
    let c = run_ok(
        &spec,
        &["--full", "--out-dir", ws.path("c").to_str().unwrap()],
    )
    .run_dir();
    assert_ne!(table_checksums(&c), ca);
}

fn run_dirs(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && n != "state.json")
        .collect()
}

#[test]
fn incremental_runs_read_only_new_rows_and_exit_99_when_there_are_none() {
    let ws = Workspace::with_synth(30);
    let db = ws.path("data/ehr.sqlite");
    let spec = ws.sqlite_spec("ehr");
    let out = ws.path("out/ehr");
    let first = run_ok(&spec, &[]).run_dir();
    assert_eq!(run_dirs(&out).len(), 1);

    let again = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(again.code, 99, "{}{}", again.stdout, again.stderr);
    assert_eq!(
        run_dirs(&out).len(),
        1,
        "a run with no new rows writes nothing"
    );

    sqlite_exec(
        &db,
        &["INSERT INTO visit_occurrence VALUES (999999, 1, '2026-03-01 09:00:00', '2026-03-02 10:00:00', 'inpatient', 'Cardiology', '2026-03-05 00:00:00')"],
    );
    let second = run_ok(&spec, &[]).run_dir();
    assert_ne!(first, second);
    let m = Manifest::load(&second).unwrap();
    let rows: BTreeMap<&str, u64> = m.tables.iter().map(|t| (t.name.as_str(), t.rows)).collect();
    assert_eq!(rows["visit_occurrence"], 1);
    assert_eq!(rows["person"], 0);
    let wm = &m.watermarks["visit_occurrence"];
    assert_eq!(
        wm.current,
        Some(harbor::state::Watermark::Text("2026-03-05 00:00:00".into())),
        "SQLite watermarks keep the database's own text, which SQLite compares"
    );
    assert_eq!(wm.rows_read, 1);

    let third = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(third.code, 99);

    // --full reads everything again; --since reads from the given value.
    let full = run_ok(&spec, &["--full"]).run_dir();
    let m = Manifest::load(&full).unwrap();
    assert_eq!(
        m.tables.iter().find(|t| t.name == "person").unwrap().rows,
        30
    );
    let since = harbor(&[
        "run",
        spec.to_str().unwrap(),
        "--since",
        "2026-03-01 00:00:00",
    ]);
    assert_eq!(since.code, 0, "{}", since.stderr);
    let m = Manifest::load(&since.run_dir()).unwrap();
    assert_eq!(m.tables.iter().map(|t| t.rows).sum::<u64>(), 1);
}

#[test]
fn an_overlapping_run_of_the_same_pipeline_is_refused() {
    let ws = Workspace::with_synth(5);
    let spec = ws.sqlite_spec("ehr");
    let out = ws.path("out/ehr");
    std::fs::create_dir_all(&out).unwrap();
    let held = std::fs::File::create(out.join(".harbor.lock")).unwrap();
    held.try_lock().unwrap();
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(r.code, 8, "{}", r.stderr);
    assert_contains(&r.stderr, "another run of this pipeline");
    assert!(run_dirs(&out).is_empty());
    drop(held);

    // What a run killed midway leaves behind is cleared by the next one.
    std::fs::create_dir_all(out.join(".tmp-20260101T000000000000Z/tables")).unwrap();
    run_ok(&spec, &[]);
    assert!(!out.join(".tmp-20260101T000000000000Z").exists());
}

#[test]
fn surrogate_text_dates_move_with_the_patients_structured_dates() {
    let ws = Workspace::with_synth(30);
    let policy = std::fs::read_to_string(ws.path("policy.toml")).unwrap();
    let policy = policy.replacen(
        "\n[table.",
        "\n[policy.text]\nmode = \"surrogate\"\n\n[table.",
        1,
    );
    ws.write("policy.toml", &policy);
    let r = run_ok(&ws.sqlite_spec("ehr"), &[]);
    let tables = read_tables(&r.run_dir());
    let mut checked = 0;
    for (_, batch) in &tables["note"] {
        for row in 0..batch.num_rows() {
            let text = cell(batch, "note_text", row).unwrap();
            let note_date = parse_dt(&cell(batch, "note_date", row).unwrap()).date();
            // The synthetic note says "... seen MM/DD/YYYY for ..." on its own date: both
            // moved by the patient's offset, they still agree.
            let seen = text
                .split("seen ")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap();
            let in_text = NaiveDate::parse_from_str(seen, "%m/%d/%Y")
                .unwrap_or_else(|_| panic!("not a shifted m/d/Y date in note row {row}"));
            assert_eq!(in_text, note_date);
            assert!(!text.contains("[DATE]") && !text.contains("[PHONE]"));
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} notes checked");
    let v = harbor(&[
        "verify",
        r.run_dir().to_str().unwrap(),
        "--canaries",
        ws.path("data/canaries.txt").to_str().unwrap(),
    ]);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
}
