//! A benchmark corpus built from the catalog's own patterns: VINs that
//! exercise real schemas of every WMI rather than one manufacturer.
//!
//! For each WMI (round-robin until the requested count is reached) a VIN is
//! assembled from a random schema link (a year inside its range), a random
//! Model pattern of that schema (any pattern when it has none) whose key
//! fixes the positions it constrains, characters other patterns of the
//! schema allow for the remaining VDS positions, a serial number, and the
//! correct check digit.

use rand::Rng;
use rand::seq::IndexedRandom;

use crate::model::WmiRows;

/// The 33 characters a VIN may contain.
const VIN_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
/// The model-year codes of one 30-year cycle.
const YEAR_CODES: &[u8] = b"ABCDEFGHJKLMNPRSTVWXY123456789";
/// vPIC's Model element.
const MODEL_ELEMENT: i32 = 28;

/// The position-10 code of a model year (the 30-year cycle repeats).
pub fn year_code(year: i32) -> u8 {
    YEAR_CODES
        .iter()
        .copied()
        .find(|&c| {
            vin_core::model_year::year_for_code(c).is_some_and(|y| (y - year).rem_euclid(30) == 0)
        })
        .unwrap_or(b'A')
}

/// Builds up to `count` VINs spread over `wmis` (WMIs without schemas are
/// skipped). Years above `max_year` are clamped to it.
pub fn generate(wmis: &[WmiRows], count: usize, max_year: i32, rng: &mut impl Rng) -> Vec<String> {
    let usable: Vec<&WmiRows> = wmis
        .iter()
        .filter(|w| !w.links.is_empty() && !w.patterns.is_empty() && w.wmi.is_ascii())
        .collect();
    let mut out = Vec::with_capacity(count);
    if usable.is_empty() {
        return out;
    }
    let mut i = 0usize;
    let mut misses = 0usize;
    while out.len() < count && misses < count.saturating_mul(4) + 100 {
        let rows = usable[i % usable.len()];
        i += 1;
        match one(rows, max_year, rng) {
            Some(vin) => out.push(vin),
            None => misses += 1,
        }
    }
    out
}

/// [`generate`] with a seeded generator: the same seed and data give the same VINs.
pub fn generate_seeded(wmis: &[WmiRows], count: usize, max_year: i32, seed: u64) -> Vec<String> {
    use rand::SeedableRng;
    generate(
        wmis,
        count,
        max_year,
        &mut rand::rngs::StdRng::seed_from_u64(seed),
    )
}

fn one(rows: &WmiRows, max_year: i32, rng: &mut impl Rng) -> Option<String> {
    let wmi = rows.wmi.as_bytes();
    if wmi.len() != 3 && wmi.len() != 6 {
        return None;
    }
    let link = rows.links.choose(rng)?;
    let top = link.year_to.unwrap_or(max_year).min(max_year);
    let year = if top > link.year_from {
        rng.random_range(link.year_from..=top)
    } else {
        link.year_from
    };
    let schema_patterns: Vec<&str> = rows
        .patterns
        .iter()
        .filter(|p| p.vin_schema_id == link.vin_schema_id)
        .map(|p| p.keys.as_str())
        .collect();
    let models: Vec<&str> = rows
        .patterns
        .iter()
        .filter(|p| p.vin_schema_id == link.vin_schema_id && p.element_id == MODEL_ELEMENT)
        .map(|p| p.keys.as_str())
        .collect();
    let anchor = models
        .choose(rng)
        .or_else(|| schema_patterns.choose(rng))
        .copied()?;

    // Key index k (1-based) is VIN position k + 3; index 6 is the check digit.
    let mut allowed: [Vec<u8>; 15] = Default::default();
    for keys in &schema_patterns {
        for (index, c) in vin_core::key::expand(keys) {
            let (idx, b) = (usize::from(index), u32::from(c));
            if idx < allowed.len() && b < 128 && VIN_ALPHABET.contains(&(b as u8)) {
                allowed[idx].push(b as u8);
            }
        }
    }
    let mut fixed: [Vec<u8>; 15] = Default::default();
    for (index, c) in vin_core::key::expand(anchor) {
        let (idx, b) = (usize::from(index), u32::from(c));
        if idx < fixed.len() && b < 128 && VIN_ALPHABET.contains(&(b as u8)) {
            fixed[idx].push(b as u8);
        }
    }

    let mut vin = [b'0'; 17];
    vin[..3].copy_from_slice(&wmi[..3]);
    for pos in 4..=17usize {
        let idx = pos - 3;
        let pick =
            |set: &[u8], rng: &mut dyn rand::RngCore| -> Option<u8> { set.choose(rng).copied() };
        vin[pos - 1] = match pos {
            9 => b'0',
            10 => year_code(year),
            12..=14 if wmi.len() == 6 => wmi[pos - 9],
            _ => pick(&fixed[idx], rng)
                .or_else(|| {
                    if pos <= 11 {
                        pick(&allowed[idx], rng)
                    } else {
                        None
                    }
                })
                .unwrap_or_else(|| {
                    if pos >= 12 {
                        b'0' + rng.random_range(0..10u8)
                    } else {
                        VIN_ALPHABET[rng.random_range(0..VIN_ALPHABET.len())]
                    }
                }),
        };
    }
    vin[8] = vin_core::check_digit::compute(&vin);
    String::from_utf8(vin.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PatternRow, WmiRow, WmiSchemaLink};
    use rand::SeedableRng;

    #[test]
    fn year_codes_follow_the_cycle() {
        assert_eq!(year_code(2003), b'3');
        assert_eq!(year_code(2033), b'3');
        assert_eq!(year_code(2010), b'A');
        assert_eq!(year_code(1980), b'A');
        assert_eq!(year_code(2024), b'R');
    }

    #[test]
    fn generated_vins_satisfy_their_anchor_key_and_check_digit() {
        let rows = WmiRows {
            wmi: "1HG".into(),
            wmis: vec![WmiRow {
                id: 1,
                wmi: "1HG".into(),
                manufacturer_id: None,
                vehicle_type_id: None,
                truck_type_id: None,
                country_id: None,
                created_on: None,
                updated_on: None,
                public_availability_date: None,
            }],
            links: vec![WmiSchemaLink {
                id: 1,
                wmi_id: 1,
                vin_schema_id: 7,
                year_from: 2003,
                year_to: Some(2005),
            }],
            patterns: vec![PatternRow {
                id: 1,
                vin_schema_id: 7,
                keys: "CM[56]*".into(),
                element_id: MODEL_ELEMENT,
                attribute_id: "1".into(),
                created_on: None,
                updated_on: None,
            }],
            ..WmiRows::default()
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let vins = generate(&[rows], 50, 2026, &mut rng);
        assert_eq!(vins.len(), 50);
        for v in &vins {
            let vin = vin_core::Vin::parse(v).unwrap();
            assert!(vin.check_digit_valid(), "{v}");
            assert!(v.starts_with("1HGCM"), "{v}");
            assert!(matches!(&v[5..6], "5" | "6"), "{v}");
            assert!(matches!(&v[9..10], "3" | "4" | "5"), "{v}");
        }
    }
}
