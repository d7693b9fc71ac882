//! Mistakes in specs and policies: each stops the run with a message that says what to fix,
//! and an exit code a scheduler can act on.

use crate::common::*;

fn sqlite_source() -> &'static str {
    "[[source]]\nname = \"ehr\"\nkind = \"sqlite\"\npath = \"data/ehr.sqlite\""
}

#[test]
fn malformed_toml_names_file_and_line() {
    let ws = Workspace::empty();
    let spec = ws.write("bad.toml", "[pipeline]\nname = \"x\"\npolicy = \n");
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_contains(&r.stderr, "bad.toml:3:");
}

#[test]
fn unknown_keys_and_wrong_types_name_the_key_and_line() {
    let ws = Workspace::empty();
    let spec = ws.write(
        "typo.toml",
        "[pipeline]\nname = \"x\"\npolicy = \"policy.toml\"\nkey = { env = \"K\" }\noutput_dir = \"out\"\nshardz = 4\n",
    );
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("typo.toml:6:") && r.stderr.contains("shardz"),
        "{}",
        r.stderr
    );

    let spec = ws.write(
        "types.toml",
        "[pipeline]\nname = \"x\"\npolicy = \"policy.toml\"\nkey = { env = \"K\" }\noutput_dir = \"out\"\nshards = \"four\"\n",
    );
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert_contains(&r.stderr, "types.toml:6:");
    assert_contains(&r.stderr, "| shards = <value withheld>");

    let policy = ws.write(
        "policy.toml",
        "[policy]\nname = \"p\"\n[table.t]\n[table.t.columns]\na = \"scramble\"\n",
    );
    let spec = ws.write(
        "p.toml",
        &format!("[pipeline]\nname = \"x\"\npolicy = \"{}\"\nkey = {{ file = \"key.txt\" }}\noutput_dir = \"out\"\n\n{}\n[[source.table]]\nname = \"t\"\n\n[[output]]\ntable = \"t\"\n", policy.display(), sqlite_source()),
    );
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.contains("policy.toml:5:") && r.stderr.contains("scramble"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_key_written_into_the_spec_is_refused() {
    let ws = Workspace::empty();
    let spec = ws.write(
        "k.toml",
        "[pipeline]\nname = \"x\"\npolicy = \"policy.toml\"\nkey = \"hunter2hunter2hunter2\"\noutput_dir = \"out\"\n[[output]]\ntable = \"t\"\n",
    );
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert_contains(&r.stderr, "pipeline.key must come from");
    assert!(!r.stderr.contains("hunter2"));
}

#[test]
fn a_missing_key_variable_is_named() {
    let ws = Workspace::with_synth(5);
    let spec = ws.sqlite_spec("ehr");
    let text = std::fs::read_to_string(&spec).unwrap().replace(
        "key = { file = \"key.txt\" }",
        "key = { env = \"HARBOR_TEST_UNSET_KEY\" }",
    );
    std::fs::write(&spec, text).unwrap();
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(r.code, 3);
    assert_contains(&r.stderr, "HARBOR_TEST_UNSET_KEY");
}

#[test]
fn columns_without_policy_stop_the_run_before_any_output_and_are_all_named() {
    let ws = Workspace::with_synth(5);
    let policy = std::fs::read_to_string(ws.path("policy.toml"))
        .unwrap()
        .replace("ssn = \"drop\"\n", "")
        .replace("care_site = \"keep\"\n", "");
    ws.write("policy.toml", &policy);
    let r = harbor(&["run", ws.sqlite_spec("ehr").to_str().unwrap()]);
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_contains(&r.stderr, "person.ssn: no policy");
    assert_contains(&r.stderr, "visit_occurrence.care_site: no policy");
    let out = ws.path("out/ehr");
    let written = entries_besides_lock(&out);
    assert!(written.is_empty(), "nothing may be written: {written:?}");
}

#[test]
fn a_policy_naming_a_missing_column_is_an_error() {
    let ws = Workspace::with_synth(5);
    let policy = std::fs::read_to_string(ws.path("policy.toml"))
        .unwrap()
        .replace(
            "gender = \"keep\"\n",
            "gender = \"keep\"\nsocial_security = \"drop\"\n",
        );
    ws.write("policy.toml", &policy);
    let r = harbor(&["run", ws.sqlite_spec("ehr").to_str().unwrap()]);
    assert_eq!(r.code, 4);
    assert_contains(
        &r.stderr,
        "person.social_security: the policy names a column the table does not have",
    );
}

#[test]
fn an_action_that_cannot_apply_to_the_type_is_named() {
    let ws = Workspace::with_synth(5);
    let policy = std::fs::read_to_string(ws.path("policy.toml"))
        .unwrap()
        .replace("dose_mg = \"keep\"", "dose_mg = \"date_shift\"");
    ws.write("policy.toml", &policy);
    let r = harbor(&["run", ws.sqlite_spec("ehr").to_str().unwrap()]);
    assert_eq!(r.code, 4);
    assert_contains(&r.stderr, "drug_exposure.dose_mg: date_shift cannot apply");
}

#[test]
fn an_unreachable_database_is_reported_without_the_password() {
    let ws = Workspace::empty();
    let spec = ws.omop_spec(
        "down",
        "[[source]]\nname = \"warehouse\"\nkind = \"mysql\"\nurl = { env = \"HARBOR_TEST_DOWN_URL\" }",
    );
    let r = harbor_env(
        &["run", spec.to_str().unwrap()],
        &[(
            "HARBOR_TEST_DOWN_URL",
            "mysql://clinician:Sup3rS3cretPw@127.0.0.1:1/ehr",
        )],
    );
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert_contains(&r.stderr, "source warehouse: cannot connect");
    assert!(!r.stderr.contains("Sup3rS3cretPw") && !r.stdout.contains("Sup3rS3cretPw"));
}

#[test]
fn help_explains_commands_and_exit_codes() {
    let r = harbor(&["--help"]);
    assert_eq!(r.code, 0);
    for word in ["run", "verify", "synth", "99"] {
        assert!(r.stdout.contains(word), "--help lacks {word}: {}", r.stdout);
    }
    assert_eq!(harbor(&["frobnicate"]).code, 2);
}

#[test]
fn a_password_written_into_a_spec_url_is_refused() {
    let ws = Workspace::empty();
    let spec = ws.omop_spec(
        "pw",
        "[[source]]\nname = \"warehouse\"\nkind = \"postgres\"\nurl = \"postgres://etl:CorrectHorse@db/ehr\"",
    );
    let r = harbor(&["run", spec.to_str().unwrap()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_contains(&r.stderr, "url holds a password");
    assert!(!r.stderr.contains("CorrectHorse"));
}
