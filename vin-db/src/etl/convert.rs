//! From a source's table blocks (the dump's terms) to stored rows: which
//! stored table a block goes to, which source column feeds each stored
//! column, and each value checked and normalised for its type.

use crate::etl::source::TableHeader;
use crate::model::Timestamp;
use crate::store::schema::{self, ColType, Column};
use crate::{Error, Result};

/// Where a source table block goes.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    /// The source table (lower case).
    pub source_table: String,
    /// The stored table (`lookup` for the small lookups).
    pub target: &'static str,
    /// The stored columns.
    pub columns: &'static [Column],
    /// For each stored column: the source column index, or `None` (NULL, or
    /// the lookup's table name when `lookup_tbl` is set and it is column 0).
    pub sources: Vec<Option<usize>>,
    /// For [`schema::LOOKUP`]: the value of its `tbl` column.
    pub lookup_tbl: Option<String>,
}

/// A checked value, ready for either backend.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Text(&'a str),
    Bool(bool),
    Ts(Timestamp),
}

/// The mapping for a block, `None` when the dataset does not keep that table.
pub(crate) fn map_header(h: &TableHeader) -> Result<Option<Mapping>> {
    let (target, columns, lookup_tbl) = if let Some(t) = schema::table(&h.table) {
        (t.name, t.columns, None)
    } else if schema::is_lookup(&h.table) {
        (
            schema::LOOKUP,
            schema::LOOKUP_COLUMNS,
            Some(h.table.clone()),
        )
    } else {
        return Ok(None);
    };
    let mut sources = Vec::with_capacity(columns.len());
    for (i, col) in columns.iter().enumerate() {
        if lookup_tbl.is_some() && i == 0 {
            sources.push(None);
            continue;
        }
        let found = h.columns.iter().position(|c| c == col.name);
        if found.is_none() && col.not_null {
            return Err(Error::Source(format!(
                "table {} lacks the required column {} (columns: {})",
                h.table,
                col.name,
                h.columns.join(", ")
            )));
        }
        sources.push(found);
    }
    Ok(Some(Mapping {
        source_table: h.table.clone(),
        target,
        columns,
        sources,
        lookup_tbl,
    }))
}

impl Mapping {
    /// The stored values of source row number `n` (1-based, for messages).
    pub(crate) fn convert<'a>(
        &'a self,
        row: &'a [Option<String>],
        n: u64,
        out: &mut Vec<Value<'a>>,
    ) -> Result<()> {
        out.clear();
        for (i, (col, src)) in self.columns.iter().zip(&self.sources).enumerate() {
            if i == 0
                && let Some(tbl) = &self.lookup_tbl
            {
                out.push(Value::Text(tbl));
                continue;
            }
            let raw = match src {
                Some(j) => match row.get(*j) {
                    Some(v) => v.as_deref(),
                    None => {
                        return Err(Error::Source(format!(
                            "table {} row {n}: {} values, column {} missing",
                            self.source_table,
                            row.len(),
                            col.name
                        )));
                    }
                },
                None => None,
            };
            let value = match raw {
                None if col.not_null => {
                    return Err(Error::Source(format!(
                        "table {} row {n}: column {} is NULL but required",
                        self.source_table, col.name
                    )));
                }
                None => Value::Null,
                Some(text) => parse(col.ty, text).ok_or_else(|| {
                    Error::Source(format!(
                        "table {} row {n}: column {}: {text:?} is not a valid {}",
                        self.source_table,
                        col.name,
                        type_name(col.ty)
                    ))
                })?,
            };
            out.push(value);
        }
        Ok(())
    }
}

fn type_name(ty: ColType) -> &'static str {
    match ty {
        ColType::Int => "integer",
        ColType::Text => "text",
        ColType::Bool => "boolean",
        ColType::Ts => "timestamp",
    }
}

/// Checks and normalises one source value.
pub(crate) fn parse(ty: ColType, text: &str) -> Option<Value<'_>> {
    match ty {
        ColType::Text => Some(Value::Text(text)),
        ColType::Int => text.parse::<i32>().ok().map(|v| Value::Int(i64::from(v))),
        ColType::Bool => match text {
            "t" | "true" | "1" | "TRUE" | "True" => Some(Value::Bool(true)),
            "f" | "false" | "0" | "FALSE" | "False" => Some(Value::Bool(false)),
            _ => None,
        },
        ColType::Ts => Timestamp::parse(text).map(Value::Ts),
    }
}

/// Appends `v` to a COPY text-format buffer (tab-separated, `\N` for NULL).
pub(crate) fn write_copy(buf: &mut Vec<u8>, v: &Value<'_>) {
    use std::io::Write as _;
    match v {
        Value::Null => buf.extend_from_slice(b"\\N"),
        Value::Int(i) => {
            let _ = write!(buf, "{i}");
        }
        Value::Bool(b) => buf.push(if *b { b't' } else { b'f' }),
        Value::Ts(t) => {
            let _ = write!(buf, "{t}");
        }
        Value::Text(s) => {
            for &b in s.as_bytes() {
                match b {
                    b'\\' => buf.extend_from_slice(b"\\\\"),
                    b'\t' => buf.extend_from_slice(b"\\t"),
                    b'\n' => buf.extend_from_slice(b"\\n"),
                    b'\r' => buf.extend_from_slice(b"\\r"),
                    0x08 => buf.extend_from_slice(b"\\b"),
                    0x0c => buf.extend_from_slice(b"\\f"),
                    0x0b => buf.extend_from_slice(b"\\v"),
                    _ => buf.push(b),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etl::source::Row;

    fn header(table: &str, cols: &[&str]) -> TableHeader {
        TableHeader {
            table: table.into(),
            columns: cols.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn maps_by_name_and_fills_missing_nullable_columns() {
        let m = map_header(&header(
            "conversion",
            &["formula", "toelementid", "fromelementid", "id"],
        ))
        .unwrap()
        .unwrap();
        assert_eq!(m.sources, vec![Some(3), Some(2), Some(1), Some(0)]);
        let m = map_header(&header("vinschema", &["id", "name", "notes"]))
            .unwrap()
            .unwrap();
        // sourcewmi, createdon, updatedon, tobeqced are absent: NULL.
        assert_eq!(m.sources, vec![Some(0), Some(1), None, None, None, None]);
        assert!(
            map_header(&header("wmiyearvalidchars", &["id"]))
                .unwrap()
                .is_none()
        );
        let err = map_header(&header("pattern", &["id", "keys"])).unwrap_err();
        assert!(err.to_string().contains("vinschemaid"), "{err}");
    }

    #[test]
    fn lookups_carry_their_table_name() {
        let m = map_header(&header("bodystyle", &["id", "name"]))
            .unwrap()
            .unwrap();
        assert_eq!(m.target, "lookup");
        let row = vec![Some("7".to_string()), Some("SUV".to_string())];
        let mut out = Vec::new();
        m.convert(&row, 1, &mut out).unwrap();
        assert_eq!(
            out,
            vec![Value::Text("bodystyle"), Value::Int(7), Value::Text("SUV")]
        );
    }

    #[test]
    fn values_are_checked_with_position() {
        let m = map_header(&header(
            "wmi_vinschema",
            &["id", "wmiid", "vinschemaid", "yearfrom", "yearto", "orgid"],
        ))
        .unwrap()
        .unwrap();
        let row: Row = ["1", "2", "x3", "2000"]
            .iter()
            .map(|s| Some(s.to_string()))
            .chain([None, None])
            .collect();
        let err = m.convert(&row, 42, &mut Vec::new()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("row 42") && msg.contains("vinschemaid") && msg.contains("x3"),
            "{msg}"
        );
        let row: Row = vec![
            Some("1".into()),
            None,
            Some("3".into()),
            Some("2000".into()),
            None,
            None,
        ];
        assert!(
            m.convert(&row, 1, &mut Vec::new())
                .unwrap_err()
                .to_string()
                .contains("NULL")
        );
        assert_eq!(parse(ColType::Bool, "t"), Some(Value::Bool(true)));
        assert_eq!(parse(ColType::Bool, "0"), Some(Value::Bool(false)));
        assert_eq!(parse(ColType::Bool, "yes"), None);
        assert_eq!(parse(ColType::Int, "99999999999"), None);
        assert_eq!(
            parse(ColType::Ts, "2026-03-12T04:06:32.407Z"),
            Timestamp::parse("2026-03-12 04:06:32.407").map(Value::Ts)
        );
    }

    #[test]
    fn copy_text_escapes_everything_copy_would_misread() {
        let mut buf = Vec::new();
        write_copy(&mut buf, &Value::Text("a\\b\tc\r\nd\u{8}\u{b}\u{c}"));
        assert_eq!(buf, b"a\\\\b\\tc\\r\\nd\\b\\v\\f");
        buf.clear();
        write_copy(&mut buf, &Value::Text("\\N"));
        assert_eq!(buf, b"\\\\N");
        buf.clear();
        write_copy(&mut buf, &Value::Null);
        assert_eq!(buf, b"\\N");
    }
}
