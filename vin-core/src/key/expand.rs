//! Key expansion (spec 4.5), with the lenient group reading of spec 6.1 item 1.

use alloc::vec::Vec;

/// The 33 characters a group with `-` or `^` is tested against, in output order.
const CANDIDATES: &str = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

/// Expands a key into `(key index, character)` pairs, the characters the key
/// names at each index (spec 4.5). Never fails:
///
/// - `#` names the ten digits, `*` names nothing, any other character outside
///   a group (`|`, `_`, `,` included) names itself;
/// - a group without `-` or `^` names its characters literally (upper-cased,
///   duplicates kept, `*` and `|` dropped);
/// - a group with `-` or `^` names those of `ABCDEFGHJKLMNPRSTUVWXYZ0123456789`
///   it accepts as a bracket expression: a leading `^` negates, ascending
///   ranges are by code point, and a `-` that cannot form an ascending range
///   is literal (so `[1-A-JT]` names `AJT123456789`);
/// - a group never closed names nothing.
///
/// Indices past 255 are not produced.
///
/// ```
/// let pairs: Vec<_> = vin_core::key::expand("A*[B-D]").collect();
/// assert_eq!(pairs, [(1, 'A'), (3, 'B'), (3, 'C'), (3, 'D')]);
/// ```
pub fn expand(text: &str) -> impl Iterator<Item = (u8, char)> + use<> {
    let mut out: Vec<(u8, char)> = Vec::new();
    let mut index: u32 = 0;
    let mut chars = text.chars();
    let mut group: Vec<char> = Vec::new();
    while let Some(c) = chars.next() {
        if c == '[' {
            group.clear();
            let mut closed = false;
            for g in chars.by_ref() {
                if g == ']' {
                    closed = true;
                    break;
                }
                group.push(g.to_ascii_uppercase());
            }
            if !closed {
                break;
            }
            index += 1;
            if index > u8::MAX as u32 {
                break;
            }
            class_chars(&group, index as u8, &mut out);
            continue;
        }
        index += 1;
        if index > u8::MAX as u32 {
            break;
        }
        let i = index as u8;
        match c {
            '#' => out.extend(('0'..='9').map(|d| (i, d))),
            '*' => {}
            c => out.push((i, c)),
        }
    }
    out.into_iter()
}

/// Appends the characters a group names (spec 4.5 `class_chars`, lenient).
fn class_chars(group: &[char], index: u8, out: &mut Vec<(u8, char)>) {
    if !group.iter().any(|&c| c == '-' || c == '^') {
        out.extend(
            group
                .iter()
                .filter(|&&c| c != '*' && c != '|')
                .map(|&c| (index, c)),
        );
        return;
    }
    let (negate, members) = match group.split_first() {
        Some(('^', rest)) => (true, rest),
        _ => (false, group),
    };
    let mut ranges: Vec<(char, char)> = Vec::with_capacity(members.len());
    let mut i = 0;
    while i < members.len() {
        let c = members[i];
        if i + 2 < members.len() && members[i + 1] == '-' && c <= members[i + 2] {
            ranges.push((c, members[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    out.extend(
        CANDIDATES
            .chars()
            .filter(|&c| ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != negate)
            .map(|c| (index, c)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn at(text: &str, index: u8) -> String {
        expand(text).filter(|p| p.0 == index).map(|p| p.1).collect()
    }

    #[test]
    fn spec_rules() {
        assert_eq!(at("*****|*[1-A-JT]", 8), "AJT123456789");
        assert_eq!(at("*****|*[1-A-JT]", 6), "|");
        assert_eq!(at("[A-Z]", 1), "ABCDEFGHJKLMNPRSTUVWXYZ");
        assert_eq!(at("[^A-Z]", 1), "0123456789");
        assert_eq!(at("[ba*|B]", 1), "BAB");
        assert_eq!(at("*#", 2), "0123456789");
        assert_eq!(at("*_,", 2), "_");
        assert_eq!(at("*_,", 3), ",");
        assert_eq!(at("[Z-A]", 1), "AZ");
        assert_eq!(at("A[BC", 2), "");
        assert_eq!(expand("A[BC").count(), 1);
        assert_eq!(at("[CFJM_______]", 1), "CFJM_______");
    }
}
