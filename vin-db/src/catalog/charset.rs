//! Per-position character sets over key indexes 1–14 (VIN positions 4–17).

/// A set of ASCII characters as a bit mask (vPIC keys are ASCII; a non-ASCII
/// character in a key is not representable and is left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CharSet(pub u128);

impl CharSet {
    /// Adds `c` (ignored when not ASCII).
    pub fn insert(&mut self, c: char) {
        if c.is_ascii() {
            self.0 |= 1u128 << (c as u32);
        }
    }

    /// Whether `c` is in the set.
    pub fn contains(self, c: char) -> bool {
        c.is_ascii() && self.0 & (1u128 << (c as u32)) != 0
    }

    /// No character.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Number of characters.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The characters in ascending byte order.
    pub fn chars(self) -> impl Iterator<Item = char> {
        (0u8..128)
            .filter(move |b| self.0 & (1u128 << b) != 0)
            .map(char::from)
    }
}

/// The spec 4.5 expansion of `key` as (key index, ASCII byte) pairs (a
/// non-ASCII character is not representable and is left out).
pub(crate) fn expansion(key: &str) -> Box<[(u8, u8)]> {
    vin_core::key::expand(key)
        .filter_map(|(i, c)| u8::try_from(c).ok().filter(u8::is_ascii).map(|b| (i, b)))
        .collect()
}

/// Key indexes 1..=14 (index 0 unused).
pub const KEY_POSITIONS: usize = 15;

/// One character set per key index 1–14.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PositionSets(pub [CharSet; KEY_POSITIONS]);

impl PositionSets {
    /// Adds every pair of the spec 4.5 expansion of `key`.
    pub fn add_key(&mut self, key: &str) {
        self.add_pairs(&expansion(key));
    }

    /// Adds (key index, ASCII byte) pairs, as [`PositionSets::add_key`] would
    /// for the key they were expanded from.
    pub(crate) fn add_pairs(&mut self, pairs: &[(u8, u8)]) {
        for &(index, b) in pairs {
            if let Some(set) = self.0.get_mut(usize::from(index)) {
                set.insert(char::from(b));
            }
        }
    }

    /// Union with another table.
    pub fn union(&mut self, other: &PositionSets) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            a.0 |= b.0;
        }
    }

    /// The set of VIN position `pos` (4–17); empty outside.
    pub fn at_position(&self, pos: usize) -> CharSet {
        pos.checked_sub(3)
            .and_then(|i| self.0.get(i))
            .copied()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_and_membership() {
        let mut s = CharSet::default();
        for c in ['_', 'B', '3', 'A', 'é'] {
            s.insert(c);
        }
        assert_eq!(s.chars().collect::<String>(), "3AB_");
        assert!(s.contains('A'));
        assert!(!s.contains('é'));
        assert_eq!(s.len(), 4);
    }
}
