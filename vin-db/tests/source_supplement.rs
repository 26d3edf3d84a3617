//! The small-tables supplement as a source.

use std::collections::BTreeMap;

use vin_db::etl::source::{Row, SourceEvent, SourceOptions, WantedTables, open, open_with};

fn drain(src: vin_db::etl::source::OpenedSource) -> BTreeMap<String, (Vec<String>, Vec<Row>)> {
    let mut out = BTreeMap::new();
    let mut current = String::new();
    for ev in src {
        match ev.unwrap() {
            SourceEvent::Begin(h) => {
                current = h.table.clone();
                out.insert(h.table, (h.columns, Vec::new()));
            }
            SourceEvent::Rows(r) => out.get_mut(&current).unwrap().1.extend(r),
            SourceEvent::End { table, rows } => assert_eq!(out[&table].1.len() as u64, rows),
        }
    }
    out
}

#[test]
fn the_committed_supplement_reads_with_escapes_decoded() {
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../data/vpic-small-tables-2026_08.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let expected = json["tables"].as_object().unwrap();

    let src = open("supplement", WantedTables::All).unwrap();
    let info_tables = src.tables();
    let info = src.info();
    assert_eq!(info.data_month.as_deref(), Some("2026_08"));
    assert!(info.sha256.as_deref().is_some_and(|s| s.len() == 64));
    let got = drain(src);
    assert_eq!(got.len(), expected.len());
    assert_eq!(info_tables, got.keys().cloned().collect::<Vec<_>>());
    for (name, t) in expected {
        let (cols, rows) = &got[name];
        let want_cols: Vec<String> = t["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_ascii_lowercase())
            .collect();
        assert_eq!(cols, &want_cols, "{name}");
        assert_eq!(rows.len(), t["rows"].as_array().unwrap().len(), "{name}");
    }
    // COPY text in the JSON is unescaped: `DAEW\r\n` is a real CR LF, NULLs stay None.
    let (cols, rows) = &got["defs_make"];
    let ncic = cols.iter().position(|c| c == "ncic_code").unwrap();
    assert!(rows.iter().any(|r| r[ncic].as_deref() == Some("DAEW\r\n")));
    let to_year = cols.iter().position(|c| c == "to_year").unwrap();
    assert!(rows.iter().any(|r| r[to_year].is_none()));
    assert_eq!(
        got["wmiyearvalidchars_cacheexceptions"].0,
        ["wmi", "createdon", "id"]
    );
}

#[test]
fn wanted_tables_and_a_path_from_the_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small-tables.json");
    std::fs::write(
        &path,
        r#"{"source": "vPICList_lite_2026_07", "tables": {
            "errorcode": {"columns": ["id", "name"], "rows": [["0", "0 - VIN decoded clean\\\\"], ["1", null]]},
            "turbo": {"columns": ["id", "name"], "rows": [["1", "Yes"]]}}}"#,
    )
    .unwrap();
    let options = SourceOptions {
        supplement: path.clone(),
        ..SourceOptions::from_env()
    };
    let src = open_with("supplement", WantedTables::only(["errorcode"]), &options).unwrap();
    assert_eq!(src.info().data_month.as_deref(), Some("2026_07"));
    let got = drain(src);
    assert_eq!(got.keys().collect::<Vec<_>>(), ["errorcode"]);
    assert_eq!(
        got["errorcode"].1,
        vec![
            vec![Some("0".into()), Some("0 - VIN decoded clean\\".into())],
            vec![Some("1".into()), None]
        ]
    );
    // `supplement:PATH` names the file directly.
    let mut src = open(&format!("supplement:{}", path.display()), WantedTables::All).unwrap();
    assert!(src.by_ref().all(|e| e.is_ok()));
    let skipped = src.skipped();
    assert!(skipped.is_empty());
    assert_eq!(src.tables(), ["errorcode", "turbo"]);
}

#[test]
fn a_bad_supplement_is_a_source_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("not json", "{"),
        (
            "wrong width",
            r#"{"tables": {"t": {"columns": ["id", "name"], "rows": [["1"]]}}}"#,
        ),
        (
            "bad escape",
            r#"{"tables": {"t": {"columns": ["id"], "rows": [["oops\\"]]}}}"#,
        ),
    ];
    for (what, text) in cases {
        let path = dir.path().join(format!("{}.json", what.replace(' ', "_")));
        std::fs::write(&path, text).unwrap();
        let err = match open(&format!("supplement:{}", path.display()), WantedTables::All) {
            Err(e) => e,
            Ok(src) => src
                .filter_map(Result::err)
                .next()
                .unwrap_or_else(|| panic!("{what} read fine")),
        };
        assert_eq!(err.code(), "ERR_SOURCE", "{what}: {err}");
    }
    let err = open("supplement:/nonexistent/x.json", WantedTables::All).unwrap_err();
    assert_eq!(err.code(), "ERR_SOURCE");
}
