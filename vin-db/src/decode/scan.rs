//! The character checks and error texts: the correction scan (spec 4.5),
//! unused positions (4.6), invalid characters (4.4) and the texts of 4.8.

use vin_core::VinText;
use vin_core::check_digit::{self, Variant};

use super::item::Item;
use super::pass::Context;
use crate::catalog::{CharSet, Globals, PositionSets};

/// What the scan of 4.5/4.6 found.
pub(crate) struct ScanOutcome {
    /// A subset of 2, 3, 4, 5.
    pub codes: Vec<i32>,
    pub suggested_vin: String,
    pub possible_values: String,
    /// Positions of {4–8, 11} explained by a pattern key.
    pub used: Vec<u8>,
    /// Positions of {4–8, 11} not explained (code 14's list).
    pub unused: Vec<u8>,
}

/// The code-3 check-digit filter: does `vin` with position `pos` set to `c`
/// pass the correction variant (spec 4.5)?
fn candidate_passes(chars: &[char], pos: usize, c: char) -> bool {
    let mut s: String = String::with_capacity(17);
    for (i, &ch) in chars.iter().enumerate() {
        s.push(if i + 1 == pos { c } else { ch });
    }
    let Ok(text) = VinText::new(&s) else {
        return false;
    };
    check_digit::vpic(&text, Variant::Correction) == text.char_at(9)
}

/// Spec 4.5 and 4.6.
pub(crate) fn scan(ctx: &Context<'_>, valid: &PositionSets, items: &[Item]) -> ScanOutcome {
    let chars = ctx.chars;
    let len = chars.len();
    let n = if ctx.catalog.wmi().chars().count() == 6 {
        11
    } else {
        14
    };
    let mut errors: Vec<(usize, CharSet)> = Vec::new();
    for i in 4..=n.min(len) {
        if i == 9 || i == 10 {
            continue;
        }
        let set = valid.at_position(i);
        if set.is_empty() || set.contains(chars[i - 1]) {
            continue;
        }
        errors.push((i, set));
    }
    let list = |errs: &[(usize, CharSet)]| -> String {
        errs.iter()
            .map(|(i, s)| format!("({i}:{})", s.chars().collect::<String>()))
            .collect()
    };
    let replaced = |pos: usize, c: char| -> String {
        chars
            .iter()
            .enumerate()
            .map(|(i, &ch)| if i + 1 == pos { c } else { ch })
            .collect()
    };
    let framed = || -> String {
        chars
            .iter()
            .enumerate()
            .map(|(i, &ch)| {
                if errors.iter().any(|(p, _)| *p == i + 1) {
                    '!'
                } else {
                    ch
                }
            })
            .collect()
    };
    let (codes, suggested_vin, possible_values) = match errors.as_slice() {
        [] => (vec![], String::new(), String::new()),
        [(i, set)] if set.len() == 1 => {
            let c = set.chars().next().unwrap_or('!');
            (vec![2], replaced(*i, c), list(&errors))
        }
        [(i, set)] => {
            let passing: Vec<char> = set
                .chars()
                .filter(|&c| candidate_passes(chars, *i, c))
                .collect();
            if let [c] = passing.as_slice() {
                (vec![3], replaced(*i, *c), format!("({i}:{c})"))
            } else {
                (vec![4], framed(), list(&errors))
            }
        }
        _ => (vec![5], framed(), list(&errors)),
    };

    // 4.6: positions explained by the keys of pattern-sourced items.
    // Per VIN position (1-based): explained by a key of a pattern item.
    let mut explained = [false; 12];
    let mut examined = [0usize; 6];
    let mut n_examined = 0;
    for pos in [4usize, 5, 6, 7, 8, 11] {
        if pos <= len && chars[pos - 1] != '|' {
            examined[n_examined] = pos;
            n_examined += 1;
        }
    }
    let examined = &examined[..n_examined];
    // Equal key texts share one allocation (interned by the catalog, copied by
    // the items), so a key seen before adds nothing; once every examined
    // character is explained, more keys cannot change the outcome. Past the
    // remembered keys a repeated key is expanded again, which changes nothing.
    let mut seen = [std::ptr::null::<u8>(); 32];
    let mut n_seen = 0;
    for item in items.iter().filter(|i| i.src.mentions_pattern()) {
        if let Some(keys) = item.keys.as_deref().filter(|k| !k.is_empty()) {
            if seen[..n_seen].contains(&keys.as_ptr()) {
                continue;
            }
            if n_seen < seen.len() {
                seen[n_seen] = keys.as_ptr();
                n_seen += 1;
            }
            // Key index i is VIN position i + 3; only the VIN's own character
            // at an examined position matters (an ASCII one, as in a CharSet).
            for (index, c) in vin_core::key::expand(keys) {
                let pos = usize::from(index) + 3;
                if c.is_ascii() && examined.contains(&pos) && chars[pos - 1] == c {
                    explained[pos] = true;
                }
            }
            if examined.iter().all(|&pos| explained[pos]) {
                break;
            }
        }
    }
    let mut used = Vec::new();
    let mut unused = Vec::new();
    for pos in [4usize, 5, 6, 7, 8, 11] {
        if pos > len {
            continue;
        }
        let c = chars[pos - 1];
        // '|' never explains a position (dropped from the expansion).
        if c != '|' && explained[pos] {
            used.push(pos as u8);
        } else {
            unused.push(pos as u8);
        }
    }
    ScanOutcome {
        codes,
        suggested_vin,
        possible_values,
        used,
        unused,
    }
}

fn in_default_class(c: char) -> bool {
    matches!(c, '0'..='9' | 'A'..='H' | 'J'..='N' | 'P' | 'R'..='Z')
}

/// Spec 4.4: the invalid positions `(j, c)`, 1-based, ascending.
pub(crate) fn invalid_positions(
    chars: &[char],
    start_pos: usize,
    skip_nine: bool,
) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    for (idx, &c) in chars.iter().enumerate() {
        let j = idx + 1;
        if j == 9 && skip_nine {
            continue;
        }
        let bad = if j == 9 {
            !matches!(c, '0'..='9' | 'X' | '*')
        } else if j < start_pos {
            !(in_default_class(c) || c == '*')
        } else {
            !matches!(c, '0'..='9' | '*')
        };
        let bad_year = j == 10
            && !matches!(c, '1'..='9' | 'A'..='H' | 'J'..='N' | 'P' | 'R'..='T' | 'V'..='Y');
        if bad || bad_year {
            out.push((j, c));
        }
    }
    out
}

const OFF_ROAD_NOTE: &str = " NOTE: Disregard if this is an off-road vehicle PIN, as check digit calculation may not be accurate.";
const EXCEPTION_NOTE: &str = " NOTE: Check Digit Exception - The check digit was given an exception based on data from the OEM indicating an error on production.";
const INCOMPLETE_NOTE: &str = " Incomplete Vehicle Warning - Please be advised that the vehicle may have been altered and may not be an accurate representation of the vehicle in its current condition. ";
const YEAR_NOTE: &str = " The Model Year decoded for this VIN may be incorrect. If you know the Model year, please enter it and decode again to get more accurate information. ";

/// Inputs of the texts of 4.8.
pub(crate) struct Texts<'a> {
    pub codes: &'a [i32],
    pub off_road: bool,
    pub exception: bool,
    pub unused_list: Option<&'a str>,
    pub invalid: &'a [(usize, char)],
    pub incomplete: bool,
    pub conclusive: bool,
}

/// Appends `n` in decimal (no formatting machinery).
pub(crate) fn push_number(out: &mut String, n: usize) {
    if n >= 10 {
        push_number(out, n / 10);
    }
    // A remainder of 10 is below 10: the cast keeps the digit.
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// The first `n` characters of `s` (no copy when it is short enough).
pub(crate) fn cut(mut s: String, n: usize) -> String {
    // A text of at most n bytes has at most n characters.
    if s.len() > n
        && let Some((end, _)) = s.char_indices().nth(n)
    {
        s.truncate(end);
    }
    s
}

fn append(text: &mut Option<String>, piece: &str) {
    let mut joined = text.take().unwrap_or_else(|| String::with_capacity(256));
    joined.push_str(piece);
    // Trim spaces in place: the end first, then the start.
    let end = joined.trim_end_matches(' ').len();
    joined.truncate(end);
    let start = end - joined.trim_start_matches(' ').len();
    joined.drain(..start);
    *text = Some(cut(joined, 500));
}

impl Texts<'_> {
    /// Element 191.
    pub fn error_text(&self, globals: &Globals) -> String {
        let mut out = String::with_capacity(256);
        let mut entry = String::new();
        let mut first = true;
        for c in self.codes {
            let Some(e) = globals.error_codes.get(c) else {
                continue;
            };
            entry.clear();
            entry.push_str(&e.name);
            if *c == 1 && self.off_road {
                entry.push_str(OFF_ROAD_NOTE);
            }
            if *c == 0 && self.exception {
                entry.push_str(EXCEPTION_NOTE);
            }
            if !first {
                out.push_str("; ");
            }
            first = false;
            out.push_str(entry.trim_matches(' '));
        }
        cut(out, 500)
    }

    /// Element 156 (`None` is NULL).
    pub fn additional(&self, globals: &Globals) -> Option<String> {
        let mut text: Option<String> = None;
        let additional = |code: i32| {
            globals
                .error_codes
                .get(&code)
                .and_then(|e| e.additional.as_deref().map(str::to_string))
        };
        if self.codes.contains(&4) {
            text = additional(4);
        }
        if self.codes.contains(&5) {
            text = additional(5);
        }
        let mut piece = String::new();
        if self.codes.contains(&14)
            && let Some(list) = self.unused_list
        {
            piece.push_str(" Unused position(s): ");
            piece.push_str(list);
            piece.push_str(". ");
            append(&mut text, &piece);
        }
        if self.codes.contains(&400) {
            piece.clear();
            piece.push_str(" Invalid character(s): ");
            for (n, &(j, c)) in self.invalid.iter().enumerate() {
                if n > 0 {
                    piece.push_str(", ");
                }
                push_number(&mut piece, j);
                piece.push(':');
                piece.push(c);
            }
            piece.push_str(". ");
            append(&mut text, &piece);
        }
        if self.incomplete {
            append(&mut text, INCOMPLETE_NOTE);
        }
        if !self.conclusive {
            append(&mut text, YEAR_NOTE);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn invalid_characters_follow_start_pos() {
        // carLT: positions 13+ must be digits.
        let v = chars("1HGCM82633A0A4352");
        assert_eq!(invalid_positions(&v, 13, false), vec![(13, 'A')]);
        // not carLT: 13 may be a letter.
        assert!(invalid_positions(&v, 14, false).is_empty());
        // I, O, Q, lower/upper punctuation, tab, non-ASCII; '*' is fine except at 10.
        let v = chars("1HI*M8\t6!0A00435é");
        let bad = invalid_positions(&v, 13, false);
        assert_eq!(
            bad,
            vec![(3, 'I'), (7, '\t'), (9, '!'), (10, '0'), (17, 'é')]
        );
        // position 9 skipped for off-road / exception.
        assert_eq!(
            invalid_positions(&v, 13, true),
            vec![(3, 'I'), (7, '\t'), (10, '0'), (17, 'é')]
        );
        assert_eq!(
            invalid_positions(&chars("123456789*"), 13, false),
            vec![(10, '*')]
        );
    }

    #[test]
    fn appended_pieces_are_trimmed_and_joined() {
        let mut t = None;
        append(&mut t, " Unused position(s): 4,5. ");
        append(&mut t, " Invalid character(s): 5:I. ");
        assert_eq!(
            t.as_deref(),
            Some("Unused position(s): 4,5. Invalid character(s): 5:I.")
        );
    }
}
