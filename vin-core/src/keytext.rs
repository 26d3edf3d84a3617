//! [`KeyText`]: the keys string of a VIN, prepared for matching.

use core::fmt;

use crate::symbol::{OTHER, sym_of, sym_of_byte};

/// The most characters a keys string has: positions 4-8, `|`, positions 10-17.
pub const MAX_KEYS: usize = 14;
const BUF: usize = MAX_KEYS * 4;

/// The keys string of spec 1.5 (`CM826|3A004352` for `1HGCM82633A004352`),
/// with each character mapped once to a small symbol id so that
/// [`Key::matches`](crate::key::Key::matches) tests a position with a shift.
///
/// Built by [`VinText::keys`](crate::VinText::keys), or from a raw keys string
/// with [`KeyText::from_keys`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct KeyText {
    pub(crate) syms: [u8; 16],
    pub(crate) len: u8,
    /// Some character maps to the shared "other" symbol.
    pub(crate) has_other: bool,
    buf: [u8; BUF],
    byte_len: u8,
}

impl KeyText {
    pub(crate) fn empty() -> KeyText {
        KeyText {
            syms: [OTHER; 16],
            len: 0,
            has_other: false,
            buf: [0u8; BUF],
            byte_len: 0,
        }
    }

    /// The keys of ASCII text: `head`, then `|` and `tail` when `tail` is not empty.
    pub(crate) fn from_ascii(head: &[u8], tail: &[u8]) -> KeyText {
        let mut k = KeyText::empty();
        let mut n = 0;
        let parts: [&[u8]; 3] = [head, if tail.is_empty() { &[] } else { b"|" }, tail];
        for part in parts {
            for &b in part {
                if n >= MAX_KEYS {
                    break;
                }
                k.buf[n] = b;
                let s = sym_of_byte(b);
                k.syms[n] = s;
                k.has_other |= s == OTHER;
                n += 1;
            }
        }
        k.len = n as u8;
        k.byte_len = n as u8;
        k
    }

    /// Appends a character (callers keep to [`MAX_KEYS`]).
    pub(crate) fn push(&mut self, c: char) {
        let i = self.len as usize;
        if i >= MAX_KEYS {
            return;
        }
        let s = sym_of(c);
        self.syms[i] = s;
        self.has_other |= s == OTHER;
        self.len += 1;
        let at = self.byte_len as usize;
        let n = c.encode_utf8(&mut self.buf[at..]).len();
        self.byte_len += n as u8;
    }

    /// A keys string from raw text as the matcher would see it, ASCII letters
    /// upper-cased like [`VinText`](crate::VinText) does; `None` when longer
    /// than [`MAX_KEYS`] characters.
    ///
    /// ```
    /// use vin_core::KeyText;
    /// assert_eq!(KeyText::from_keys("cm826|3a").unwrap().as_str(), "CM826|3A");
    /// ```
    pub fn from_keys(text: &str) -> Option<KeyText> {
        if text.chars().count() > MAX_KEYS {
            return None;
        }
        let mut k = KeyText::empty();
        for c in text.chars() {
            k.push(c.to_ascii_uppercase());
        }
        Some(k)
    }

    /// The keys string.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.byte_len as usize]).unwrap_or("")
    }

    /// The number of characters (0 to 14).
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the keys string is empty (VIN of 3 characters or fewer).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The formula form of spec 3.6: every digit replaced by `#`.
    ///
    /// ```
    /// use vin_core::VinText;
    /// let keys = VinText::new("1HGCM82633A004352")?.keys();
    /// assert_eq!(keys.formula().as_str(), "CM###|#A######");
    /// # Ok::<(), vin_core::VinError>(())
    /// ```
    pub fn formula(&self) -> KeyText {
        let mut out = KeyText::empty();
        for c in self.as_str().chars() {
            out.push(if c.is_ascii_digit() { '#' } else { c });
        }
        out
    }

    /// The characters at 0-based character indices `from..=to`, clipped.
    pub(crate) fn char_slice(&self, from: usize, to: usize) -> Option<&str> {
        let s = self.as_str();
        if from > to || to >= self.len() {
            return None;
        }
        if self.byte_len == self.len {
            return s.get(from..=to);
        }
        let start = s.char_indices().nth(from).map(|(i, _)| i)?;
        let end = s.char_indices().nth(to + 1).map_or(s.len(), |(i, _)| i);
        s.get(start..end)
    }
}

impl fmt::Debug for KeyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyText({:?})", self.as_str())
    }
}

impl fmt::Display for KeyText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
