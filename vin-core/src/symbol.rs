//! The small alphabet the key matcher works on.
//!
//! Every character of a keys string is mapped once to a symbol id below 64, so
//! a set of characters fits in one `u64` and testing membership is a shift.
//! The alphabet holds the digits, the upper-case letters and the ASCII
//! punctuation that keys and VINs can plausibly contain; every other character
//! shares the id [`OTHER`], and matchers that could accept such a character
//! fall back to an exact check.

/// Symbol ids `0..=62` in alphabet order; the position of a character in this
/// string is its id.
pub(crate) const ALPHABET: &str =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ|#_*,-.^ !$%&()+/:;<=>?@[\\]";

/// The id shared by every character outside [`ALPHABET`].
pub(crate) const OTHER: u8 = 63;

const fn build_table() -> [u8; 128] {
    let mut table = [OTHER; 128];
    let bytes = ALPHABET.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = i as u8;
        i += 1;
    }
    table
}

static TABLE: [u8; 128] = build_table();

/// The symbol id of `c`.
#[inline]
pub(crate) fn sym_of(c: char) -> u8 {
    let cp = c as u32;
    if cp < 128 { TABLE[cp as usize] } else { OTHER }
}

/// The symbol id of a byte (non-ASCII bytes give [`OTHER`]).
#[inline]
pub(crate) fn sym_of_byte(b: u8) -> u8 {
    if b < 128 { TABLE[b as usize] } else { OTHER }
}

/// The character of a symbol id, `None` for [`OTHER`].
#[inline]
pub(crate) fn char_of(sym: u8) -> Option<char> {
    ALPHABET.as_bytes().get(sym as usize).map(|&b| b as char)
}

/// The number of alphabet characters within `lo..=hi` (by code point).
pub(crate) fn alphabet_count_in(lo: char, hi: char) -> usize {
    ALPHABET.chars().filter(|&c| lo <= c && c <= hi).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_fits_in_63_ids_without_duplicates() {
        assert_eq!(ALPHABET.len(), 63);
        for (i, c) in ALPHABET.chars().enumerate() {
            assert_eq!(sym_of(c) as usize, i, "{c}");
            assert_eq!(char_of(i as u8), Some(c));
        }
        assert_eq!(sym_of('a'), OTHER);
        assert_eq!(sym_of('é'), OTHER);
        assert_eq!(char_of(OTHER), None);
        assert_eq!(alphabet_count_in('A', 'Z'), 26);
    }
}
