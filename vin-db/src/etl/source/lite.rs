//! The lite SQLite file (`sqlite:PATH`, plain or `.gz`), read in the dump's terms.
//!
//! Its tables and columns are the dump's in CamelCase, booleans are 0/1
//! integers and there is no schema prefix; SQLite itself turns every value
//! into text (`CAST … AS TEXT`) and the dump's boolean columns into `t`/`f`,
//! so rows arrive here ready to send.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use futures_util::TryStreamExt;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row as _};

use super::hashing::{HashingReader, hash_reader};
use super::month::month_from_timestamp;
use super::opened::{BATCH_ROWS, Emitter, SkippedTable};
use super::{Row, SourceEvent, TableHeader, WantedTables};
use crate::{Error, Result};

/// `(table, column)` pairs that are `boolean` in the dump (lower case).
const BOOLEAN_COLUMNS: &[(&str, &str)] = &[
    ("element", "isprivate"),
    ("element", "isqs"),
    ("vehiclespecpattern", "iskey"),
    ("vehiclespecschema", "tobeqced"),
    ("vehicletype", "includeinequipplant"),
    ("vinexception", "checkdigit"),
    ("vinschema", "tobeqced"),
    ("wmi", "noncompliant"),
    ("wmi", "noncompliantsetbyovsc"),
];

/// Whether `table.column` (lower case) is a boolean column in the dump.
pub(crate) fn is_boolean_column(table: &str, column: &str) -> bool {
    BOOLEAN_COLUMNS.contains(&(table, column))
}

/// One table of the file: its name as stored and its columns as stored.
struct LiteTable {
    stored: String,
    name: String,
    columns: Vec<String>,
}

/// Reads the lite file at `path` and sends its wanted tables.
pub(crate) fn read(path: &Path, wanted: &WantedTables, em: &Emitter) -> Result<()> {
    let file = File::open(path)
        .map_err(|e| Error::Source(format!("cannot open {}: {e}", path.display())))?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    // Keeps the gunzipped copy alive until reading is over.
    let (db_path, _temp): (PathBuf, Option<tempfile::TempPath>) = if gz {
        let (temp, sha, size) = gunzip_to_temp(file, path)?;
        em.update(|s| {
            s.info.sha256 = Some(sha);
            s.info.size = Some(size);
        });
        (temp.to_path_buf(), Some(temp))
    } else {
        let (sha, size) = hash_reader(BufReader::new(file))?;
        em.update(|s| {
            s.info.sha256 = Some(sha);
            s.info.size = Some(size);
        });
        (path.to_path_buf(), None)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(read_db(&db_path, path, wanted, em))
}

/// Gunzips to a temporary file, hashing the `.gz` bytes on the way.
fn gunzip_to_temp(file: File, path: &Path) -> Result<(tempfile::TempPath, String, u64)> {
    let mut temp = tempfile::Builder::new()
        .prefix("vin-lite-")
        .suffix(".db")
        .tempfile()?;
    let hashing = HashingReader::new(file);
    let mut gunzip = MultiGzDecoder::new(BufReader::with_capacity(1 << 16, hashing));
    io::copy(&mut gunzip, &mut temp).map_err(|e| {
        Error::Source(format!(
            "{} is not a complete gzip file: {e}",
            path.display()
        ))
    })?;
    let (sha, size) = gunzip.into_inner().into_inner().finish()?;
    Ok((temp.into_temp_path(), sha, size))
}

async fn read_db(db: &Path, label: &Path, wanted: &WantedTables, em: &Emitter) -> Result<()> {
    let options = SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .immutable(true)
        .create_if_missing(false);
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| Error::Source(format!("{} is not a SQLite file: {e}", label.display())))?;
    let tables = list_tables(&mut conn)
        .await
        .map_err(|e| Error::Source(format!("{} is not a SQLite file: {e}", label.display())))?;
    for t in &tables {
        em.saw_table(&t.name);
    }
    let month = data_month(&mut conn, &tables).await?;
    em.update(|s| s.info.data_month = month);

    for table in &tables {
        if !wanted.wants(&table.name) {
            let rows: i64 = sqlx::query_scalar(&format!(
                "SELECT count(*) FROM {}",
                quote_ident(&table.stored)
            ))
            .fetch_one(&mut conn)
            .await?;
            em.update(|s| {
                s.skipped.push(SkippedTable {
                    table: table.name.clone(),
                    rows: u64::try_from(rows).unwrap_or(0),
                })
            });
            continue;
        }
        if !send_table(&mut conn, table, em).await? {
            break;
        }
    }
    conn.close().await?;
    Ok(())
}

/// Every user table, in dump (lower-case name) order.
async fn list_tables(conn: &mut SqliteConnection) -> Result<Vec<LiteTable>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tables = Vec::with_capacity(names.len());
    for stored in names {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
                .bind(&stored)
                .fetch_all(&mut *conn)
                .await?;
        tables.push(LiteTable {
            name: stored.to_ascii_lowercase(),
            stored,
            columns,
        });
    }
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tables)
}

/// The data month: the month of the newest NHTSA `createdon`/`updatedon`
/// timestamp in the file. Community rows carry ISO `…T…Z` stamps and are
/// left out by requiring the dump's `YYYY-MM-DD HH:…` shape.
async fn data_month(conn: &mut SqliteConnection, tables: &[LiteTable]) -> Result<Option<String>> {
    let mut parts = Vec::new();
    for t in tables {
        for c in &t.columns {
            let lc = c.to_ascii_lowercase();
            if lc == "createdon" || lc == "updatedon" {
                parts.push(format!(
                    "SELECT max({c}) AS ts FROM {t} WHERE {c} GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] *'",
                    c = quote_ident(c),
                    t = quote_ident(&t.stored)
                ));
            }
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    let sql = format!("SELECT max(ts) FROM ({})", parts.join(" UNION ALL "));
    let newest: Option<String> = sqlx::query_scalar(&sql).fetch_one(&mut *conn).await?;
    Ok(newest.as_deref().and_then(month_from_timestamp))
}

/// Sends one table; `false` when the consumer has gone away.
async fn send_table(conn: &mut SqliteConnection, table: &LiteTable, em: &Emitter) -> Result<bool> {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let select: Vec<String> = table
        .columns
        .iter()
        .zip(&columns)
        .map(|(stored, lower)| {
            let q = quote_ident(stored);
            if is_boolean_column(&table.name, lower) {
                format!("CASE WHEN {q} IS NULL THEN NULL WHEN {q} <> 0 THEN 't' ELSE 'f' END")
            } else {
                format!("CAST({q} AS TEXT)")
            }
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY rowid",
        select.join(", "),
        quote_ident(&table.stored)
    );
    if !em.send(SourceEvent::Begin(TableHeader {
        table: table.name.clone(),
        columns,
    })) {
        return Ok(false);
    }
    let width = table.columns.len();
    let mut count: u64 = 0;
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH_ROWS);
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(row.try_get::<Option<String>, _>(i).map_err(|e| {
                Error::Source(format!(
                    "table {} row {}: column {}: {e}",
                    table.name,
                    count + 1,
                    table.columns[i]
                ))
            })?);
        }
        batch.push(values);
        count += 1;
        if batch.len() == BATCH_ROWS
            && !em.send(SourceEvent::Rows(std::mem::replace(
                &mut batch,
                Vec::with_capacity(BATCH_ROWS),
            )))
        {
            return Ok(false);
        }
    }
    drop(rows);
    if !batch.is_empty() && !em.send(SourceEvent::Rows(batch)) {
        return Ok(false);
    }
    Ok(em.send(SourceEvent::End {
        table: table.name.clone(),
        rows: count,
    }))
}

/// A SQLite identifier in double quotes (names come from the file itself).
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("Wmi"), "\"Wmi\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn boolean_columns_are_the_dumps() {
        assert!(is_boolean_column("vinschema", "tobeqced"));
        assert!(is_boolean_column("wmi", "noncompliantsetbyovsc"));
        assert!(!is_boolean_column("wmi", "makeid"));
    }
}
