//! The same pipelines against real MySQL/MariaDB and PostgreSQL servers. Each test makes a
//! database of its own and drops it afterwards. Without HARBOR_TEST_MYSQL_URL /
//! HARBOR_TEST_PG_URL they print `skipped:` (and fail under CI=true).

use chrono::{NaiveDate, NaiveDateTime};
use sqlx::{Executor, QueryBuilder, Row, ValueRef};

use crate::common::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Server {
    MySql,
    Postgres,
}

impl Server {
    fn env(self) -> &'static str {
        match self {
            Server::MySql => "HARBOR_TEST_MYSQL_URL",
            Server::Postgres => "HARBOR_TEST_PG_URL",
        }
    }
    fn kind(self) -> &'static str {
        match self {
            Server::MySql => "mysql",
            Server::Postgres => "postgres",
        }
    }
}

/// Creates a table and inserts rows 500 at a time; a macro because sqlx's bind bounds differ per
/// database type.
macro_rules! bulk_load {
    ($db:ty, $pool:ty, $url:expr, $create:expr, $insert:expr, $values:expr) => {{
        let pool = <$pool>::connect($url).await.unwrap();
        pool.execute($create.as_str()).await.unwrap();
        for chunk in $values.chunks(500) {
            let mut qb = QueryBuilder::<$db>::new($insert);
            qb.push_values(chunk, |mut b, row| {
                for v in row {
                    match v {
                        Value::I(x) => b.push_bind(*x),
                        Value::F(x) => b.push_bind(*x),
                        Value::S(x) => b.push_bind(x.clone()),
                        Value::D(x) => b.push_bind(*x),
                        Value::T(x) => b.push_bind(*x),
                    };
                }
            });
            qb.build().execute(&pool).await.unwrap();
        }
    }};
}

/// A database of its own on a server, dropped when the test ends.
struct TestDb {
    server: Server,
    admin_url: String,
    name: String,
    url: String,
    rt: tokio::runtime::Runtime,
}

fn with_database(base: &str, name: &str) -> String {
    let (head, _) = base.rsplit_once('/').expect("URL with a database path");
    format!("{head}/{name}")
}

impl TestDb {
    fn create(server: Server, test: &str) -> Option<Self> {
        let admin_url = server_url(server.env(), test)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("harbor_it_{}_{}_{nanos}", std::process::id(), test.len());
        let url = with_database(&admin_url, &name);
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            match server {
                Server::MySql => {
                    let pool = sqlx::MySqlPool::connect(&admin_url).await.unwrap();
                    pool.execute(format!("CREATE DATABASE {name} CHARACTER SET utf8mb4").as_str())
                        .await
                        .unwrap();
                }
                Server::Postgres => {
                    let pool = sqlx::PgPool::connect(&admin_url).await.unwrap();
                    pool.execute(format!("CREATE DATABASE {name}").as_str())
                        .await
                        .unwrap();
                }
            }
        });
        Some(Self {
            server,
            admin_url,
            name,
            url,
            rt,
        })
    }

    fn exec(&self, statements: &[&str]) {
        self.rt.block_on(async {
            match self.server {
                Server::MySql => {
                    let pool = sqlx::MySqlPool::connect(&self.url).await.unwrap();
                    for s in statements {
                        pool.execute(*s).await.unwrap();
                    }
                }
                Server::Postgres => {
                    let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
                    for s in statements {
                        pool.execute(*s).await.unwrap();
                    }
                }
            }
        })
    }

    /// Copies the synthetic tables from SQLite, with the server's own types.
    fn load_synth(&self, sqlite: &std::path::Path) {
        self.rt.block_on(async {
            let src = sqlx::SqlitePool::connect(&format!("sqlite://{}", sqlite.display()))
                .await
                .unwrap();
            let tables = [
                ("person", harbor::synth::PERSON_COLUMNS),
                ("visit_occurrence", harbor::synth::VISIT_COLUMNS),
                ("condition_occurrence", harbor::synth::CONDITION_COLUMNS),
                ("measurement", harbor::synth::MEASUREMENT_COLUMNS),
                ("drug_exposure", harbor::synth::DRUG_COLUMNS),
                ("note", harbor::synth::NOTE_COLUMNS),
            ];
            for (table, columns) in tables {
                let decls: Vec<String> = columns
                    .iter()
                    .map(|(n, t)| format!("{n} {}", self.server_type(t)))
                    .collect();
                let create = format!("CREATE TABLE {table} ({})", decls.join(", "));
                let rows = sqlx::query(&format!("SELECT * FROM {table}"))
                    .fetch_all(&src)
                    .await
                    .unwrap();
                let values: Vec<Vec<Value>> = rows
                    .iter()
                    .map(|r| {
                        columns
                            .iter()
                            .enumerate()
                            .map(|(i, (_, t))| Value::read(r, i, t))
                            .collect()
                    })
                    .collect();
                let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
                let insert = format!("INSERT INTO {table} ({}) ", names.join(", "));
                match self.server {
                    Server::MySql => bulk_load!(
                        sqlx::MySql,
                        sqlx::MySqlPool,
                        &self.url,
                        &create,
                        &insert,
                        &values
                    ),
                    Server::Postgres => bulk_load!(
                        sqlx::Postgres,
                        sqlx::PgPool,
                        &self.url,
                        &create,
                        &insert,
                        &values
                    ),
                }
            }
        })
    }

    fn server_type(&self, sqlite_type: &str) -> &'static str {
        match (self.server, sqlite_type) {
            (_, "INTEGER") => "BIGINT",
            (Server::MySql, "REAL") => "DOUBLE",
            (Server::Postgres, "REAL") => "DOUBLE PRECISION",
            (_, "DATE") => "DATE",
            (Server::MySql, "DATETIME") => "DATETIME",
            (Server::Postgres, "DATETIME") => "TIMESTAMP",
            (Server::MySql, "TEXT") => "LONGTEXT",
            (Server::Postgres, "TEXT") => "TEXT",
            other => panic!("no mapping for {other:?}"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (server, admin, name) = (self.server, self.admin_url.clone(), self.name.clone());
        self.rt.block_on(async move {
            match server {
                Server::MySql => {
                    if let Ok(pool) = sqlx::MySqlPool::connect(&admin).await {
                        let _ = pool
                            .execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
                            .await;
                    }
                }
                Server::Postgres => {
                    if let Ok(pool) = sqlx::PgPool::connect(&admin).await {
                        let _ = pool
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                    }
                }
            }
        });
    }
}

enum Value {
    I(Option<i64>),
    F(Option<f64>),
    S(Option<String>),
    D(Option<NaiveDate>),
    T(Option<NaiveDateTime>),
}

impl Value {
    fn read(row: &sqlx::sqlite::SqliteRow, i: usize, ty: &str) -> Value {
        let null = row.try_get_raw(i).unwrap().is_null();
        let text = || row.try_get::<String, _>(i).unwrap();
        match ty {
            "INTEGER" => Value::I((!null).then(|| row.try_get::<i64, _>(i).unwrap())),
            "REAL" => Value::F((!null).then(|| row.try_get::<f64, _>(i).unwrap())),
            "DATE" => {
                Value::D((!null).then(|| NaiveDate::parse_from_str(&text(), "%Y-%m-%d").unwrap()))
            }
            "DATETIME" => Value::T(
                (!null)
                    .then(|| NaiveDateTime::parse_from_str(&text(), "%Y-%m-%d %H:%M:%S").unwrap()),
            ),
            _ => Value::S((!null).then(text)),
        }
    }
}

fn same_pipeline_as_sqlite(server: Server, test: &str) {
    let Some(db) = TestDb::create(server, test) else {
        return;
    };
    let ws = Workspace::with_synth(40);
    db.load_synth(&ws.path("data/ehr.sqlite"));

    let sqlite_run = run_ok(&ws.sqlite_spec("lite"), &[]).run_dir();
    let spec = ws.omop_spec(
        "server",
        &format!(
            "[[source]]\nname = \"warehouse\"\nkind = \"{}\"\nurl = {{ env = \"HARBOR_IT_SOURCE_URL\" }}",
            server.kind()
        ),
    );
    let env = [("HARBOR_IT_SOURCE_URL", db.url.as_str())];
    let r = harbor_env(&["run", spec.to_str().unwrap()], &env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let server_run = r.run_dir();

    let v = harbor(&[
        "verify",
        server_run.to_str().unwrap(),
        "--canaries",
        ws.path("data/canaries.txt").to_str().unwrap(),
    ]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    // Same rows, same types, same key: the same bytes as from SQLite.
    let (a, b) = (table_checksums(&sqlite_run), table_checksums(&server_run));
    assert!(a.len() >= 6);
    assert_eq!(a, b, "{server:?} output differs from SQLite's");

    let again = harbor_env(&["run", spec.to_str().unwrap()], &env);
    assert_eq!(again.code, 99, "{}{}", again.stdout, again.stderr);
}

#[test]
fn mysql_source_gives_the_same_output_as_sqlite() {
    same_pipeline_as_sqlite(
        Server::MySql,
        "mysql_source_gives_the_same_output_as_sqlite",
    );
}

#[test]
fn postgres_source_gives_the_same_output_as_sqlite() {
    same_pipeline_as_sqlite(
        Server::Postgres,
        "postgres_source_gives_the_same_output_as_sqlite",
    );
}

/// Runs an all-`keep` pipeline over table `types` and returns (column, arrow type, value of
/// row id=1, value of row id=2) for each column.
fn types_roundtrip(
    db: &TestDb,
    columns: &[&str],
) -> Vec<(String, String, Option<String>, Option<String>)> {
    let ws = Workspace::empty();
    let mut policy = String::from("[policy]\nname = \"types\"\n\n[table.types.columns]\n");
    for c in columns {
        policy.push_str(&format!("{c} = \"keep\"\n"));
    }
    ws.write("policy.toml", &policy);
    let spec = ws.write(
        "types.toml",
        &format!(
            "[pipeline]\nname = \"types\"\npolicy = \"policy.toml\"\nkey = {{ file = \"key.txt\" }}\noutput_dir = \"out\"\n\n[[source]]\nname = \"db\"\nkind = \"{}\"\nurl = {{ env = \"HARBOR_IT_SOURCE_URL\" }}\n\n[[source.table]]\nname = \"types\"\ndecimal_scale = 4\n\n[[output]]\ntable = \"types\"\n",
            db.server.kind()
        ),
    );
    let r = harbor_env(
        &["run", spec.to_str().unwrap()],
        &[("HARBOR_IT_SOURCE_URL", &db.url)],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let tables = read_tables(&r.run_dir());
    let (_, batch) = &tables["types"][0];
    assert_eq!(batch.num_rows(), 2);
    let ids: Vec<String> = (0..2).map(|r| cell(batch, "id", r).unwrap()).collect();
    let (first, second) = if ids[0] == "1" { (0, 1) } else { (1, 0) };
    columns
        .iter()
        .map(|c| {
            let field = batch.schema().field_with_name(c).unwrap().clone();
            (
                c.to_string(),
                field.data_type().to_string(),
                cell(batch, c, first),
                cell(batch, c, second),
            )
        })
        .collect()
}

fn assert_types(
    got: &[(String, String, Option<String>, Option<String>)],
    want: &[(&str, &str, &str)],
) {
    for ((name, ty, v, null), (wname, wty, wv)) in got.iter().zip(want) {
        assert_eq!(name, wname);
        assert_eq!(ty, wty, "type of {name}");
        assert_eq!(v.as_deref(), Some(*wv), "value of {name}");
        if name != "id" {
            assert_eq!(null, &None, "NULL in {name} stays NULL");
        }
    }
    assert_eq!(got.len(), want.len());
}

#[test]
fn mysql_types_map_exactly() {
    let Some(db) = TestDb::create(Server::MySql, "mysql_types_map_exactly") else {
        return;
    };
    db.exec(&[
        "CREATE TABLE types (id BIGINT, b BOOLEAN, i8 TINYINT, i16 SMALLINT, i24 MEDIUMINT, i32 INT, i64 BIGINT, u8 TINYINT UNSIGNED, u32 INT UNSIGNED, u64 BIGINT UNSIGNED, f32 FLOAT, f64 DOUBLE, num DECIMAL(14,4), txt VARCHAR(40), body TEXT, bin VARBINARY(8), d DATE, dt DATETIME(6), ts TIMESTAMP(6) NULL, tm TIME(6))",
        "INSERT INTO types VALUES (1, TRUE, -5, -300, -70000, -2000000000, -5000000000, 250, 4000000000, 18000000000000000000, 1.5, 2.25, 12345678.1234, 'héllo wörld', 'long text', x'01ff', '2024-02-29', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.500000', '13:14:15.250000')",
        "INSERT INTO types (id) VALUES (2)",
    ]);
    let cols = [
        "id", "b", "i8", "i16", "i24", "i32", "i64", "u8", "u32", "u64", "f32", "f64", "num",
        "txt", "body", "bin", "d", "dt", "ts", "tm",
    ];
    let got = types_roundtrip(&db, &cols);
    assert_types(
        &got,
        &[
            ("id", "Int64", "1"),
            ("b", "Boolean", "true"),
            ("i8", "Int8", "-5"),
            ("i16", "Int16", "-300"),
            ("i24", "Int32", "-70000"),
            ("i32", "Int32", "-2000000000"),
            ("i64", "Int64", "-5000000000"),
            ("u8", "UInt8", "250"),
            ("u32", "UInt32", "4000000000"),
            ("u64", "UInt64", "18000000000000000000"),
            ("f32", "Float32", "1.5"),
            ("f64", "Float64", "2.25"),
            ("num", "Decimal128(38, 4)", "12345678.1234"),
            ("txt", "Utf8", "héllo wörld"),
            ("body", "Utf8", "long text"),
            ("bin", "Binary", "01ff"),
            ("d", "Date32", "2024-02-29"),
            ("dt", "Timestamp(µs)", "2024-02-29T13:14:15.123456"),
            ("ts", "Timestamp(µs, \"UTC\")", "2024-02-29T13:14:15.500Z"),
            ("tm", "Time64(µs)", "13:14:15.250"),
        ],
    );
}

#[test]
fn postgres_types_map_exactly() {
    let Some(db) = TestDb::create(Server::Postgres, "postgres_types_map_exactly") else {
        return;
    };
    db.exec(&[
        "SET TIME ZONE 'UTC'",
        "CREATE TABLE types (id BIGINT, b BOOLEAN, i16 SMALLINT, i32 INTEGER, i64 BIGINT, f32 REAL, f64 DOUBLE PRECISION, num NUMERIC(14,4), txt TEXT, vc VARCHAR(20), ch CHAR(4), bin BYTEA, d DATE, ts TIMESTAMP, tstz TIMESTAMPTZ, tm TIME)",
        "INSERT INTO types VALUES (1, TRUE, -300, -2000000000, -5000000000, 1.5, 2.25, 12345678.1234, 'héllo wörld', 'vc', 'ab', '\\x01ff', '2024-02-29', '2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.5+02', '13:14:15.25')",
        "INSERT INTO types (id) VALUES (2)",
    ]);
    let cols = [
        "id", "b", "i16", "i32", "i64", "f32", "f64", "num", "txt", "vc", "ch", "bin", "d", "ts",
        "tstz", "tm",
    ];
    let got = types_roundtrip(&db, &cols);
    assert_types(
        &got,
        &[
            ("id", "Int64", "1"),
            ("b", "Boolean", "true"),
            ("i16", "Int16", "-300"),
            ("i32", "Int32", "-2000000000"),
            ("i64", "Int64", "-5000000000"),
            ("f32", "Float32", "1.5"),
            ("f64", "Float64", "2.25"),
            ("num", "Decimal128(38, 4)", "12345678.1234"),
            ("txt", "Utf8", "héllo wörld"),
            ("vc", "Utf8", "vc"),
            ("ch", "Utf8", "ab  "),
            ("bin", "Binary", "01ff"),
            ("d", "Date32", "2024-02-29"),
            ("ts", "Timestamp(µs)", "2024-02-29T13:14:15.123456"),
            // 13:14:15.5 at +02:00 is 11:14:15.5 UTC.
            ("tstz", "Timestamp(µs, \"UTC\")", "2024-02-29T11:14:15.500Z"),
            ("tm", "Time64(µs)", "13:14:15.250"),
        ],
    );
}

#[test]
fn a_type_without_an_exact_mapping_asks_for_a_cast() {
    let Some(db) = TestDb::create(
        Server::Postgres,
        "a_type_without_an_exact_mapping_asks_for_a_cast",
    ) else {
        return;
    };
    db.exec(&[
        "CREATE TABLE types (id BIGINT, doc JSONB)",
        "INSERT INTO types VALUES (1, '{\"ssn\": \"123-45-6789\"}')",
    ]);
    let ws = Workspace::empty();
    ws.write(
        "policy.toml",
        "[policy]\nname = \"t\"\n[table.types.columns]\nid = \"keep\"\ndoc = \"drop\"\n",
    );
    let spec = ws.write(
        "t.toml",
        "[pipeline]\nname = \"t\"\npolicy = \"policy.toml\"\nkey = { file = \"key.txt\" }\noutput_dir = \"out\"\n[[source]]\nname = \"db\"\nkind = \"postgres\"\nurl = { env = \"HARBOR_IT_SOURCE_URL\" }\n[[source.table]]\nname = \"types\"\n[[output]]\ntable = \"types\"\n",
    );
    let r = harbor_env(
        &["run", spec.to_str().unwrap()],
        &[("HARBOR_IT_SOURCE_URL", &db.url)],
    );
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("column doc") && r.stderr.contains("cast it in the query"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("123-45-6789"));
}
