//! Validate a VIN with `vin-core` (no data needed).
//!
//! ```sh
//! cargo run -p vin-examples --example validate -- 1HGCM82633A004352 [MORE_VINS...]
//! ```
//!
//! Prints the sections, the check digit, the model-year candidates and the
//! region/country of each VIN, or the typed error. Exits with status 1 when any
//! VIN is invalid.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use vin_core::model_year::{self, ModelYears, VehicleClass};
use vin_core::{Vin, VinText, check_digit};

/// The current calendar year (UTC), close enough for the model-year limit.
fn current_year() -> i32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Days to a civil date (proleptic Gregorian calendar).
    let days = (secs / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month_from_march = mp;
    (yoe + era * 400 + i64::from(month_from_march >= 10)) as i32
}

fn years(y: ModelYears) -> String {
    if y.is_empty() {
        return "none".into();
    }
    let list: Vec<String> = y.iter().map(|y| y.to_string()).collect();
    let verdict = if y.conclusive() {
        "conclusive"
    } else {
        "inconclusive"
    };
    format!("{} ({verdict})", list.join(", "))
}

fn show(input: &str, this_year: i32) -> bool {
    let vin = match Vin::parse(input) {
        Ok(vin) => vin,
        Err(e) => {
            println!("{input:?}: invalid: [{}] {e}", e.code());
            if let Ok(text) = VinText::new(input) {
                for p in text.problems().iter().skip(1) {
                    println!("  also: [{}] {p}", p.code());
                }
                println!("  vPIC keys string: {:?}", text.keys().as_str());
            }
            return false;
        }
    };
    let wmi = vin.wmi();
    let computed = check_digit::compute(vin.as_bytes()) as char;
    let text = VinText::from(vin);
    println!("VIN          {vin}");
    println!(
        "WMI          {wmi}  ({}, {})",
        wmi.region().map_or("unknown region", |r| r.name()),
        wmi.country().unwrap_or("unassigned country")
    );
    println!("VDS          {}", vin.vds());
    println!(
        "check digit  {} (computed {computed}: {})",
        vin.check_char() as char,
        if vin.check_digit_valid() {
            "valid"
        } else {
            "INVALID"
        }
    );
    println!("VIS          {}", vin.vis());
    println!("year code    {}", vin.year_char() as char);
    println!(
        "  light vehicle:  {}",
        years(model_year::candidates(&vin, VehicleClass::Light, this_year))
    );
    println!(
        "  other vehicle:  {}",
        years(model_year::candidates(&vin, VehicleClass::Other, this_year))
    );
    println!("plant        {}", vin.plant_char() as char);
    println!("serial       {}", vin.serial());
    println!("descriptor   {}", text.descriptor());
    println!("keys         {}", text.keys());
    vin.check_digit_valid()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("usage: validate VIN [VIN...]");
        return ExitCode::from(2);
    }
    let this_year = current_year();
    let mut all_ok = true;
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            println!();
        }
        all_ok &= show(a, this_year);
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
