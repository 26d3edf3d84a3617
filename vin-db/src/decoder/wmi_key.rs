//! The key of the catalog cache: a WMI's text held inline.

/// Longest WMI text, in bytes: 6 characters of up to 4 bytes each.
const MAX: usize = 24;

/// A WMI string as a fixed-size value. The cache compares keys on every probe
/// of every decode: inline bytes compare without a pointer chase or a
/// `memcmp` call, which a `Box<str>` key costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct WmiKey {
    len: u8,
    bytes: [u8; MAX],
}

impl WmiKey {
    /// The key of `wmi`; `None` for text longer than any WMI (never cached).
    pub(crate) fn new(wmi: &str) -> Option<WmiKey> {
        let text = wmi.as_bytes();
        let mut bytes = [0; MAX];
        bytes.get_mut(..text.len())?.copy_from_slice(text);
        Some(WmiKey {
            // At most MAX (checked by the slice above).
            len: text.len() as u8,
            bytes,
        })
    }

    /// The WMI text.
    pub(crate) fn as_str(&self) -> &str {
        // Always whole UTF-8: copied from a `str` in `new`.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tells_texts_apart() {
        for wmi in ["1HG", "", "1G9ABC", "ÄÖÜ", "ééééé€"] {
            let key = WmiKey::new(wmi).expect("fits");
            assert_eq!(key.as_str(), wmi);
        }
        // A NUL byte is text like any other: no padding confusion.
        assert_ne!(WmiKey::new("AB"), WmiKey::new("AB\0"));
        assert_ne!(WmiKey::new("1HG"), WmiKey::new("1HG9AB"));
        assert_eq!(WmiKey::new("1HG"), WmiKey::new("1HG"));
        assert!(WmiKey::new(&"€".repeat(9)).is_none());
        assert!(WmiKey::new(&"A".repeat(MAX)).is_some());
    }
}
