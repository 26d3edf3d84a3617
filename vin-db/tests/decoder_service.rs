//! The `Decoder` service on a real SQLite dataset (the committed sample,
//! loaded once per test binary through the ETL): caching, batches,
//! concurrency, hostile input, confidence ordering, dataset changes, and the
//! `vin decode` / `vin bench` commands.

mod decoder_support;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use decoder_support::*;
use proptest::prelude::*;
use vin_db::decode::{Decoded, Detail};
use vin_db::decoder::{ClockSource, Decoder, DecoderConfig};
use vin_db::model::Timestamp;

static SAMPLE: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();

/// The sample in a temp SQLite file, loaded once for the whole binary.
fn sample_url() -> String {
    SAMPLE
        .get_or_init(|| {
            std::thread::spawn(|| {
                tokio::runtime::Runtime::new()
                    .expect("runtime")
                    .block_on(sqlite_with_sample())
            })
            .join()
            .expect("sample load thread")
        })
        .1
        .clone()
}

fn config() -> DecoderConfig {
    DecoderConfig {
        listen: false,
        version_check_interval: Duration::ZERO,
        clock: ClockSource::Fixed {
            now: Timestamp::parse("2026-08-01 00:00:00").expect("timestamp"),
            this_year: 2026,
        },
        ..DecoderConfig::default()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Golden VINs plus variants: a wrong check digit, a changed VDS character,
/// a short VIN, lower case with spaces.
fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    // The first 300 golden VINs (popular makes first) keep the number of
    // distinct WMIs, and so of debug-build catalog loads, moderate.
    for (i, vin) in golden_vins().into_iter().take(300).enumerate() {
        if vin.len() == 17 && i % 7 == 0 {
            let cd = if vin.as_bytes()[8] == b'0' {
                b'1'
            } else {
                b'0'
            };
            out.push(with_char(&vin, 9, cd, false));
            out.push(with_char(&vin, 5, b'Z', true));
            out.push(vin[..11].to_owned());
            out.push(format!("  {}  ", vin.to_ascii_lowercase()));
        }
        out.push(vin);
    }
    out
}

#[test]
fn cached_result_equals_uncached() {
    let rt = runtime();
    let url = sample_url();
    let decoder = rt.block_on(Decoder::open(&url, config())).expect("open");
    let vins = corpus();
    let strategy = (
        0..vins.len(),
        proptest::option::of(1950i32..2035),
        proptest::option::of((
            4usize..=17,
            proptest::sample::select(b"ABCXYZ0129*!".to_vec()),
        )),
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 200,
        ..ProptestConfig::default()
    });
    runner
        .run(&strategy, |(i, year, edit)| {
            let mut vin = vins[i].clone();
            if let Some((pos, c)) = edit
                && pos <= vin.len()
                && vin.is_char_boundary(pos - 1)
                && vin.is_char_boundary(pos)
            {
                vin.replace_range(pos - 1..pos, &char::from(c).to_string());
            }
            rt.block_on(async {
                let first = decoder.decode(&vin, year).await;
                let hits_before = decoder.stats().result_hits;
                let second = decoder.decode(&vin, year).await;
                let hits_after = decoder.stats().result_hits;
                let uncached = decoder.decode_uncached(&vin, year).await;
                let sync = decoder.decode_sync(&vin, year);
                let summary = decoder.decode_with(&vin, year, Detail::Summary).await;
                match (first, second, uncached) {
                    (Ok(a), Ok(b), Ok(c)) => {
                        // A summary is the answer without its rows, cached
                        // apart from the full one.
                        let summary = summary.expect("summary decode");
                        prop_assert!(summary.values.is_empty());
                        let mut without_rows = Decoded::clone(&a);
                        without_rows.values.clear();
                        prop_assert_eq!(&without_rows, &*summary);
                        let again = decoder.decode(&vin, year).await.expect("full again");
                        prop_assert!(!again.values.is_empty());
                        prop_assert_eq!(&*a, &*b);
                        prop_assert_eq!(&*a, &*c);
                        prop_assert!(
                            Arc::ptr_eq(&a, &b),
                            "second answer must come from the cache"
                        );
                        prop_assert_eq!(hits_after, hits_before + 1);
                        prop_assert_eq!(&*a, &*sync.expect("sync decode"));
                    }
                    (Err(a), Err(b), Err(c)) => {
                        prop_assert_eq!(a.code(), b.code());
                        prop_assert_eq!(a.code(), c.code());
                    }
                    (a, b, c) => prop_assert!(false, "mixed outcomes {a:?} {b:?} {c:?}"),
                }
                Ok(())
            })
        })
        .expect("cached and uncached answers agree");
}

#[test]
fn batch_equals_one_by_one() {
    let rt = runtime();
    let url = sample_url();
    rt.block_on(async {
        let mut vins = corpus();
        vins.push(String::new());
        vins.push("X".repeat(40));
        vins.push("1HGCM82633A00435\u{7}".into());
        let batch_decoder = Decoder::open(&url, config()).await.expect("open");
        let single_decoder = Decoder::open(&url, config()).await.expect("open");
        let batch = batch_decoder.decode_batch(&vins, None).await;
        assert_eq!(batch.len(), vins.len());
        for (vin, from_batch) in vins.iter().zip(&batch) {
            let single = single_decoder.decode(vin, None).await;
            match (from_batch, single) {
                (Ok(a), Ok(b)) => assert_eq!(**a, *b, "{vin}"),
                (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{vin}"),
                (a, b) => panic!("{vin}: batch {a:?} vs single {b:?}"),
            }
        }
        // The batch with a caller year, too.
        let batch = batch_decoder.decode_batch(&vins[..50], Some(2015)).await;
        for (vin, from_batch) in vins[..50].iter().zip(&batch) {
            let single = single_decoder.decode(vin, Some(2015)).await;
            assert_eq!(
                from_batch.as_ref().map(|d| (**d).clone()).ok(),
                single.map(|d| (*d).clone()).ok(),
                "{vin}"
            );
        }
    });
}

#[test]
fn many_tasks_decoding_at_once_agree_with_sequential() {
    let rt = runtime();
    let url = sample_url();
    rt.block_on(async {
        let vins = Arc::new(corpus());
        let reference = Decoder::open(&url, config()).await.expect("open");
        let mut expected = Vec::with_capacity(vins.len());
        for v in vins.iter() {
            expected.push(reference.decode(v, None).await.expect("decode"));
        }
        let expected = Arc::new(expected);
        // A cold decoder: the first tasks race on the same catalog loads.
        let shared = Decoder::open(&url, config()).await.expect("open");
        let mut tasks = Vec::new();
        for t in 0..64usize {
            let (d, vins, expected) = (shared.clone(), vins.clone(), expected.clone());
            tasks.push(tokio::spawn(async move {
                for k in 0..200usize {
                    let i = (t * 7919 + k * 104_729) % vins.len();
                    let got = if k % 5 == 0 {
                        let (d, v) = (d.clone(), vins[i].clone());
                        tokio::task::spawn_blocking(move || d.decode_sync(&v, None))
                            .await
                            .expect("join")
                    } else {
                        d.decode(&vins[i], None).await
                    };
                    let got = got.unwrap_or_else(|e| panic!("{}: {e}", vins[i]));
                    assert_eq!(*got, *expected[i], "task {t}, VIN {}", vins[i]);
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        let stats = shared.stats();
        assert_eq!(stats.decodes, 64 * 200);
        // Coalesced loads: never more catalog loads than distinct WMIs.
        let wmis: std::collections::HashSet<String> = vins.iter().map(|v| wmi_of(v)).collect();
        assert!(
            stats.catalog_loads <= wmis.len() as u64,
            "{} loads for {} WMIs",
            stats.catalog_loads,
            wmis.len()
        );
    });
}

#[test]
fn hostile_input_gets_typed_errors_or_decodes() {
    let rt = runtime();
    let url = sample_url();
    rt.block_on(async {
        let d = Decoder::open(&url, config()).await.expect("open");
        let huge = "1HGCM82633A004352".repeat(60_000);
        let too_long = [
            huge.as_str(),
            "1HGCM82633A0043521",
            "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
        ];
        for input in too_long {
            let e = d.decode(input, None).await.expect_err("too long");
            assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
            assert!(e.to_string().contains("17"), "message names the limit: {e}");
            let e = d.decode_sync(input, None).expect_err("too long");
            assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
        }
        let decodable = [
            "",
            " ",
            "1",
            "1HG",
            "\t\n\r\u{7f}",
            "1HGCM82633A00435\u{0}",
            "1HGСM82633A004352", // Cyrillic С at position 4
            "🚗🚗🚗🚗🚗🚗🚗🚗🚗🚗🚗🚗🚗🚗🚗🚗🚗",
            "1hgcm82633a004352",
            "*****************",
            "1G9!!!!!!!!!!!!!!",
        ];
        for input in decodable {
            let r = d.decode(input, None).await.unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert!(!r.error_codes.is_empty(), "{input:?} decodes with error codes");
            assert!((0.0..=1.0).contains(&r.confidence), "{input:?}");
            let s = d.decode_sync(input, None).expect("sync");
            assert_eq!(*r, *s);
        }
        // Control and non-ASCII characters are flagged as invalid (code 400).
        for input in ["1HGCM82633A00435\u{0}", "1HGСM82633A004352"] {
            let r = d.decode(input, None).await.expect("decode");
            assert!(r.error_codes.contains(&400), "{input:?}: {:?}", r.error_codes);
        }
        // Caller years.
        for y in [1899, 2101, i32::MIN, i32::MAX] {
            let e = d.decode("1HGCM82633A004352", Some(y)).await.expect_err("year");
            assert_eq!(e.code(), "ERR_INVALID_ARGUMENT");
            assert!(e.to_string().contains(&y.to_string()), "{e}");
        }
        let r = d.decode("1HGCM82633A004352", Some(1979)).await.expect("1979");
        assert!(r.error_codes.contains(&12), "{:?}", r.error_codes);
        let batch = d
            .decode_batch(&[huge.clone(), String::new(), "1HGCM82633A004352".into()], None)
            .await;
        assert!(batch[0].is_err() && batch[1].is_ok() && batch[2].is_ok());
    });
}

#[test]
fn confidence_orders_real_decodes() {
    let rt = runtime();
    let url = sample_url();
    rt.block_on(async {
        let d = Decoder::open(&url, config()).await.expect("open");
        let clean_vin = "1HGCM82633A004352";
        let clean = d.decode(clean_vin, None).await.expect("clean");
        assert_eq!(clean.error_codes, vec![0]);
        assert!(clean.model.is_some());

        let wrong_cd = d
            .decode(&with_char(clean_vin, 9, b'7', false), None)
            .await
            .expect("cd");
        assert!(
            wrong_cd.error_codes.contains(&1),
            "{:?}",
            wrong_cd.error_codes
        );

        // A VDS character no 1HG pattern allows, with the check digit left as
        // it was: the engine must correct it (codes 2 or 3) — search for one.
        let mut corrected = None;
        'search: for pos in [4usize, 5, 6, 7, 8] {
            for c in b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789" {
                let vin = with_char(clean_vin, pos, *c, false);
                let r = d.decode(&vin, None).await.expect("decode");
                if r.error_codes.iter().any(|e| matches!(e, 2 | 3)) {
                    corrected = Some(r);
                    break 'search;
                }
            }
        }
        let corrected = corrected.expect("some one-character typo of the clean VIN is correctable");

        // A registered WMI, but a VDS no pattern matches: a WMI-only decode (code 8).
        let wmi_only = d
            .decode(&with_char("1HG000000P0000000", 9, b'0', true), None)
            .await
            .expect("WMI-only");
        assert!(
            wmi_only.error_codes.contains(&8),
            "{:?}",
            wmi_only.error_codes
        );

        let unknown = d
            .decode("ZZZCM82633A004352", None)
            .await
            .expect("unknown WMI");
        assert!(unknown.error_codes.contains(&7));

        let scores = [
            clean.confidence,
            wrong_cd.confidence,
            corrected.confidence,
            wmi_only.confidence,
            unknown.confidence,
        ];
        for w in scores.windows(2) {
            assert!(w[0] > w[1], "confidence must strictly decrease: {scores:?}");
        }
        assert_eq!(unknown.confidence, 0.0);
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
        // Per-value scores: never above the decode's, and pattern values
        // outrank defaulted ones.
        for v in &clean.values {
            assert!(v.confidence <= clean.confidence + 1e-12, "{v:?}");
        }
    });
}

#[test]
fn preload_makes_every_wmi_resident_and_needs_no_further_loads() {
    let rt = runtime();
    let url = sample_url();
    rt.block_on(async {
        let store = vin_db::store::Store::open(&url).await.expect("store");
        let (_, all) = store.load_all_wmis().await.expect("all WMIs");
        let d = Decoder::open(
            &url,
            DecoderConfig {
                preload: true,
                ..config()
            },
        )
        .await
        .expect("open");
        let health = d.health().await;
        assert_eq!(health.resident_wmis, all.len() as u64);
        assert!(health.database_reachable);
        assert!(health.catalog_bytes > 0);
        let loads = d.stats().catalog_loads;
        for v in golden_vins().iter().take(200) {
            d.decode(v, None).await.expect("decode");
        }
        d.decode("ZZZCM82633A004352", None)
            .await
            .expect("unknown WMI");
        assert_eq!(d.stats().catalog_loads, loads, "no load after a preload");
        let plain = Decoder::open(&url, config()).await.expect("open");
        for v in golden_vins().iter().take(200) {
            assert_eq!(
                *plain.decode(v, None).await.expect("decode"),
                *d.decode(v, None).await.expect("decode")
            );
        }
    });
}

#[test]
fn a_new_dataset_drops_every_cache() {
    let rt = runtime();
    rt.block_on(async {
        let (_dir, url) = sqlite_with_sample().await;
        let d = Decoder::open(
            &url,
            DecoderConfig {
                version_check_interval: Duration::from_millis(200),
                ..config()
            },
        )
        .await
        .expect("open");
        let vins: Vec<String> = golden_vins().into_iter().take(50).collect();
        let before = d.decode(&vins[0], None).await.expect("decode");
        for v in &vins {
            d.decode(v, None).await.expect("decode");
        }
        let v1 = d.dataset_version().expect("version");
        assert_eq!(before.dataset_version, v1);

        load_sample(&url).await; // a second ETL into the same file
        let mut changed = false;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if d.stats().dataset_changes > 0 {
                changed = true;
                break;
            }
        }
        assert!(changed, "the periodic check noticed the new dataset");
        let health = d.health().await;
        assert_eq!(health.cached_results, 0, "result cache dropped");
        let after = d.decode(&vins[0], None).await.expect("decode");
        assert!(
            after.dataset_version > v1,
            "{} > {v1}",
            after.dataset_version
        );
        assert!(!Arc::ptr_eq(&before, &after));
        assert_eq!(d.dataset_version(), Some(after.dataset_version));
        // Same data, new version: the answers only differ in their version.
        let mut again = (*after).clone();
        again.dataset_version = before.dataset_version;
        assert_eq!(again, *before);
        d.close().await;
    });
}

fn vin_cmd(url: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vin"));
    cmd.env("VIN_DATABASE_URL", url).env("RUST_LOG", "warn");
    cmd
}

#[test]
fn vin_decode_prints_json() {
    let url = sample_url();
    let out = vin_cmd(&url)
        .args(["decode", "1HGCM82633A004352"])
        .output()
        .expect("run vin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["vin"], "1HGCM82633A004352");
    assert_eq!(v["model_year"], 2003);
    assert_eq!(v["error_codes"], serde_json::json!([0]));
    assert_eq!(v["attributes"]["Make"], "HONDA");
    assert_eq!(v["attributes"]["Model"], "Accord");
    assert!(v["confidence"].as_f64().is_some_and(|c| c > 0.9));
    assert!(v.get("values").is_none(), "provenance only with --explain");

    let out = vin_cmd(&url)
        .args([
            "decode",
            "--explain",
            "--year",
            "2003",
            "1HGCM82633A004352",
            "ZZZCM82633A004352",
        ])
        .output()
        .expect("run vin");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON array");
    let items = v.as_array().expect("array for several VINs");
    assert_eq!(items.len(), 2);
    assert!(items[0]["values"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(items[1]["model_year"], 2003);

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("vins.txt");
    std::fs::write(
        &file,
        "1HGCM82633A004352\n1HGCM82633A0043529\n\n5YJ3E1EA7JF000000\n",
    )
    .expect("write");
    let out = vin_cmd(&url)
        .args(["decode", "--jsonl", "--file"])
        .arg(&file)
        .output()
        .expect("run vin");
    assert!(
        !out.status.success(),
        "an 18-character line is a typed error"
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 4, "one object per input line");
    assert_eq!(lines[0]["vin"], "1HGCM82633A004352");
    assert_eq!(lines[1]["error"]["code"], "ERR_INVALID_ARGUMENT");
    assert_eq!(lines[2]["vin"], "");
    assert_eq!(lines[3]["vin"], "5YJ3E1EA7JF000000");

    let out = vin_cmd(&url)
        .args(["decode", "--year", "1800", "1HGCM82633A004352"])
        .output()
        .expect("run");
    assert!(!out.status.success());
}

#[test]
fn vin_bench_generates_a_corpus_and_reports_throughput() {
    let url = sample_url();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("corpus.txt");
    let out = vin_cmd(&url)
        .args(["bench", "--generate", "300", "--threads", "2", "--file"])
        .arg(&file)
        .output()
        .expect("run vin");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let corpus = std::fs::read_to_string(&file).expect("corpus");
    let vins: Vec<&str> = corpus.lines().collect();
    assert_eq!(vins.len(), 300);
    let wmis: std::collections::HashSet<String> = vins.iter().map(|v| wmi_of(v)).collect();
    assert!(wmis.len() >= 20, "spread over the WMIs: {}", wmis.len());
    for v in &vins {
        assert!(
            vin_core::Vin::parse(v).is_ok_and(|p| p.check_digit_valid()),
            "{v}"
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("output");
    let (n, rest) = last.split_once(" VINs in ").expect(last);
    assert_eq!(n, "300");
    let (secs, rate) = rest.split_once(" s: ").expect(last);
    assert!(
        secs.parse::<f64>().is_ok() && rate.ends_with(" VIN/s"),
        "{last}"
    );
    assert!(stdout.contains("p99"), "{stdout}");
}
