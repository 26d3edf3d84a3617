//! Shared compiled VIN schemas on the committed sample (real vPIC rows in a
//! real SQLite file): WMIs linking to one schema share one compiled copy, a
//! cold WMI reuses the resident ones, and catalogs assembled that way decode
//! exactly like catalogs compiled from the WMI's full rows.

mod decoder_support;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use decoder_support::*;
use vin_db::catalog::{Globals, WmiCatalog};
use vin_db::decode::Clock;
use vin_db::decoder::{ClockSource, Decoder, DecoderConfig};
use vin_db::model::Timestamp;
use vin_db::store::Store;

fn clock() -> Clock {
    Clock {
        now: Timestamp::parse("2026-08-01 00:00:00").expect("timestamp"),
        this_year: 2026,
    }
}

fn config(preload: bool) -> DecoderConfig {
    let c = clock();
    DecoderConfig {
        preload,
        cache_results: false,
        listen: false,
        version_check_interval: Duration::ZERO,
        clock: ClockSource::Fixed {
            now: c.now,
            this_year: c.this_year,
        },
        ..DecoderConfig::default()
    }
}

#[test]
fn schemas_are_shared_reused_and_decode_like_full_compiles() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (_dir, url) = sqlite_with_sample().await;
        let store = Store::open(&url).await.expect("store");
        let (_, all) = store.load_all_wmis().await.expect("all WMIs");

        // WMIs by schema, to find schemas that several WMIs link to.
        let mut linked: BTreeMap<i32, Vec<String>> = BTreeMap::new();
        for w in &all {
            for s in &w.schemas {
                linked.entry(s.id).or_default().push(w.wmi.clone());
            }
        }
        let (shared_id, wmis) = linked
            .iter()
            .find(|(_, w)| w.len() >= 2)
            .map(|(id, w)| (*id, w.clone()))
            .expect("the sample has a schema linked to two WMIs");

        // Cold loads, one after the other: the second WMI must get the very
        // schema the first compiled.
        let decoder = Decoder::open(&url, config(false)).await.expect("decoder");
        let vins: HashMap<String, String> =
            vin_db::decoder::corpus::generate_seeded(&all, 400, 2027, 7)
                .into_iter()
                .map(|v| (wmi_of(&v), v))
                .collect();
        for wmi in &wmis[..2] {
            // Any VIN of the WMI loads its catalog; a generated one if there is.
            let vin = vins
                .get(wmi)
                .cloned()
                .unwrap_or_else(|| format!("{wmi}{}", &"AAAAAA1AA00000100"[..17 - wmi.len()]));
            decoder.decode(&vin, None).await.expect("decode");
        }
        let catalogs = decoder.resident_catalogs();
        let schema_of = |wmi: &str| {
            catalogs
                .iter()
                .find(|c| c.wmi() == wmi)
                .and_then(|c| c.vin_schemas().find(|s| s.id() == shared_id).cloned())
                .expect("resident catalog links the shared schema")
        };
        let (a, b) = (schema_of(&wmis[0]), schema_of(&wmis[1]));
        assert!(Arc::ptr_eq(&a, &b), "schema {shared_id} compiled twice");
        let health = decoder.health().await;
        let distinct: std::collections::HashSet<i32> = catalogs
            .iter()
            .flat_map(|c| c.vin_schemas().map(|s| s.id()))
            .collect();
        assert_eq!(health.shared_schemas, distinct.len() as u64);
        assert!(health.schema_bytes > 0 && health.catalog_bytes >= health.schema_bytes);

        // Every generated VIN: the decoder's cold path (schemas reused in
        // whatever order the WMIs came) and a preloaded decoder answer
        // exactly as the engine on a catalog compiled from the full rows
        // against fresh global tables.
        let corpus = vin_db::decoder::corpus::generate_seeded(&all, 300, 2027, 11);
        let preloaded = Decoder::open(&url, config(true)).await.expect("preloaded");
        let (version, rows) = store.load_globals().await.expect("globals");
        // One reference catalog at a time, dropped before the next, so its
        // schemas are compiled from the WMI's own full rows every time.
        let globals = Globals::compile(version, rows);
        let mut by_wmi: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for vin in corpus.iter().take(120) {
            by_wmi.entry(wmi_of(vin)).or_default().push(vin);
        }
        let mut checked = 0;
        for (wmi, vins) in by_wmi {
            let (_, w) = store.load_wmi(&wmi).await.expect("load");
            let catalog = WmiCatalog::compile(&globals, w);
            for vin in vins {
                let text = vin_db::decoder::vin_text(vin).expect("generated VIN");
                let expected = vin_db::decode::decode(&globals, &catalog, &text, None, &clock());
                let expected = serde_json::to_value(&expected).expect("json");
                let cold = decoder.decode(vin, None).await.expect("cold decode");
                let warm = preloaded.decode(vin, None).await.expect("preloaded decode");
                assert_eq!(
                    serde_json::to_value(&*cold).expect("json"),
                    expected,
                    "{vin}"
                );
                assert_eq!(
                    serde_json::to_value(&*warm).expect("json"),
                    expected,
                    "{vin}"
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "only {checked} VINs checked");
        decoder.close().await;
        preloaded.close().await;
    });
}
