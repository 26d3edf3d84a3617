//! Exact evaluation of vPIC's conversion formulas (spec 3.9).
//!
//! The reference substitutes an attribute into a formula such as `#x# / 16.387064 `
//! and lets PostgreSQL evaluate the text, so the printed result carries
//! PostgreSQL's integer/numeric typing and its numeric scales. This module
//! reproduces that for the only shape the data uses: `<literal> <op> <literal>`
//! with `*` or `/`. Anything else evaluates to `0`, like every failure.

use std::fmt;

/// A number as PostgreSQL types a literal: an integer (`int4`/`int8`) or an
/// exact decimal (`numeric`) with a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    /// A 32-bit integer literal.
    Int4(i32),
    /// A 64-bit integer literal.
    Int8(i64),
    /// `mantissa / 10^scale`.
    Dec { mantissa: i128, scale: u32 },
}

impl Num {
    /// Parses a plain signed decimal literal (`12`, `-3.5`, `1000.`, `.5`).
    fn parse(text: &str) -> Option<Num> {
        let (neg, body) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok(int_part) || !frac_part.is_none_or(digits_ok) {
            return None;
        }
        let frac = frac_part.unwrap_or("");
        if int_part.is_empty() && frac.is_empty() {
            return None;
        }
        if frac_part.is_none() {
            // Integer literal: int4 if it fits, else int8, else numeric (sign applied after typing).
            let magnitude: i128 = parse_digits(int_part)?;
            let value = if neg { -magnitude } else { magnitude };
            if let Ok(v) = i32::try_from(magnitude) {
                return Some(Num::Int4(if neg { -v } else { v }));
            }
            if let Ok(v) = i64::try_from(magnitude) {
                return Some(Num::Int8(if neg { -v } else { v }));
            }
            return Some(Num::Dec {
                mantissa: value,
                scale: 0,
            });
        }
        let scale = u32::try_from(frac.len()).ok()?;
        let mut all = String::with_capacity(int_part.len() + frac.len());
        all.push_str(int_part);
        all.push_str(frac);
        let magnitude = parse_digits(&all)?;
        Some(Num::Dec {
            mantissa: if neg { -magnitude } else { magnitude },
            scale,
        })
    }

    fn as_dec(self) -> (i128, u32) {
        match self {
            Num::Int4(v) => (i128::from(v), 0),
            Num::Int8(v) => (i128::from(v), 0),
            Num::Dec { mantissa, scale } => (mantissa, scale),
        }
    }

    fn mul(self, other: Num) -> Option<Num> {
        match (self, other) {
            (Num::Int4(a), Num::Int4(b)) => a.checked_mul(b).map(Num::Int4),
            (Num::Int4(_) | Num::Int8(_), Num::Int4(_) | Num::Int8(_)) => {
                let (a, _) = self.as_dec();
                let (b, _) = other.as_dec();
                i64::try_from(a.checked_mul(b)?).ok().map(Num::Int8)
            }
            _ => {
                let (a, sa) = self.as_dec();
                let (b, sb) = other.as_dec();
                Some(Num::Dec {
                    mantissa: a.checked_mul(b)?,
                    scale: sa.checked_add(sb)?,
                })
            }
        }
    }

    fn div(self, other: Num) -> Option<Num> {
        match (self, other) {
            (Num::Int4(a), Num::Int4(b)) => a.checked_div(b).map(Num::Int4),
            (Num::Int4(_) | Num::Int8(_), Num::Int4(_) | Num::Int8(_)) => {
                let (a, _) = self.as_dec();
                let (b, _) = other.as_dec();
                if b == 0 {
                    return None;
                }
                i64::try_from(a / b).ok().map(Num::Int8)
            }
            _ => {
                let (a, sa) = self.as_dec();
                let (b, sb) = other.as_dec();
                if b == 0 {
                    return None;
                }
                let rscale = div_scale(a, sa, b, sb);
                // q = a/10^sa / (b/10^sb) * 10^rscale = a * 10^(rscale + sb - sa) / b
                let shift = i64::from(rscale) + i64::from(sb) - i64::from(sa);
                let (num, den) = if shift >= 0 {
                    (a.checked_mul(pow10(u32::try_from(shift).ok()?)?)?, b)
                } else {
                    (a, b.checked_mul(pow10(u32::try_from(-shift).ok()?)?)?)
                };
                Some(Num::Dec {
                    mantissa: div_round_half_away(num, den),
                    scale: rscale,
                })
            }
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Num::Int4(v) => write!(f, "{v}"),
            Num::Int8(v) => write!(f, "{v}"),
            Num::Dec { mantissa, scale } => {
                // Most values fit 64 bits, whose printing is much cheaper.
                let magnitude = mantissa.unsigned_abs();
                let digits = match u64::try_from(magnitude) {
                    Ok(small) => small.to_string(),
                    Err(_) => magnitude.to_string(),
                };
                let scale = scale as usize;
                if mantissa < 0 {
                    f.write_str("-")?;
                }
                if scale == 0 {
                    return f.write_str(&digits);
                }
                let padded = if digits.len() <= scale {
                    format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
                } else {
                    digits
                };
                let (i, fr) = padded.split_at(padded.len() - scale);
                write!(f, "{i}.{fr}")
            }
        }
    }
}

fn parse_digits(s: &str) -> Option<i128> {
    let trimmed = s.trim_start_matches('0');
    if trimmed.len() > 38 {
        return None;
    }
    if trimmed.is_empty() {
        return Some(0);
    }
    trimmed.parse().ok()
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

fn div_round_half_away(num: i128, den: i128) -> i128 {
    let q = num / den;
    let r = num % den;
    // |2r| >= |den| rounds away from zero.
    if r.unsigned_abs().saturating_mul(2) >= den.unsigned_abs() {
        if (num < 0) == (den < 0) { q + 1 } else { q - 1 }
    } else {
        q
    }
}

/// Base-10000 weight and leading group value of `m / 10^scale` (PostgreSQL's
/// numeric layout: groups of four digits aligned on the decimal point).
fn weight_and_first_group(m: i128, scale: u32) -> (i64, u128) {
    let m = m.unsigned_abs();
    if m == 0 {
        return (0, 0);
    }
    // Align the fraction to a multiple of 4 digits.
    let pad = (4 - scale % 4) % 4;
    let aligned = m * 10u128.pow(pad);
    let frac_groups = i64::from((scale + pad) / 4);
    // Group k (from the right) has weight k - frac_groups; the leading group
    // is the last non-zero one.
    let mut count = 0i64;
    let mut first = 0;
    let mut rest = aligned;
    while rest > 0 {
        first = rest % 10_000;
        rest /= 10_000;
        count += 1;
    }
    (count - 1 - frac_groups, first)
}

/// PostgreSQL's `select_div_scale`: at least 16 significant digits, never
/// fewer than either operand's scale.
fn div_scale(a: i128, sa: u32, b: i128, sb: u32) -> u32 {
    let (w1, d1) = weight_and_first_group(a, sa);
    let (w2, d2) = weight_and_first_group(b, sb);
    let mut q = w1 - w2;
    if d1 <= d2 {
        q -= 1;
    }
    let r = 16 - 4 * q;
    let r = r.max(i64::from(sa)).max(i64::from(sb)).max(0);
    u32::try_from(r.min(1000)).unwrap_or(1000)
}

/// Evaluates a conversion formula with `#x#` replaced by `attribute`, as the
/// reference's SQL would, returning the printed result; `"0"` on any failure.
///
/// ```
/// use vin_db::decode::numeric::evaluate;
/// assert_eq!(evaluate("#x# / 16.387064 ", Some("1998")), "121.9254407012751033");
/// assert_eq!(evaluate("#x# * 1000", Some("2.40")), "2400.00");
/// assert_eq!(evaluate("#x# * 1000", Some("n/a")), "0");
/// ```
pub fn evaluate(formula: &str, attribute: Option<&str>) -> String {
    attribute
        .and_then(|a| eval_parts(formula, a))
        .map_or_else(|| "0".to_string(), |n| n.to_string())
}

fn eval_parts(formula: &str, attribute: &str) -> Option<Num> {
    let (left, right) = formula.split_once("#x#")?;
    if !left.trim().is_empty() {
        return None;
    }
    let right = right.trim();
    let op = right.as_bytes().first().copied()?;
    let literal = Num::parse(right[1..].trim())?;
    let value = Num::parse(attribute.trim_matches(' '))?;
    match op {
        b'*' => value.mul(literal),
        b'/' => value.div(literal),
        _ => None,
    }
}

/// The formula text after substitution, as it appears in the item's source
/// (`Conversion <id>: <formula>`, cut to 50 characters by the caller).
pub fn substituted(formula: &str, attribute: Option<&str>) -> String {
    formula.replace("#x#", attribute.unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_examples() {
        assert_eq!(
            evaluate("#x# / 16.387064 ", Some("1998")),
            "121.9254407012751033"
        );
        assert_eq!(evaluate("#x# / 1000.", Some("1998")), "1.9980000000000000");
        assert_eq!(
            evaluate("#x# / 16.387064 ", Some("5.7")),
            "0.34783534133997401853"
        );
        assert_eq!(
            evaluate("#x# / 0.016387064 ", Some("3.5")),
            "213.5831043315629938"
        );
    }

    #[test]
    fn multiplication_scales() {
        assert_eq!(evaluate("#x# * 1000", Some("2.4")), "2400.0");
        assert_eq!(evaluate("#x# * 1000", Some("2.40")), "2400.00");
        assert_eq!(evaluate("#x# * 1000", Some("2")), "2000");
        assert_eq!(evaluate("#x# * 16.387064 ", Some("350")), "5735.472400");
        assert_eq!(evaluate("#x# * 0.016387064 ", Some("350")), "5.735472400");
        assert_eq!(evaluate("#x# * 1000", Some("-1.5")), "-1500.0");
    }

    #[test]
    fn failures_give_zero() {
        assert_eq!(evaluate("#x# / 1000.", Some("")), "0");
        assert_eq!(evaluate("#x# / 1000.", None), "0");
        assert_eq!(evaluate("#x# / 1000.", Some("1,998")), "0");
        assert_eq!(evaluate("#x# / 0.", Some("5")), "0");
        // int4 * int4 overflows in PostgreSQL.
        assert_eq!(evaluate("#x# * 1000", Some("3000000")), "0");
        assert_eq!(evaluate("#x# ^ 2", Some("3")), "0");
    }

    #[test]
    fn integer_division_truncates() {
        assert_eq!(evaluate("#x# / 1000", Some("2500")), "2");
        assert_eq!(evaluate("#x# / 1000", Some("-2500")), "-2");
    }

    #[test]
    fn small_and_zero_quotients() {
        assert_eq!(evaluate("#x# / 1000.", Some("0")), "0.00000000000000000000");
        assert_eq!(evaluate("#x# / 1000.", Some("1")), "0.00100000000000000000");
        assert_eq!(
            evaluate("#x# / 16.387064 ", Some("12345")),
            "753.3381208494700454"
        );
    }
}
