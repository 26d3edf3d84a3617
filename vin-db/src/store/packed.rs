//! A VIN schema's patterns stored as one value (`pattern_pack.patterns`),
//! written by the ETL, so a cold WMI reads one row per schema (a few dozen)
//! instead of one per pattern (up to ~40 000), and decodes them in a tight
//! loop.
//!
//! Layout: the format byte [`FORMAT`], the pattern count, then per pattern
//! (ascending id): the id as the difference from the previous id (the first
//! from 0), the element id, the key text and the attribute text (each as its
//! length in bytes and its UTF-8), a flags byte (bit 0: `CreatedOn` present,
//! bit 1: `UpdatedOn` present), `CreatedOn` as the difference from the
//! previous present `CreatedOn` (the first from 0) and `UpdatedOn` as the
//! difference from this pattern's `CreatedOn` (from 0 without one).
//! Integers are LEB128 varints, signed ones zigzag-encoded first. Decoding
//! checks every length and every count, so a damaged value is a typed error,
//! never a panic.
//!
//! ```
//! use vin_db::model::{PatternRow, Timestamp};
//! use vin_db::store::packed;
//!
//! let row = PatternRow {
//!     id: 7,
//!     vin_schema_id: 3,
//!     keys: "M[AB]".into(),
//!     element_id: 28,
//!     attribute_id: "1886".into(),
//!     created_on: Timestamp::parse("2015-03-04 10:33:34.057"),
//!     updated_on: None,
//! };
//! let bytes = packed::encode(std::slice::from_ref(&row));
//! let mut out = Vec::new();
//! packed::decode_into(3, &bytes, &mut out).unwrap();
//! assert_eq!(out, [row]);
//! ```

use crate::model::{PatternRow, Timestamp};
use crate::{Error, Result};

/// The one layout written so far.
pub const FORMAT: u8 = 1;

const HAS_CREATED: u8 = 1;
const HAS_UPDATED: u8 = 2;

/// The fewest bytes one pattern takes (id, element, two lengths, flags).
const MIN_PATTERN_BYTES: usize = 5;

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Encodes the patterns of one schema, ascending id (as the ETL reads them).
pub fn encode(rows: &[PatternRow]) -> Vec<u8> {
    let text: usize = rows
        .iter()
        .map(|r| r.keys.len() + r.attribute_id.len())
        .sum();
    let mut out = Vec::with_capacity(8 + text + rows.len() * 10);
    out.push(FORMAT);
    put_varint(&mut out, rows.len() as u64);
    let (mut prev_id, mut prev_created) = (0i64, 0i64);
    for r in rows {
        put_varint(&mut out, zigzag(i64::from(r.id) - prev_id));
        prev_id = i64::from(r.id);
        put_varint(&mut out, zigzag(i64::from(r.element_id)));
        put_text(&mut out, &r.keys);
        put_text(&mut out, &r.attribute_id);
        let flags = u8::from(r.created_on.is_some()) * HAS_CREATED
            + u8::from(r.updated_on.is_some()) * HAS_UPDATED;
        out.push(flags);
        let created = r.created_on.map_or(0, |t| t.0);
        if r.created_on.is_some() {
            put_varint(&mut out, zigzag(created.wrapping_sub(prev_created)));
            prev_created = created;
        }
        if let Some(u) = r.updated_on {
            put_varint(&mut out, zigzag(u.0.wrapping_sub(created)));
        }
    }
    out
}

/// Decodes a value written by [`encode`] for schema `schema_id`, appending
/// its patterns (ascending id) to `out`.
pub fn decode_into(schema_id: i32, bytes: &[u8], out: &mut Vec<PatternRow>) -> Result<()> {
    let mut r = Reader {
        schema_id,
        bytes,
        at: 0,
    };
    let format = r.byte()?;
    if format != FORMAT {
        return Err(r.damaged(&format!("unknown format {format}")));
    }
    let count = r.varint()?;
    // A count the remaining bytes cannot hold is damage, and must not
    // reserve memory.
    if count > ((bytes.len() - r.at) / MIN_PATTERN_BYTES) as u64 {
        return Err(r.damaged(&format!("{count} patterns cannot fit")));
    }
    out.reserve(count as usize);
    let (mut prev_id, mut prev_created) = (0i64, 0i64);
    for _ in 0..count {
        let id = prev_id.wrapping_add(unzigzag(r.varint()?));
        prev_id = id;
        let id = r.int(id, "an id")?;
        let element = unzigzag(r.varint()?);
        let element_id = r.int(element, "an element id")?;
        let keys = r.text()?.to_owned();
        let attribute_id = r.text()?.to_owned();
        let flags = r.byte()?;
        if flags & !(HAS_CREATED | HAS_UPDATED) != 0 {
            return Err(r.damaged(&format!("unknown flags {flags:#x}")));
        }
        let mut created_on = None;
        if flags & HAS_CREATED != 0 {
            prev_created = prev_created.wrapping_add(unzigzag(r.varint()?));
            created_on = Some(Timestamp(prev_created));
        }
        let updated_on = if flags & HAS_UPDATED != 0 {
            let base = created_on.map_or(0, |t| t.0);
            Some(Timestamp(base.wrapping_add(unzigzag(r.varint()?))))
        } else {
            None
        };
        out.push(PatternRow {
            id,
            vin_schema_id: schema_id,
            keys,
            element_id,
            attribute_id,
            created_on,
            updated_on,
        });
    }
    if r.at != bytes.len() {
        return Err(r.damaged("trailing bytes"));
    }
    Ok(())
}

/// A cursor over an encoded value.
struct Reader<'a> {
    schema_id: i32,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| self.damaged("truncated"))?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.damaged("a number runs past 64 bits"))
    }

    fn int(&self, v: i64, what: &str) -> Result<i32> {
        i32::try_from(v).map_err(|_| self.damaged(&format!("{what} out of range")))
    }

    fn text(&mut self) -> Result<&'a str> {
        let len = self.varint()?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| self.at.checked_add(l))
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| self.damaged("truncated"))?;
        let raw = &self.bytes[self.at..end];
        let s = std::str::from_utf8(raw).map_err(|_| self.damaged("a text is not UTF-8"))?;
        self.at = end;
        Ok(s)
    }

    fn damaged(&self, what: &str) -> Error {
        Error::Database(sqlx::Error::Decode(
            format!(
                "damaged pattern pack of schema {} at byte {}: {what}",
                self.schema_id, self.at
            )
            .into(),
        ))
    }
}

/// Groups patterns arriving in ascending (schema id, id) order into one
/// encoded value per schema.
#[derive(Default)]
pub(crate) struct Packer {
    schema: Option<i32>,
    rows: Vec<PatternRow>,
    /// Patterns packed so far.
    pub(crate) patterns: u64,
}

impl Packer {
    /// Adds one pattern; returns the finished value of the previous schema
    /// when this pattern starts a new one.
    pub(crate) fn push(&mut self, row: PatternRow) -> Option<(i32, Vec<u8>)> {
        let done = match self.schema {
            Some(s) if s != row.vin_schema_id => self.finish(),
            _ => None,
        };
        self.schema = Some(row.vin_schema_id);
        self.patterns += 1;
        self.rows.push(row);
        done
    }

    /// The value of the last schema, if any.
    pub(crate) fn finish(&mut self) -> Option<(i32, Vec<u8>)> {
        let schema = self.schema.take()?;
        let value = encode(&self.rows);
        self.rows.clear();
        Some((schema, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(id: i32, created: Option<i64>, updated: Option<i64>) -> PatternRow {
        PatternRow {
            id,
            vin_schema_id: 9,
            keys: "AB|*C".into(),
            element_id: 5,
            attribute_id: "Ärger ".into(),
            created_on: created.map(Timestamp),
            updated_on: updated.map(Timestamp),
        }
    }

    fn decode(bytes: &[u8]) -> Result<Vec<PatternRow>> {
        let mut out = Vec::new();
        decode_into(9, bytes, &mut out).map(|()| out)
    }

    #[test]
    fn empty_and_extreme_values_round_trip() {
        assert_eq!(decode(&encode(&[])).unwrap(), []);
        let rows = [
            row(i32::MIN, Some(i64::MIN), Some(i64::MAX)),
            row(-1, None, Some(-5)),
            row(i32::MAX, Some(i64::MAX), None),
        ];
        assert_eq!(decode(&encode(&rows)).unwrap(), rows);
    }

    #[test]
    fn damaged_values_are_typed_errors() {
        let good = encode(&[row(10, Some(1_000), None), row(12, Some(900), Some(2_000))]);
        assert_eq!(decode(&good).unwrap().len(), 2);
        for cut in 0..good.len() {
            let e = decode(&good[..cut]).unwrap_err();
            assert_eq!(e.code(), "ERR_DATABASE");
            assert!(e.to_string().contains("schema 9"), "{e}");
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
        let mut count = vec![FORMAT];
        put_varint(&mut count, u64::MAX);
        assert!(
            decode(&count)
                .unwrap_err()
                .to_string()
                .contains("cannot fit")
        );
        // An endless varint.
        let endless = [
            FORMAT, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ];
        assert!(
            decode(&endless)
                .unwrap_err()
                .to_string()
                .contains("64 bits")
        );
        // An id outside i32.
        let mut wide = vec![FORMAT, 1];
        put_varint(&mut wide, zigzag(i64::from(i32::MAX) + 1));
        wide.extend_from_slice(&[0, 0, 0, 0]);
        assert!(
            decode(&wide)
                .unwrap_err()
                .to_string()
                .contains("id out of range")
        );
        // Invalid UTF-8 inside a key.
        let mut utf8 = encode(&[row(1, None, None)]);
        let key_start = utf8.iter().position(|&b| b == b'A').unwrap();
        utf8[key_start] = 0xff;
        assert!(decode(&utf8).unwrap_err().to_string().contains("UTF-8"));
        // Unknown flag bits.
        let mut flags = encode(&[row(1, None, None)]);
        let last = flags.len() - 1;
        flags[last] = 0x80;
        assert!(decode(&flags).unwrap_err().to_string().contains("flags"));
    }

    #[test]
    fn packer_splits_by_schema() {
        let mut p = Packer::default();
        let mut done = Vec::new();
        for (schema, id) in [(1, 1), (1, 4), (2, 2), (5, 3), (5, 9)] {
            let mut r = row(id, None, None);
            r.vin_schema_id = schema;
            done.extend(p.push(r));
        }
        done.extend(p.finish());
        assert_eq!(p.patterns, 5);
        let ids: Vec<(i32, Vec<i32>)> = done
            .iter()
            .map(|(s, v)| {
                let mut out = Vec::new();
                decode_into(*s, v, &mut out).unwrap();
                assert!(out.iter().all(|r| r.vin_schema_id == *s));
                (*s, out.iter().map(|r| r.id).collect())
            })
            .collect();
        assert_eq!(ids, [(1, vec![1, 4]), (2, vec![2]), (5, vec![3, 9])]);
        assert!(p.finish().is_none());
    }

    proptest! {
        #[test]
        fn round_trip(list in proptest::collection::vec(
            (any::<i32>(), any::<i32>(), ".{0,12}", ".{0,12}", any::<Option<i64>>(), any::<Option<i64>>()),
            0..40,
        )) {
            let mut rows: Vec<PatternRow> = list
                .into_iter()
                .map(|(id, element_id, keys, attribute_id, c, u)| PatternRow {
                    id,
                    vin_schema_id: 9,
                    keys,
                    element_id,
                    attribute_id,
                    created_on: c.map(Timestamp),
                    updated_on: u.map(Timestamp),
                })
                .collect();
            rows.sort_by_key(|r| r.id);
            prop_assert_eq!(decode(&encode(&rows)).unwrap(), rows);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }
    }
}
