//! The COPY blocks of a `pg_dump` plain-text dump, read with a two-state
//! line machine: outside a block every line is skipped unless it is a
//! `COPY vpic.<table> (…) FROM stdin;` header; inside, each line is a row
//! until `\.`. No other SQL is looked at, let alone executed.

use std::io::BufRead;

use super::escape::{EscapeError, decode_field, split_fields};
use super::month::is_month;
use super::opened::{BATCH_ROWS, SkippedTable};
use super::{Row, SourceEvent, TableHeader, WantedTables};
use crate::{Error, Result};

/// The line `pg_dump` writes at the very end of a complete dump.
pub const TRAILER: &str = "-- PostgreSQL database dump complete";

/// A comment line before the first block that states the data month (our
/// own convention, written by the sample builder; NHTSA's dumps carry the
/// month in the file name instead).
pub const MONTH_COMMENT: &str = "-- Data month: ";

/// The schema all vPIC tables live in.
const SCHEMA: &str = "vpic";

/// The block being read.
struct Block {
    table: String,
    width: usize,
    rows: u64,
    keep: bool,
    /// Line number of the header, for errors about the whole block.
    header_line: u64,
}

/// Reads the COPY blocks of a dump from any `BufRead` and yields
/// [`SourceEvent`]s for the wanted tables.
///
/// ```
/// use vin_db::etl::source::{SourceEvent, WantedTables, copy::CopyReader};
///
/// let dump = "SET x = 1;\nCOPY vpic.make (id, name) FROM stdin;\n1\tA\\tB\n\\.\n\
///             -- PostgreSQL database dump complete\n";
/// let events: Vec<SourceEvent> = CopyReader::new(dump.as_bytes(), "example", WantedTables::All)
///     .collect::<Result<_, _>>()?;
/// assert_eq!(events[1], SourceEvent::Rows(vec![vec![Some("1".into()), Some("A\tB".into())]]));
/// # Ok::<(), vin_db::Error>(())
/// ```
pub struct CopyReader<R> {
    input: R,
    label: String,
    wanted: WantedTables,
    line: Vec<u8>,
    line_no: u64,
    block: Option<Block>,
    batch: Vec<Row>,
    pending_end: Option<SourceEvent>,
    saw_trailer: bool,
    done: bool,
    tables: Vec<String>,
    skipped: Vec<SkippedTable>,
    batch_rows: usize,
    data_month: Option<String>,
}

impl<R: BufRead> CopyReader<R> {
    /// A reader over `input`; `label` names the source in error messages.
    pub fn new(input: R, label: impl Into<String>, wanted: WantedTables) -> Self {
        CopyReader {
            input,
            label: label.into(),
            wanted,
            line: Vec::with_capacity(256),
            line_no: 0,
            block: None,
            batch: Vec::new(),
            pending_end: None,
            saw_trailer: false,
            done: false,
            tables: Vec::new(),
            skipped: Vec::new(),
            batch_rows: BATCH_ROWS,
            data_month: None,
        }
    }

    /// Rows per `Rows` event (default 4096).
    pub fn with_batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = rows.max(1);
        self
    }

    /// Every `vpic` table whose block has begun, in dump order.
    pub fn tables(&self) -> &[String] {
        &self.tables
    }

    /// Tables read past without decoding, with their row counts.
    pub fn skipped(&self) -> &[SkippedTable] {
        &self.skipped
    }

    /// The data month stated by a `-- Data month: YYYY_MM` comment before the
    /// first block, if any.
    pub fn data_month(&self) -> Option<&str> {
        self.data_month.as_deref()
    }

    /// Gives back the input (e.g. to read a hash off the stream beneath).
    pub fn into_inner(self) -> R {
        self.input
    }

    fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::Source(format!("{}: line {}: {message}", self.label, self.line_no))
    }

    /// Reads the next line into `self.line` without its LF and one trailing
    /// CR; `false` at end of input.
    fn read_line(&mut self) -> Result<bool> {
        self.line.clear();
        let n = self.input.read_until(b'\n', &mut self.line).map_err(|e| {
            Error::Source(format!(
                "{}: read failed after line {}: {e}",
                self.label, self.line_no
            ))
        })?;
        if n == 0 {
            return Ok(false);
        }
        self.line_no += 1;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
        }
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        Ok(true)
    }

    fn step(&mut self) -> Result<Option<SourceEvent>> {
        if let Some(end) = self.pending_end.take() {
            return Ok(Some(end));
        }
        loop {
            if !self.read_line()? {
                return match &self.block {
                    Some(b) => Err(Error::Source(format!(
                        "{}: file is truncated: the COPY block of {} (line {}) has no \\. \
                         terminator before the end of the file",
                        self.label, b.table, b.header_line
                    ))),
                    None if !self.saw_trailer => Err(Error::Source(format!(
                        "{}: file is truncated: the line `{TRAILER}` is missing",
                        self.label
                    ))),
                    None => Ok(None),
                };
            }
            if self.block.is_none() {
                if let Some(event) = self.outside()? {
                    return Ok(Some(event));
                }
                continue;
            }
            if self.line == b"\\." {
                let Some(block) = self.block.take() else {
                    continue;
                };
                if !block.keep {
                    self.skipped.push(SkippedTable {
                        table: block.table,
                        rows: block.rows,
                    });
                    continue;
                }
                let end = SourceEvent::End {
                    table: block.table,
                    rows: block.rows,
                };
                if self.batch.is_empty() {
                    return Ok(Some(end));
                }
                self.pending_end = Some(end);
                return Ok(Some(SourceEvent::Rows(std::mem::take(&mut self.batch))));
            }
            if let Some(rows) = self.row()? {
                return Ok(Some(rows));
            }
        }
    }

    /// A line outside any block: a COPY header starts one, the trailer is noted.
    fn outside(&mut self) -> Result<Option<SourceEvent>> {
        if self.line.starts_with(b"COPY ") && self.line.ends_with(b" FROM stdin;") {
            let text = std::str::from_utf8(&self.line)
                .map_err(|_| self.error("COPY header is not valid UTF-8"))?;
            let (schema, table, columns) = parse_header(text).map_err(|m| self.error(m))?;
            let ours = schema.as_deref().is_none_or(|s| s == SCHEMA);
            let keep = ours && self.wanted.wants(&table);
            if ours {
                if self.tables.contains(&table) {
                    return Err(self.error(format!("table {table} appears twice")));
                }
                self.tables.push(table.clone());
            }
            self.block = Some(Block {
                table: table.clone(),
                width: columns.len(),
                rows: 0,
                keep,
                header_line: self.line_no,
            });
            if keep {
                return Ok(Some(SourceEvent::Begin(TableHeader { table, columns })));
            }
        } else if self.line == TRAILER.as_bytes() {
            self.saw_trailer = true;
        } else if let Some(rest) = self.line.strip_prefix(MONTH_COMMENT.as_bytes())
            && self.tables.is_empty()
            && self.data_month.is_none()
        {
            self.data_month = std::str::from_utf8(rest)
                .ok()
                .map(str::trim)
                .filter(|m| is_month(m))
                .map(str::to_owned);
        }
        Ok(None)
    }

    /// A data line inside a block; returns a full batch when one is ready.
    fn row(&mut self) -> Result<Option<SourceEvent>> {
        let Some(block) = self.block.as_mut() else {
            return Ok(None);
        };
        block.rows += 1;
        if !block.keep {
            // Unwanted rows are only counted: no split, no unescape.
            return Ok(None);
        }
        let width = block.width;
        let mut fields = Vec::with_capacity(width);
        split_fields(&self.line, &mut fields);
        if fields.len() != width {
            let table = block.table.clone();
            return Err(self.error(format!(
                "table {table}: {} fields where the header has {width} columns",
                fields.len()
            )));
        }
        let mut row = Vec::with_capacity(width);
        for (i, raw) in fields.iter().enumerate() {
            match decode_field(raw) {
                Ok(v) => row.push(v),
                Err(e) => {
                    let what = match e {
                        EscapeError::InvalidUtf8 { .. } => "invalid UTF-8",
                        EscapeError::DanglingBackslash => "bad escape",
                    };
                    let table = self.block.as_ref().map_or("?", |b| b.table.as_str());
                    return Err(self.error(format!("table {table}: field {}: {what}: {e}", i + 1)));
                }
            }
        }
        self.batch.push(row);
        if self.batch.len() >= self.batch_rows {
            return Ok(Some(SourceEvent::Rows(std::mem::take(&mut self.batch))));
        }
        Ok(None)
    }
}

impl<R: BufRead> Iterator for CopyReader<R> {
    type Item = Result<SourceEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(event)) => Some(Ok(event)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Splits `COPY [schema.]table (c1, c2, …) FROM stdin;` into the schema (when
/// qualified), the lower-case table and the lower-case, unquoted columns.
fn parse_header(line: &str) -> Result<(Option<String>, String, Vec<String>), String> {
    let bad = || format!("malformed COPY header `{line}`");
    let body = line
        .strip_prefix("COPY ")
        .and_then(|s| s.strip_suffix(" FROM stdin;"))
        .ok_or_else(bad)?;
    let open = body.find(" (").ok_or_else(bad)?;
    let name = &body[..open];
    let list = body[open + 2..].strip_suffix(')').ok_or_else(bad)?;
    let mut parts = split_names(name, '.').ok_or_else(bad)?;
    let (schema, table) = match parts.len() {
        1 => (None, parts.remove(0)),
        2 => {
            let table = parts.remove(1);
            (Some(parts.remove(0)), table)
        }
        _ => return Err(bad()),
    };
    let columns = split_names(list, ',').ok_or_else(bad)?;
    if table.is_empty() || columns.iter().any(String::is_empty) {
        return Err(bad());
    }
    Ok((schema, table, columns))
}

/// Splits a list of SQL identifiers on `sep` outside double quotes, drops
/// unquoted spaces, removes the quotes (`""` inside is one quote) and
/// lower-cases. `None` when a quote is left open.
fn split_names(text: &str, sep: char) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            ' ' if !quoted => {}
            c => cur.push(c),
        }
    }
    if quoted {
        return None;
    }
    out.push(cur);
    Some(out.into_iter().map(|s| s.to_ascii_lowercase()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_with_quotes_and_schema() {
        let (s, t, c) = parse_header(
            r#"COPY vpic.wmiyearvalidchars (id, wmi, year, "position", "char") FROM stdin;"#,
        )
        .unwrap();
        assert_eq!(s.as_deref(), Some("vpic"));
        assert_eq!(t, "wmiyearvalidchars");
        assert_eq!(c, ["id", "wmi", "year", "position", "char"]);
        let (_, t, c) = parse_header(
            r#"COPY vpic.wmiyearvalidchars_cacheexceptions ("WMI", "CreatedOn", "Id") FROM stdin;"#,
        )
        .unwrap();
        assert_eq!(t, "wmiyearvalidchars_cacheexceptions");
        assert_eq!(c, ["wmi", "createdon", "id"]);
        let (s, t, _) = parse_header("COPY make (id) FROM stdin;").unwrap();
        assert_eq!((s, t.as_str()), (None, "make"));
        assert_eq!(
            split_names(r#""a""b", c"#, ',').unwrap(),
            ["a\"b".to_owned(), "c".to_owned()]
        );
        for bad in [
            "COPY vpic.make FROM stdin;",
            "COPY vpic.make () FROM stdin;",
            r#"COPY vpic.make ("id) FROM stdin;"#,
            "COPY a.b.c (id) FROM stdin;",
        ] {
            assert!(parse_header(bad).is_err(), "{bad}");
        }
    }
}
