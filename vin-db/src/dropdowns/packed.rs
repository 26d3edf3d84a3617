//! A year's make list stored as one value (`dd_make_list.makes`), already
//! sorted, so `makes(year)` reads one row instead of up to ~11 000.
//!
//! Layout (little-endian): the format byte [`FORMAT`], the entry count as
//! `u32`, then per entry the id as `i64`, the name's length in bytes as `u32`
//! and the name in UTF-8. Decoding checks every length, so a damaged value is
//! a typed error, never a panic.

use std::collections::BTreeMap;

use super::query::Choice;
use crate::{Error, Result};

/// The one layout written so far.
const FORMAT: u8 = 1;

/// Sorts `list` the way every dropdown is served: by name (byte order), then id.
pub(crate) fn sort_by_name(list: &mut [Choice]) {
    list.sort_unstable_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
}

/// Encodes an already sorted list.
pub(crate) fn encode(list: &[Choice]) -> Vec<u8> {
    let bytes: usize = list.iter().map(|c| 12 + c.name.len()).sum();
    let mut out = Vec::with_capacity(5 + bytes);
    out.push(FORMAT);
    out.extend_from_slice(&len_u32(list.len()).to_le_bytes());
    for c in list {
        out.extend_from_slice(&c.id.to_le_bytes());
        out.extend_from_slice(&len_u32(c.name.len()).to_le_bytes());
        out.extend_from_slice(c.name.as_bytes());
    }
    out
}

/// A length as stored; no make list or make name comes near 4 GiB.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Decodes a value written by [`encode`].
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<Choice>> {
    let mut r = Reader { bytes, at: 0 };
    let format = r.take(1)?[0];
    if format != FORMAT {
        return Err(r.damaged(&format!("unknown format {format}")));
    }
    let count = r.u32()? as usize;
    // Every entry takes at least 12 bytes: a count beyond that is damage,
    // and must not reserve memory.
    if count > (bytes.len() - r.at) / 12 {
        return Err(r.damaged(&format!("{count} entries cannot fit")));
    }
    let mut list = Vec::with_capacity(count);
    for _ in 0..count {
        let id = i64::from_le_bytes(r.array()?);
        let len = r.u32()? as usize;
        let raw = r.take(len)?;
        let name = std::str::from_utf8(raw).map_err(|_| r.damaged("a name is not UTF-8"))?;
        list.push(Choice {
            id,
            name: name.to_owned(),
        });
    }
    if r.at != bytes.len() {
        return Err(r.damaged("trailing bytes"));
    }
    Ok(list)
}

/// A cursor over an encoded value.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| self.damaged("truncated"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn damaged(&self, what: &str) -> Error {
        Error::Database(sqlx::Error::Decode(
            format!("damaged make list at byte {}: {what}", self.at).into(),
        ))
    }
}

/// One encoded, sorted make list per year, from the derived (year, make) rows.
pub(crate) fn make_lists(makes: &BTreeMap<(i32, i64), String>) -> Vec<(i32, Vec<u8>)> {
    let mut by_year: BTreeMap<i32, Vec<Choice>> = BTreeMap::new();
    for (&(year, id), name) in makes {
        by_year.entry(year).or_default().push(Choice {
            id,
            name: name.clone(),
        });
    }
    by_year
        .into_iter()
        .map(|(year, mut list)| {
            sort_by_name(&mut list);
            (year, encode(&list))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn choice(id: i64, name: &str) -> Choice {
        Choice {
            id,
            name: name.to_owned(),
        }
    }

    #[test]
    fn lists_per_year_sorted_by_name_bytes() {
        let makes = BTreeMap::from([
            ((2020, 3), "honda".to_owned()),
            ((2020, 1), "Toyota".to_owned()),
            ((2020, 2), "HONDA".to_owned()),
            ((2021, 9), "Ärger".to_owned()),
            ((2021, 8), "Zeta".to_owned()),
        ]);
        let lists = make_lists(&makes);
        let years: Vec<i32> = lists.iter().map(|(y, _)| *y).collect();
        assert_eq!(years, [2020, 2021]);
        assert_eq!(
            decode(&lists[0].1).unwrap(),
            [choice(2, "HONDA"), choice(1, "Toyota"), choice(3, "honda")]
        );
        // Byte order puts the non-ASCII letter after every ASCII one.
        assert_eq!(
            decode(&lists[1].1).unwrap(),
            [choice(8, "Zeta"), choice(9, "Ärger")]
        );
    }

    #[test]
    fn damaged_values_are_typed_errors() {
        let good = encode(&[choice(474, "Honda"), choice(-1, "")]);
        assert_eq!(decode(&good).unwrap().len(), 2);
        for cut in 0..good.len() {
            let e = decode(&good[..cut]).unwrap_err();
            assert_eq!(e.code(), "ERR_DATABASE");
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(
            decode(&trailing)
                .unwrap_err()
                .to_string()
                .contains("trailing")
        );
        let mut format = good.clone();
        format[0] = 2;
        assert!(decode(&format).unwrap_err().to_string().contains("format"));
        // A huge count must not allocate.
        let mut count = good.clone();
        count[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            decode(&count)
                .unwrap_err()
                .to_string()
                .contains("cannot fit")
        );
        // Invalid UTF-8 inside a name.
        let mut utf8 = encode(&[choice(1, "ab")]);
        let last = utf8.len() - 1;
        utf8[last] = 0xff;
        assert!(decode(&utf8).unwrap_err().to_string().contains("UTF-8"));
    }

    proptest! {
        #[test]
        fn round_trip(list in proptest::collection::vec((any::<i64>(), ".{0,40}"), 0..60)) {
            let list: Vec<Choice> = list.into_iter().map(|(id, name)| Choice { id, name }).collect();
            prop_assert_eq!(decode(&encode(&list)).unwrap(), list);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }
    }
}
