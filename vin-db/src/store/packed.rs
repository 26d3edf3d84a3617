//! A VIN schema's patterns stored as one value (`pattern_pack.patterns`),
//! written by the ETL, so a cold WMI reads one row per schema (a few dozen)
//! instead of one per pattern (up to ~40 000), and decodes them in a tight
//! loop.
//!
//! Layout (format [`FORMAT`] = 2): the format byte, the number of distinct
//! texts and the texts (each as its length in bytes and its UTF-8), the
//! pattern count, then per pattern (ascending id): the id as the difference
//! from the previous id (the first from 0), the element id, the key text and
//! the attribute text (each as its index among the texts), a flags byte
//! (bit 0: `CreatedOn` present, bit 1: `UpdatedOn` present), `CreatedOn` as
//! the difference from the previous present `CreatedOn` (the first from 0)
//! and `UpdatedOn` as the difference from this pattern's `CreatedOn` (from 0
//! without one). Integers are LEB128 varints, signed ones zigzag-encoded
//! first. A schema repeats few key texts and values over many patterns, so
//! each is stored and decoded once, and the patterns that share a text
//! share its place in the value (the compile step relies on that to look
//! each text up once). Format 1, written by earlier versions, is read too:
//! the same without the text table, each text inline where the index is.
//! Decoding checks every length, index and count, so a damaged value is a
//! typed error, never a panic.
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

use std::collections::HashMap;

use crate::model::{PatternRef, PatternRow, Timestamp};
use crate::{Error, Result};

/// The layout [`encode`] writes.
pub const FORMAT: u8 = 2;

/// The first layout: texts inline (still read).
const FORMAT_INLINE: u8 = 1;

const HAS_CREATED: u8 = 1;
const HAS_UPDATED: u8 = 2;

/// The fewest bytes one pattern takes (id, element, two texts, flags).
const MIN_PATTERN_BYTES: usize = 5;

/// The fewest bytes one text takes (its length).
const MIN_TEXT_BYTES: usize = 1;

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
pub fn encode<'a>(rows: &'a [PatternRow]) -> Vec<u8> {
    // Distinct texts in first-seen order, and each pattern's two indexes.
    let mut index: HashMap<&str, u64> = HashMap::new();
    let mut texts: Vec<&str> = Vec::new();
    let mut refs: Vec<(u64, u64)> = Vec::with_capacity(rows.len());
    for r in rows {
        let mut slot = |t: &'a str| -> u64 {
            *index.entry(t).or_insert_with(|| {
                texts.push(t);
                texts.len() as u64 - 1
            })
        };
        refs.push((slot(&r.keys), slot(&r.attribute_id)));
    }
    let text: usize = texts.iter().map(|t| t.len() + 1).sum();
    let mut out = Vec::with_capacity(8 + text + rows.len() * 10);
    out.push(FORMAT);
    put_varint(&mut out, texts.len() as u64);
    for t in &texts {
        put_text(&mut out, t);
    }
    put_varint(&mut out, rows.len() as u64);
    let (mut prev_id, mut prev_created) = (0i64, 0i64);
    for (r, (key, attribute)) in rows.iter().zip(refs) {
        put_varint(&mut out, zigzag(i64::from(r.id) - prev_id));
        prev_id = i64::from(r.id);
        put_varint(&mut out, zigzag(i64::from(r.element_id)));
        put_varint(&mut out, key);
        put_varint(&mut out, attribute);
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
    decode_with(schema_id, bytes, out, |out, p| out.push(p.to_row()))
}

/// Like [`decode_into`], but the patterns borrow their texts from `bytes`:
/// nothing is allocated per pattern.
pub fn decode_refs<'a>(
    schema_id: i32,
    bytes: &'a [u8],
    out: &mut Vec<PatternRef<'a>>,
) -> Result<()> {
    decode_with(schema_id, bytes, out, |out, p| out.push(p))
}

/// Decodes `bytes`, reserving in `out` for the pattern count and handing
/// each pattern to `push`.
fn decode_with<'a, T>(
    schema_id: i32,
    bytes: &'a [u8],
    out: &mut Vec<T>,
    push: impl FnMut(&mut Vec<T>, PatternRef<'a>),
) -> Result<()> {
    let mut r = Reader { bytes, at: 0 };
    read_all(&mut r, schema_id, out, push).map_err(|d| {
        Error::Database(sqlx::Error::Decode(
            format!(
                "damaged pattern pack of schema {schema_id} at byte {}: {d}",
                r.at
            )
            .into(),
        ))
    })
}

fn read_all<'a, T>(
    r: &mut Reader<'a>,
    schema_id: i32,
    out: &mut Vec<T>,
    mut push: impl FnMut(&mut Vec<T>, PatternRef<'a>),
) -> Result<(), Damage> {
    let format = r.byte()?;
    let mut texts: Vec<&'a str> = Vec::new();
    match format {
        FORMAT => {
            let n = r.varint()?;
            if n > (r.left() / MIN_TEXT_BYTES) as u64 {
                return Err(Damage::CannotFit(n, "texts"));
            }
            texts.reserve(n as usize);
            for _ in 0..n {
                texts.push(r.text()?);
            }
        }
        FORMAT_INLINE => {}
        _ => return Err(Damage::Format(format)),
    }
    let inline = format == FORMAT_INLINE;
    let count = r.varint()?;
    // A count the remaining bytes cannot hold is damage, and must not
    // reserve memory.
    if count > (r.left() / MIN_PATTERN_BYTES) as u64 {
        return Err(Damage::CannotFit(count, "patterns"));
    }
    out.reserve(count as usize);
    let (mut prev_id, mut prev_created) = (0i64, 0i64);
    for _ in 0..count {
        let id = prev_id.wrapping_add(unzigzag(r.varint()?));
        prev_id = id;
        let id = i32::try_from(id).map_err(|_| Damage::OutOfRange("an id"))?;
        let element = unzigzag(r.varint()?);
        let element_id = i32::try_from(element).map_err(|_| Damage::OutOfRange("an element id"))?;
        let keys = r.text_at(inline, &texts)?;
        let attribute_id = r.text_at(inline, &texts)?;
        let flags = r.byte()?;
        if flags & !(HAS_CREATED | HAS_UPDATED) != 0 {
            return Err(Damage::Flags(flags));
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
        push(
            out,
            PatternRef {
                id,
                vin_schema_id: schema_id,
                keys,
                element_id,
                attribute_id,
                created_on,
                updated_on,
            },
        );
    }
    if r.left() != 0 {
        return Err(Damage::Trailing);
    }
    Ok(())
}

/// What is wrong with a damaged value: small, so the reader's results stay
/// cheap on the path every pattern takes; the message is built only on error.
#[derive(Debug)]
enum Damage {
    Truncated,
    LongNumber,
    NotUtf8,
    Format(u8),
    Flags(u8),
    CannotFit(u64, &'static str),
    OutOfRange(&'static str),
    TextIndex(u64),
    Trailing,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Damage::Truncated => write!(f, "truncated"),
            Damage::LongNumber => write!(f, "a number runs past 64 bits"),
            Damage::NotUtf8 => write!(f, "a text is not UTF-8"),
            Damage::Format(v) => write!(f, "unknown format {v}"),
            Damage::Flags(v) => write!(f, "unknown flags {v:#x}"),
            Damage::CannotFit(n, what) => write!(f, "{n} {what} cannot fit"),
            Damage::OutOfRange(what) => write!(f, "{what} out of range"),
            Damage::TextIndex(i) => write!(f, "text {i} out of range"),
            Damage::Trailing => write!(f, "trailing bytes"),
        }
    }
}

/// A cursor over an encoded value.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }

    #[inline]
    fn byte(&mut self) -> Result<u8, Damage> {
        let b = *self.bytes.get(self.at).ok_or(Damage::Truncated)?;
        self.at += 1;
        Ok(b)
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, Damage> {
        // Most numbers here fit one byte.
        let b = self.byte()?;
        if b & 0x80 == 0 {
            return Ok(u64::from(b));
        }
        let mut v = u64::from(b & 0x7f);
        for shift in (7..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Damage::LongNumber)
    }

    fn text(&mut self) -> Result<&'a str, Damage> {
        let len = self.varint()?;
        let end = usize::try_from(len)
            .ok()
            .and_then(|l| self.at.checked_add(l))
            .filter(|&e| e <= self.bytes.len())
            .ok_or(Damage::Truncated)?;
        let raw = self.bytes.get(self.at..end).ok_or(Damage::Truncated)?;
        let s = std::str::from_utf8(raw).map_err(|_| Damage::NotUtf8)?;
        self.at = end;
        Ok(s)
    }

    /// A text inline, or by its index into `texts`.
    #[inline]
    fn text_at(&mut self, inline: bool, texts: &[&'a str]) -> Result<&'a str, Damage> {
        if inline {
            return self.text();
        }
        let i = self.varint()?;
        usize::try_from(i)
            .ok()
            .and_then(|i| texts.get(i).copied())
            .ok_or(Damage::TextIndex(i))
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
        format[0] = 3;
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
        let mut wide = vec![FORMAT, 0, 1];
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
    fn texts_are_stored_once_and_shared() {
        let rows = [row(1, None, None), row(2, None, None), row(3, None, None)];
        let bytes = encode(&rows);
        assert_eq!(bytes.windows(2).filter(|w| w == b"AB").count(), 1);
        let mut refs = Vec::new();
        decode_refs(9, &bytes, &mut refs).unwrap();
        assert_eq!(refs.len(), 3);
        assert!(refs.iter().all(|r| std::ptr::eq(r.keys, refs[0].keys)));
        assert!(
            refs.iter()
                .all(|r| std::ptr::eq(r.attribute_id, refs[0].attribute_id))
        );
        // An index past the texts.
        let bad = [FORMAT, 1, 1, b'A', 1, 2, 10, 0, 5, 0];
        assert!(
            decode(&bad)
                .unwrap_err()
                .to_string()
                .contains("out of range")
        );
    }

    #[test]
    fn the_first_format_is_still_read() {
        // Id 7, element 28, key "AB", attribute "1", no dates.
        let v1 = [FORMAT_INLINE, 1, 14, 56, 2, b'A', b'B', 1, b'1', 0];
        let rows = decode(&v1).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (
                rows[0].id,
                rows[0].element_id,
                &*rows[0].keys,
                &*rows[0].attribute_id
            ),
            (7, 28, "AB", "1")
        );
        assert_eq!((rows[0].created_on, rows[0].updated_on), (None, None));
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
