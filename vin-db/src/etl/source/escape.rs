//! PostgreSQL COPY text format: splitting a row into fields and decoding
//! one field's backslash escapes.

use std::fmt;

/// Why a COPY field could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscapeError {
    /// The field ends with a backslash that escapes nothing.
    DanglingBackslash,
    /// The decoded bytes are not UTF-8; `offset` is the first bad byte in the decoded value.
    InvalidUtf8 {
        /// Byte offset of the first invalid byte in the decoded value.
        offset: usize,
    },
}

impl fmt::Display for EscapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EscapeError::DanglingBackslash => f.write_str("field ends with a lone backslash"),
            EscapeError::InvalidUtf8 { offset } => {
                write!(
                    f,
                    "value is not valid UTF-8 (byte {offset} of the decoded value)"
                )
            }
        }
    }
}

/// Decodes one COPY text field that is known not to be the NULL marker `\N`.
///
/// Handles the whole escape table PostgreSQL accepts on input: `\\`, `\t`,
/// `\n`, `\r`, `\b`, `\f`, `\v`, `\` + 1–3 octal digits, `\x` + 1–2 hex
/// digits, and `\` + any other character standing for that character.
/// The decoded bytes must be UTF-8.
///
/// ```
/// use vin_db::etl::source::escape::unescape;
/// assert_eq!(unescape(br"DAEW\r\n").unwrap(), "DAEW\r\n");
/// assert_eq!(unescape(br"EZL*\\EZWL").unwrap(), r"EZL*\EZWL");
/// assert_eq!(unescape(br"\101\x42\q").unwrap(), "ABq");
/// ```
pub fn unescape(field: &[u8]) -> Result<String, EscapeError> {
    if !field.contains(&b'\\') {
        return to_string(field.to_vec());
    }
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let b = field[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let Some(&c) = field.get(i) else {
            return Err(EscapeError::DanglingBackslash);
        };
        i += 1;
        match c {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0C),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0B),
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                for _ in 0..2 {
                    match field.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                // PostgreSQL keeps the low byte of `\777`-style values.
                out.push((value & 0xFF) as u8);
            }
            b'x' => match field.get(i).and_then(|&d| hex(d)) {
                Some(first) => {
                    i += 1;
                    let mut value = first;
                    if let Some(second) = field.get(i).and_then(|&d| hex(d)) {
                        value = value * 16 + second;
                        i += 1;
                    }
                    out.push(value);
                }
                // `\x` without a hex digit is just `x`, as in PostgreSQL.
                None => out.push(b'x'),
            },
            other => out.push(other),
        }
    }
    to_string(out)
}

fn hex(d: u8) -> Option<u8> {
    match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    }
}

fn to_string(bytes: Vec<u8>) -> Result<String, EscapeError> {
    String::from_utf8(bytes).map_err(|e| EscapeError::InvalidUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Splits a COPY data line (without its line end) into raw fields at the
/// unescaped TABs. A backslash always takes the next byte with it, so `\`
/// followed by a raw TAB belongs to the field, as in PostgreSQL.
pub(crate) fn split_fields<'a>(line: &'a [u8], fields: &mut Vec<&'a [u8]>) {
    fields.clear();
    let mut start = 0;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'\\' => i += 2,
            b'\t' => {
                fields.push(&line[start..i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    fields.push(&line[start.min(line.len())..]);
}

/// Decodes one raw field: `\N` is NULL, anything else is unescaped text.
pub(crate) fn decode_field(raw: &[u8]) -> Result<Option<String>, EscapeError> {
    if raw == b"\\N" {
        Ok(None)
    } else {
        unescape(raw).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_escape_of_the_table() {
        assert_eq!(unescape(br"a\\b").unwrap(), "a\\b");
        assert_eq!(unescape(br"\t\n\r\b\f\v").unwrap(), "\t\n\r\u{8}\u{c}\u{b}");
        assert_eq!(unescape(br"\1\12\101\1012").unwrap(), "\u{1}\nAA2");
        assert_eq!(unescape(br"\x4\x41\x414\xg").unwrap(), "\u{4}AA4xg");
        assert_eq!(unescape(br"\q\.\N\\N").unwrap(), "q.N\\N");
        assert_eq!(unescape(br"\xc3\xa9").unwrap(), "é");
        assert_eq!(unescape(br"\303\251").unwrap(), "é");
    }

    #[test]
    fn plain_text_and_non_ascii_pass_through() {
        assert_eq!(
            unescape("Côte d’Ivoire ×".as_bytes()).unwrap(),
            "Côte d’Ivoire ×"
        );
        assert_eq!(unescape(b"").unwrap(), "");
        assert_eq!(unescape(b" trailing ").unwrap(), " trailing ");
    }

    #[test]
    fn bad_fields_are_errors() {
        assert_eq!(unescape(b"abc\\"), Err(EscapeError::DanglingBackslash));
        assert_eq!(
            unescape(b"ab\xff"),
            Err(EscapeError::InvalidUtf8 { offset: 2 })
        );
        assert_eq!(
            unescape(br"a\377"),
            Err(EscapeError::InvalidUtf8 { offset: 1 })
        );
    }

    #[test]
    fn null_is_checked_before_unescaping() {
        assert_eq!(decode_field(br"\N").unwrap(), None);
        assert_eq!(decode_field(br"\\N").unwrap().as_deref(), Some("\\N"));
        assert_eq!(decode_field(b"").unwrap().as_deref(), Some(""));
        assert_eq!(decode_field(b"N").unwrap().as_deref(), Some("N"));
    }

    #[test]
    fn splitting_respects_escaped_tabs_and_keeps_empty_fields() {
        let mut f = Vec::new();
        split_fields(b"a\tb\\\tc\t\t", &mut f);
        assert_eq!(f, vec![&b"a"[..], b"b\\\tc", b"", b""]);
        split_fields(b"", &mut f);
        assert_eq!(f, vec![&b""[..]]);
        split_fields(b"x\\", &mut f);
        assert_eq!(f, vec![&b"x\\"[..]]);
    }
}
