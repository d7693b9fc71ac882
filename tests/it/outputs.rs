//! Output shape: strict Safe Harbor dates, transforms, Parquet sources, file size bounds, and
//! `harbor verify` catching tampering and leaks.

use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use chrono::{Datelike, NaiveDate};
use harbor::deid::Keyed;
use harbor::sink::manifest::Manifest;

use crate::common::*;

#[test]
fn strict_policy_keeps_only_years() {
    let ws = Workspace::with_synth(60);
    std::fs::copy(
        repo_root().join("schemas/omop_strict.toml"),
        ws.path("policy.toml"),
    )
    .unwrap();
    let run_dir = run_ok(&ws.sqlite_spec("strict"), &[]).run_dir();
    let keyed = Keyed::new(KEY.as_bytes()).unwrap();
    let reference = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let births: std::collections::BTreeMap<String, NaiveDate> = sqlite_rows(
        &ws.path("data/ehr.sqlite"),
        "SELECT person_id, birth_date FROM person",
    )
    .into_iter()
    .map(|r| {
        (
            keyed.pseudonym("person", r[0].as_deref().unwrap()),
            NaiveDate::parse_from_str(r[1].as_deref().unwrap(), "%Y-%m-%d").unwrap(),
        )
    })
    .collect();
    let tables = read_tables(&run_dir);
    let mut old = 0;
    for (_, batch) in &tables["person"] {
        assert_eq!(
            batch
                .schema()
                .field_with_name("birth_date")
                .unwrap()
                .data_type(),
            &DataType::Int32
        );
        for row in 0..batch.num_rows() {
            let birth = births[&cell(batch, "person_id", row).unwrap()];
            let year: i32 = cell(batch, "birth_date", row).unwrap().parse().unwrap();
            if harbor::deid::rules::age_at(birth, reference) > 89 {
                old += 1;
                assert_eq!(year, 1936);
            } else {
                assert_eq!(year, birth.year());
            }
        }
    }
    assert!(old > 0);
    let report = std::fs::read_to_string(run_dir.join("deid_report.md")).unwrap();
    assert!(
        report.contains("year only (strict Safe Harbor)"),
        "{report}"
    );
}

#[test]
fn transforms_join_and_filter_before_deidentification() {
    let ws = Workspace::with_synth(50);
    let mut policy = std::fs::read_to_string(ws.path("policy.toml")).unwrap();
    policy.push_str(
        "\n[table.female_visits]\npatient_id = \"person_id\"\n[table.female_visits.columns]\nvisit_id = { action = \"pseudonym\", kind = \"visit\" }\nperson_id = { action = \"pseudonym\", kind = \"person\" }\nvisit_start = \"date_shift\"\nzip = \"zip3\"\n",
    );
    ws.write("policy.toml", &policy);
    let spec_path = ws.sqlite_spec("cohort");
    let mut spec = std::fs::read_to_string(&spec_path).unwrap();
    spec.push_str(
        "\n[[transform]]\nname = \"female_visits\"\nsql = \"SELECT v.visit_id, v.person_id, v.visit_start, p.zip FROM visit_occurrence v JOIN person p ON v.person_id = p.person_id WHERE p.gender = 'F'\"\n\n[[output]]\ntable = \"female_visits\"\n",
    );
    std::fs::write(&spec_path, spec).unwrap();
    let run_dir = run_ok(&spec_path, &[]).run_dir();
    let expected = sqlite_rows(
        &ws.path("data/ehr.sqlite"),
        "SELECT count(*) FROM visit_occurrence v JOIN person p ON v.person_id = p.person_id WHERE p.gender = 'F'",
    )[0][0]
        .clone()
        .unwrap();
    let m = Manifest::load(&run_dir).unwrap();
    let t = m.tables.iter().find(|t| t.name == "female_visits").unwrap();
    assert_eq!(t.rows.to_string(), expected);
    assert!(t.rows > 0);
    let names: Vec<&str> = t.schema.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["visit_id", "person_id", "visit_start", "zip"]);
}

#[test]
fn parquet_sources_and_the_file_size_bound() {
    let ws = Workspace::empty();
    harbor::bench::generate(ws.dir.path(), 20_000).unwrap();
    let spec = std::fs::read_to_string(ws.path("bench.toml"))
        .unwrap()
        .replace(
            "shards = 8",
            "shards = 2\nmax_file_bytes = 60000\nbatch_rows = 1024",
        );
    let spec_path = ws.write("bench.toml", &spec);
    let run_dir = run_ok(&spec_path, &[]).run_dir();
    let m = Manifest::load(&run_dir).unwrap();
    let t = &m.tables[0];
    assert_eq!(t.rows, 20_000);
    let shards: std::collections::BTreeSet<u32> =
        t.files.iter().map(|f| f.shard.unwrap()).collect();
    assert_eq!(shards.len(), 2);
    assert!(
        t.files.len() > 2,
        "files roll over at the size bound: {}",
        t.files.len()
    );
    assert_eq!(t.files.iter().map(|f| f.rows.unwrap()).sum::<u64>(), 20_000);
    // The bound is checked between batches, so a file passes it by at most one batch.
    for f in &t.files {
        assert!(
            f.bytes < 60_000 + 200_000,
            "{} is {} bytes",
            f.path,
            f.bytes
        );
    }
}

fn rewrite_with(run_dir: &std::path::Path, value: &str) {
    // Replace the first person shard with a one-row file holding `value`, and make the
    // manifest agree, so only the content scan can catch it.
    let mut m = Manifest::load(run_dir).unwrap();
    let entry = m
        .tables
        .iter_mut()
        .find(|t| t.name == "person")
        .unwrap()
        .files
        .first_mut()
        .unwrap()
        .clone();
    let schema = Arc::new(Schema::new(vec![Field::new(
        "gender",
        DataType::Utf8,
        true,
    )]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(StringArray::from(vec!["F", value])) as ArrayRef],
    )
    .unwrap();
    let path = run_dir.join(&entry.path);
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None)
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    for t in &mut m.tables {
        for f in &mut t.files {
            if f.path == entry.path {
                f.bytes = std::fs::metadata(&path).unwrap().len();
                f.sha256 = harbor::sink::sha256_file(&path).unwrap();
            }
        }
    }
    std::fs::write(
        run_dir.join("manifest.json"),
        serde_json::to_vec_pretty(&m).unwrap(),
    )
    .unwrap();
}

#[test]
fn verify_catches_tampering_and_leaks_without_printing_values() {
    let ws = Workspace::with_synth(20);
    let run_dir = run_ok(&ws.sqlite_spec("ehr"), &[]).run_dir();
    let canaries = ws.path("data/canaries.txt");
    let verify = |dir: &std::path::Path| {
        harbor(&[
            "verify",
            dir.to_str().unwrap(),
            "--canaries",
            canaries.to_str().unwrap(),
        ])
    };
    assert_eq!(verify(&run_dir).code, 0);

    let copy = |name: &str| {
        let dst = ws.path(name);
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(&run_dir)
            .arg(&dst)
            .status()
            .unwrap();
        assert!(status.success());
        dst
    };
    let m = Manifest::load(&run_dir).unwrap();
    let shard = m.tables[0].files[0].path.clone();

    let flipped = copy("flipped");
    let mut bytes = std::fs::read(flipped.join(&shard)).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(flipped.join(&shard), bytes).unwrap();
    let r = verify(&flipped);
    assert_eq!(r.code, 7);
    assert_contains(&r.stdout, &format!("FAIL {shard}: sha256 differs"));

    let extra = copy("extra");
    std::fs::write(extra.join("tables/notes.csv"), "x").unwrap();
    std::fs::remove_file(extra.join("deid_report.md")).unwrap();
    let r = verify(&extra);
    assert_eq!(r.code, 7);
    assert_contains(&r.stdout, "tables/notes.csv: not listed in the manifest");
    assert_contains(
        &r.stdout,
        "deid_report.md: listed in the manifest but missing",
    );

    let ssn = copy("ssn");
    rewrite_with(&ssn, "patient SSN is 078-05-1120");
    let r = verify(&ssn);
    assert_eq!(r.code, 7);
    assert_contains(
        &r.stdout,
        "column gender row 1: contains a value shaped like SSN",
    );
    assert!(!r.stdout.contains("078-05-1120"));

    let canary = copy("canary");
    let planted = std::fs::read_to_string(&canaries)
        .unwrap()
        .lines()
        .nth(4)
        .unwrap()
        .to_string();
    rewrite_with(&canary, &format!("lives at {planted}"));
    let r = verify(&canary);
    assert_eq!(r.code, 7);
    assert_contains(
        &r.stdout,
        "column gender row 1: contains a planted canary value",
    );
    assert!(!r.stdout.contains(&planted));
}
