//! The exact, straightforward matcher: elements against the keys' characters.
//! The compiled matcher defers to it for the rare keys its alphabet cannot
//! decide (LIKE `%`, characters outside the alphabet).

use super::syntax::Elem;
use crate::keytext::{KeyText, MAX_KEYS};

/// Whether `keys` starts with a string the elements accept (implicit prefix match).
pub(crate) fn matches(elems: &[Elem], keys: &KeyText) -> bool {
    let mut buf = ['\0'; MAX_KEYS];
    let mut n = 0;
    for c in keys.as_str().chars().take(MAX_KEYS) {
        buf[n] = c;
        n += 1;
    }
    prefix(elems, &buf[..n])
}

fn prefix(elems: &[Elem], s: &[char]) -> bool {
    match elems.split_first() {
        None => true,
        Some((Elem::Percent, rest)) => (0..=s.len()).any(|k| prefix(rest, &s[k..])),
        Some((e, rest)) => match s.split_first() {
            Some((&c, tail)) => e.accepts(c) && prefix(rest, tail),
            None => false,
        },
    }
}
