//! [`Vin`]: a validated 17-character VIN.

use core::fmt;
use core::str::FromStr;

use crate::check_digit;
use crate::error::VinError;
use crate::wmi::Wmi;

/// A validated VIN: exactly 17 characters from `0-9 A-Z` without `I`, `O`, `Q`,
/// stored upper-case. The check digit is *not* required to be right; ask
/// [`Vin::check_digit_valid`].
///
/// ```
/// use vin_core::Vin;
/// let vin: Vin = " 1hgcm82633a004352 ".parse()?;
/// assert_eq!(vin.as_str(), "1HGCM82633A004352");
/// assert_eq!(vin.wmi().as_str(), "1HG");
/// assert_eq!(vin.vds(), "CM826");
/// assert_eq!(vin.check_char(), b'3');
/// assert_eq!(vin.vis(), "3A004352");
/// assert!(vin.check_digit_valid());
/// # Ok::<(), vin_core::VinError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vin([u8; 17]);

/// Byte → upper-cased byte when it is a valid VIN character, else 0.
const fn build_valid() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = b;
        b += 1;
    }
    let mut b = b'A';
    while b <= b'Z' {
        if b != b'I' && b != b'O' && b != b'Q' {
            t[b as usize] = b;
            t[(b + 32) as usize] = b;
        }
        b += 1;
    }
    t
}

static VALID: [u8; 256] = build_valid();

/// Whether `c` (already upper-cased) is a strict VIN character.
#[inline]
pub(crate) fn is_vin_char(c: char) -> bool {
    // The table maps invalid bytes to 0, so NUL itself must be ruled out.
    c.is_ascii() && c != '\0' && VALID[c as usize] == c as u8
}

impl Vin {
    /// Parses a VIN: trims surrounding whitespace, upper-cases ASCII letters and
    /// validates length and characters. The check digit is not verified.
    ///
    /// Errors: [`VinError::Empty`], [`VinError::Length`] (in characters) or
    /// [`VinError::InvalidChar`] with the first offending character and its
    /// 1-based position.
    pub fn parse(input: &str) -> Result<Vin, VinError> {
        // Valid VIN characters are never whitespace, so 17 valid bytes need no trim.
        if let Some(vin) = Self::fast(input.as_bytes()) {
            return Ok(vin);
        }
        let trimmed = input.trim();
        Self::fast(trimmed.as_bytes()).ok_or_else(|| Self::error_of(trimmed))
    }

    /// 17 valid bytes, upper-cased; `None` otherwise.
    #[inline]
    fn fast(bytes: &[u8]) -> Option<Vin> {
        let bytes: &[u8; 17] = bytes.try_into().ok()?;
        let mut out = [0u8; 17];
        let mut bad = 0u8;
        for (o, &b) in out.iter_mut().zip(bytes) {
            let v = VALID[b as usize];
            *o = v;
            bad |= (v == 0) as u8;
        }
        (bad == 0).then_some(Vin(out))
    }

    /// The precise error for a trimmed text that failed the fast path.
    fn error_of(trimmed: &str) -> VinError {
        if trimmed.is_empty() {
            return VinError::Empty;
        }
        let len = trimmed.chars().count();
        if len != 17 {
            return VinError::Length { len };
        }
        for (i, c) in trimmed.chars().enumerate() {
            let up = c.to_ascii_uppercase();
            if !is_vin_char(up) {
                return VinError::InvalidChar {
                    ch: up,
                    position: i + 1,
                };
            }
        }
        // Unreachable for a text the fast path refused; report its length.
        VinError::Length { len }
    }

    /// Builds a VIN from 17 bytes, validating them like [`Vin::parse`] (no trimming).
    pub fn from_bytes(bytes: &[u8; 17]) -> Result<Vin, VinError> {
        let mut out = [0u8; 17];
        for (i, (o, &b)) in out.iter_mut().zip(bytes).enumerate() {
            let v = VALID[b as usize];
            if v == 0 {
                return Err(VinError::InvalidChar {
                    ch: if b.is_ascii() {
                        b.to_ascii_uppercase() as char
                    } else {
                        char::REPLACEMENT_CHARACTER
                    },
                    position: i + 1,
                });
            }
            *o = v;
        }
        Ok(Vin(out))
    }

    /// The VIN as text.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.0)
    }

    /// The 17 bytes (ASCII).
    pub fn as_bytes(&self) -> &[u8; 17] {
        &self.0
    }

    /// The World Manufacturer Identifier: positions 1-3, or positions 1-3 and
    /// 12-14 when position 3 is `9` (a manufacturer of fewer than 1000 vehicles a year).
    pub fn wmi(&self) -> Wmi {
        Wmi::of_vin(&self.0)
    }

    /// The vehicle descriptor section, positions 4-8 (49 CFR 565.15(b)).
    pub fn vds(&self) -> &str {
        ascii_str(&self.0[3..8])
    }

    /// The check character, position 9.
    pub fn check_char(&self) -> u8 {
        self.0[8]
    }

    /// The model-year character, position 10.
    pub fn year_char(&self) -> u8 {
        self.0[9]
    }

    /// The plant character, position 11.
    pub fn plant_char(&self) -> u8 {
        self.0[10]
    }

    /// The vehicle identifier section, positions 10-17.
    pub fn vis(&self) -> &str {
        ascii_str(&self.0[9..])
    }

    /// The production sequence number: positions 12-17, or 15-17 when the
    /// WMI has 6 characters (position 3 is `9`).
    pub fn serial(&self) -> &str {
        if self.0[2] == b'9' {
            ascii_str(&self.0[14..])
        } else {
            ascii_str(&self.0[11..])
        }
    }

    /// Whether position 9 equals the check digit of 49 CFR 565.15.
    pub fn check_digit_valid(&self) -> bool {
        check_digit::compute(&self.0) == self.0[8]
    }

    /// The keys string of spec 1.5 (`CM826|3A004352`), ready for [`Key::matches`](crate::key::Key::matches).
    pub fn keys(&self) -> crate::KeyText {
        crate::KeyText::from_ascii(&self.0[3..8], &self.0[9..])
    }

    /// The lenient text form of this VIN (for the vPIC functions).
    pub fn to_text(&self) -> crate::VinText {
        crate::VinText::from(*self)
    }
}

/// Views validated ASCII bytes as text.
fn ascii_str(bytes: &[u8]) -> &str {
    // The bytes of a `Vin` are validated ASCII, so this never falls back.
    core::str::from_utf8(bytes).unwrap_or("")
}

impl fmt::Display for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Vin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vin({})", self.as_str())
    }
}

impl FromStr for Vin {
    type Err = VinError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Vin::parse(s)
    }
}

impl AsRef<str> for Vin {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl TryFrom<&str> for Vin {
    type Error = VinError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Vin::parse(s)
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use super::Vin;
    use core::fmt;
    use serde::de::{self, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    impl Serialize for Vin {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.as_str())
        }
    }

    struct VinVisitor;

    impl Visitor<'_> for VinVisitor {
        type Value = Vin;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a 17-character VIN")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vin, E> {
            Vin::parse(v).map_err(E::custom)
        }
    }

    impl<'de> Deserialize<'de> for Vin {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Vin, D::Error> {
            d.deserialize_str(VinVisitor)
        }
    }
}
