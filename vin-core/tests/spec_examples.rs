//! The worked examples of the decoding specification.

use vin_core::check_digit::{self, Variant};
use vin_core::key::Key;
use vin_core::model_year::{RawYear, vpic_raw_year};
use vin_core::{VinError, VinText};

#[test]
fn normalisation_trims_spaces_only_and_uppercases() {
    let t = VinText::new("  1hgcm82633a004352 ").unwrap();
    assert_eq!(t.as_str(), "1HGCM82633A004352");
    let t = VinText::new("\t1hgcm82633a00435").unwrap();
    assert_eq!(t.as_str(), "\t1HGCM82633A00435");
    assert_eq!(t.len(), 17);
    assert_eq!(
        VinText::new("1HGCM82633A0043521").unwrap_err(),
        VinError::Length { len: 18 }
    );
    assert_eq!(VinText::new("").unwrap().len(), 0);
    // Non-ASCII characters count as one position each and are kept.
    let t = VinText::new("1HGCM8263éA004352").unwrap();
    assert_eq!(t.len(), 17);
    assert_eq!(t.char_at(10), Some('é'));
    assert_eq!(
        t.problems(),
        vec![VinError::InvalidChar {
            ch: 'é',
            position: 10
        }]
    );
    // A NUL is a character like any other, and invalid.
    let t = VinText::new("11HGM8\u{0}13G0AH06M2").unwrap();
    assert_eq!(
        t.problems(),
        vec![VinError::InvalidChar {
            ch: '\0',
            position: 7
        }]
    );
    assert!(t.to_vin().is_err());
}

#[test]
fn wmi_extraction() {
    assert_eq!(VinText::new("1HGCM82633A004352").unwrap().wmi(), "1HG");
    assert_eq!(VinText::new("1G9CM82633A004352").unwrap().wmi(), "1G9004");
    // Position 3 is '9' but fewer than 14 characters: 3 characters.
    assert_eq!(VinText::new("1G9CM82633A00").unwrap().wmi(), "1G9");
    assert_eq!(VinText::new("1G").unwrap().wmi(), "1G");
}

#[test]
fn descriptor() {
    assert_eq!(
        VinText::new("1HGCM82633A004352").unwrap().descriptor(),
        "1HGCM826*3A"
    );
    assert_eq!(VinText::new("").unwrap().descriptor(), "***********");
    assert_eq!(
        VinText::new("1G9CM82633A004352").unwrap().descriptor(),
        "1G9CM826*3A004"
    );
    assert_eq!(VinText::new("1HGCM").unwrap().descriptor(), "1HGCM******");
}

#[test]
fn keys_string() {
    let k = |s: &str| VinText::new(s).unwrap().keys().as_str().to_owned();
    assert_eq!(k("1HGCM82633A004352"), "CM826|3A004352");
    assert_eq!(k("1HG"), "");
    assert_eq!(k("1HGC"), "C");
    assert_eq!(k("1HGCM82633"), "CM826|3");
    assert_eq!(k("1HGCM8263"), "CM826");
    assert_eq!(k("1HGCM826"), "CM826");
    assert_eq!(k("1HGCM82"), "CM82");
}

#[test]
fn worked_check_digit() {
    let t = VinText::new("1HGCM82633A004352").unwrap();
    assert_eq!(check_digit::compute(b"1HGCM82633A004352"), b'3');
    assert_eq!(
        check_digit::vpic(&t, Variant::CarLtAware { car_lt: true }),
        Some('3')
    );
    assert_eq!(check_digit::vpic(&t, Variant::Correction), Some('3'));
    // The empty text for other lengths; `?` for a failed class (here I at 5).
    assert_eq!(
        check_digit::vpic(&VinText::new("1HG").unwrap(), Variant::Correction),
        None
    );
    let t = VinText::new("1HGCI82633A004352").unwrap();
    assert_eq!(check_digit::vpic(&t, Variant::Correction), Some('?'));
    // A comma passes the default class with value −1 (position 5 weighs 4: 311 − 4·4 − 4 = 291 → 5).
    let t = VinText::new("1HGC,82633A004352").unwrap();
    assert_eq!(check_digit::vpic(&t, Variant::Correction), Some('5'));
}

#[test]
fn formula_slice_example() {
    let keys = VinText::new("1HGCM82633A004352").unwrap().keys();
    assert_eq!(keys.formula().as_str(), "CM###|#A######");
    let key = Key::parse("*****|**##").unwrap();
    assert!(key.matches_formula(&keys.formula()));
    assert_eq!(key.formula_slice(&keys), Some("00"));
}

#[test]
fn raw_year_cases() {
    let r = |s: &str, car_lt: bool| vpic_raw_year(&VinText::new(s).unwrap(), car_lt, 2026);
    // carLT, digit at position 7: 2033 − 30.
    assert_eq!(
        r("1HGCM82633A004352", true),
        Some(RawYear {
            year: 2003,
            conclusive: true
        })
    );
    // Not carLT: 2033 is past 2028, so the future-year rule gives 2003 too.
    assert_eq!(
        r("1HGCM82633A004352", false),
        Some(RawYear {
            year: 2003,
            conclusive: true
        })
    );
    // carLT, letter at 7: conclusive without moving.
    assert_eq!(
        r("1HGCM8A63KA004352", true),
        Some(RawYear {
            year: 2019,
            conclusive: true
        })
    );
    // Not carLT within the limit: inconclusive.
    assert_eq!(
        r("1HGCM8A63KA004352", false),
        Some(RawYear {
            year: 2019,
            conclusive: false
        })
    );
    // No year code at 10, or too short.
    assert_eq!(r("1HGCM8A630A004352", true), None);
    assert_eq!(r("1HGCM8A6", true), None);
}

#[test]
fn the_1_a_patch_key() {
    let key = Key::parse("*****|*[1-A-JT]").unwrap();
    let m = |c: char| {
        key.matches(
            &VinText::new(&format!("7T0AB12C3D{c}000000"))
                .unwrap()
                .keys(),
        )
    };
    for c in ['1', 'A', 'B', 'J', 'T'] {
        assert!(m(c), "{c}");
    }
    for c in ['2', 'K', 'S'] {
        assert!(!m(c), "{c}");
    }
}
