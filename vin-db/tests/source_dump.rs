//! Local dump files (`.sql`, `.sql.gz`, `.plain.zip`) through the source entry point.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::Digest;
use vin_db::etl::source::{SourceEvent, WantedTables, open};
use zip::write::SimpleFileOptions;

const DUMP: &str = concat!(
    "--\n-- PostgreSQL database dump\n--\n\n\\restrict Zx9\n\n",
    "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n",
    "CREATE FUNCTION vpic.spvindecode(v character varying) RETURNS void\n    LANGUAGE plpgsql\n    AS $$\n",
    "BEGIN\n  -- not a COPY header\nEND $$;\n\n",
    "--\n-- Data for Name: make; Type: TABLE DATA; Schema: vpic; Owner: -\n--\n\n",
    "COPY vpic.make (id, name, createdon, updatedon) FROM stdin;\n",
    "440\tASTON MARTIN\t2015-03-03 19:29:57\t\\N\n",
    "474\tHONDA\t2015-03-05 09:57:42.137\t2019-12-21 20:26:30.58\n",
    "\\.\n\n",
    "COPY vpic.model (id, name, createdon, updatedon) FROM stdin;\n",
    "1861\tAccord\t\\N\t\\N\n",
    "9999\tEZL*\\\\EZWL\t\\N\t\\N\n",
    "\\.\n\n",
    "COPY vpic.wmiyearvalidchars (id, wmi, year, \"position\", \"char\") FROM stdin;\n",
    "1\t1HG\t2003\t4\tC\n2\t1HG\t2003\t5\tM\n",
    "\\.\n\n",
    "SELECT pg_catalog.setval('vpic.make_id_seq', 1, false);\n",
    "-- Completed on 2026-08-11 10:00:06\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict Zx9\n",
);

fn write_plain(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn write_gz(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&p).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    p
}

fn write_zip(dir: &Path, name: &str, members: &[(&str, &str)]) -> PathBuf {
    let p = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (member, text) in members {
        zip.start_file(*member, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    p
}

fn sha256_hex(path: &Path) -> String {
    sha2::Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn collect(
    path: &Path,
    wanted: WantedTables,
) -> (Vec<SourceEvent>, vin_db::etl::source::OpenedSource) {
    let mut src = open(&path.display().to_string(), wanted).unwrap();
    let events = src.by_ref().collect::<Result<Vec<_>, _>>().unwrap();
    (events, src)
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[test]
fn plain_gz_and_zip_give_the_same_events() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        write_plain(dir.path(), "vPICList_lite_2026_08.sql", DUMP),
        write_gz(dir.path(), "vPICList_lite_2026_08.sql.gz", DUMP),
        // A non-SQL member first: the reader must pick the `.sql` one.
        write_zip(
            dir.path(),
            "vPICList_lite_2026_08.plain.zip",
            &[
                ("readme.txt", "not this"),
                ("vPICList_lite_2026_08.sql", DUMP),
            ],
        ),
    ];
    let wanted = WantedTables::except(["wmiyearvalidchars"]);
    let mut first: Option<Vec<SourceEvent>> = None;
    for file in &files {
        let (events, src) = collect(file, wanted.clone());
        let info = src.info();
        assert_eq!(
            info.data_month.as_deref(),
            Some("2026_08"),
            "{}",
            file.display()
        );
        assert_eq!(
            info.sha256.as_deref(),
            Some(sha256_hex(file).as_str()),
            "{}",
            file.display()
        );
        assert_eq!(info.size, Some(std::fs::metadata(file).unwrap().len()));
        assert_eq!(src.tables(), ["make", "model", "wmiyearvalidchars"]);
        let skipped: Vec<(String, u64)> = src
            .skipped()
            .into_iter()
            .map(|t| (t.table, t.rows))
            .collect();
        assert_eq!(skipped, [("wmiyearvalidchars".to_owned(), 2)]);
        match &first {
            None => first = Some(events),
            Some(f) => assert_eq!(&events, f, "{}", file.display()),
        }
    }
    let events = first.unwrap();
    assert_eq!(events.len(), 6);
    assert_eq!(
        events[1],
        SourceEvent::Rows(vec![
            vec![s("440"), s("ASTON MARTIN"), s("2015-03-03 19:29:57"), None],
            vec![
                s("474"),
                s("HONDA"),
                s("2015-03-05 09:57:42.137"),
                s("2019-12-21 20:26:30.58")
            ],
        ])
    );
    assert_eq!(
        events[4],
        SourceEvent::Rows(vec![
            vec![s("1861"), s("Accord"), None, None],
            vec![s("9999"), s("EZL*\\EZWL"), None, None],
        ])
    );
}

#[test]
fn a_month_comes_from_the_zip_member_when_the_file_name_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let zip = write_zip(
        dir.path(),
        "download.zip",
        &[("vPICList_lite_2026_07.sql", DUMP)],
    );
    let (_, src) = collect(&zip, WantedTables::All);
    assert_eq!(src.info().data_month.as_deref(), Some("2026_07"));
    let plain = write_plain(dir.path(), "dump.sql", DUMP);
    let (_, src) = collect(&plain, WantedTables::All);
    assert_eq!(src.info().data_month, None);
    // A `-- Data month:` comment serves when the name has none; the name wins.
    let commented = DUMP.replace(
        "SET statement_timeout",
        "-- Data month: 2026_02\nSET statement_timeout",
    );
    let plain = write_gz(dir.path(), "sample.sql.gz", &commented);
    let (_, src) = collect(&plain, WantedTables::All);
    assert_eq!(src.info().data_month.as_deref(), Some("2026_02"));
    let named = write_gz(dir.path(), "vPICList_lite_2026_08.sql.gz", &commented);
    let (_, src) = collect(&named, WantedTables::All);
    assert_eq!(src.info().data_month.as_deref(), Some("2026_08"));
}

/// Reads a source to its end and returns the first error.
fn first_error(path: &Path) -> vin_db::Error {
    match open(&path.display().to_string(), WantedTables::All) {
        Err(e) => e,
        Ok(src) => src
            .filter_map(Result::err)
            .next()
            .unwrap_or_else(|| panic!("{} read without error", path.display())),
    }
}

#[test]
fn truncated_and_corrupt_files_are_source_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cut_at = DUMP.find("9999").unwrap();

    // A plain file cut inside a block.
    let plain = write_plain(dir.path(), "cut.sql", &DUMP[..cut_at]);
    let e = first_error(&plain);
    assert_eq!(e.code(), "ERR_SOURCE");
    assert!(e.to_string().contains("truncated"), "{e}");

    // A whole gzip stream of a dump without the trailer.
    let no_trailer = &DUMP[..DUMP.find("-- Completed").unwrap()];
    let gz = write_gz(dir.path(), "notrailer.sql.gz", no_trailer);
    let e = first_error(&gz);
    assert!(
        e.to_string().contains("truncated") && e.to_string().contains("dump complete"),
        "{e}"
    );

    // A gzip file cut in the middle of its compressed bytes.
    let big: String = DUMP.replace(
        "\\.\n\nCOPY vpic.model",
        &format!(
            "{}\\.\n\nCOPY vpic.model",
            (1000..40000)
                .map(|i| format!("{i}\tM{i}\t\\N\t\\N\n"))
                .collect::<String>()
        ),
    );
    let full = write_gz(dir.path(), "big.sql.gz", &big);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("cut.sql.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = first_error(&cut);
    assert_eq!(e.code(), "ERR_SOURCE");

    // A zip cut short has no central directory.
    let zip = write_zip(dir.path(), "whole.plain.zip", &[("x.sql", &big)]);
    let bytes = std::fs::read(&zip).unwrap();
    let cut_zip = dir.path().join("cut.plain.zip");
    std::fs::write(&cut_zip, &bytes[..bytes.len() / 2]).unwrap();
    let e = first_error(&cut_zip);
    assert_eq!(e.code(), "ERR_SOURCE");
    assert!(e.to_string().contains("zip"), "{e}");

    // A flipped byte inside the compressed member: inflate or CRC check fails.
    let mut bad = bytes.clone();
    let mid = bad.len() / 3;
    bad[mid] ^= 0x55;
    let bad_zip = dir.path().join("bad.plain.zip");
    std::fs::write(&bad_zip, &bad).unwrap();
    let e = first_error(&bad_zip);
    assert_eq!(e.code(), "ERR_SOURCE", "{e}");

    // Not there at all.
    let e = first_error(&dir.path().join("missing.sql"));
    assert_eq!(e.code(), "ERR_SOURCE");
}

#[test]
fn stopping_early_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let body: String = (0..50_000)
        .map(|i| format!("{i}\tM{i}\t\\N\t\\N\n"))
        .collect();
    let text = DUMP.replace("1861\tAccord\t\\N\t\\N\n", &body);
    let file = write_gz(dir.path(), "many.sql.gz", &text);
    let mut src = open(&file.display().to_string(), WantedTables::All).unwrap();
    // Take a few events and drop the source while the reader thread is busy.
    for _ in 0..3 {
        src.next().unwrap().unwrap();
    }
    drop(src);
}
