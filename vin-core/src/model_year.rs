//! Model year from VIN position 10 (spec 2.1-2.3) and a general candidate API.

use crate::text::VinText;
use crate::vin::Vin;

/// The year of a position-10 code in the 2010-2039 cycle (spec table 2.1);
/// `None` for `0 I O Q U Z` and anything else.
///
/// ```
/// use vin_core::model_year::year_for_code;
/// assert_eq!(year_for_code(b'A'), Some(2010));
/// assert_eq!(year_for_code(b'9'), Some(2039));
/// assert_eq!(year_for_code(b'U'), None);
/// ```
pub fn year_for_code(c: u8) -> Option<i32> {
    Some(match c {
        b'A'..=b'H' => 2010 + (c - b'A') as i32,
        b'J'..=b'N' => 2018 + (c - b'J') as i32,
        b'P' => 2023,
        b'R'..=b'T' => 2024 + (c - b'R') as i32,
        b'V'..=b'Y' => 2027 + (c - b'V') as i32,
        b'1'..=b'9' => 2031 + (c - b'1') as i32,
        _ => return None,
    })
}

/// The result of vPIC's year function: a year and whether the 30-year
/// cycle was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawYear {
    /// The model year.
    pub year: i32,
    /// Whether the cycle was resolved (by position 7 or the future-year limit).
    pub conclusive: bool,
}

/// vPIC's raw year (spec 2.3), exactly: the table year of position 10; for a
/// car or light truck, a digit at position 7 moves it back 30 years and any
/// letter makes it conclusive; then a year later than `this_year + 2` moves
/// back 30 years (conclusive). `None` when position 10 is missing or no code.
///
/// ```
/// use vin_core::{VinText, model_year::{vpic_raw_year, RawYear}};
/// let t = VinText::new("1HGCM82633A004352")?;
/// assert_eq!(vpic_raw_year(&t, true, 2026), Some(RawYear { year: 2003, conclusive: true }));
/// assert_eq!(vpic_raw_year(&t, false, 2026), Some(RawYear { year: 2003, conclusive: true }));
/// # Ok::<(), vin_core::VinError>(())
/// ```
pub fn vpic_raw_year(text: &VinText, car_lt: bool, this_year: i32) -> Option<RawYear> {
    let code = text.char_at(10)?;
    let mut year = if code.is_ascii() {
        year_for_code(code as u8)?
    } else {
        return None;
    };
    let mut conclusive = false;
    if car_lt {
        match text.char_at(7) {
            Some(c) if c.is_ascii_digit() => {
                year -= 30;
                conclusive = true;
            }
            Some(c) if c.is_ascii_uppercase() => conclusive = true,
            _ => {}
        }
    }
    if year > this_year + 2 {
        year -= 30;
        conclusive = true;
    }
    Some(RawYear { year, conclusive })
}

/// Which vehicles the position-7 rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VehicleClass {
    /// Passenger car, multipurpose passenger vehicle or light truck: since
    /// 2010 a letter at position 7 means the 2010-2039 cycle, a digit the
    /// 1980-2009 one.
    Light,
    /// Any other vehicle: position 7 says nothing about the cycle.
    Other,
}

/// The model years a VIN can mean: an ascending sequence 30 years apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModelYears {
    first: i32,
    count: u8,
}

impl ModelYears {
    const NONE: ModelYears = ModelYears { first: 0, count: 0 };

    /// The number of candidate years.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    /// Whether no year is possible.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Exactly one candidate: the cycle is resolved.
    pub fn conclusive(&self) -> bool {
        self.count == 1
    }

    /// The year when there is exactly one candidate.
    pub fn single(&self) -> Option<i32> {
        self.conclusive().then_some(self.first)
    }

    /// The latest candidate.
    pub fn latest(&self) -> Option<i32> {
        (self.count > 0).then(|| self.first + 30 * (self.count as i32 - 1))
    }

    /// The earliest candidate.
    pub fn earliest(&self) -> Option<i32> {
        (self.count > 0).then_some(self.first)
    }

    /// Whether `year` is a candidate.
    pub fn contains(&self, year: i32) -> bool {
        self.iter().any(|y| y == year)
    }

    /// The candidates, ascending.
    pub fn iter(&self) -> impl Iterator<Item = i32> + use<> {
        let first = self.first;
        (0..self.count as i32).map(move |k| first + 30 * k)
    }
}

/// Every model year the VIN's position 10 can mean within
/// `1980..=current_year + 2`; for [`VehicleClass::Light`] position 7 picks the
/// cycle (digit: 1980-2009, letter: 2010 and later).
///
/// ```
/// use vin_core::{Vin, model_year::{candidates, VehicleClass}};
/// let vin = Vin::parse("1HGCM82633A004352")?;
/// assert_eq!(candidates(&vin, VehicleClass::Light, 2026).single(), Some(2003));
/// let truck = Vin::parse("1FTFW1E54JFB00000")?; // position 10 'J'
/// let years = candidates(&truck, VehicleClass::Other, 2026);
/// assert_eq!(years.iter().collect::<Vec<_>>(), [1988, 2018]);
/// assert!(!years.conclusive());
/// # Ok::<(), vin_core::VinError>(())
/// ```
pub fn candidates(vin: &Vin, class: VehicleClass, current_year: i32) -> ModelYears {
    let Some(base) = year_for_code(vin.year_char()) else {
        return ModelYears::NONE;
    };
    let limit = current_year.saturating_add(2);
    let (lo, hi) = match class {
        VehicleClass::Other => (1980, limit),
        VehicleClass::Light if vin.as_bytes()[6].is_ascii_digit() => (1980, limit.min(2009)),
        VehicleClass::Light => (2010, limit),
    };
    // The cycle's year in 1980..2010, then every 30 years from there.
    let mut first = base - 30;
    while first < lo {
        first += 30;
    }
    if first > hi {
        return ModelYears::NONE;
    }
    let count = ((hi - first) / 30 + 1).min(u8::MAX as i32) as u8;
    ModelYears { first, count }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> VinText {
        VinText::new(s).unwrap()
    }

    #[test]
    fn table_2_1_is_complete() {
        let codes = b"ABCDEFGHJKLMNPRSTVWXY123456789";
        for (i, &c) in codes.iter().enumerate() {
            assert_eq!(year_for_code(c), Some(2010 + i as i32), "{}", c as char);
        }
        for c in *b"0IOQUZ*a" {
            assert_eq!(year_for_code(c), None);
        }
    }

    #[test]
    fn raw_year_rules_of_the_spec() {
        // carLT with a digit at 7: 30 years back, conclusive.
        let r = vpic_raw_year(&t("1HGCM82633A004352"), true, 2026).unwrap();
        assert_eq!((r.year, r.conclusive), (2003, true));
        // carLT with a letter at 7: stays, conclusive (even I, O, Q).
        let r = vpic_raw_year(&t("5YJ3E1EA7JF000000"), true, 2026).unwrap();
        assert_eq!((r.year, r.conclusive), (2018, true));
        let r = vpic_raw_year(&t("5YJ3E1IA7JF000000"), true, 2026).unwrap();
        assert_eq!((r.year, r.conclusive), (2018, true));
        // Not carLT, within the limit: inconclusive.
        let r = vpic_raw_year(&t("5YJ3E1EA7JF000000"), false, 2026).unwrap();
        assert_eq!((r.year, r.conclusive), (2018, false));
        // Future year rule: 'Y' = 2030 > 2028 → 2000, conclusive.
        let r = vpic_raw_year(&t("5YJ3E1EA7YF000000"), false, 2026).unwrap();
        assert_eq!((r.year, r.conclusive), (2000, true));
        // 'W' = 2028 is not later than 2026 + 2.
        let r = vpic_raw_year(&t("5YJ3E1EA7WF000000"), false, 2026).unwrap();
        assert_eq!((r.year, r.conclusive), (2028, false));
        // Order: position-7 adjustment first, then the future test (2031-30 = 2001, stays).
        let r = vpic_raw_year(&t("5YJ3E11A71F000000"), true, 2026).unwrap();
        assert_eq!((r.year, r.conclusive), (2001, true));
        // No code or too short.
        assert_eq!(vpic_raw_year(&t("5YJ3E1EA7UF000000"), true, 2026), None);
        assert_eq!(vpic_raw_year(&t("5YJ3E1EA7"), true, 2026), None);
        // A short text with position 10 still has a year.
        assert_eq!(
            vpic_raw_year(&t("5YJ3E1EA7J"), false, 2026).map(|r| r.year),
            Some(2018)
        );
    }

    #[test]
    fn candidates_by_class_and_limit() {
        let vin = Vin::parse("5YJ3E1EA7JF000000").unwrap();
        assert_eq!(
            candidates(&vin, VehicleClass::Light, 2026).single(),
            Some(2018)
        );
        let other = candidates(&vin, VehicleClass::Other, 2026);
        assert_eq!(other.iter().collect::<alloc::vec::Vec<_>>(), [1988, 2018]);
        // The limit cuts the later cycle.
        let vin = Vin::parse("5YJ3E1EA7YF000000").unwrap();
        assert_eq!(
            candidates(&vin, VehicleClass::Other, 2026).single(),
            Some(2000)
        );
        assert_eq!(candidates(&vin, VehicleClass::Light, 2026).len(), 0);
        // Far future: three cycles.
        let vin = Vin::parse("5YJ3E1EA7AF000000").unwrap();
        assert_eq!(candidates(&vin, VehicleClass::Other, 2045).len(), 3);
        assert_eq!(
            candidates(&vin, VehicleClass::Other, 2045).latest(),
            Some(2040)
        );
    }
}
