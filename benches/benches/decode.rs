//! Criterion benches of the decoding service:
//!
//! - `decode/warm`: one VIN through the engine with every WMI resident and the
//!   result cache off (all fields, provenance and confidence), cycling over a
//!   corpus generated from the catalog's own patterns across all WMIs;
//! - `decode/cache_hit`: the same VINs answered from the result cache;
//! - `decode/cold_wmi_postgres` (only with `DATABASE_URL`): loading one WMI's
//!   rows from Postgres and compiling them, what a cold VIN costs, over every
//!   WMI with patterns; `decode/cold_wmi_postgres_largest` the same over the
//!   ten WMIs with the most patterns.
//!
//! Data: the full lite file when `VPIC_LITE` is set (loaded through the ETL
//! into a temporary SQLite file first), else the committed sample.
//! `vin bench` reports throughput, p50/p99 and peak RSS on a VIN file.

// criterion's macros generate undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vin_db::decoder::{Decoder, DecoderConfig};
use vin_db::store::Store;

struct Setup {
    rt: tokio::runtime::Runtime,
    dir: std::path::PathBuf,
    url: String,
    corpus: Vec<String>,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = std::env::temp_dir().join(format!("vin-bench-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("vin.sqlite").display());
    let source = match std::env::var("VPIC_LITE") {
        Ok(path) if !path.is_empty() => format!("sqlite:{path}"),
        _ => vin_db::store::sample_path().display().to_string(),
    };
    eprintln!("loading {source} …");
    let opts = vin_db::etl::RunOptions {
        quiet: true,
        ..vin_db::etl::RunOptions::new(source)
    };
    rt.block_on(vin_db::etl::run_etl(&url, &opts)).expect("ETL");
    let corpus = rt.block_on(async {
        let store = Store::open(&url).await.expect("store");
        let (_, rows) = store.load_all_wmis().await.expect("rows");
        vin_db::decoder::corpus::generate_seeded(&rows, 20_000, 2027, 2026)
    });
    eprintln!("corpus: {} VINs", corpus.len());
    Setup {
        rt,
        dir,
        url,
        corpus,
    }
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(8));

    let warm =
        s.rt.block_on(Decoder::open(
            &s.url,
            DecoderConfig {
                preload: true,
                cache_results: false,
                listen: false,
                version_check_interval: Duration::ZERO,
                ..DecoderConfig::default()
            },
        ))
        .expect("decoder");
    let mut i = 0usize;
    group.bench_function("warm", |b| {
        b.iter(|| {
            i = (i + 1) % s.corpus.len();
            black_box(warm.decode_sync(black_box(&s.corpus[i]), None))
        })
    });

    let cached =
        s.rt.block_on(Decoder::open(
            &s.url,
            DecoderConfig {
                preload: true,
                listen: false,
                version_check_interval: Duration::ZERO,
                ..DecoderConfig::default()
            },
        ))
        .expect("decoder");
    let hot: Vec<String> = s.corpus.iter().take(1000).cloned().collect();
    for v in &hot {
        let _ = cached.decode_sync(v, None);
    }
    let mut j = 0usize;
    group.bench_function("cache_hit", |b| {
        b.iter(|| {
            j = (j + 1) % hot.len();
            black_box(cached.decode_sync(black_box(&hot[j]), None))
        })
    });

    if let Ok(pg) = std::env::var("DATABASE_URL") {
        cold_postgres(&s, &pg, &mut group);
    } else {
        eprintln!("note: DATABASE_URL unset; skipping decode/cold_wmi_postgres");
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&s.dir);
}

fn cold_postgres(
    s: &Setup,
    pg: &str,
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
) {
    let store = s.rt.block_on(Store::open(pg)).expect("postgres");
    if s.rt.block_on(store.dataset()).expect("dataset").is_none() {
        eprintln!("the Postgres database is empty: loading the sample into it");
        let opts = vin_db::etl::RunOptions {
            quiet: true,
            ..vin_db::etl::RunOptions::new(vin_db::store::sample_path().display().to_string())
        };
        s.rt.block_on(vin_db::etl::run_etl(pg, &opts)).expect("ETL");
    }
    let (version, rows) = s.rt.block_on(store.load_globals()).expect("globals");
    let globals = vin_db::catalog::Globals::compile(version, rows);
    let (_, all) = s.rt.block_on(store.load_all_wmis()).expect("WMIs");
    let mut wmis: Vec<(usize, String)> = all
        .iter()
        .filter(|w| !w.patterns.is_empty())
        .map(|w| (w.patterns.len(), w.wmi.clone()))
        .collect();
    drop(all);
    let every: Vec<String> = wmis.iter().map(|w| w.1.clone()).collect();
    wmis.sort_by(|a, b| b.cmp(a));
    let largest: Vec<String> = wmis.iter().take(10).map(|w| w.1.clone()).collect();
    eprintln!("largest WMIs: {largest:?}");
    // The decoder's cold path: the head rows, the patterns of its schemas
    // (none resident: each catalog is dropped before the next load), the compile.
    let cold = |wmi: &str| {
        s.rt.block_on(async {
            let (_, head) = store.load_wmi_head(wmi).await.expect("head");
            let wanted = head.schema_keys();
            let ids: Vec<i32> = wanted.iter().map(|w| w.0).collect();
            let (_, patterns) = store.load_pattern_set(&ids).await.expect("patterns");
            let compiled = globals
                .schema_cache()
                .compile_set(&globals, &wanted, &patterns)
                .expect("compile");
            vin_db::catalog::WmiCatalog::compile_with(&globals, head, compiled)
        })
    };
    let mut k = 0usize;
    group.bench_function("cold_wmi_postgres", |b| {
        b.iter(|| {
            k = (k + 1) % every.len();
            black_box(cold(&every[k]))
        })
    });
    let mut k = 0usize;
    group.bench_function("cold_wmi_postgres_largest", |b| {
        b.iter(|| {
            k = (k + 1) % largest.len();
            black_box(cold(&largest[k]))
        })
    });
}

criterion_group!(decode, benches);
criterion_main!(decode);
