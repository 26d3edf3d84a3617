//! Criterion bench `dropdowns`: each cascade query uncached (a real round
//! trip to the store, goal p99 < 5 ms on Postgres with the full lite data)
//! and cached (goal < 1 µs).
//!
//! ```text
//! VIN_BENCH_DATABASE_URL=postgres://… VPIC_LITE=/path/vpic-lite.db.gz \
//!   cargo bench -p vin-benches --bench dropdowns
//! ```
//!
//! The database is `VIN_BENCH_DATABASE_URL` (else `DATABASE_URL`, else the
//! embedded default). When it holds no dataset yet and `VPIC_LITE` is set,
//! the lite file is loaded into it first. Besides criterion's means, the
//! bench prints p50/p99 of the uncached queries over varied arguments.
// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt;
use vin_db::dropdowns::{Dropdowns, DropdownsConfig};
use vin_db::store::Store;

/// (year, make, model, first trim) tuples to query, spread over the data.
type Probe = (i32, i64, i64, Option<i64>);

struct Setup {
    rt: tokio::runtime::Runtime,
    uncached: Dropdowns,
    cached: Dropdowns,
    probes: Vec<Probe>,
    label: String,
}

fn setup() -> Setup {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let url = std::env::var("VIN_BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok();
    let (uncached, cached, probes, label) = rt.block_on(async move {
        let url = vin_db::store::resolve_database_url(url.as_deref()).expect("database url");
        let store = Store::open(&url).await.expect("open store");
        if store.dataset().await.expect("dataset").is_none() {
            let lite = std::env::var("VPIC_LITE").expect("empty database and VPIC_LITE unset");
            let opts = vin_db::etl::RunOptions {
                quiet: true,
                ..vin_db::etl::RunOptions::new(format!("sqlite:{lite}"))
            };
            vin_db::etl::run_etl(&url, &opts)
                .await
                .expect("load lite data");
            store.dataset().await.expect("dataset");
        }
        let label = store.url_redacted();
        let uncached = Dropdowns::with_config(
            store.clone(),
            DropdownsConfig {
                capacity: 0,
                ..DropdownsConfig::default()
            },
        );
        let cached = Dropdowns::new(store);
        let probes = probes(&uncached).await;
        (uncached, cached, probes, label)
    });
    Setup {
        rt,
        uncached,
        cached,
        probes,
        label,
    }
}

/// Up to 300 real (year, make, model, trim) tuples: a stride over years,
/// makes and models.
async fn probes(d: &Dropdowns) -> Vec<Probe> {
    let mut out = Vec::new();
    let years = d.years().await.expect("years");
    for year in years.iter().step_by(3) {
        let makes = d.makes(*year).await.expect("makes");
        for make in makes.iter().step_by((makes.len() / 10).max(1)) {
            let models = d.models(*year, make.id).await.expect("models");
            for model in models.iter().step_by((models.len() / 2).max(1)).take(2) {
                let trims = d.trims(*year, make.id, model.id).await.expect("trims");
                out.push((*year, make.id, model.id, trims.first().map(|t| t.id)));
            }
        }
        if out.len() >= 300 {
            break;
        }
    }
    assert!(!out.is_empty(), "no data to query");
    out
}

/// The six queries, by name, on one probe.
async fn run(d: &Dropdowns, query: &str, p: Probe) -> usize {
    let (year, make, model, trim) = p;
    let n = match query {
        "years" => d.years().await.map(|v| v.len()),
        "makes" => d.makes(year).await.map(|v| v.len()),
        "models" => d.models(year, make).await.map(|v| v.len()),
        "trims" => d.trims(year, make, model).await.map(|v| v.len()),
        "engines" => d.engines(year, make, model, None).await.map(|v| v.len()),
        "engines_of_trim" => d.engines(year, make, model, trim).await.map(|v| v.len()),
        "transmissions" => d
            .transmissions(year, make, model, None)
            .await
            .map(|v| v.len()),
        _ => unreachable!("unknown query"),
    };
    n.expect("query")
}

const QUERIES: [&str; 7] = [
    "years",
    "makes",
    "models",
    "trims",
    "engines",
    "engines_of_trim",
    "transmissions",
];

fn percentiles(s: &Setup) {
    eprintln!(
        "uncached latency over {} probes on {}:",
        s.probes.len(),
        s.label
    );
    for q in QUERIES {
        let mut times: Vec<Duration> = Vec::new();
        for round in 0..3 {
            for p in &s.probes {
                let t = Instant::now();
                black_box(s.rt.block_on(run(&s.uncached, q, *p)));
                if round > 0 {
                    times.push(t.elapsed());
                }
            }
        }
        times.sort();
        let at = |f: f64| times[((times.len() as f64 * f) as usize).min(times.len() - 1)];
        eprintln!(
            "  {q:<16} p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms",
            at(0.50).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            at(1.0).as_secs_f64() * 1e3
        );
    }
}

fn bench(c: &mut Criterion) {
    let s = setup();
    percentiles(&s);

    let mut group = c.benchmark_group("dropdowns_uncached");
    group.sample_size(30);
    for q in QUERIES {
        let mut i = 0;
        group.bench_function(q, |b| {
            b.iter(|| {
                i = (i + 1) % s.probes.len();
                s.rt.block_on(run(&s.uncached, q, s.probes[i]))
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("dropdowns_cached");
    let p = s.probes[0];
    for q in QUERIES {
        s.rt.block_on(run(&s.cached, q, p));
        group.bench_function(q, |b| {
            // A cached answer needs no I/O: the future is ready at once, so it
            // is polled directly, without a runtime round trip.
            b.iter(|| {
                run(&s.cached, q, black_box(p))
                    .now_or_never()
                    .unwrap_or_else(|| s.rt.block_on(run(&s.cached, q, p)))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
