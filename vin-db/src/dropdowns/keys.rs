//! Pattern keys as the derivation needs them: parsed once, then tested for
//! compatibility (can both keys match one VIN?).

use vin_core::key::Key;

/// Key indices a keys string has (positions 4-8, the `|`, positions 10-17).
const KEY_INDICES: usize = 14;

/// A parsed pattern key that the decoder's pattern step can match, reduced
/// to the set of characters it allows at each key index (from
/// [`Key::allowed`]), so that a compatibility test is 14 ANDs.
#[derive(Debug, Clone)]
pub(crate) struct PatternKey {
    allowed: [u64; KEY_INDICES],
}

impl PatternKey {
    /// `None` for keys the pattern step never matches: formula keys (with
    /// `#`, which only the formula step reads) and keys that do not parse.
    pub(crate) fn parse(text: &str) -> Option<PatternKey> {
        if text.contains('#') {
            return None;
        }
        let key = Key::parse(text).ok()?;
        // A key longer than the keys string never matches.
        if key.len() > KEY_INDICES {
            return None;
        }
        let mut allowed = [0u64; KEY_INDICES];
        for (i, a) in allowed.iter_mut().enumerate() {
            *a = key.allowed(i + 1).bits();
        }
        Some(PatternKey { allowed })
    }

    /// Whether some VIN can match both keys: at every key index the allowed
    /// sets intersect (what [`Key::compatible`] decides, precomputed).
    pub(crate) fn compatible(&self, other: &PatternKey) -> bool {
        self.allowed
            .iter()
            .zip(&other.allowed)
            .all(|(a, b)| a & b != 0)
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
    fn same_answers_as_the_core_keys() {
        let texts = [
            "CM82",
            "CM826",
            "CM55",
            "*****|*1",
            "*****|*2",
            "TR",
            "[A-C]",
            "B",
            "D",
            "*[1-A-JT]",
            "*B",
            "****[0-9]",
            "***[A-Z]|*",
            "A*C*E|*G",
            "",
            "*",
            "**_*",
            "[^AB]",
            "^",
            "1",
            "[*]",
            ".",
            "AAAAA|AAAAAAAA",
        ];
        for a in texts {
            for b in texts {
                let (Some(pa), Some(pb)) = (PatternKey::parse(a), PatternKey::parse(b)) else {
                    continue;
                };
                let ka = Key::parse(a).unwrap();
                let kb = Key::parse(b).unwrap();
                assert_eq!(pa.compatible(&pb), ka.compatible(&kb), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn formula_and_broken_keys_are_skipped() {
        assert!(PatternKey::parse("*****|**##").is_none());
        assert!(PatternKey::parse("[Z-A]").is_none());
        assert!(PatternKey::parse("[AB").is_none());
    }
}
