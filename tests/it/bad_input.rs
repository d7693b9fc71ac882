//! Bad input: each case is quarantined and counted, or stops the run with a clear message;
//! none panics, and nothing un-de-identified reaches the output.

use crate::common::*;

fn report(run_dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(run_dir.join("deid_report.json")).unwrap()).unwrap()
}

const OBS_POLICY: &str = r#"
[policy]
name = "obs"

[table.obs]
patient_id = "patient_id"
[table.obs.columns]
patient_id = "pseudonym"
obs_date = "date_shift"
value = "keep"
comment = "scrub_text"
"#;

fn obs_spec(ws: &Workspace, source: &str, table: &str) -> std::path::PathBuf {
    ws.write("policy.toml", OBS_POLICY);
    ws.write(
        "obs.toml",
        &format!(
            "[pipeline]\nname = \"obs\"\npolicy = \"policy.toml\"\nkey = {{ file = \"key.txt\" }}\noutput_dir = \"out\"\n\n{source}\n\n[[source.table]]\nname = \"obs\"\n{table}\n\n[[output]]\ntable = \"obs\"\n"
        ),
    )
}

fn all_text(run_dir: &std::path::Path) -> String {
    let mut s = String::new();
    for (_, files) in read_tables(run_dir) {
        for (_, b) in files {
            for c in 0..b.num_columns() {
                let name = b.schema().field(c).name().clone();
                for r in 0..b.num_rows() {
                    s.push_str(&cell(&b, &name, r).unwrap_or_default());
                    s.push('\n');
                }
            }
        }
    }
    s
}

#[test]
fn sql_cells_that_do_not_fit_their_type_and_null_patients_are_quarantined() {
    let ws = Workspace::empty();
    let db = ws.path("obs.sqlite");
    sqlite_exec(
        &db,
        &[
            "CREATE TABLE obs (patient_id TEXT, obs_date DATE, value INTEGER, comment TEXT)",
            "INSERT INTO obs VALUES ('p1', '2021-03-04', 7, 'fine')",
            "INSERT INTO obs VALUES ('p2', '2021-03-05', 'LEAKYVALUE', 'row two')",
            "INSERT INTO obs VALUES ('p3', '2021-02-30', 8, 'row three')",
            "INSERT INTO obs VALUES (NULL, '2021-03-06', 9, 'NULLPATIENTMARKER')",
            "INSERT INTO obs VALUES ('p5', '2021-03-07', 10, 'call 617-555-0134')",
        ],
    );
    let spec = obs_spec(
        &ws,
        "[[source]]\nname = \"db\"\nkind = \"sqlite\"\npath = \"obs.sqlite\"",
        "",
    );
    let r = run_ok(&spec, &[]);
    assert_contains(&r.stdout, "rows written: 2; rows held back: 3");
    assert!(!r.stdout.contains("LEAKYVALUE") && !r.stderr.contains("LEAKYVALUE"));
    let run_dir = r.run_dir();
    let rep = report(&run_dir);
    let sq = rep["source_quarantine"].as_array().unwrap();
    let find = |col: &str| {
        sq.iter()
            .find(|q| q["column"] == col)
            .unwrap_or_else(|| panic!("{rep}"))
    };
    assert_eq!(find("value")["reason"], "not an integer");
    assert_eq!(find("value")["first_row_numbers"], serde_json::json!([2]));
    assert_eq!(find("obs_date")["reason"], "not a valid date");
    assert_eq!(
        find("obs_date")["first_row_numbers"],
        serde_json::json!([3])
    );
    let tq = &rep["tables"][0]["quarantined"];
    assert_eq!(tq[0]["reason"], "patient id is null");
    assert_eq!(tq[0]["rows"], 1);
    let text = all_text(&run_dir);
    for leaked in [
        "LEAKYVALUE",
        "NULLPATIENTMARKER",
        "row three",
        "617-555-0134",
    ] {
        assert!(!text.contains(leaked), "{leaked} reached the output");
    }
    assert!(text.contains("call [PHONE]"));
}

#[test]
fn csv_and_ndjson_sources_quarantine_unparseable_dates() {
    let ws = Workspace::empty();
    ws.write(
        "in/obs-1.csv",
        "patient_id,obs_date,value,comment\np1,2021-03-04,7,fine\np2,2021-13-45,8,BADDATEMARKER\n",
    );
    ws.write(
        "in/obs-2.csv",
        "patient_id,obs_date,value,comment\np3,2021-05-06,9,seen 5/6/2021\n",
    );
    let spec = obs_spec(
        &ws,
        "[[source]]\nname = \"files\"\nkind = \"csv\"",
        "path = \"in/*.csv\"",
    );
    let r = run_ok(&spec, &[]);
    let run_dir = r.run_dir();
    let rep = report(&run_dir);
    assert_eq!(rep["tables"][0]["rows_written"], 2, "{rep}");
    assert_eq!(rep["tables"][0]["quarantined"][0]["column"], "obs_date");
    assert_eq!(
        rep["tables"][0]["quarantined"][0]["reason"],
        "not a valid date"
    );
    let text = all_text(&run_dir);
    assert!(!text.contains("BADDATEMARKER"));
    assert!(text.contains("seen [DATE]"));
    assert!(!text.contains("2021-05-06"), "the text date is shifted");

    let ws = Workspace::empty();
    ws.write(
        "in/obs.jsonl",
        "{\"patient_id\":\"p1\",\"obs_date\":\"2021-03-04\",\"value\":7,\"comment\":\"a@b.org wrote\"}\n{\"patient_id\":null,\"obs_date\":\"2021-03-04\",\"value\":1,\"comment\":\"x\"}\n",
    );
    let spec = obs_spec(
        &ws,
        "[[source]]\nname = \"files\"\nkind = \"ndjson\"",
        "path = \"in/obs.jsonl\"",
    );
    let run_dir = run_ok(&spec, &[]).run_dir();
    let rep = report(&run_dir);
    assert_eq!(rep["tables"][0]["rows_written"], 1, "{rep}");
    assert!(all_text(&run_dir).contains("[EMAIL] wrote"));
}

#[test]
fn a_50_megabyte_text_cell_is_scrubbed() {
    let ws = Workspace::empty();
    let db = ws.path("obs.sqlite");
    sqlite_exec(
        &db,
        &[
            "CREATE TABLE obs (patient_id TEXT, obs_date DATE, value INTEGER, comment TEXT)",
            "INSERT INTO obs VALUES ('p1', '2021-03-04', 1, 'SSN 123-45-6789 ' || replace(hex(zeroblob(16700000)), '00', 'ab ') || ' mail to big.note@example.org')",
        ],
    );
    let spec = obs_spec(
        &ws,
        "[[source]]\nname = \"db\"\nkind = \"sqlite\"\npath = \"obs.sqlite\"",
        "",
    );
    let run_dir = run_ok(&spec, &[]).run_dir();
    let tables = read_tables(&run_dir);
    let (_, batch) = &tables["obs"][0];
    let text = cell(batch, "comment", 0).unwrap();
    assert!(text.len() > 50_000_000, "{}", text.len());
    assert!(text.starts_with("SSN [SSN] ab ab"));
    assert!(text.ends_with("mail to [EMAIL]"));
}

#[test]
fn non_utf8_bytes_in_a_csv_stop_the_run_with_a_message_naming_the_table() {
    let ws = Workspace::empty();
    let mut bytes =
        b"patient_id,obs_date,value,comment\np1,2021-03-04,7,ok\np2,2021-03-05,8,caf".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(b"SECRETTAIL\n");
    std::fs::create_dir_all(ws.path("in")).unwrap();
    std::fs::write(ws.path("in/obs.csv"), bytes).unwrap();
    let spec = obs_spec(
        &ws,
        "[[source]]\nname = \"files\"\nkind = \"csv\"",
        "path = \"in/obs.csv\"",
    );
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_ne!(r.code, 0);
    assert!(r.code == 5 || r.code == 6, "{}: {}", r.code, r.stderr);
    assert_contains(&r.stderr, "obs");
    assert!(r.stderr.to_lowercase().contains("utf"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("SECRETTAIL") && !r.stderr.contains("caf"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"));
    let leftovers = entries_besides_lock(&ws.path("out"));
    assert!(
        leftovers.is_empty(),
        "a failed run leaves nothing behind: {leftovers:?}"
    );
}
