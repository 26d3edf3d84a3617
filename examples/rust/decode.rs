//! Decode VINs with the `Decoder` service and print the headline fields.
//!
//! ```text
//! cargo run -p vin-examples --example decode -- 1HGCM82633A004352 5YJ3E1EA7JF000000
//! ```
//!
//! Uses `VIN_DATABASE_URL` when set, else the embedded default (built from
//! the committed sample on first use).

use vin_db::decoder::{Decoder, DecoderConfig};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let vins: Vec<String> = std::env::args().skip(1).collect();
    let vins = if vins.is_empty() {
        vec!["1HGCM82633A004352".to_owned()]
    } else {
        vins
    };
    let decoder = match Decoder::open("default", DecoderConfig::default()).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error [{}]: {e}", e.code());
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    for vin in &vins {
        match decoder.decode(vin, None).await {
            Ok(d) => println!(
                "{}: {} {} {} (codes {:?}, confidence {:.3})",
                d.vin,
                d.model_year
                    .map_or_else(|| "?".to_owned(), |y| y.to_string()),
                d.make.as_deref().unwrap_or("?"),
                d.model.as_deref().unwrap_or("?"),
                d.error_codes,
                d.confidence
            ),
            Err(e) => {
                failed = true;
                eprintln!("{vin}: error [{}]: {e}", e.code());
            }
        }
    }
    let stats = decoder.stats();
    println!(
        "{} decodes, {} catalog loads, {} cache hits",
        stats.decodes, stats.catalog_loads, stats.result_hits
    );
    decoder.close().await;
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
