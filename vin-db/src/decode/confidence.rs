//! How much to trust a decode: one score in `[0, 1]` for the whole decode and
//! one per output value, computed from facts the engine already has.
//!
//! The formula (also in the README, section "Confidence"):
//!
//! ```text
//! decode score S = 0                              if the WMI is unknown (code 7)
//!                = E · C · M · Y · P              otherwise
//!   E = 100 / (100 + W)   W = −(sum of the raised codes' vPIC weights), weights ≤ 0 only
//!   C = 1 check digit right (or excused) · 0.9 wrong · 0.8 not applicable (short VIN)
//!   M = 1 a model was decoded · 0.6 otherwise
//!   Y = 1 conclusive model year · 0.85 inconclusive · 0.7 no model year
//!   P = 0.5 + 0.5 · (explained positions / examined positions) over VIN positions 4–8, 11
//! value score = S · K(source kind)
//!   K = 1 pattern, formula, WMI, model year, make via model, decode outputs
//!     · 0.95 make via the WMI's single make · 0.9 engine-model pattern
//!     · 0.8 conversion · 0.7 vehicle spec · 0.5 default
//! ```
//!
//! Every factor lies in `(0, 1]` and can only go down when a fact gets worse
//! (one more error code, a wrong check digit, no model, a less conclusive
//! year, fewer explained positions), so the product is monotone by
//! construction and never leaves `[0, 1]`.

use super::result::{Decoded, Facts, SourceKind};

/// vPIC's `ErrorCode.Weight` of each code the engine can raise (spec 4.1).
/// Codes not listed weigh 0.
const CODE_WEIGHTS: &[(i32, i32)] = &[
    (0, 0),
    (1, -5),
    (2, -100),
    (3, -100),
    (4, -200),
    (5, -300),
    (6, -10),
    (7, -10_000),
    (8, -1000),
    (9, 0),
    (10, 0),
    (11, -20),
    (12, -20),
    (14, -30),
    (400, -40),
];

/// The weight of one error code (0 for codes without a penalty).
pub fn code_weight(code: i32) -> i32 {
    CODE_WEIGHTS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(0, |(_, w)| *w)
}

/// The error factor `E = 100 / (100 + W)`.
pub fn error_factor(codes: &[i32]) -> f64 {
    let penalty: i64 = codes
        .iter()
        .map(|c| i64::from(code_weight(*c).min(0)).abs())
        .sum();
    100.0 / (100.0 + penalty as f64)
}

/// The check-digit factor `C`.
pub fn check_digit_factor(facts: &Facts) -> f64 {
    match facts.check_digit_ok {
        Some(true) => 1.0,
        Some(false) => 0.9,
        None => 0.8,
    }
}

/// The model factor `M`.
pub fn model_factor(facts: &Facts) -> f64 {
    if facts.model_resolved { 1.0 } else { 0.6 }
}

/// The model-year factor `Y`.
pub fn year_factor(model_year: Option<i32>, facts: &Facts) -> f64 {
    match (model_year, facts.model_year_conclusive) {
        (Some(_), true) => 1.0,
        (Some(_), false) => 0.85,
        (None, _) => 0.7,
    }
}

/// The position factor `P = 0.5 + 0.5 · explained / examined` (0.5 when no
/// position was examined, e.g. a WMI-only decode or a very short VIN).
pub fn position_factor(facts: &Facts) -> f64 {
    let explained = facts.positions_explained.len();
    let examined = explained + facts.positions_unexplained.len();
    if examined == 0 {
        0.5
    } else {
        0.5 + 0.5 * explained as f64 / examined as f64
    }
}

/// The per-value factor `K` of a source kind.
pub fn source_factor(kind: SourceKind) -> f64 {
    match kind {
        SourceKind::Pattern
        | SourceKind::Formula
        | SourceKind::Wmi
        | SourceKind::ModelYear
        | SourceKind::MakeFromModel
        | SourceKind::Correction => 1.0,
        SourceKind::MakeFromWmi => 0.95,
        SourceKind::EngineModelPattern => 0.9,
        SourceKind::Conversion => 0.8,
        SourceKind::VehicleSpec => 0.7,
        SourceKind::Default => 0.5,
    }
}

/// The decode score `S` of a finished decode (see the module doc).
pub fn decode_score(decoded: &Decoded) -> f64 {
    let facts = &decoded.facts;
    if !facts.wmi_known || decoded.error_codes.contains(&7) {
        return 0.0;
    }
    let s = error_factor(&decoded.error_codes)
        * check_digit_factor(facts)
        * model_factor(facts)
        * year_factor(decoded.model_year, facts)
        * position_factor(facts);
    s.clamp(0.0, 1.0)
}

/// Fills `decoded.confidence` and every `values[i].confidence`.
pub fn score(decoded: &mut Decoded) {
    let s = decode_score(decoded);
    decoded.confidence = s;
    for value in &mut decoded.values {
        value.confidence = (s * source_factor(value.provenance.source)).clamp(0.0, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(cd: Option<bool>, conclusive: bool, explained: usize, model: bool) -> Facts {
        Facts {
            check_digit_ok: cd,
            model_year_conclusive: conclusive,
            pass_id: 3,
            positions_explained: [4u8, 5, 6, 7, 8, 11][..explained].to_vec(),
            positions_unexplained: [4u8, 5, 6, 7, 8, 11][explained..].to_vec(),
            model_resolved: model,
            wmi_known: true,
        }
    }

    fn score_of(codes: &[i32], year: Option<i32>, f: Facts) -> f64 {
        error_factor(codes)
            * check_digit_factor(&f)
            * model_factor(&f)
            * year_factor(year, &f)
            * position_factor(&f)
    }

    #[test]
    fn the_readme_examples() {
        let clean = score_of(&[0], Some(2003), facts(Some(true), true, 6, true));
        assert!((clean - 1.0).abs() < 1e-12);
        let wrong_cd = score_of(&[1], Some(2003), facts(Some(false), true, 6, true));
        assert!((wrong_cd - 100.0 / 105.0 * 0.9).abs() < 1e-12);
        let wmi_only = score_of(&[8], Some(2003), facts(Some(true), true, 0, false));
        assert!((wmi_only - 100.0 / 1100.0 * 0.6 * 0.5).abs() < 1e-12);
    }

    #[test]
    fn every_worse_fact_lowers_or_keeps_the_score() {
        let base = facts(Some(true), true, 6, true);
        let s0 = score_of(&[0], Some(2003), base.clone());
        for code in [1, 2, 3, 4, 5, 6, 8, 11, 12, 14, 400] {
            assert!(
                score_of(&[0, code], Some(2003), base.clone()) < s0,
                "code {code}"
            );
        }
        assert!(score_of(&[0], Some(2003), facts(Some(false), true, 6, true)) < s0);
        assert!(score_of(&[0], Some(2003), facts(None, true, 6, true)) < s0);
        assert!(score_of(&[0], Some(2003), facts(Some(true), false, 6, true)) < s0);
        assert!(score_of(&[0], None, facts(Some(true), true, 6, true)) < s0);
        assert!(score_of(&[0], Some(2003), facts(Some(true), true, 6, false)) < s0);
        for k in 0..6 {
            assert!(
                score_of(&[0], Some(2003), facts(Some(true), true, k, true))
                    < score_of(&[0], Some(2003), facts(Some(true), true, k + 1, true))
            );
        }
    }

    #[test]
    fn source_kinds_are_ordered_as_documented() {
        let order = [
            SourceKind::Pattern,
            SourceKind::EngineModelPattern,
            SourceKind::Conversion,
            SourceKind::VehicleSpec,
            SourceKind::Default,
        ];
        for w in order.windows(2) {
            assert!(source_factor(w[0]) > source_factor(w[1]), "{w:?}");
        }
    }
}
