//! [`CharSet`]: the characters a key accepts at one index.

use core::fmt;

use crate::symbol::{ALPHABET, OTHER, char_of, sym_of};

/// A set of characters over the matcher's alphabet (digits, upper-case
/// letters and common ASCII punctuation), one bit per character. Characters
/// outside the alphabet share one bit: when it is set, the set contains *some*
/// such characters (for example a range like `!-~` covers lower-case letters).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CharSet(pub(crate) u64);

impl CharSet {
    /// Every character.
    pub const ANY: CharSet = CharSet(u64::MAX);
    /// No character.
    pub const EMPTY: CharSet = CharSet(0);

    /// The set of one character.
    pub fn single(c: char) -> CharSet {
        CharSet(1u64 << sym_of(c))
    }

    /// Whether `c` may be in the set (for characters outside the alphabet:
    /// whether the set contains some such characters).
    pub fn contains(&self, c: char) -> bool {
        self.0 >> sym_of(c) & 1 == 1
    }

    /// Whether this is the unconstrained set.
    pub fn is_any(&self) -> bool {
        self.0 == u64::MAX
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// Whether the set contains characters outside the alphabet.
    pub fn includes_other(&self) -> bool {
        self.0 >> OTHER & 1 == 1
    }

    /// Whether the two sets share a character.
    pub fn intersects(&self, other: &CharSet) -> bool {
        self.0 & other.0 != 0
    }

    /// The raw bits (bit *i* = the *i*-th alphabet character, bit 63 = others).
    pub fn bits(&self) -> u64 {
        self.0
    }

    /// The alphabet characters in the set, in alphabet order (digits, letters, punctuation).
    pub fn chars(&self) -> impl Iterator<Item = char> + use<> {
        let bits = self.0;
        (0..ALPHABET.len() as u8)
            .filter(move |&s| bits >> s & 1 == 1)
            .filter_map(char_of)
    }
}

impl fmt::Debug for CharSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_any() {
            return f.write_str("CharSet(any)");
        }
        f.write_str("CharSet(\"")?;
        for c in self.chars() {
            write!(f, "{c}")?;
        }
        if self.includes_other() {
            f.write_str("…")?;
        }
        f.write_str("\")")
    }
}
