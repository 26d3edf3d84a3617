//! [`VinText`]: the lenient VIN text vPIC decodes, and the strings derived from it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::error::{VinError, VinProblem};
use crate::keytext::KeyText;
use crate::vin::{Vin, is_vin_char};

/// The most bytes 17 characters can take in UTF-8.
const BUF: usize = 17 * 4;
/// The most bytes a 6-character WMI can take.
const WMI_BUF: usize = 6 * 4;

/// A VIN as vPIC's procedure sees it: normalised but not validated.
///
/// Normalising trims U+0020 spaces (only) at both ends and upper-cases ASCII
/// letters; every other character is kept as is and counts as one position.
/// Shorter texts, even the empty one, are kept; only more than 17 characters
/// is refused. Storage is inline, so this is cheap to create and clone.
///
/// ```
/// use vin_core::VinText;
/// let t = VinText::new(" 1hgcm82633a004352")?;
/// assert_eq!(t.as_str(), "1HGCM82633A004352");
/// assert_eq!(t.descriptor(), "1HGCM826*3A");
/// assert_eq!(t.keys().as_str(), "CM826|3A004352");
/// assert!(t.problems().is_empty());
/// # Ok::<(), vin_core::VinError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VinText {
    buf: [u8; BUF],
    byte_len: u8,
    char_len: u8,
    wmi: [u8; WMI_BUF],
    wmi_len: u8,
}

impl VinText {
    /// Normalises `input` (spec 1.2). Fails only with [`VinError::Length`]
    /// when more than 17 characters remain.
    pub fn new(input: &str) -> Result<VinText, VinError> {
        let trimmed = input.trim_matches(' ');
        let char_len = if trimmed.is_ascii() {
            trimmed.len()
        } else {
            trimmed.chars().count()
        };
        if char_len > 17 {
            return Err(VinError::Length { len: char_len });
        }
        let mut buf = [0u8; BUF];
        let bytes = trimmed.as_bytes();
        for (o, b) in buf.iter_mut().zip(bytes) {
            *o = b.to_ascii_uppercase();
        }
        let mut text = VinText {
            buf,
            byte_len: bytes.len() as u8,
            char_len: char_len as u8,
            wmi: [0u8; WMI_BUF],
            wmi_len: 0,
        };
        text.fill_wmi();
        Ok(text)
    }

    /// Spec 1.3: positions 1-3 (all of a shorter text), plus 12-14 when
    /// position 3 is `9` and there are at least 14 characters.
    fn fill_wmi(&mut self) {
        if self.is_ascii() {
            let n = self.len().min(3);
            self.wmi[..n].copy_from_slice(&self.buf[..n]);
            self.wmi_len = n as u8;
            if self.len() >= 14 && self.buf[2] == b'9' {
                self.wmi[3..6].copy_from_slice(&self.buf[11..14]);
                self.wmi_len = 6;
            }
            return;
        }
        let mut n = 0usize;
        let mut push = |wmi: &mut [u8; WMI_BUF], s: &str| {
            for &b in s.as_bytes() {
                wmi[n] = b;
                n += 1;
            }
        };
        let mut wmi = [0u8; WMI_BUF];
        push(&mut wmi, self.slice(1, 3));
        if self.char_at(3) == Some('9') && self.len() >= 14 {
            push(&mut wmi, self.slice(12, 14));
        }
        self.wmi = wmi;
        self.wmi_len = n as u8;
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.byte_len as usize]).unwrap_or("")
    }

    /// The normalised text's UTF-8 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.byte_len as usize]
    }

    /// The number of characters (0 to 17).
    pub fn len(&self) -> usize {
        self.char_len as usize
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.char_len == 0
    }

    /// Whether every character is ASCII (then positions equal byte offsets + 1).
    pub fn is_ascii(&self) -> bool {
        self.byte_len == self.char_len
    }

    /// The character at 1-based position `pos`.
    pub fn char_at(&self, pos: usize) -> Option<char> {
        if pos == 0 || pos > self.len() {
            return None;
        }
        if self.is_ascii() {
            return Some(self.buf[pos - 1] as char);
        }
        self.as_str().chars().nth(pos - 1)
    }

    /// The characters at 1-based positions `from..=to`, clipped to the text.
    pub fn slice(&self, from: usize, to: usize) -> &str {
        let s = self.as_str();
        let len = self.len();
        let to = to.min(len);
        if from == 0 || from > to {
            return "";
        }
        if self.is_ascii() {
            return &s[from - 1..to];
        }
        let start = byte_offset(s, from - 1);
        let end = byte_offset(s, to);
        &s[start..end]
    }

    /// The WMI string of spec 1.3 (3 characters, fewer for a short text, or 6).
    pub fn wmi(&self) -> &str {
        core::str::from_utf8(&self.wmi[..self.wmi_len as usize]).unwrap_or("")
    }

    /// The vehicle descriptor of spec 1.4: the text padded with `*` to 17,
    /// position 9 replaced by `*`, cut to 11 characters (14 when position 3 is `9`).
    ///
    /// ```
    /// use vin_core::VinText;
    /// assert_eq!(VinText::new("")?.descriptor(), "***********");
    /// assert_eq!(VinText::new("1G9AB123")?.descriptor(), "1G9AB123******");
    /// # Ok::<(), vin_core::VinError>(())
    /// ```
    pub fn descriptor(&self) -> String {
        let keep = if self.char_at(3) == Some('9') { 14 } else { 11 };
        let mut out = String::with_capacity(keep);
        let mut chars = self.as_str().chars();
        for pos in 1..=keep {
            let c = chars.next().unwrap_or('*');
            out.push(if pos == 9 { '*' } else { c });
        }
        out
    }

    /// The keys string of spec 1.5, prepared for matching.
    pub fn keys(&self) -> KeyText {
        let len = self.len();
        if self.is_ascii() {
            let b = &self.buf[..len];
            return match len {
                0..=3 => KeyText::empty(),
                4..=9 => KeyText::from_ascii(&b[3..len.min(8)], &[]),
                _ => KeyText::from_ascii(&b[3..8], &b[9..len]),
            };
        }
        let mut keys = KeyText::empty();
        if len <= 3 {
            return keys;
        }
        for c in self.slice(4, 8).chars() {
            keys.push(c);
        }
        if len >= 10 {
            keys.push('|');
            for c in self.slice(10, 17).chars() {
                keys.push(c);
            }
        }
        keys
    }

    /// What keeps this text from being a strict [`Vin`]: [`VinError::Empty`],
    /// or a wrong [`VinError::Length`] and every [`VinError::InvalidChar`]
    /// (positions 1-based, in order). Empty when [`VinText::to_vin`] succeeds.
    pub fn problems(&self) -> Vec<VinProblem> {
        let mut out = Vec::new();
        if self.is_empty() {
            out.push(VinError::Empty);
            return out;
        }
        if self.len() != 17 {
            out.push(VinError::Length { len: self.len() });
        }
        for (i, c) in self.as_str().chars().enumerate() {
            if !is_vin_char(c) {
                out.push(VinError::InvalidChar {
                    ch: c,
                    position: i + 1,
                });
            }
        }
        out
    }

    /// The strict VIN, or the first problem.
    pub fn to_vin(&self) -> Result<Vin, VinError> {
        let bytes: &[u8; 17] = match self.buf[..self.byte_len as usize].try_into() {
            Ok(b) if self.is_ascii() => b,
            _ => {
                return Err(self
                    .problems()
                    .into_iter()
                    .next()
                    .unwrap_or(VinError::Length { len: self.len() }));
            }
        };
        Vin::from_bytes(bytes)
    }
}

/// The byte offset of the `n`-th character (0-based) of `s`, or its length.
fn byte_offset(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

impl From<Vin> for VinText {
    fn from(vin: Vin) -> VinText {
        let mut buf = [0u8; BUF];
        buf[..17].copy_from_slice(vin.as_bytes());
        let mut text = VinText {
            buf,
            byte_len: 17,
            char_len: 17,
            wmi: [0u8; WMI_BUF],
            wmi_len: 0,
        };
        text.fill_wmi();
        text
    }
}

impl fmt::Debug for VinText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VinText({:?})", self.as_str())
    }
}

impl fmt::Display for VinText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl core::str::FromStr for VinText {
    type Err = VinError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VinText::new(s)
    }
}
