//! Our Parquet read by the tools ML engineers use: pyarrow and Polars (in the venv that
//! `.ci/run` makes; the test says `skipped:` without it, and fails under CI=true).

use crate::common::*;

const READ_ALL: &str = r#"
import json, sys, pathlib
import pyarrow.parquet as pq
import polars as pl
run = pathlib.Path(sys.argv[1])
manifest = json.loads((run / "manifest.json").read_text())
out = {}
for t in manifest["tables"]:
    paths = [str(run / f["path"]) for f in t["files"]]
    if not paths:
        continue
    arrow_table = pq.ParquetDataset(paths).read()
    frame = pl.read_parquet(paths)
    out[t["name"]] = {
        "pyarrow_rows": arrow_table.num_rows,
        "polars_rows": frame.height,
        "pyarrow_types": {f.name: str(f.type) for f in arrow_table.schema},
        "polars_types": {n: str(d) for n, d in frame.schema.items()},
    }
print(json.dumps(out))
"#;

#[test]
fn pyarrow_and_polars_read_every_table() {
    let Some(python) = server_url("HARBOR_TEST_PYTHON", "pyarrow_and_polars_read_every_table")
    else {
        return;
    };
    let ws = Workspace::with_synth(30);
    let run_dir = run_ok(&ws.sqlite_spec("ehr"), &[]).run_dir();
    let script = ws.write("read_all.py", READ_ALL);
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&run_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let manifest = harbor::sink::manifest::Manifest::load(&run_dir).unwrap();
    for t in &manifest.tables {
        let s = &seen[&t.name];
        assert_eq!(s["pyarrow_rows"], t.rows, "{}", t.name);
        assert_eq!(s["polars_rows"], t.rows, "{}", t.name);
    }
    let person = &seen["person"];
    assert_eq!(person["pyarrow_types"]["person_id"], "string");
    assert_eq!(person["pyarrow_types"]["birth_date"], "date32[day]");
    assert_eq!(person["pyarrow_types"]["age"], "int64");
    assert_eq!(person["polars_types"]["birth_date"], "Date");
    assert_eq!(
        seen["visit_occurrence"]["pyarrow_types"]["visit_start"],
        "timestamp[us]"
    );
    assert_eq!(
        seen["visit_occurrence"]["polars_types"]["visit_start"],
        "Datetime(time_unit='us', time_zone=None)"
    );
    assert_eq!(seen["measurement"]["polars_types"]["value"], "Float64");
}
