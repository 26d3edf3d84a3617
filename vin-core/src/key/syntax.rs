//! Reading a key's text into elements, one per key index (spec 1.7).

use alloc::vec::Vec;

use super::{KeyError, KeyErrorKind};

/// One key index, as the reference's matching sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Elem {
    /// Any one character (`*`, and `_` in path A).
    Any,
    /// Exactly this character.
    Lit(char),
    /// One character from these inclusive code-point ranges (a bracket group).
    Set(Vec<(char, char)>),
    /// LIKE `%`: any run of characters, possibly empty (path A only).
    Percent,
}

impl Elem {
    /// Whether this single-character element accepts `c`.
    pub(crate) fn accepts(&self, c: char) -> bool {
        match self {
            Elem::Any => true,
            Elem::Lit(l) => *l == c,
            Elem::Set(ranges) => ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi),
            Elem::Percent => false,
        }
    }
}

/// A key read into elements.
pub(crate) struct Parsed {
    pub elems: Vec<Elem>,
    /// Whether the key contains `[` (path B, regular expression).
    pub path_b: bool,
}

/// Reads a key under the rules of its path: path A (LIKE) when it has no
/// `[`, path B (the regular-expression translation) otherwise.
pub(crate) fn parse(text: &str) -> Result<Parsed, KeyError> {
    if text.contains('[') {
        Ok(Parsed {
            elems: parse_regex(text)?,
            path_b: true,
        })
    } else {
        Ok(Parsed {
            elems: parse_like(text)?,
            path_b: false,
        })
    }
}

/// Path A: `*` and `_` are any one character, `%` any run, `\` escapes the
/// next character (after the reference turned `*` into `_`, so `\*` is a
/// literal `_`), everything else literal.
pub(crate) fn parse_like(text: &str) -> Result<Vec<Elem>, KeyError> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().enumerate();
    while let Some((i, c)) = chars.next() {
        out.push(match c {
            '*' | '_' => Elem::Any,
            // Consecutive `%` mean the same as one; keeping one bounds the search.
            '%' if out.last() == Some(&Elem::Percent) => continue,
            '%' => Elem::Percent,
            '\\' => match chars.next() {
                Some((_, '*')) => Elem::Lit('_'),
                Some((_, e)) => Elem::Lit(e),
                None => return Err(KeyError::new(KeyErrorKind::TrailingEscape, i + 1)),
            },
            c => Elem::Lit(c),
        });
    }
    Ok(out)
}

/// Path B: applies the `1-A` → `1A` patch, then reads `*` as any character,
/// `[...]` as a bracket group and every other character as a literal (the
/// translation escapes or keeps them all literal).
pub(crate) fn parse_regex(text: &str) -> Result<Vec<Elem>, KeyError> {
    // The patch, with each remaining character's original 1-based position.
    let src: Vec<char> = text.chars().collect();
    let mut chars: Vec<(char, usize)> = Vec::with_capacity(src.len());
    let mut i = 0;
    while i < src.len() {
        if src[i] == '1' && src.get(i + 1) == Some(&'-') && src.get(i + 2) == Some(&'A') {
            chars.push(('1', i + 1));
            chars.push(('A', i + 3));
            i += 3;
        } else {
            chars.push((src[i], i + 1));
            i += 1;
        }
    }

    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let (c, pos) = chars[i];
        match c {
            '*' => {
                out.push(Elem::Any);
                i += 1;
            }
            '[' => {
                // A ']' right after '[' is a member, not the end.
                let start = i + 1;
                let search_from = if chars.get(start).map(|x| x.0) == Some(']') {
                    start + 1
                } else {
                    start
                };
                let Some(end) = chars[search_from.min(chars.len())..]
                    .iter()
                    .position(|x| x.0 == ']')
                    .map(|p| p + search_from)
                else {
                    let kind = if search_from > start {
                        KeyErrorKind::EmptyGroup
                    } else {
                        KeyErrorKind::UnclosedGroup
                    };
                    return Err(KeyError::new(kind, pos));
                };
                out.push(Elem::Set(parse_group(&chars[start..end])?));
                i = end + 1;
            }
            c => {
                out.push(Elem::Lit(c));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// The ranges of a bracket group's members (between the brackets).
fn parse_group(members: &[(char, usize)]) -> Result<Vec<(char, char)>, KeyError> {
    // Inside a group the translation's `.` (from `*`) is a literal dot.
    let items: Vec<(char, usize)> = members
        .iter()
        .map(|&(c, p)| (if c == '*' { '.' } else { c }, p))
        .collect();
    for w in items.windows(2) {
        if w[0].0 == '[' && matches!(w[1].0, ':' | '.' | '=') {
            return Err(KeyError::new(KeyErrorKind::UnsupportedClass, w[0].1));
        }
    }
    let mut ranges = Vec::with_capacity(items.len());
    let mut i = 0;
    let n = items.len();
    while i < n {
        let (c, pos) = items[i];
        if i + 2 < n && items[i + 1].0 == '-' {
            let hi = items[i + 2].0;
            if hi < c {
                return Err(KeyError::new(KeyErrorKind::DescendingRange, pos));
            }
            ranges.push((c, hi));
            i += 3;
            // A '-' right after a range starts another range: invalid, unless last.
            if i + 1 < n && items[i].0 == '-' {
                return Err(KeyError::new(KeyErrorKind::ChainedRange, items[i].1));
            }
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    Ok(ranges)
}
