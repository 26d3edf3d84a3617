//! The World Manufacturer Identifier and the region and country it was assigned to.

use core::fmt;

/// A World Manufacturer Identifier: 3 characters, or 6 for a small
/// manufacturer (VIN positions 1-3 and 12-14 when position 3 is `9`).
///
/// ```
/// use vin_core::{Vin, wmi::Region};
/// let vin = Vin::parse("1HGCM82633A004352")?;
/// assert_eq!(vin.wmi().region(), Some(Region::NorthAmerica));
/// assert_eq!(vin.wmi().country(), Some("United States"));
/// # Ok::<(), vin_core::VinError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Wmi {
    bytes: [u8; 6],
    len: u8,
}

/// The continent-level region of ISO 3780, from the first WMI character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Region {
    /// `A`-`H`.
    Africa,
    /// `J`-`R`.
    Asia,
    /// `S`-`Z`.
    Europe,
    /// `1`-`5`.
    NorthAmerica,
    /// `6`-`7`.
    Oceania,
    /// `8`, `9` and `0`.
    SouthAmerica,
}

impl Region {
    /// The region's name in English.
    pub fn name(self) -> &'static str {
        match self {
            Region::Africa => "Africa",
            Region::Asia => "Asia",
            Region::Europe => "Europe",
            Region::NorthAmerica => "North America",
            Region::Oceania => "Oceania",
            Region::SouthAmerica => "South America",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Wmi {
    /// The WMI of a validated VIN's bytes.
    pub(crate) fn of_vin(v: &[u8; 17]) -> Wmi {
        let mut bytes = [0u8; 6];
        bytes[..3].copy_from_slice(&v[..3]);
        if v[2] == b'9' {
            bytes[3..].copy_from_slice(&v[11..14]);
            Wmi { bytes, len: 6 }
        } else {
            Wmi { bytes, len: 3 }
        }
    }

    /// A WMI from its text: 3 or 6 ASCII letters or digits (upper-cased);
    /// `None` otherwise.
    pub fn from_text(text: &str) -> Option<Wmi> {
        let t = text.as_bytes();
        if !(t.len() == 3 || t.len() == 6) || !t.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        let mut bytes = [0u8; 6];
        for (o, b) in bytes.iter_mut().zip(t) {
            *o = b.to_ascii_uppercase();
        }
        Some(Wmi {
            bytes,
            len: t.len() as u8,
        })
    }

    /// The WMI as text (3 or 6 characters).
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }

    /// Whether this is the 6-character form of a small manufacturer.
    pub fn is_small_manufacturer(&self) -> bool {
        self.len == 6
    }

    /// The ISO 3780 region of the first character.
    pub fn region(&self) -> Option<Region> {
        Some(match self.bytes[0] {
            b'A'..=b'H' => Region::Africa,
            b'J'..=b'R' => Region::Asia,
            b'S'..=b'Z' => Region::Europe,
            b'1'..=b'5' => Region::NorthAmerica,
            b'6' | b'7' => Region::Oceania,
            b'8' | b'9' | b'0' => Region::SouthAmerica,
            _ => return None,
        })
    }

    /// The country the first two characters were assigned to (ISO 3780
    /// ranges as commonly published); `None` for unassigned ranges.
    pub fn country(&self) -> Option<&'static str> {
        country_of(self.bytes[0], self.bytes[1])
    }
}

impl fmt::Display for Wmi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Wmi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Wmi({})", self.as_str())
    }
}

/// The rank of a second WMI character in ISO 3780 order: `A`..`Z`, then `1`..`9`, then `0`.
fn rank(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'1'..=b'9' => Some(26 + c - b'1'),
        b'0' => Some(35),
        _ => None,
    }
}

/// Ranges `(first char, second from, second to, country)`, inclusive, in ISO 3780 order.
const COUNTRIES: &[(u8, u8, u8, &str)] = &[
    (b'A', b'A', b'H', "South Africa"),
    (b'A', b'J', b'N', "Ivory Coast"),
    (b'B', b'A', b'E', "Angola"),
    (b'B', b'F', b'K', "Kenya"),
    (b'B', b'L', b'R', "Tanzania"),
    (b'C', b'A', b'E', "Benin"),
    (b'C', b'F', b'K', "Madagascar"),
    (b'C', b'L', b'R', "Tunisia"),
    (b'D', b'A', b'E', "Egypt"),
    (b'D', b'F', b'K', "Morocco"),
    (b'D', b'L', b'R', "Zambia"),
    (b'E', b'A', b'E', "Ethiopia"),
    (b'E', b'F', b'K', "Mozambique"),
    (b'F', b'A', b'E', "Ghana"),
    (b'F', b'F', b'K', "Nigeria"),
    (b'J', b'A', b'0', "Japan"),
    (b'K', b'A', b'E', "Sri Lanka"),
    (b'K', b'F', b'K', "Israel"),
    (b'K', b'L', b'R', "South Korea"),
    (b'K', b'S', b'0', "Kazakhstan"),
    (b'L', b'A', b'0', "China"),
    (b'M', b'A', b'E', "India"),
    (b'M', b'F', b'K', "Indonesia"),
    (b'M', b'L', b'R', "Thailand"),
    (b'M', b'S', b'0', "Myanmar"),
    (b'N', b'A', b'E', "Iran"),
    (b'N', b'F', b'K', "Pakistan"),
    (b'N', b'L', b'R', "Turkey"),
    (b'P', b'A', b'E', "Philippines"),
    (b'P', b'F', b'K', "Singapore"),
    (b'P', b'L', b'R', "Malaysia"),
    (b'R', b'A', b'E', "United Arab Emirates"),
    (b'R', b'F', b'K', "Taiwan"),
    (b'R', b'L', b'R', "Vietnam"),
    (b'R', b'S', b'0', "Saudi Arabia"),
    (b'S', b'A', b'M', "United Kingdom"),
    (b'S', b'N', b'T', "Germany"),
    (b'S', b'U', b'Z', "Poland"),
    (b'S', b'1', b'4', "Latvia"),
    (b'T', b'A', b'H', "Switzerland"),
    (b'T', b'J', b'P', "Czech Republic"),
    (b'T', b'R', b'V', "Hungary"),
    (b'T', b'W', b'1', "Portugal"),
    (b'U', b'H', b'M', "Denmark"),
    (b'U', b'N', b'T', "Ireland"),
    (b'U', b'U', b'Z', "Romania"),
    (b'U', b'5', b'7', "Slovakia"),
    (b'V', b'A', b'E', "Austria"),
    (b'V', b'F', b'R', "France"),
    (b'V', b'S', b'W', "Spain"),
    (b'V', b'X', b'2', "Serbia"),
    (b'V', b'3', b'5', "Croatia"),
    (b'V', b'6', b'0', "Estonia"),
    (b'W', b'A', b'0', "Germany"),
    (b'X', b'A', b'E', "Bulgaria"),
    (b'X', b'F', b'K', "Greece"),
    (b'X', b'L', b'R', "Netherlands"),
    (b'X', b'S', b'W', "Russia"),
    (b'X', b'X', b'2', "Luxembourg"),
    (b'X', b'3', b'0', "Russia"),
    (b'Y', b'A', b'E', "Belgium"),
    (b'Y', b'F', b'K', "Finland"),
    (b'Y', b'L', b'R', "Malta"),
    (b'Y', b'S', b'W', "Sweden"),
    (b'Y', b'X', b'2', "Norway"),
    (b'Y', b'3', b'5', "Belarus"),
    (b'Y', b'6', b'0', "Ukraine"),
    (b'Z', b'A', b'R', "Italy"),
    (b'Z', b'X', b'2', "Slovenia"),
    (b'Z', b'3', b'5', "Lithuania"),
    (b'1', b'A', b'0', "United States"),
    (b'2', b'A', b'0', "Canada"),
    (b'3', b'A', b'W', "Mexico"),
    (b'3', b'X', b'7', "Costa Rica"),
    (b'3', b'8', b'0', "Cayman Islands"),
    (b'4', b'A', b'0', "United States"),
    (b'5', b'A', b'0', "United States"),
    (b'6', b'A', b'W', "Australia"),
    (b'7', b'A', b'E', "New Zealand"),
    (b'8', b'A', b'E', "Argentina"),
    (b'8', b'F', b'K', "Chile"),
    (b'8', b'L', b'R', "Ecuador"),
    (b'8', b'S', b'W', "Peru"),
    (b'8', b'X', b'2', "Venezuela"),
    (b'9', b'A', b'E', "Brazil"),
    (b'9', b'F', b'K', "Colombia"),
    (b'9', b'L', b'R', "Paraguay"),
    (b'9', b'S', b'W', "Uruguay"),
    (b'9', b'X', b'2', "Trinidad and Tobago"),
    (b'9', b'3', b'9', "Brazil"),
];

/// The country of the first two WMI characters.
fn country_of(first: u8, second: u8) -> Option<&'static str> {
    let r = rank(second)?;
    COUNTRIES
        .iter()
        .find(|&&(f, lo, hi, _)| {
            f == first && rank(lo).is_some_and(|lo| lo <= r) && rank(hi).is_some_and(|hi| r <= hi)
        })
        .map(|&(_, _, _, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_of_known_wmis() {
        let cases = [
            ("1HG", Some("United States")),
            ("JTD", Some("Japan")),
            ("KNA", Some("South Korea")),
            ("WBA", Some("Germany")),
            ("VF1", Some("France")),
            ("ZFF", Some("Italy")),
            ("SAJ", Some("United Kingdom")),
            ("3VW", Some("Mexico")),
            ("93H", Some("Brazil")),
            ("9BW", Some("Brazil")),
            ("LVS", Some("China")),
            ("U5Y", Some("Slovakia")),
            ("XTA", Some("Russia")),
            ("AP1", None),
        ];
        for (text, want) in cases {
            let wmi = Wmi::from_text(text).unwrap();
            assert_eq!(wmi.country(), want, "{text}");
        }
    }

    #[test]
    fn ranges_are_ascending_in_iso_order() {
        for &(f, lo, hi, name) in COUNTRIES {
            assert!(
                rank(lo).unwrap() <= rank(hi).unwrap(),
                "{} {name}",
                f as char
            );
        }
    }

    #[test]
    fn regions_by_first_character() {
        let r = |s: &str| Wmi::from_text(s).unwrap().region();
        assert_eq!(r("AAA"), Some(Region::Africa));
        assert_eq!(r("JTD"), Some(Region::Asia));
        assert_eq!(r("WBA"), Some(Region::Europe));
        assert_eq!(r("5YJ"), Some(Region::NorthAmerica));
        assert_eq!(r("6T1"), Some(Region::Oceania));
        assert_eq!(r("0AB"), Some(Region::SouthAmerica));
        assert_eq!(Wmi::from_text("1G"), None);
    }
}
