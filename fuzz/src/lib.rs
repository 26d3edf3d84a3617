//! The fuzz targets' bodies, shared by the libFuzzer binaries and the corpus
//! replay test. Each checks invariants and panics on a violation.

use vin_core::check_digit::{self, Variant};
use vin_core::key::{self, Key};
use vin_core::model_year::{self, VehicleClass};
use vin_core::{KeyText, MAX_KEYS, Vin, VinText};

/// Every parsing entry point on `data` (read as UTF-8, lossily).
pub fn parse(data: &[u8]) {
    let s = String::from_utf8_lossy(data);

    match Vin::parse(&s) {
        Ok(vin) => {
            assert_eq!(vin.as_str().len(), 17);
            assert_eq!(Vin::parse(vin.as_str()), Ok(vin), "parsing is idempotent");
            let text = VinText::from(vin);
            assert_eq!(VinText::new(vin.as_str()).as_ref(), Ok(&text));
            assert_eq!(text.to_vin(), Ok(vin));
            assert!(text.problems().is_empty());
            let wmi = vin.wmi();
            assert_eq!(wmi.as_str(), text.wmi());
            let _ = (
                wmi.region(),
                wmi.country(),
                vin.serial(),
                vin.vis(),
                vin.vds(),
            );
            let valid = vin.check_digit_valid();
            assert_eq!(
                check_digit::compute(vin.as_bytes()) == vin.check_char(),
                valid
            );
            let _ = model_year::candidates(&vin, VehicleClass::Light, 2026);
            let _ = model_year::candidates(&vin, VehicleClass::Other, 2026);
        }
        Err(e) => {
            assert!(!e.code().is_empty());
            assert!(!e.to_string().is_empty());
        }
    }
    if let Ok(bytes) = <&[u8; 17]>::try_from(data) {
        let _ = Vin::from_bytes(bytes);
        let _ = check_digit::compute(bytes);
    }

    let Ok(text) = VinText::new(&s) else { return };
    assert!(text.len() <= 17);
    assert_eq!(
        VinText::new(text.as_str()).as_ref(),
        Ok(&text),
        "normalising is idempotent"
    );
    for pos in 0..=18 {
        assert_eq!(text.char_at(pos).is_some(), (1..=text.len()).contains(&pos));
    }
    let d = text.descriptor();
    assert!(matches!(d.chars().count(), 11 | 14), "{d:?}");
    let keys = text.keys();
    assert!(keys.len() <= MAX_KEYS);
    assert_eq!(keys.formula().len(), keys.len());
    assert!(matches!(text.wmi().chars().count(), 0..=3 | 6));
    let problems = text.problems();
    assert_eq!(problems.is_empty(), text.to_vin().is_ok());
    for p in &problems {
        if let Some(pos) = p.position() {
            assert!((1..=text.len()).contains(&pos));
        }
    }
    let r = check_digit::vpic(&text, Variant::Correction);
    assert_eq!(r.is_some(), text.len() == 17);
    let _ = check_digit::vpic(&text, Variant::CarLtAware { car_lt: true });
    for car_lt in [false, true] {
        if let Some(raw) = model_year::vpic_raw_year(&text, car_lt, 2026) {
            assert!((1980..=2028).contains(&raw.year), "{raw:?}");
        }
    }
}

/// Splits `data` at the first newline into key text and VIN text, then
/// compiles the key and checks the compiled matcher against the plain interpreter.
pub fn key(data: &[u8]) {
    let (k, v) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let key_text = String::from_utf8_lossy(k);
    let vin_text = String::from_utf8_lossy(v);
    let keys = match VinText::new(&vin_text) {
        Ok(t) => t.keys(),
        Err(_) => {
            let raw: String = vin_text.chars().take(MAX_KEYS).collect();
            KeyText::from_keys(&raw)
                .unwrap_or_else(|| unreachable!("at most {MAX_KEYS} characters"))
        }
    };
    let _ = key::expand(&key_text).count();
    match Key::parse(&key_text) {
        Ok(compiled) => {
            let fast = compiled.matches(&keys);
            assert_eq!(
                Ok(fast),
                key::interpret(&key_text, &keys),
                "{key_text:?} on {keys:?}"
            );
            let formula = keys.formula();
            if compiled.matches_formula(&formula) {
                assert!(compiled.is_formula());
                // Character indices equal key indices unless LIKE `%` or `\` is involved.
                if !key_text.contains(['%', '\\']) {
                    assert!(compiled.formula_slice(&keys).is_some(), "{key_text:?}");
                }
            }
            for i in 0..=17 {
                let allowed = compiled.allowed(i);
                if fast && (1..=keys.len()).contains(&i) {
                    let c = keys.as_str().chars().nth(i - 1).unwrap_or_default();
                    assert!(
                        allowed.contains(c),
                        "{key_text:?} index {i} {allowed:?} {c:?}"
                    );
                }
            }
            assert!(compiled.fixed_char_count() <= key_text.chars().count());
        }
        Err(e) => {
            assert!(e.position >= 1 && e.position <= key_text.chars().count());
            assert_eq!(key::interpret(&key_text, &keys), Err(e));
        }
    }
}
