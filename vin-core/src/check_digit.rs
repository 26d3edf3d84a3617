//! The check digit of 49 CFR 565.15, and vPIC's variant of it (spec 4.2).

use crate::text::VinText;

/// Position weights, positions 1-17 (position 9, the check digit itself, weighs 0).
pub const WEIGHTS: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/// The transliterated value of a VIN character: digits are themselves,
/// letters per 49 CFR 565.15 (`A`=1 … `Z`=9); `None` for `I`, `O`, `Q` and
/// anything that is not an upper-case letter or digit.
///
/// ```
/// assert_eq!(vin_core::check_digit::value(b'P'), Some(7));
/// assert_eq!(vin_core::check_digit::value(b'I'), None);
/// ```
pub fn value(c: u8) -> Option<u32> {
    Some(match c {
        b'0'..=b'9' => (c - b'0') as u32,
        b'A' | b'J' => 1,
        b'B' | b'K' | b'S' => 2,
        b'C' | b'L' | b'T' => 3,
        b'D' | b'M' | b'U' => 4,
        b'E' | b'N' | b'V' => 5,
        b'F' | b'W' => 6,
        b'G' | b'P' | b'X' => 7,
        b'H' | b'Y' => 8,
        b'R' | b'Z' => 9,
        _ => return None,
    })
}

/// Value table indexed by byte, for the hot path (`0` for invalid characters,
/// which a validated VIN does not contain).
const fn build_values() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = match b as u8 {
            c @ b'0'..=b'9' => c - b'0',
            b'A' | b'J' => 1,
            b'B' | b'K' | b'S' => 2,
            b'C' | b'L' | b'T' => 3,
            b'D' | b'M' | b'U' => 4,
            b'E' | b'N' | b'V' => 5,
            b'F' | b'W' => 6,
            b'G' | b'P' | b'X' => 7,
            b'H' | b'Y' => 8,
            b'R' | b'Z' => 9,
            _ => 0,
        };
        b += 1;
    }
    t
}

static VALUES: [u8; 256] = build_values();

/// The check digit of 17 VIN bytes: `b'0'..=b'9'` or `b'X'` for 10.
/// Characters without a value count as 0; on a valid VIN this is plain 49 CFR 565.
///
/// ```
/// assert_eq!(vin_core::check_digit::compute(b"1HGCM82633A004352"), b'3');
/// ```
pub fn compute(vin: &[u8; 17]) -> u8 {
    let mut sum = 0u32;
    for (&b, &w) in vin.iter().zip(WEIGHTS.iter()) {
        sum += VALUES[b as usize] as u32 * w;
    }
    match sum % 11 {
        10 => b'X',
        r => b'0' + r as u8,
    }
}

/// Which of vPIC's two check-digit rules to apply (spec 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// The rule behind error code 1: position 13 must be a digit only for a
    /// car or light truck (and position 3 not `9`).
    CarLtAware {
        /// The VIN is a car or light truck (spec 2.2; false when position 3 is `9`).
        car_lt: bool,
    },
    /// The rule used to filter correction candidates (code 3): position 13
    /// must be a digit whenever position 3 is not `9`.
    Correction,
}

/// vPIC's check-digit function (spec 4.2): `None` (the empty text) unless the
/// text has 17 characters; `Some('?')` when a position fails its character
/// class; otherwise the digit or `X`. A `,` passes the default and model-year
/// classes with value −1, and a negative sum wraps into `0..11`.
///
/// ```
/// use vin_core::{VinText, check_digit::{vpic, Variant}};
/// let t = VinText::new("1HGCM82633A004352")?;
/// assert_eq!(vpic(&t, Variant::CarLtAware { car_lt: true }), Some('3'));
/// assert_eq!(vpic(&VinText::new("1HGCM82633A00435")?, Variant::Correction), None);
/// # Ok::<(), vin_core::VinError>(())
/// ```
pub fn vpic(text: &VinText, variant: Variant) -> Option<char> {
    if text.len() != 17 {
        return None;
    }
    let third_is_9 = text.char_at(3) == Some('9');
    let thirteen_digits = match variant {
        Variant::CarLtAware { car_lt } => !third_is_9 && car_lt,
        Variant::Correction => !third_is_9,
    };
    match <&[u8; 17]>::try_from(text.as_bytes()) {
        Ok(bytes) => Some(vpic_ascii(bytes, third_is_9, thirteen_digits)),
        // 17 characters but more bytes: a non-ASCII character, which fails every class.
        Err(_) => Some('?'),
    }
}

/// Class bits per byte: default, model-year, digits.
const DEFAULT: u8 = 1;
const MODEL_YEAR: u8 = 2;
const DIGITS: u8 = 4;

const fn build_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        let mut bits = 0;
        if c == b','
            || c.is_ascii_digit()
            || (c.is_ascii_uppercase() && c != b'I' && c != b'O' && c != b'Q')
        {
            bits |= DEFAULT;
        }
        if c == b','
            || (c >= b'1' && c <= b'9')
            || (c.is_ascii_uppercase()
                && c != b'I'
                && c != b'O'
                && c != b'Q'
                && c != b'U'
                && c != b'Z')
        {
            bits |= MODEL_YEAR;
        }
        if c.is_ascii_digit() {
            bits |= DIGITS;
        }
        t[b] = bits;
        b += 1;
    }
    t
}

static CLASSES: [u8; 256] = build_classes();

/// The class of each position, by (position 3 is `9`, position 13 needs a digit).
const fn position_classes(third_is_9: bool, thirteen_digits: bool) -> [u8; 17] {
    let mut t = [DEFAULT; 17];
    t[9] = MODEL_YEAR;
    if thirteen_digits {
        t[12] = DIGITS;
    }
    if !third_is_9 {
        t[13] = DIGITS;
    }
    t[14] = DIGITS;
    t[15] = DIGITS;
    t[16] = DIGITS;
    t
}

static POSITION_CLASSES: [[u8; 17]; 4] = [
    position_classes(false, false),
    position_classes(false, true),
    position_classes(true, false),
    position_classes(true, true),
];

/// [`vpic`] on 17 ASCII bytes (already upper-cased by [`VinText`]).
fn vpic_ascii(bytes: &[u8; 17], third_is_9: bool, thirteen_digits: bool) -> char {
    let classes = &POSITION_CLASSES[third_is_9 as usize * 2 + thirteen_digits as usize];
    let mut sum: i32 = 0;
    let mut ok = true;
    for (i, &b) in bytes.iter().enumerate() {
        ok &= CLASSES[b as usize] & classes[i] != 0;
        // Only ',' passes a class without a value: it counts -1.
        let v = if b == b',' {
            -1
        } else {
            VALUES[b as usize] as i32
        };
        sum += v * WEIGHTS[i] as i32;
    }
    if !ok {
        return '?';
    }
    match sum.rem_euclid(11) {
        10 => 'X',
        r => char::from(b'0' + r as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_the_spec() {
        // 8+56+42+15+16+24+4+60+0+27+8+0+0+20+12+15+4 = 311, 311 mod 11 = 3.
        assert_eq!(compute(b"1HGCM82633A004352"), b'3');
    }

    #[test]
    fn comma_counts_minus_one_and_negative_sums_wrap() {
        // Commas at positions 1 and 8, 'A' at 10: -8 - 10 + 9 = -9 → wraps to 2.
        let t = VinText::new(",000000,0A0000000").unwrap();
        assert_eq!(vpic(&t, Variant::Correction), Some('2'));
        // Comma at position 8 (weight 10), 'A' at 10: -10 + 9 = -1 → 10 → X.
        let t = VinText::new("0000000,0A0000000").unwrap();
        assert_eq!(vpic(&t, Variant::Correction), Some('X'));
    }

    #[test]
    fn classes_per_position() {
        // Letter at 13 with position 3 not '9': only the carLT variant cares.
        let t = VinText::new("1HGCM82633A0A4352").unwrap();
        assert_eq!(vpic(&t, Variant::CarLtAware { car_lt: true }), Some('?'));
        assert_eq!(vpic(&t, Variant::Correction), Some('?'));
        assert_ne!(vpic(&t, Variant::CarLtAware { car_lt: false }), Some('?'));
        // Position 3 '9': 13 and 14 use the default class.
        let t = VinText::new("1G9CM82633AAAA352").unwrap();
        assert_ne!(vpic(&t, Variant::Correction), Some('?'));
        // Position 10 'U', 'Z', '0' fail the model-year class; I/O/Q fail anywhere.
        for bad in [
            "1HGCM8263UA004352",
            "1HGCM8263ZA004352",
            "1HGCM82630A004352",
            "1HGCM8I633A004352",
        ] {
            let t = VinText::new(bad).unwrap();
            assert_eq!(vpic(&t, Variant::Correction), Some('?'), "{bad}");
        }
        // Lower-case input is upper-cased before; non-ASCII fails.
        let t = VinText::new("1HGCM82633A00435é").unwrap();
        assert_eq!(vpic(&t, Variant::Correction), Some('?'));
    }
}
