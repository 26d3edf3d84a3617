//! The vPIC pattern-key language (spec 1.7), compiled for fast matching.
//!
//! A key such as `CM82*`, `*****|*A` or `[AB]*4` constrains a prefix of a
//! VIN's keys string ([`KeyText`]). [`Key::parse`] reads it under the rules of
//! its path (LIKE for keys without `[`, the regular-expression translation
//! for keys with one) and compiles it to one symbol per literal index plus a
//! 64-bit mask per bracket group, so [`Key::matches`] is a length test, one
//! 128-bit compare and a mask test per group.

mod charset;
mod expand;
mod interpret;
mod syntax;

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

pub use charset::CharSet;
pub use expand::expand;
use syntax::Elem;

use crate::keytext::{KeyText, MAX_KEYS};
use crate::symbol::{OTHER, alphabet_count_in, char_of, sym_of};

/// Why a key can never match: the reference aborts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyError {
    /// What is wrong.
    pub kind: KeyErrorKind,
    /// The 1-based character position in the key text where it is.
    pub position: usize,
}

/// The kinds of malformed keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyErrorKind {
    /// A `[` without a closing `]`.
    UnclosedGroup,
    /// `[]` with nothing in it.
    EmptyGroup,
    /// A range whose end is below its start, like `Z-A`.
    DescendingRange,
    /// A range followed by `-` and another endpoint, like `A-C-E`.
    ChainedRange,
    /// A POSIX class, collating element or equivalence class (`[:`, `[.`, `[=`) in a group.
    UnsupportedClass,
    /// A key without `[` ending in the LIKE escape `\`.
    TrailingEscape,
}

impl KeyError {
    fn new(kind: KeyErrorKind, position: usize) -> KeyError {
        KeyError { kind, position }
    }

    /// A stable machine-readable code, e.g. `KEY_UNCLOSED_GROUP`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            KeyErrorKind::UnclosedGroup => "KEY_UNCLOSED_GROUP",
            KeyErrorKind::EmptyGroup => "KEY_EMPTY_GROUP",
            KeyErrorKind::DescendingRange => "KEY_DESCENDING_RANGE",
            KeyErrorKind::ChainedRange => "KEY_CHAINED_RANGE",
            KeyErrorKind::UnsupportedClass => "KEY_UNSUPPORTED_CLASS",
            KeyErrorKind::TrailingEscape => "KEY_TRAILING_ESCAPE",
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            KeyErrorKind::UnclosedGroup => "unclosed bracket group",
            KeyErrorKind::EmptyGroup => "empty bracket group",
            KeyErrorKind::DescendingRange => "descending range in a bracket group",
            KeyErrorKind::ChainedRange => "chained range in a bracket group",
            KeyErrorKind::UnsupportedClass => "character class syntax in a bracket group",
            KeyErrorKind::TrailingEscape => "key ends with the escape character",
        };
        write!(
            f,
            "malformed pattern key: {what} at position {}",
            self.position
        )
    }
}

impl core::error::Error for KeyError {}

/// `flags`: a LIKE `%` makes the whole match exact-interpreted.
const LIKE: u8 = 1;
/// `flags`: some index may accept a character outside the alphabet.
const EXOTIC: u8 = 2;
/// `flags`: more than two group masks (the rest live in `extra`).
const MORE_GROUPS: u8 = 4;
/// The flags that need work after the fast checks.
const SLOW: u8 = LIKE | EXOTIC | MORE_GROUPS;
/// `flags`: the key contains `[` (path B).
const PATH_B: u8 = 8;
/// `flags`: the key contains `#`.
const FORMULA: u8 = 16;
/// Inline group masks.
const INLINE_GROUPS: usize = 2;
/// Marks "no `#`" in `hash_first`.
const NO_HASH: u8 = u8::MAX;

/// A compiled pattern key (64 bytes; `Clone + Send + Sync`).
///
/// ```
/// use vin_core::{VinText, key::Key};
/// let keys = VinText::new("1HGCM82633A004352")?.keys();   // CM826|3A004352
/// assert!(Key::parse("CM82*").unwrap().matches(&keys));
/// assert!(Key::parse("*****|*A").unwrap().matches(&keys));
/// assert!(Key::parse("[AC]M").unwrap().matches(&keys));
/// assert!(!Key::parse("CM826|3A004352X").unwrap().matches(&keys));
/// # Ok::<(), vin_core::VinError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// Symbol per index at literal indices, 0 elsewhere.
    lits: [u8; 16],
    /// 0xFF at literal indices, 0 elsewhere.
    sel: [u8; 16],
    /// Masks of the first groups, and their 0-based indices.
    gmask: [u64; INLINE_GROUPS],
    gidx: [u8; INLINE_GROUPS],
    ngroups: u8,
    /// The number of key indices (saturating; past 14 it can never match).
    len: u8,
    /// Characters of the key text other than `*` (saturating).
    fixed: u8,
    flags: u8,
    /// 0-based character indices of the first and last `#` in the key text.
    hash_first: u8,
    hash_last: u8,
    extra: Option<Box<Extra>>,
}

/// What only rare keys need.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct Extra {
    /// Group masks past the inline ones: (0-based index, mask).
    groups: Vec<(u8, u64)>,
    /// The elements, for exact interpretation (LIKE or exotic keys).
    elems: Vec<Elem>,
    /// The path-A reading of a key that has both `[` and `#`, for formula matching.
    formula: Option<Key>,
}

impl Key {
    /// Parses and compiles a key. Fails with a [`KeyError`] only for keys the
    /// reference cannot evaluate (it aborts the decode on them): an unclosed or
    /// empty group, a descending or chained range, class syntax in a group, a
    /// trailing LIKE escape. Every key the reference can match parses, e.g.
    /// `*****|*[1-A-JT]` (the `1-A` patch).
    pub fn parse(text: &str) -> Result<Key, KeyError> {
        let parsed = syntax::parse(text)?;
        let mut key = compile(&parsed.elems);
        if parsed.path_b {
            key.flags |= PATH_B;
        }
        key.fixed = text.chars().filter(|&c| c != '*').count().min(255) as u8;
        let mut first = None;
        let mut last = None;
        for (i, c) in text.chars().enumerate() {
            if c == '#' {
                first.get_or_insert(i);
                last = Some(i);
            }
        }
        if let (Some(f), Some(l)) = (first, last) {
            key.flags |= FORMULA;
            if l < NO_HASH as usize {
                key.hash_first = f as u8;
                key.hash_last = l as u8;
            }
            if parsed.path_b {
                // Formula matching always reads the key under path-A rules; a
                // key LIKE cannot read (trailing escape) is no formula match.
                let a = match syntax::parse_like(text) {
                    Ok(elems) => compile(&elems),
                    Err(_) => {
                        let mut never = compile(&[]);
                        never.len = u8::MAX;
                        never
                    }
                };
                key.extra_mut().formula = Some(a);
            }
        }
        Ok(key)
    }

    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(|| {
            Box::new(Extra {
                groups: Vec::new(),
                elems: Vec::new(),
                formula: None,
            })
        })
    }

    /// Whether the keys string matches (spec 1.7): the key constrains a prefix
    /// of `keys`; a key longer than `keys` never matches.
    #[inline]
    pub fn matches(&self, keys: &KeyText) -> bool {
        if self.len > keys.len {
            return false;
        }
        let s = u128::from_ne_bytes(keys.syms);
        let l = u128::from_ne_bytes(self.lits);
        let m = u128::from_ne_bytes(self.sel);
        if (s ^ l) & m != 0 {
            return false;
        }
        for g in 0..self.ngroups as usize {
            let sym = keys.syms[self.gidx[g] as usize & 15];
            if self.gmask[g] >> sym & 1 == 0 {
                return false;
            }
        }
        if self.flags & SLOW == 0 {
            return true;
        }
        self.matches_rest(keys)
    }

    /// The checks of rare keys, after the fast ones passed.
    #[cold]
    fn matches_rest(&self, keys: &KeyText) -> bool {
        let Some(extra) = &self.extra else {
            return true;
        };
        if self.flags & LIKE != 0 || (self.flags & EXOTIC != 0 && keys.has_other) {
            return interpret::matches(&extra.elems, keys);
        }
        extra
            .groups
            .iter()
            .all(|&(i, mask)| mask >> keys.syms[i as usize & 15] & 1 == 1)
    }

    /// Whether the key contains `#` (a formula key, spec 3.6).
    pub fn is_formula(&self) -> bool {
        self.flags & FORMULA != 0
    }

    /// Whether the key contains `[` (matched by the regular-expression path).
    pub fn is_bracket(&self) -> bool {
        self.flags & PATH_B != 0
    }

    /// Spec 3.6 step 3: whether `formula_keys` ([`KeyText::formula`]) starts
    /// with this formula key under path-A rules (`*` and `_` any character,
    /// `#` matches a digit's `#`, everything else literal). Always false for a
    /// key without `#`, which is no formula candidate.
    pub fn matches_formula(&self, formula_keys: &KeyText) -> bool {
        if !self.is_formula() {
            return false;
        }
        match self.extra.as_ref().and_then(|e| e.formula.as_ref()) {
            Some(a) => a.matches(formula_keys),
            None => self.matches(formula_keys),
        }
    }

    /// Spec 3.6 step 4: the slice of the original `keys` from the index of the
    /// key's first `#` to that of its last `#`, inclusive; `None` without `#`
    /// or when `keys` is too short.
    ///
    /// ```
    /// use vin_core::{VinText, key::Key};
    /// let keys = VinText::new("1HGCM82633A004352")?.keys();
    /// let key = Key::parse("*****|**##").unwrap();
    /// assert!(key.matches_formula(&keys.formula()));
    /// assert_eq!(key.formula_slice(&keys), Some("00"));
    /// # Ok::<(), vin_core::VinError>(())
    /// ```
    pub fn formula_slice<'k>(&self, keys: &'k KeyText) -> Option<&'k str> {
        if !self.is_formula() || self.hash_first == NO_HASH {
            return None;
        }
        keys.char_slice(self.hash_first as usize, self.hash_last as usize)
    }

    /// Spec 3.7 rule 3: the number of characters of the key text other than `*`.
    pub fn fixed_char_count(&self) -> usize {
        self.fixed as usize
    }

    /// The number of key indices (one per character or group; 255 or more
    /// saturates). A key longer than 14 never matches.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the key has no index (it matches every keys string).
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.flags & LIKE == 0
    }

    /// What the key accepts at 1-based key index `index` ([`CharSet::ANY`]
    /// past its end, and at every index of a key with LIKE `%`).
    pub fn allowed(&self, index: usize) -> CharSet {
        if self.flags & LIKE != 0 || index == 0 || index > self.len() || index > 16 {
            return CharSet::ANY;
        }
        let i = index - 1;
        if self.sel[i] != 0 {
            return CharSet(1u64 << self.lits[i]);
        }
        for g in 0..self.ngroups as usize {
            if self.gidx[g] as usize == i {
                return CharSet(self.gmask[g]);
            }
        }
        if let Some(extra) = &self.extra {
            for &(gi, mask) in &extra.groups {
                if gi as usize == i {
                    return CharSet(mask);
                }
            }
        }
        CharSet::ANY
    }

    /// Whether both keys can match one keys string: neither is too long and
    /// at every index the allowed sets intersect (conservatively true for
    /// keys with LIKE `%`).
    pub fn compatible(&self, other: &Key) -> bool {
        if self.len() > MAX_KEYS || other.len() > MAX_KEYS {
            return false;
        }
        let n = self.len().max(other.len());
        (1..=n).all(|i| self.allowed(i).intersects(&other.allowed(i)))
    }
}

/// Compiles elements into the fast form.
fn compile(elems: &[Elem]) -> Key {
    let mut key = Key {
        lits: [0; 16],
        sel: [0; 16],
        gmask: [0; INLINE_GROUPS],
        gidx: [0; INLINE_GROUPS],
        ngroups: 0,
        len: elems.len().min(255) as u8,
        fixed: 0,
        flags: 0,
        hash_first: NO_HASH,
        hash_last: NO_HASH,
        extra: None,
    };
    if elems.contains(&Elem::Percent) {
        key.len = 0;
        key.flags |= LIKE;
        key.extra_mut().elems = elems.to_vec();
        return key;
    }
    if elems.len() > MAX_KEYS {
        // Longer than any keys string: the length test rejects it.
        return key;
    }
    for (i, e) in elems.iter().enumerate() {
        let mask = match e {
            Elem::Any | Elem::Percent => continue,
            Elem::Lit(c) => 1u64 << sym_of(*c),
            Elem::Set(ranges) => set_mask(ranges),
        };
        if mask >> OTHER & 1 == 1 {
            key.flags |= EXOTIC;
        }
        if mask.count_ones() == 1 {
            key.lits[i] = mask.trailing_zeros() as u8;
            key.sel[i] = 0xFF;
        } else if (key.ngroups as usize) < INLINE_GROUPS {
            key.gmask[key.ngroups as usize] = mask;
            key.gidx[key.ngroups as usize] = i as u8;
            key.ngroups += 1;
        } else {
            key.flags |= MORE_GROUPS;
            key.extra_mut().groups.push((i as u8, mask));
        }
    }
    if key.flags & EXOTIC != 0 {
        key.extra_mut().elems = elems.to_vec();
    }
    key
}

/// The mask of a bracket group's ranges, with the "other" bit when a range
/// covers characters outside the alphabet.
fn set_mask(ranges: &[(char, char)]) -> u64 {
    let mut mask = 0u64;
    for &(lo, hi) in ranges {
        for s in 0..OTHER {
            if let Some(c) = char_of(s)
                && lo <= c
                && c <= hi
            {
                mask |= 1 << s;
            }
        }
        let span = hi as u64 - lo as u64 + 1;
        if span > alphabet_count_in(lo, hi) as u64 {
            mask |= 1 << OTHER;
        }
    }
    mask
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for i in 1..=self.len().min(16) {
            list.entry(&self.allowed(i));
        }
        list.finish()
    }
}

/// Matches `key` against `keys` by straightforward interpretation (no
/// compilation to masks): the reference the compiled matcher is checked
/// against in tests and fuzzing.
pub fn interpret(key: &str, keys: &KeyText) -> Result<bool, KeyError> {
    let parsed = syntax::parse(key)?;
    Ok(interpret::matches(&parsed.elems, keys))
}

#[cfg(test)]
mod tests;
