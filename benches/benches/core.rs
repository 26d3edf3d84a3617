//! Criterion bench `core`: VIN parsing, check digit, model year and key matching.
//!
//! Run with `cargo bench -p vin-benches --bench core`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_main};
use vin_core::check_digit::{self, Variant};
use vin_core::key::Key;
use vin_core::model_year::{self, VehicleClass};
use vin_core::{Vin, VinText};

/// Real VINs of different makes.
const VINS: [&str; 8] = [
    "1HGCM82633A004352",
    "5YJ3E1EA7JF000000",
    "1FTFW1E54JFB00000",
    "WBA3A5C51CF256985",
    "JTDKN3DU0A0012345",
    "3VWFE21C04M000001",
    "KNDJP3A56H7000000",
    "1G9CM82633A004352",
];

/// Pattern keys in the shapes of the vPIC data: plain keys with wildcards,
/// bracket groups and keys reaching past the `|`.
const KEYS: [&str; 68] = [
    "A*7",
    "*J*K",
    "BN*S",
    "P253",
    "**544",
    "**VLB",
    "YF186",
    "GN76A",
    "*A*A9",
    "AX*F7",
    "KCEDG",
    "**D*8",
    "FB2E7",
    "*V*FP",
    "**01",
    "*6A4",
    "CR**L",
    "CC6",
    "**SV0",
    "0D210",
    "*9L",
    "HC222",
    "CG318",
    "**ED",
    "YR",
    "JE**E",
    "*DFC",
    "*X14",
    "N*33",
    "MT261",
    "KD461",
    "**K*5",
    "K182",
    "KF472",
    "BP4GX",
    "**672",
    "*W82",
    "**4B",
    "HT3C3",
    "*EB",
    "*[BJNT]6",
    "B2[01][0-9]",
    "*D2[46]",
    "J[LMNPR]**D",
    "**[KLMN]9",
    "M[BG]",
    "*[EW][2357][BG]",
    "L[1256]**A",
    "[DMX4]",
    "[1-4C-FNSWX]E3[BEFK]",
    "*J[UV][EFG][PJ]",
    "**[3-8]13",
    "N[S-W]**C",
    "M[CF]*[236]",
    "UU[678]6",
    "*L9[RN]",
    "4Z9C[01]",
    "**[1-8A-P]",
    "KE03[EF]",
    "[5Y]J6X",
    "***[DFHRT]U",
    "M***[235]",
    "***[BD]Z",
    "S[A-E]*2",
    "*****|*A",
    "*****|*[1-A-JT]",
    "CM826|3A",
    "***A*|*[0-9A-Z]",
];

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(VINS.len() as u64));
    g.bench_function("Vin::parse", |b| {
        b.iter(|| {
            for v in VINS {
                black_box(Vin::parse(black_box(v)).is_ok());
            }
        })
    });
    g.bench_function("Vin::parse+check_digit_valid", |b| {
        b.iter(|| {
            for v in VINS {
                black_box(Vin::parse(black_box(v)).map(|v| v.check_digit_valid()).ok());
            }
        })
    });
    g.bench_function("VinText::new+keys", |b| {
        b.iter(|| {
            for v in VINS {
                black_box(VinText::new(black_box(v)).map(|t| t.keys()).ok());
            }
        })
    });
    g.finish();
}

fn check_digit(c: &mut Criterion) {
    let vins: Vec<Vin> = VINS.iter().map(|v| Vin::parse(v).unwrap()).collect();
    let texts: Vec<VinText> = vins.iter().map(|&v| VinText::from(v)).collect();
    let mut g = c.benchmark_group("check_digit");
    g.throughput(Throughput::Elements(vins.len() as u64));
    g.bench_function("compute", |b| {
        b.iter(|| {
            for v in &vins {
                black_box(check_digit::compute(black_box(v.as_bytes())));
            }
        })
    });
    g.bench_function("vpic", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(check_digit::vpic(
                    black_box(t),
                    Variant::CarLtAware { car_lt: true },
                ));
            }
        })
    });
    g.finish();
}

fn model_year(c: &mut Criterion) {
    let vins: Vec<Vin> = VINS.iter().map(|v| Vin::parse(v).unwrap()).collect();
    let texts: Vec<VinText> = vins.iter().map(|&v| VinText::from(v)).collect();
    let mut g = c.benchmark_group("model_year");
    g.throughput(Throughput::Elements(vins.len() as u64));
    g.bench_function("candidates", |b| {
        b.iter(|| {
            for v in &vins {
                black_box(model_year::candidates(
                    black_box(v),
                    VehicleClass::Light,
                    2026,
                ));
            }
        })
    });
    g.bench_function("vpic_raw_year", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(model_year::vpic_raw_year(black_box(t), true, 2026));
            }
        })
    });
    g.finish();
}

fn key_match(c: &mut Criterion) {
    let keys: Vec<Key> = KEYS.iter().map(|k| Key::parse(k).unwrap()).collect();
    let texts: Vec<_> = VINS
        .iter()
        .map(|v| VinText::new(v).unwrap().keys())
        .collect();
    let mut g = c.benchmark_group("key");
    g.throughput(Throughput::Elements((keys.len() * texts.len()) as u64));
    g.bench_function("matches", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &texts {
                for k in &keys {
                    n += k.matches(black_box(t)) as usize;
                }
            }
            black_box(n)
        })
    });
    g.throughput(Throughput::Elements(KEYS.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for k in KEYS {
                black_box(Key::parse(black_box(k)).is_ok());
            }
        })
    });
    g.finish();
}

/// The group lives in a private module: criterion's macro makes a public,
/// undocumented function.
mod group {
    use super::{check_digit, key_match, model_year, parse};
    criterion::criterion_group!(benches, parse, check_digit, model_year, key_match);
}
criterion_main!(group::benches);
