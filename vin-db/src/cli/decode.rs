//! `vin decode` and `vin bench`.
//!
//! `vin decode` prints JSON: one object for one VIN, an array for several, or
//! one object per line with `--jsonl` (streamed: `--file` is read and written
//! in bounded chunks, in input order). A VIN that cannot be decoded at all
//! (longer than 17 characters, data unavailable) prints an object with
//! `vin` and `error` (`code`, `message`) in its place, and the exit code is
//! then non-zero.
//!
//! `vin bench` decodes a file of VINs with a warm decoder (every WMI
//! preloaded, result cache off so every VIN runs the engine) and ends with
//! `N VINs in S s: R VIN/s`.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;

use super::DatabaseArgs;
use crate::decode::Decoded;
use crate::decoder::{Decoder, DecoderConfig};
use crate::{Error, Result};

/// VINs per chunk when streaming a file.
const CHUNK: usize = 1024;

/// Arguments of `vin decode`.
#[derive(Debug, clap::Args)]
pub struct DecodeArgs {
    /// Database options.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// VINs to decode.
    pub vins: Vec<String>,
    /// The model year you know the vehicle has (1900–2100); the decode
    /// prefers it and flags a mismatch with error code 12.
    #[arg(long)]
    pub year: Option<i32>,
    /// Add provenance: every output row with its source (pattern id, schema,
    /// key, …) and per-value confidence, under `values`.
    #[arg(long)]
    pub explain: bool,
    /// Read VINs from this file, one per line (`-` for standard input).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Print one JSON object per line instead of one JSON document.
    #[arg(long)]
    pub jsonl: bool,
}

/// Arguments of `vin bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Database options.
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// The VIN file to decode (one per line); written first with `--generate`.
    #[arg(long)]
    pub file: PathBuf,
    /// Decoding threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Build a corpus of this many VINs from the catalog's own patterns,
    /// spread over every WMI, and write it to `--file` before benchmarking.
    #[arg(long)]
    pub generate: Option<usize>,
    /// Seed of the generated corpus (same seed, same data → same VINs).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

fn cli_config() -> DecoderConfig {
    // A command-line run is short: no listener, no periodic check.
    DecoderConfig {
        listen: false,
        version_check_interval: Duration::ZERO,
        ..DecoderConfig::default()
    }
}

/// The JSON of one answer.
fn to_json(input: &str, answer: &Result<Arc<Decoded>>, explain: bool) -> Value {
    match answer {
        Ok(decoded) => {
            let mut v = serde_json::to_value(&**decoded).unwrap_or(Value::Null);
            if let (false, Value::Object(map)) = (explain, &mut v) {
                map.remove("values");
            }
            v
        }
        Err(e) => serde_json::json!({
            "vin": input,
            "error": { "code": e.code(), "message": e.to_string() },
        }),
    }
}

fn io_error(e: std::io::Error) -> Error {
    Error::Io(e)
}

/// Runs `vin decode`.
pub async fn run_decode(args: DecodeArgs) -> Result<ExitCode> {
    if args.file.is_none() && args.vins.is_empty() {
        return Err(Error::InvalidArgument(
            "give VINs to decode, or --file FILE".into(),
        ));
    }
    if args.file.is_some() && !args.vins.is_empty() {
        return Err(Error::InvalidArgument(
            "give VINs as arguments or --file, not both".into(),
        ));
    }
    if let Some(y) = args
        .year
        .filter(|y| !crate::decoder::CALLER_YEAR_RANGE.contains(y))
    {
        return Err(Error::InvalidArgument(format!(
            "--year {y} is outside 1900..=2100"
        )));
    }
    let url = crate::store::resolve_database_url(args.db.database_url.as_deref())?;
    let decoder = Decoder::open(&url, cli_config()).await?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut all_ok = true;

    match &args.file {
        Some(path) => {
            let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
                Box::new(std::io::BufReader::new(std::io::stdin()))
            } else {
                Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(
                    |e| Error::InvalidArgument(format!("cannot read {}: {e}", path.display())),
                )?))
            };
            let mut lines = reader.lines();
            let mut first = true;
            if !args.jsonl {
                out.write_all(b"[").map_err(io_error)?;
            }
            loop {
                let mut chunk = Vec::with_capacity(CHUNK);
                for line in lines.by_ref().take(CHUNK) {
                    let line = line.map_err(io_error)?;
                    chunk.push(line.trim_end_matches('\r').to_owned());
                }
                if chunk.is_empty() {
                    break;
                }
                let answers = decoder.decode_batch(&chunk, args.year).await;
                for (input, answer) in chunk.iter().zip(&answers) {
                    all_ok &= answer.is_ok();
                    let json = to_json(input, answer, args.explain);
                    if args.jsonl {
                        serde_json::to_writer(&mut out, &json).map_err(|e| Error::Io(e.into()))?;
                        out.write_all(b"\n").map_err(io_error)?;
                    } else {
                        if !first {
                            out.write_all(b",").map_err(io_error)?;
                        }
                        serde_json::to_writer(&mut out, &json).map_err(|e| Error::Io(e.into()))?;
                    }
                    first = false;
                }
                out.flush().map_err(io_error)?;
            }
            if !args.jsonl {
                out.write_all(b"]\n").map_err(io_error)?;
            }
        }
        None => {
            let answers = decoder.decode_batch(&args.vins, args.year).await;
            let values: Vec<Value> = args
                .vins
                .iter()
                .zip(&answers)
                .map(|(input, answer)| {
                    all_ok &= answer.is_ok();
                    to_json(input, answer, args.explain)
                })
                .collect();
            if args.jsonl {
                for v in &values {
                    serde_json::to_writer(&mut out, v).map_err(|e| Error::Io(e.into()))?;
                    out.write_all(b"\n").map_err(io_error)?;
                }
            } else {
                let doc = if values.len() == 1 {
                    values.into_iter().next().unwrap_or(Value::Null)
                } else {
                    Value::Array(values)
                };
                serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| Error::Io(e.into()))?;
                out.write_all(b"\n").map_err(io_error)?;
            }
        }
    }
    out.flush().map_err(io_error)?;
    decoder.close().await;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Peak and current resident set size in kB, from `/proc/self/status`.
pub fn rss_kb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// Runs `vin bench`.
pub async fn run_bench(args: BenchArgs) -> Result<ExitCode> {
    if args.threads == 0 {
        return Err(Error::InvalidArgument(
            "--threads must be at least 1".into(),
        ));
    }
    let url = crate::store::resolve_database_url(args.db.database_url.as_deref())?;
    if let Some(count) = args.generate {
        generate_corpus(&url, count, args.seed, &args.file).await?;
    }
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", args.file.display())))?;
    let vins: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if vins.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "{} holds no VINs",
            args.file.display()
        )));
    }

    let started = Instant::now();
    let config = DecoderConfig {
        preload: true,
        cache_results: false,
        ..cli_config()
    };
    let decoder = Decoder::open(&url, config).await?;
    let health = decoder.health().await;
    eprintln!(
        "warm decoder: {} WMIs resident (~{} MB compiled), dataset {:?}, ready in {:.2} s",
        health.resident_wmis,
        health.catalog_bytes / (1 << 20),
        health.dataset_version,
        started.elapsed().as_secs_f64()
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .map_err(|e| {
            Error::InvalidArgument(format!("cannot start {} threads: {e}", args.threads))
        })?;

    // Warm-up: caches and branch predictors, not the catalog (already resident).
    pool.install(|| {
        vins.par_iter().take(2000).for_each(|v| {
            let _ = decoder.decode_sync(v, None);
        })
    });

    let chunk = vins.len().div_ceil(args.threads * 8).max(1);
    let start = Instant::now();
    let per_chunk: Vec<(Vec<u32>, usize)> = pool.install(|| {
        vins.par_chunks(chunk)
            .map(|part| {
                let mut lat = Vec::with_capacity(part.len());
                let mut errors = 0usize;
                for v in part {
                    let t = Instant::now();
                    let r = decoder.decode_sync(v, None);
                    lat.push(u32::try_from(t.elapsed().as_nanos()).unwrap_or(u32::MAX));
                    errors += usize::from(r.is_err());
                }
                (lat, errors)
            })
            .collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let errors: usize = per_chunk.iter().map(|(_, e)| e).sum();
    let mut lat: Vec<u32> = per_chunk.into_iter().flat_map(|(l, _)| l).collect();
    lat.sort_unstable();
    let pct = |p: usize| f64::from(lat[(lat.len() * p / 100).min(lat.len() - 1)]) / 1000.0;
    println!("threads: {}, decode errors: {errors}", args.threads);
    println!(
        "latency: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        pct(50),
        pct(99),
        f64::from(lat[lat.len() - 1]) / 1000.0
    );
    if let Some((peak, now)) = rss_kb() {
        println!(
            "memory: peak RSS {:.1} MB, current RSS {:.1} MB",
            peak as f64 / 1024.0,
            now as f64 / 1024.0
        );
    }
    println!(
        "{} VINs in {elapsed:.3} s: {:.0} VIN/s",
        vins.len(),
        vins.len() as f64 / elapsed
    );
    decoder.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn generate_corpus(url: &str, count: usize, seed: u64, path: &std::path::Path) -> Result<()> {
    let store = crate::store::Store::open(url).await?;
    let (version, rows) = store.load_all_wmis().await?;
    let max_year = crate::decode::Clock::system().this_year + 1;
    let vins = crate::decoder::corpus::generate_seeded(&rows, count, max_year, seed);
    drop(rows);
    let mut out =
        BufWriter::new(std::fs::File::create(path).map_err(|e| {
            Error::InvalidArgument(format!("cannot write {}: {e}", path.display()))
        })?);
    for v in &vins {
        writeln!(out, "{v}").map_err(io_error)?;
    }
    out.flush().map_err(io_error)?;
    eprintln!(
        "wrote {} VINs from dataset {version} to {}",
        vins.len(),
        path.display()
    );
    Ok(())
}
