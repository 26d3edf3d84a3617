//! The COPY text reader on the dump's edge cases.

use vin_db::etl::source::copy::{CopyReader, TRAILER};
use vin_db::etl::source::{Row, SourceEvent, TableHeader, WantedTables};

fn dump(body: &str) -> String {
    format!(
        "--\n-- PostgreSQL database dump\n--\n\\restrict abc123\nSET client_encoding = 'UTF8';\n\
         CREATE TABLE vpic.make (\n    id integer NOT NULL,\n    name character varying(250) NOT NULL\n);\n\
         {body}\n-- Completed on 2026-08-11 10:00:00\n\n{TRAILER}\n\n\\unrestrict abc123\n"
    )
}

fn read_all(text: &[u8], wanted: WantedTables) -> Result<Vec<SourceEvent>, vin_db::Error> {
    CopyReader::new(text, "test.sql", wanted).collect()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn rows_of(events: &[SourceEvent], table: &str) -> Vec<Row> {
    let mut inside = false;
    let mut out = Vec::new();
    for e in events {
        match e {
            SourceEvent::Begin(h) => inside = h.table == table,
            SourceEvent::Rows(r) if inside => out.extend(r.iter().cloned()),
            SourceEvent::End { .. } => inside = false,
            _ => {}
        }
    }
    out
}

#[test]
fn escapes_nulls_and_empty_strings() {
    let text = dump(concat!(
        "COPY vpic.model (id, name, createdon) FROM stdin;\n",
        "1\tEZL*\\\\EZWL\t2019-12-21 20:26:30.583\n",
        "2\t\\N\t\n",
        "3\t\\\\N\t\\N\n",
        "4\tDAEW\\r\\n\t\\t lead tab\n",
        "5\t\\b\\f\\v\\101\\x41\\q\\.\t\n",
        "6\tCôte ’ × Ü\t#x# / 16.387064 \n",
        "\\.\n",
    ));
    let events = read_all(text.as_bytes(), WantedTables::All).unwrap();
    assert_eq!(
        events[0],
        SourceEvent::Begin(TableHeader {
            table: "model".into(),
            columns: vec!["id".into(), "name".into(), "createdon".into()],
        })
    );
    assert_eq!(
        rows_of(&events, "model"),
        vec![
            vec![s("1"), s("EZL*\\EZWL"), s("2019-12-21 20:26:30.583")],
            vec![s("2"), None, s("")],
            vec![s("3"), s("\\N"), None],
            vec![s("4"), s("DAEW\r\n"), s("\t lead tab")],
            vec![s("5"), s("\u{8}\u{c}\u{b}AAq."), s("")],
            vec![s("6"), s("Côte ’ × Ü"), s("#x# / 16.387064 ")],
        ]
    );
    assert_eq!(
        events.last(),
        Some(&SourceEvent::End {
            table: "model".into(),
            rows: 6
        })
    );
}

#[test]
fn crlf_line_ends_are_accepted() {
    let text =
        dump("COPY vpic.make (id, name) FROM stdin;\n1\tA\n2\tB\n\\.\n").replace('\n', "\r\n");
    let events = read_all(text.as_bytes(), WantedTables::All).unwrap();
    assert_eq!(
        rows_of(&events, "make"),
        vec![vec![s("1"), s("A")], vec![s("2"), s("B")]]
    );
}

#[test]
fn quoted_columns_and_empty_blocks() {
    let text = dump(concat!(
        "COPY vpic.wmiyearvalidchars_cacheexceptions (\"WMI\", \"CreatedOn\", \"Id\") FROM stdin;\n",
        "\\.\n",
        "COPY vpic.wmiyearvalidchars (id, wmi, year, \"position\", \"char\") FROM stdin;\n",
        "1\t1HG\t2003\t4\tC\n",
        "\\.\n",
    ));
    let events = read_all(text.as_bytes(), WantedTables::All).unwrap();
    assert_eq!(
        events,
        vec![
            SourceEvent::Begin(TableHeader {
                table: "wmiyearvalidchars_cacheexceptions".into(),
                columns: vec!["wmi".into(), "createdon".into(), "id".into()],
            }),
            SourceEvent::End {
                table: "wmiyearvalidchars_cacheexceptions".into(),
                rows: 0
            },
            SourceEvent::Begin(TableHeader {
                table: "wmiyearvalidchars".into(),
                columns: ["id", "wmi", "year", "position", "char"]
                    .map(String::from)
                    .to_vec(),
            }),
            SourceEvent::Rows(vec![vec![s("1"), s("1HG"), s("2003"), s("4"), s("C")]]),
            SourceEvent::End {
                table: "wmiyearvalidchars".into(),
                rows: 1
            },
        ]
    );
}

#[test]
fn field_count_mismatch_names_table_and_line() {
    let text = dump("COPY vpic.make (id, name) FROM stdin;\n1\tA\n2\tB\textra\n\\.\n");
    let err = read_all(text.as_bytes(), WantedTables::All).unwrap_err();
    assert_eq!(err.code(), "ERR_SOURCE");
    let msg = err.to_string();
    let bad_line = text.lines().position(|l| l == "2\tB\textra").unwrap() + 1;
    assert!(msg.contains(&format!("line {bad_line}:")), "{msg}");
    assert!(
        msg.contains("make") && msg.contains("3 fields") && msg.contains("2 columns"),
        "{msg}"
    );
    let short = dump("COPY vpic.make (id, name) FROM stdin;\n1\n\\.\n");
    assert!(read_all(short.as_bytes(), WantedTables::All).is_err());
}

#[test]
fn truncated_block_is_an_error() {
    let text = "COPY vpic.pattern (id, keys) FROM stdin;\n1\tAB\n2\tC";
    let err = read_all(text.as_bytes(), WantedTables::All).unwrap_err();
    assert_eq!(err.code(), "ERR_SOURCE");
    let msg = err.to_string();
    assert!(
        msg.contains("truncated") && msg.contains("pattern"),
        "{msg}"
    );
    // Also when the table is not wanted.
    let err = read_all(text.as_bytes(), WantedTables::only(["make"])).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn missing_trailer_is_an_error() {
    let text = "COPY vpic.make (id, name) FROM stdin;\n1\tA\n\\.\n-- Completed on 2026-08-11\n";
    let events: Vec<_> = CopyReader::new(text.as_bytes(), "t", WantedTables::All).collect();
    // The rows are delivered, then the stream ends in an error.
    assert!(matches!(events[0], Ok(SourceEvent::Begin(_))));
    let last = events.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.code(), "ERR_SOURCE");
    assert!(last.to_string().contains("truncated"), "{last}");
    assert!(last.to_string().contains(TRAILER), "{last}");
}

#[test]
fn invalid_utf8_is_an_error_with_position() {
    let mut text =
        b"COPY vpic.make (id, name) FROM stdin;\n1\tok\n2\tbad \xff byte\n\\.\n".to_vec();
    text.extend_from_slice(TRAILER.as_bytes());
    text.push(b'\n');
    let err = read_all(&text, WantedTables::All).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("UTF-8") && msg.contains("line 3") && msg.contains("field 2"),
        "{msg}"
    );
    // An escaped byte that is not UTF-8 is caught after unescaping, too.
    let text = dump("COPY vpic.make (id, name) FROM stdin;\n1\t\\377\n\\.\n");
    assert!(
        read_all(text.as_bytes(), WantedTables::All)
            .unwrap_err()
            .to_string()
            .contains("UTF-8")
    );
}

#[test]
fn unknown_and_unwanted_tables_are_skipped_and_counted() {
    let text = dump(concat!(
        "COPY vpic.make (id, name) FROM stdin;\n1\tA\n\\.\n",
        "COPY vpic.wmiyearvalidchars (id, wmi, year, \"position\", \"char\") FROM stdin;\n",
        "1\t1HG\t2003\t4\tC\n2\tbroken row that is never split\n3\t\\\n\\.\n",
        "COPY other.thing (id) FROM stdin;\n9\n\\.\n",
    ));
    let mut reader = CopyReader::new(
        text.as_bytes(),
        "t",
        WantedTables::except(["wmiyearvalidchars"]),
    );
    let events: Vec<SourceEvent> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let begun: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Begin(h) => Some(h.table.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(begun, ["make"]);
    assert_eq!(reader.tables(), ["make", "wmiyearvalidchars"]);
    let skipped: Vec<(&str, u64)> = reader
        .skipped()
        .iter()
        .map(|s| (s.table.as_str(), s.rows))
        .collect();
    assert_eq!(skipped, [("wmiyearvalidchars", 3), ("thing", 1)]);
}

#[test]
fn other_sql_is_never_interpreted() {
    // A function body and DDL that mention COPY without being a header.
    let text = dump(concat!(
        "CREATE FUNCTION vpic.f() RETURNS void AS $$\nBEGIN\n  -- COPY vpic.make (id) FROM stdin;\n",
        " COPY vpic.make (id) FROM stdin;\nEND $$;\n",
        "COPY vpic.make (id, name) TO stdout;\n",
        "COPY vpic.make (id, name) FROM stdin;\n1\tA\n\\.\n",
    ));
    let events = read_all(text.as_bytes(), WantedTables::All).unwrap();
    assert_eq!(rows_of(&events, "make"), vec![vec![s("1"), s("A")]]);
    assert_eq!(events.len(), 3);
}

#[test]
fn a_table_twice_and_bad_headers_are_errors() {
    let twice =
        dump("COPY vpic.make (id) FROM stdin;\n\\.\nCOPY vpic.make (id) FROM stdin;\n\\.\n");
    assert!(
        read_all(twice.as_bytes(), WantedTables::All)
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
    let bad = dump("COPY vpic.make FROM stdin;\n\\.\n");
    let err = read_all(bad.as_bytes(), WantedTables::All).unwrap_err();
    assert!(err.to_string().contains("malformed COPY header"), "{err}");
}

#[test]
fn rows_come_in_batches() {
    let mut body = String::from("COPY vpic.make (id, name) FROM stdin;\n");
    for i in 0..10 {
        body.push_str(&format!("{i}\tM{i}\n"));
    }
    body.push_str("\\.\n");
    let text = dump(&body);
    let events: Vec<SourceEvent> = CopyReader::new(text.as_bytes(), "t", WantedTables::All)
        .with_batch_rows(4)
        .collect::<Result<_, _>>()
        .unwrap();
    let sizes: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            SourceEvent::Rows(r) => Some(r.len()),
            _ => None,
        })
        .collect();
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(rows_of(&events, "make").len(), 10);
}

#[test]
fn a_data_month_comment_before_the_first_block_is_noted() {
    let text = dump("COPY vpic.make (id) FROM stdin;\n1\n\\.\n").replace(
        "SET client_encoding",
        "-- Data month: 2026_02\nSET client_encoding",
    );
    let mut reader = CopyReader::new(text.as_bytes(), "t", WantedTables::All);
    assert!(reader.by_ref().all(|e| e.is_ok()));
    assert_eq!(reader.data_month(), Some("2026_02"));

    // Not a month, or after the first block: ignored.
    for text in [
        dump("COPY vpic.make (id) FROM stdin;\n\\.\n")
            .replace("SET client", "-- Data month: soon\nSET client"),
        dump("COPY vpic.make (id) FROM stdin;\n\\.\n-- Data month: 2026_02\n"),
    ] {
        let mut reader = CopyReader::new(text.as_bytes(), "t", WantedTables::All);
        assert!(reader.by_ref().all(|e| e.is_ok()));
        assert_eq!(reader.data_month(), None);
    }
}
