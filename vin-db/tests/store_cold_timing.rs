//! A measuring tool, not a check: loads every WMI of the Postgres database at
//! `DATABASE_URL` cold, one after the other, through the same steps as the
//! decoder's cold path (the WMI's head rows, its schemas' patterns, the
//! compile), and prints the distribution and the slowest WMIs stage by stage.
//!
//! ```text
//! DATABASE_URL=postgres://… cargo test --release -p vin-db --test store_cold_timing \
//!     -- --ignored --nocapture
//! ```
//!
//! `COLD_WMIS=LM4,1HG` limits the run to those WMIs.

use std::time::{Duration, Instant};

use vin_db::catalog::{Globals, WmiCatalog};
use vin_db::store::Store;

/// One WMI's timings: head rows, patterns, compile.
struct Timing {
    wmi: String,
    schemas: usize,
    patterns: usize,
    head: Duration,
    fetch: Duration,
    compile: Duration,
}

impl Timing {
    fn total(&self) -> Duration {
        self.head + self.fetch + self.compile
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measuring tool: run it by name with --ignored against a loaded Postgres"]
async fn cold_wmi_timings() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names a loaded Postgres");
    let store = Store::open(&url).await.expect("store");
    let (version, rows) = store.load_globals().await.expect("globals");
    let globals = Globals::compile(version, rows);
    let wanted: Option<Vec<String>> = std::env::var("COLD_WMIS")
        .ok()
        .map(|s| s.split(',').map(str::to_owned).collect());
    let wmis: Vec<String> = match wanted {
        Some(w) => w,
        None => {
            let (_, heads) = store.load_all_wmi_heads().await.expect("heads");
            heads.into_iter().map(|h| h.wmi).collect()
        }
    };
    let mut timings = Vec::with_capacity(wmis.len());
    for wmi in &wmis {
        let t0 = Instant::now();
        let (_, head) = store.load_wmi_head(wmi).await.expect("head");
        let t1 = Instant::now();
        let wanted = head.schema_keys();
        let ids: Vec<i32> = wanted.iter().map(|w| w.0).collect();
        let (_, patterns) = store.load_pattern_set(&ids).await.expect("patterns");
        let t2 = Instant::now();
        let compiled = globals
            .schema_cache()
            .compile_set(&globals, &wanted, &patterns)
            .expect("compile");
        let pattern_count = compiled.iter().map(|s| s.pattern_count()).sum();
        let catalog = WmiCatalog::compile_with(&globals, head, compiled);
        let t3 = Instant::now();
        // Dropped before the next WMI: its schemas leave the cache, so every
        // WMI is measured cold.
        drop(catalog);
        timings.push(Timing {
            wmi: wmi.clone(),
            schemas: ids.len(),
            patterns: pattern_count,
            head: t1 - t0,
            fetch: t2 - t1,
            compile: t3 - t2,
        });
    }
    let mut totals: Vec<Duration> = timings.iter().map(Timing::total).collect();
    totals.sort_unstable();
    println!(
        "{} WMIs: median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, over 10 ms: {}",
        totals.len(),
        ms(quantile(&totals, 0.5)),
        ms(quantile(&totals, 0.9)),
        ms(quantile(&totals, 0.99)),
        ms(quantile(&totals, 1.0)),
        totals
            .iter()
            .filter(|t| **t > Duration::from_millis(10))
            .count()
    );
    timings.sort_by_key(|t| std::cmp::Reverse(t.total()));
    println!("wmi     schemas patterns  head_ms fetch_ms compile_ms total_ms");
    for t in timings.iter().take(15) {
        println!(
            "{:<7} {:>7} {:>8} {:>8.2} {:>8.2} {:>10.2} {:>8.2}",
            t.wmi,
            t.schemas,
            t.patterns,
            ms(t.head),
            ms(t.fetch),
            ms(t.compile),
            ms(t.total())
        );
    }
}
