//! The decode engine: NHTSA's spVinDecode reproduced field by field on the
//! compiled catalog ([`crate::catalog`]), with no SQL and no I/O.
//!
//! [`decode`] normalises nothing itself (the caller hands it a
//! [`vin_core::VinText`], which already trimmed spaces, upper-cased ASCII and
//! rejected input longer than 17 characters), plans the passes of spec 2.5,
//! runs the core steps 3.1–3.19 for each ([`pass`]), picks the best pass
//! (2.6) and prints it (3.20) into a [`Decoded`].
//!
//! # Decoding decisions
//!
//! Where the reference is ambiguous or defective (spec 6.1, 6.3) the engine
//! decides as follows; each point is covered by a test.
//!
//! 1. **Clock** — "now" and "this year" come from an injected [`Clock`]; the
//!    timezone-less `PublicAvailabilityDate` is compared with now in UTC.
//! 2. **Row order within a group rank** — by element id, then creation order.
//! 3. **Tie-breaks** — engine-model and formula patterns are created in
//!    ascending row id; among vehicle-spec rows with the same change time the
//!    highest `VehicleSpecPattern.Id` wins; fully tied passes go to the lowest
//!    pass id. When several `Wmi` rows share a string, the lowest id is "the"
//!    row (carLT, WMI id).
//! 4. **NULL vs `''`** — kept: lookup misses and a NULL Additional Error Text
//!    are `None`; Suggested VIN and Possible Values are `""` when empty.
//! 5. **Non-ASCII input** — characters, not bytes; only ASCII letters are
//!    upper-cased; every non-ASCII character fails the character classes
//!    (code 400, `?` check digit) and never matches a key character.
//! 6. **Trimming** — parity: only spaces are trimmed; a tab or newline is an
//!    invalid character.
//! 7. **Conversions** — a plain signed decimal attribute is evaluated with
//!    PostgreSQL's typing and scales ([`numeric`]); anything else gives `0`.
//! 8. **Valid characters** — computed from the patterns of every element of
//!    the schemas covering the pass year (no `WMIYearValidChars` cache);
//!    Possible Values list characters in ascending byte order (`_` after the
//!    letters, the PostgreSQL order).
//! 9. **Key text order** in de-duplication — byte order.
//! 10. **Malformed data** — a key that cannot be compiled matches nothing;
//!     bracket groups are expanded leniently (`[1-A-JT]` → `AJT123456789`);
//!     a non-integer model or vehicle-type attribute links to nothing.
//! 11. **Input longer than 17 characters** is rejected before the engine (a
//!     typed error of `VinText::new`); NULL input is the caller's empty string.
//! 12. **QC sweep** — only the offending items (from a to-be-QCed schema) are
//!     dropped, not the whole result.
//! 13. **Pass 1** (the descriptor lookup) never runs, as in the reference.
//! 14. **Headline model year** — the Model Year value, else the year the
//!     chosen pass ran with (unknown WMI), else none.

mod attributes;
pub mod confidence;
mod item;
pub mod numeric;
mod output;
mod pass;
mod result;
mod scan;

use std::sync::{Arc, OnceLock};

use vin_core::VinText;
use vin_core::model_year::vpic_raw_year;

pub use attributes::Attributes;
pub use result::{Attribute, Decoded, DecodedValue, Detail, Facts, Provenance, SourceKind};

use crate::catalog::{Globals, WmiCatalog};
use crate::model::Timestamp;
use pass::{Context, Pass, PassPlan};

/// The time a decode runs at (spec 0: "now" and "this year" are inputs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Now, as a naive UTC timestamp (compared with `PublicAvailabilityDate`).
    pub now: Timestamp,
    /// The calendar year of now (the model-year limit is this year + 2).
    pub this_year: i32,
}

impl Clock {
    /// The system clock, in UTC.
    pub fn system() -> Clock {
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        Clock::at(Timestamp(micros))
    }

    /// A fixed clock at `now`.
    ///
    /// ```
    /// use vin_db::decode::Clock;
    /// use vin_db::model::Timestamp;
    /// let c = Clock::at(Timestamp::parse("2026-11-25 10:00:00").unwrap());
    /// assert_eq!(c.this_year, 2026);
    /// ```
    pub fn at(now: Timestamp) -> Clock {
        // The service builds a clock for every decode: the year comes from
        // arithmetic, the printed form only outside the four-digit years.
        let this_year = match year_of(now) {
            y @ 0..=9999 => y,
            _ => now
                .to_string()
                .get(..4)
                .and_then(|y| y.parse().ok())
                .unwrap_or(1970),
        };
        Clock { now, this_year }
    }
}

/// The proleptic Gregorian year of a timestamp (days-to-civil arithmetic).
fn year_of(t: Timestamp) -> i32 {
    let days = t.0.div_euclid(86_400_000_000) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // The computed year starts in March: January and February belong to the next.
    let year = yoe + era * 400 + i64::from(mp >= 10);
    i32::try_from(year).unwrap_or(1970)
}

const DEFAULT_YEAR_SOURCE: &str = "***X*|Y";

/// Spec 2.4: `(rmy, omy, conclusive)`.
fn candidates(
    vin: &VinText,
    catalog: &WmiCatalog,
    this_year: i32,
) -> (Option<i32>, Option<i32>, bool) {
    let Some(raw) = vpic_raw_year(vin, catalog.car_lt(), this_year) else {
        return (None, None, true);
    };
    if !raw.conclusive {
        return (Some(raw.year), Some(raw.year - 30), false);
    }
    let limit = this_year + 2;
    let rmy = raw.year;
    let alternative = if (1980..=limit - 30).contains(&rmy) {
        Some(rmy + 30)
    } else if (2010..=limit).contains(&rmy) {
        Some(rmy - 30)
    } else {
        None
    };
    let rmy = match alternative {
        Some(alt) if catalog.links_covering(rmy) == 0 && catalog.links_covering(alt) > 0 => alt,
        _ => rmy,
    };
    (Some(rmy), None, true)
}

/// Spec 2.6: the four ranking numbers of a pass (larger ranks first; `None`
/// ranks before every number).
fn rank(
    globals: &Globals,
    pass: &Pass,
    caller_year: Option<i32>,
) -> (i64, Option<i64>, Option<i64>, Option<i64>) {
    let error_value: i64 = pass
        .codes
        .iter()
        .filter_map(|c| globals.error_codes.get(c))
        .map(|e| e.weight)
        .sum();
    let mut weighted = item::ElementSet::default();
    let mut elements_weight: Option<i64> = None;
    let mut patterns = 0i64;
    for item in &pass.items {
        let raw = item.value.raw();
        let has_value = raw.is_some_and(|v| !v.is_empty());
        if has_value
            && let Some(w) = globals.element(item.element).and_then(|e| e.weight)
            && weighted.insert(item.element)
        {
            *elements_weight.get_or_insert(0) += i64::from(w);
        }
        if item.src.counts_as_pattern() && has_value && raw != Some("Not Applicable") {
            patterns += 1;
        }
    }
    let model_year = pass
        .items
        .iter()
        .find(|i| i.element == 29)
        .and_then(|i| i.value.raw().and_then(|v| v.trim().parse::<i64>().ok()))
        .map(|y| {
            if caller_year.map(i64::from) == Some(y) {
                y + 10_000
            } else {
                y
            }
        });
    (
        error_value,
        elements_weight,
        (patterns > 0).then_some(patterns),
        model_year,
    )
}

/// The comparable form of [`rank`]'s numbers; larger ranks first.
type RankKey = (i64, (bool, i64), (bool, i64), (bool, i64));

/// Descending with NULL first: maps to a key where larger is better.
fn nulls_high(v: Option<i64>) -> (bool, i64) {
    (v.is_none(), v.unwrap_or(0))
}

/// Decodes one VIN against a WMI's catalog (spec sections 1–5).
///
/// `catalog` must be the catalog of `vin.wmi()` (an empty catalog for an
/// unknown WMI); `caller_year` is the optional model year supplied by the
/// caller; `clock` supplies now and this year.
pub fn decode(
    globals: &Globals,
    catalog: &WmiCatalog,
    vin: &VinText,
    caller_year: Option<i32>,
    clock: &Clock,
) -> Decoded {
    decode_with(globals, catalog, vin, caller_year, clock, Detail::Full)
}

/// [`decode`], building as much as `detail` asks for.
pub fn decode_with(
    globals: &Globals,
    catalog: &WmiCatalog,
    vin: &VinText,
    caller_year: Option<i32>,
    clock: &Clock,
    detail: Detail,
) -> Decoded {
    // At most 17 characters (`VinText` rejects longer input): kept on the stack.
    let mut char_buf = ['\0'; 17];
    let mut len = 0;
    for (slot, c) in char_buf.iter_mut().zip(vin.as_str().chars()) {
        *slot = c;
        len += 1;
    }
    let chars = &char_buf[..len];
    let keys = vin.keys();
    let formula_keys = keys.formula();
    let descriptor: Arc<str> = Arc::from(vin.descriptor());
    let ctx = Context {
        globals,
        catalog,
        vin,
        chars,
        keys: &keys,
        formula_keys: &formula_keys,
        now: clock.now,
        descriptor: &descriptor,
    };

    // 2.5: the pass plan.
    let (rmy, omy, conclusive) = candidates(vin, catalog, clock.this_year);
    let limit = clock.this_year + 2;
    static DEFAULT_SOURCE: OnceLock<Arc<str>> = OnceLock::new();
    let mut source: Arc<str> = DEFAULT_SOURCE
        .get_or_init(|| Arc::from(DEFAULT_YEAR_SOURCE))
        .clone();
    let mut passes: Vec<Pass> = Vec::with_capacity(2);
    let mut run34 = true;
    if let Some(year) = caller_year
        && (1980..=limit).contains(&year)
        && Some(year) != rmy
        && Some(year) != omy
    {
        source = pass::id_text(year);
        let p2 = pass::run(
            &ctx,
            PassPlan {
                id: 2,
                year: Some(year),
                year_source: source.clone(),
                conclusive: true,
                code12: true,
            },
        );
        run34 = p2.codes.contains(&8) && rmy.is_some();
        passes.push(p2);
    }
    if run34 {
        passes.push(pass::run(
            &ctx,
            PassPlan {
                id: 3,
                year: rmy,
                year_source: source.clone(),
                conclusive,
                code12: caller_year.is_some() && rmy.is_some() && caller_year != rmy,
            },
        ));
        if let Some(omy) = omy {
            passes.push(pass::run(
                &ctx,
                PassPlan {
                    id: 4,
                    year: Some(omy),
                    year_source: source.clone(),
                    conclusive,
                    code12: caller_year.is_some() && caller_year != Some(omy),
                },
            ));
        }
    }

    // 2.6: the best pass (stable: the lowest pass id wins a full tie).
    let mut best: Option<(usize, RankKey)> = None;
    // A single pass needs no ranking.
    for (i, p) in passes.iter().enumerate().filter(|_| passes.len() > 1) {
        let (ev, ew, pc, my) = rank(globals, p, caller_year);
        let key = (ev, nulls_high(ew), nulls_high(pc), nulls_high(my));
        if best.as_ref().is_none_or(|(_, k)| key > *k) {
            best = Some((i, key));
        }
    }
    let chosen = best.map_or(0, |(i, _)| i);
    let chosen = passes.swap_remove(chosen);
    for other in passes {
        item::recycle(other.items);
    }
    let mut decoded = output::build(globals, vin.as_str(), chosen, globals.version(), detail);
    confidence::score(&mut decoded);
    decoded
}

#[cfg(test)]
mod tests;
