//! Packs every VIN schema's patterns into one `pattern_pack` value (see
//! [`crate::store::packed`]) in the dataset being built, after its rows and
//! indexes are in and before the gates run.

use futures_util::TryStreamExt as _;

use super::Staging;
use crate::store::packed::Packer;
use crate::store::rows::pattern_row;
use crate::{Error, Result};

/// Every pattern, grouped by schema, ascending id within a schema.
const PATTERNS: &str = "SELECT id, vinschemaid, keys, elementid, attributeid, \
     CAST(createdon AS TEXT), CAST(updatedon AS TEXT) FROM pattern ORDER BY vinschemaid, id";

/// Values per multi-row insert.
const BATCH: usize = 500;

/// Fills `pattern_pack` from `pattern`; returns the number of packed
/// schemas. Every pattern must land in exactly one value: a count that
/// differs from the table's rejects the dataset.
pub(crate) async fn pack_patterns(staging: &mut Staging<'_>) -> Result<i64> {
    let mut packer = Packer::default();
    let mut packs: Vec<(i32, Vec<u8>)> = Vec::new();
    let table_rows: i64;
    match staging {
        #[cfg(feature = "postgres")]
        Staging::Postgres { conn, .. } => {
            {
                let mut rows = sqlx::query(PATTERNS).fetch(&mut **conn);
                while let Some(r) = rows.try_next().await? {
                    packs.extend(packer.push(pattern_row(&r)?));
                }
            }
            packs.extend(packer.finish());
            for chunk in packs.chunks(BATCH) {
                let ids: Vec<i32> = chunk.iter().map(|p| p.0).collect();
                let values: Vec<&[u8]> = chunk.iter().map(|p| p.1.as_slice()).collect();
                sqlx::query(
                    "INSERT INTO pattern_pack (vinschemaid, patterns) \
                     SELECT * FROM UNNEST($1::int4[], $2::bytea[])",
                )
                .bind(ids)
                .bind(values)
                .execute(&mut **conn)
                .await?;
            }
            sqlx::raw_sql("ANALYZE pattern_pack")
                .execute(&mut **conn)
                .await?;
            table_rows = sqlx::query_scalar("SELECT count(*) FROM pattern")
                .fetch_one(&mut **conn)
                .await?;
        }
        #[cfg(feature = "sqlite")]
        Staging::Sqlite { conn } => {
            {
                let mut rows = sqlx::query(PATTERNS).fetch(&mut **conn);
                while let Some(r) = rows.try_next().await? {
                    packs.extend(packer.push(pattern_row(&r)?));
                }
            }
            packs.extend(packer.finish());
            sqlx::raw_sql("BEGIN").execute(&mut **conn).await?;
            for (id, value) in &packs {
                sqlx::query("INSERT INTO pattern_pack (vinschemaid, patterns) VALUES (?1, ?2)")
                    .bind(id)
                    .bind(value.as_slice())
                    .execute(&mut **conn)
                    .await?;
            }
            sqlx::raw_sql("COMMIT").execute(&mut **conn).await?;
            table_rows = sqlx::query_scalar("SELECT count(*) FROM pattern")
                .fetch_one(&mut **conn)
                .await?;
        }
    }
    if i64::try_from(packer.patterns).ok() != Some(table_rows) {
        return Err(Error::Rejected(format!(
            "packed {} patterns, the pattern table holds {table_rows}",
            packer.patterns
        )));
    }
    tracing::debug!(
        schemas = packs.len(),
        patterns = packer.patterns,
        bytes = packs.iter().map(|p| p.1.len()).sum::<usize>(),
        "patterns packed"
    );
    Ok(packs.len() as i64)
}
