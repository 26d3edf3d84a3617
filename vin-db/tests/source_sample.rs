//! The committed sample (`data/sample/vpic-sample.sql.gz`) reads completely
//! through the dump reader and holds what its README says.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row as _};
use vin_db::etl::source::escape::unescape;
use vin_db::etl::source::{Row, SourceEvent, WantedTables, open};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

struct Sample {
    columns: BTreeMap<String, Vec<String>>,
    rows: BTreeMap<String, Vec<Row>>,
}

impl Sample {
    fn col(&self, table: &str, column: &str) -> usize {
        self.columns[table]
            .iter()
            .position(|c| c == column)
            .unwrap_or_else(|| panic!("{table}.{column}"))
    }
    fn values(&self, table: &str, column: &str) -> Vec<String> {
        let i = self.col(table, column);
        self.rows[table]
            .iter()
            .map(|r| r[i].clone().unwrap_or_default())
            .collect()
    }
    fn ints(&self, table: &str, column: &str) -> BTreeSet<i64> {
        self.values(table, column)
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    }
}

fn read_sample() -> (Sample, vin_db::etl::source::SourceInfo, Vec<String>) {
    let path = format!("{ROOT}/data/sample/vpic-sample.sql.gz");
    let mut src = open(&path, WantedTables::All).expect("open the sample");
    let mut s = Sample {
        columns: BTreeMap::new(),
        rows: BTreeMap::new(),
    };
    let mut current = String::new();
    for ev in &mut src {
        match ev.expect("the sample reads without error") {
            SourceEvent::Begin(h) => {
                current = h.table.clone();
                s.columns.insert(h.table.clone(), h.columns);
                s.rows.insert(h.table, Vec::new());
            }
            SourceEvent::Rows(r) => s.rows.get_mut(&current).unwrap().extend(r),
            SourceEvent::End { table, rows } => assert_eq!(s.rows[&table].len() as u64, rows),
        }
    }
    let tables = src.tables();
    (s, src.info(), tables)
}

fn readme_wmis() -> BTreeSet<String> {
    let text = std::fs::read_to_string(format!("{ROOT}/data/sample/README.md")).unwrap();
    let block = text.split("```\n").nth(1).expect("a fenced WMI list");
    block.split_whitespace().map(str::to_owned).collect()
}

fn wmi_of(vin: &str) -> String {
    let b = vin.as_bytes();
    if b.len() >= 14 && b[2] == b'9' {
        format!("{}{}", &vin[..3], &vin[11..14])
    } else {
        vin[..3].to_owned()
    }
}

#[test]
fn sample_holds_what_its_readme_says() {
    let (s, info, tables) = read_sample();
    assert_eq!(
        info.size,
        Some(
            std::fs::metadata(format!("{ROOT}/data/sample/vpic-sample.sql.gz"))
                .unwrap()
                .len()
        )
    );
    assert!(info.size.unwrap() <= 15_000_000, "hard cap");
    assert_eq!(info.data_month.as_deref(), Some("2026_02"));

    // Every supplement table is there; the tables the lite file lacks hold the supplement's rows.
    let sup: serde_json::Value = serde_json::from_slice(
        &std::fs::read(format!("{ROOT}/data/vpic-small-tables-2026_08.json")).unwrap(),
    )
    .unwrap();
    let sup_tables = sup["tables"].as_object().unwrap();
    for name in sup_tables.keys() {
        assert!(tables.contains(name), "supplement table {name} missing");
    }
    for name in [
        "errorcode",
        "defaultvalue",
        "vindescriptor",
        "defs_make",
        "abs",
        "trailertype",
    ] {
        let t = &sup_tables[name];
        let expected: Vec<Row> = t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().map(|v| unescape(v.as_bytes()).unwrap()))
                    .collect()
            })
            .collect();
        assert_eq!(s.rows[name], expected, "{name}");
    }
    // `DAEW\r\n` of defs_make.ncic_code is a real CR LF after reading.
    assert!(
        s.values("defs_make", "ncic_code")
            .iter()
            .any(|d| d == "DAEW\r\n")
    );

    for t in [
        "make",
        "model",
        "make_model",
        "manufacturer",
        "manufacturer_make",
        "enginemodel",
        "enginemodelpattern",
        "wmi",
        "wmi_make",
        "wmi_vinschema",
        "vinschema",
        "pattern",
        "element",
        "country",
        "vehicletype",
        "bodystyle",
    ] {
        assert!(!s.rows[t].is_empty(), "{t} is empty");
    }
    assert_eq!(
        s.columns["vinschema"],
        [
            "id",
            "name",
            "sourcewmi",
            "createdon",
            "updatedon",
            "tobeqced"
        ]
    );
    assert_eq!(
        s.columns["pattern"],
        [
            "id",
            "vinschemaid",
            "keys",
            "elementid",
            "attributeid",
            "createdon",
            "updatedon"
        ]
    );

    // The WMIs are the documented ones: at least 40, 1HG among them, and
    // every golden VIN's WMI.
    let wmis: BTreeSet<String> = s.values("wmi", "wmi").into_iter().collect();
    assert_eq!(wmis, readme_wmis());
    assert!(wmis.len() >= 40);
    assert!(wmis.contains("1HG"));
    let golden = std::fs::read_to_string(format!("{ROOT}/vin-db/tests/data/golden.jsonl")).unwrap();
    for line in golden.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let vin = v["vin"].as_str().unwrap().to_ascii_uppercase();
        assert!(wmis.contains(&wmi_of(&vin)), "{vin}");
    }

    // Per-WMI tables are closed: links point at included WMIs and schemas,
    // and every linked schema is there.
    let wmi_ids = s.ints("wmi", "id");
    assert!(s.ints("wmi_vinschema", "wmiid").is_subset(&wmi_ids));
    assert!(s.ints("wmi_make", "wmiid").is_subset(&wmi_ids));
    let schemas = s.ints("vinschema", "id");
    assert_eq!(s.ints("wmi_vinschema", "vinschemaid"), schemas);
    assert!(s.ints("pattern", "vinschemaid").is_subset(&schemas));
    assert!(
        s.ints("wmi_make", "makeid")
            .is_subset(&s.ints("make", "id"))
    );

    // Dump text: booleans t/f, timestamps without trailing fraction zeros.
    assert!(
        s.values("vinschema", "tobeqced")
            .iter()
            .all(|v| v.is_empty() || v == "t" || v == "f")
    );
    for ts in s
        .values("pattern", "createdon")
        .iter()
        .filter(|v| !v.is_empty())
    {
        assert!(ts.len() >= 19 && !ts.contains('T'), "{ts}");
        if let Some((_, frac)) = ts.split_once('.') {
            assert!(
                !frac.ends_with('0') && (1..=6).contains(&frac.len()),
                "{ts}"
            );
        }
    }
    // Escapes survive the round trip: CR LF in patterns, leading tabs in names.
    assert!(
        s.values("pattern", "attributeid")
            .iter()
            .any(|v| v.contains("\r\n"))
    );
    assert!(
        s.values("vinschema", "name")
            .iter()
            .any(|v| v.starts_with('\t'))
    );
}

/// With the real lite file: every included WMI and schema is complete.
#[tokio::test]
async fn sample_is_complete_against_the_lite_file() {
    let Some(lite) = std::env::var_os("VPIC_LITE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
    else {
        eprintln!("note: VPIC_LITE is not set; skipping the sample-vs-lite completeness test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plain = if lite.extension().is_some_and(|e| e == "gz") {
        let out = dir.path().join("lite.db");
        let mut dec = flate2::read::GzDecoder::new(std::fs::File::open(&lite).unwrap());
        std::io::copy(&mut dec, &mut std::fs::File::create(&out).unwrap()).unwrap();
        out
    } else {
        lite
    };
    let (s, _, _) = tokio::task::spawn_blocking(read_sample).await.unwrap();
    let opts = SqliteConnectOptions::new().filename(&plain).read_only(true);
    let mut c = SqliteConnection::connect_with(&opts).await.unwrap();

    for t in [
        "make",
        "model",
        "make_model",
        "manufacturer",
        "manufacturer_make",
        "enginemodel",
        "enginemodelpattern",
        "element",
        "country",
        "bodystyle",
    ] {
        let n: i64 = sqlx::query(&format!("SELECT count(*) FROM {t}"))
            .fetch_one(&mut c)
            .await
            .unwrap()
            .get(0);
        assert_eq!(s.rows[t].len() as i64, n, "{t}");
    }
    let per_schema: BTreeMap<i64, i64> = sqlx::query(
        "SELECT VinSchemaId, count(*) FROM Pattern WHERE VinSchemaId IN \
         (SELECT VinSchemaId FROM Wmi_VinSchema WHERE WmiId IN (SELECT Id FROM Wmi WHERE Wmi IN (SELECT value FROM json_each(?1)))) \
         GROUP BY VinSchemaId",
    )
    .bind(serde_json::to_string(&s.values("wmi", "wmi")).unwrap())
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut got: BTreeMap<i64, i64> = BTreeMap::new();
    let i = s.col("pattern", "vinschemaid");
    for r in &s.rows["pattern"] {
        *got.entry(r[i].as_deref().unwrap().parse().unwrap())
            .or_default() += 1;
    }
    assert_eq!(got, per_schema);
    let links: i64 = sqlx::query(
        "SELECT count(*) FROM Wmi_VinSchema WHERE WmiId IN (SELECT Id FROM Wmi WHERE Wmi IN (SELECT value FROM json_each(?1)))",
    )
    .bind(serde_json::to_string(&s.values("wmi", "wmi")).unwrap())
    .fetch_one(&mut c)
    .await
    .unwrap()
    .get(0);
    assert_eq!(s.rows["wmi_vinschema"].len() as i64, links);
    c.close().await.unwrap();
}
