//! Pattern keys as the derivation needs them: parsed once, then tested for
//! compatibility (can both keys match one VIN?).

/// A parsed pattern key.
#[derive(Debug, Clone)]
pub(crate) struct PatternKey {
    sets: Vec<Vec<u8>>,
}

impl PatternKey {
    /// `None` for keys the pattern step never matches (formula keys with `#`)
    /// or that cannot be parsed.
    pub(crate) fn parse(text: &str) -> Option<PatternKey> {
        if text.contains('#') {
            return None;
        }
        let b = text.as_bytes();
        let mut sets = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'[' {
                let end = i + 1 + b[i + 1..].iter().position(|&c| c == b']')?;
                let body = &b[i + 1..end];
                let mut set = Vec::new();
                let mut j = 0;
                while j < body.len() {
                    if j + 2 < body.len() && body[j + 1] == b'-' {
                        if body[j] > body[j + 2] {
                            return None;
                        }
                        set.extend(body[j]..=body[j + 2]);
                        j += 3;
                    } else {
                        set.push(if body[j] == b'*' { b'.' } else { body[j] });
                        j += 1;
                    }
                }
                if set.is_empty() {
                    return None;
                }
                sets.push(set);
                i = end + 1;
            } else {
                sets.push(match b[i] {
                    b'*' | b'_' => Vec::new(),
                    c => vec![c],
                });
                i += 1;
            }
        }
        Some(PatternKey { sets })
    }

    /// Whether some VIN can match both keys.
    pub(crate) fn compatible(&self, other: &PatternKey) -> bool {
        self.sets.iter().zip(&other.sets).all(|(a, b)| {
            a.is_empty() || b.is_empty() || a.iter().any(|c| b.contains(c))
        })
    }
}
