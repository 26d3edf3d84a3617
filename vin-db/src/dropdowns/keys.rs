//! Pattern keys as the derivation needs them: parsed once, then tested for
//! compatibility (can both keys match one VIN?).

use vin_core::key::Key;

/// A parsed pattern key that the decoder's pattern step can match.
#[derive(Debug, Clone)]
pub(crate) struct PatternKey(Key);

impl PatternKey {
    /// `None` for keys the pattern step never matches: formula keys (with
    /// `#`, which only the formula step reads) and keys that do not parse.
    pub(crate) fn parse(text: &str) -> Option<PatternKey> {
        if text.contains('#') {
            return None;
        }
        Key::parse(text).ok().map(PatternKey)
    }

    /// Whether some VIN can match both keys.
    pub(crate) fn compatible(&self, other: &PatternKey) -> bool {
        self.0.compatible(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> PatternKey {
        PatternKey::parse(text).unwrap()
    }

    #[test]
    fn compatibility_of_real_keys() {
        // Honda Accord 2003 model key vs trim keys of its schema.
        assert!(key("CM82").compatible(&key("CM826")));
        assert!(!key("CM82").compatible(&key("CM55")));
        assert!(key("*****|*1").compatible(&key("TR")));
        assert!(!key("*****|*1").compatible(&key("*****|*2")));
        assert!(key("[A-C]").compatible(&key("B")));
        assert!(!key("[A-C]").compatible(&key("D")));
        assert!(key("*[1-A-JT]").compatible(&key("*B")));
    }

    #[test]
    fn formula_and_broken_keys_are_skipped() {
        assert!(PatternKey::parse("*****|**##").is_none());
        assert!(PatternKey::parse("[Z-A]").is_none());
        assert!(PatternKey::parse("[AB").is_none());
    }
}
