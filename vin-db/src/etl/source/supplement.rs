//! The small-tables supplement: every dump table of at most 512 rows, from a
//! newer NHTSA release, for the tables a source lacks (the lite file has no
//! `errorcode`, `defaultvalue`, `vindescriptor`, 25 lookups, …).
//!
//! The JSON keeps the dump's COPY text (still backslash-escaped, `null` for
//! `\N`), so values go through the same unescaper as the dump reader.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::escape::unescape;
use super::hashing::hash_reader;
use super::month::month_from_name;
use super::opened::{BATCH_ROWS, Emitter, SkippedTable};
use super::{Row, SourceEvent, TableHeader, WantedTables};
use crate::{Error, Result};

/// Environment variable that overrides the supplement's path.
pub const SUPPLEMENT_ENV: &str = "VIN_SUPPLEMENT";

/// The committed supplement, as built into this crate.
const COMMITTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/vpic-small-tables-2026_08.json"
);

/// The supplement path: `$VIN_SUPPLEMENT` when set, else the committed file.
pub fn default_path() -> PathBuf {
    std::env::var_os(SUPPLEMENT_ENV)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(COMMITTED), PathBuf::from)
}

#[derive(Deserialize)]
struct SupplementFile {
    source: Option<String>,
    tables: BTreeMap<String, SupplementTable>,
}

#[derive(Deserialize)]
struct SupplementTable {
    columns: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
}

/// Reads the supplement at `path` and sends its wanted tables in name order.
pub(crate) fn read(path: &Path, wanted: &WantedTables, em: &Emitter) -> Result<()> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Source(format!("cannot read supplement {}: {e}", path.display())))?;
    let (sha, size) = hash_reader(&bytes[..])?;
    let file: SupplementFile = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Source(format!("supplement {} is not valid: {e}", path.display())))?;
    let month = file
        .source
        .as_deref()
        .and_then(month_from_name)
        .or_else(|| month_from_name(&path.to_string_lossy()));
    em.update(|s| {
        s.info.sha256 = Some(sha);
        s.info.size = Some(size);
        s.info.data_month = month;
    });
    for name in file.tables.keys() {
        em.saw_table(&name.to_ascii_lowercase());
    }
    for (name, table) in file.tables {
        let name = name.to_ascii_lowercase();
        if !wanted.wants(&name) {
            em.update(|s| {
                s.skipped.push(SkippedTable {
                    table: name.clone(),
                    rows: table.rows.len() as u64,
                })
            });
            continue;
        }
        if !send_table(&name, table, em)? {
            break;
        }
    }
    Ok(())
}

/// Sends one table; `false` when the consumer has gone away.
fn send_table(name: &str, table: SupplementTable, em: &Emitter) -> Result<bool> {
    let width = table.columns.len();
    let header = TableHeader {
        table: name.to_owned(),
        columns: table
            .columns
            .iter()
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    };
    if !em.send(SourceEvent::Begin(header)) {
        return Ok(false);
    }
    let total = table.rows.len() as u64;
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH_ROWS.min(table.rows.len()));
    for (i, raw) in table.rows.into_iter().enumerate() {
        if raw.len() != width {
            return Err(Error::Source(format!(
                "supplement table {name} row {}: {} values for {width} columns",
                i + 1,
                raw.len()
            )));
        }
        let mut row = Vec::with_capacity(width);
        for (col, value) in raw.into_iter().enumerate() {
            row.push(match value {
                None => None,
                Some(text) => Some(unescape(text.as_bytes()).map_err(|e| {
                    Error::Source(format!(
                        "supplement table {name} row {} column {}: {e}",
                        i + 1,
                        table.columns[col]
                    ))
                })?),
            });
        }
        batch.push(row);
        if batch.len() == BATCH_ROWS && !em.send(SourceEvent::Rows(std::mem::take(&mut batch))) {
            return Ok(false);
        }
    }
    if !batch.is_empty() && !em.send(SourceEvent::Rows(batch)) {
        return Ok(false);
    }
    Ok(em.send(SourceEvent::End {
        table: name.to_owned(),
        rows: total,
    }))
}
