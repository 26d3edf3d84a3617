//! A connection to a dataset that is being built and not yet live.
//!
//! Steps that derive tables from the loaded rows (the dropdowns) receive this
//! after every source table is loaded and before the gates run.

/// Where a new dataset is being written.
pub enum Staging<'a> {
    /// A new Postgres schema; unqualified table names resolve to it (its
    /// name is first on the connection's `search_path`).
    #[cfg(feature = "postgres")]
    Postgres {
        /// The connection inside the load.
        conn: &'a mut sqlx::PgConnection,
        /// The staging schema's name.
        schema: &'a str,
    },
    /// A new SQLite file, not yet renamed into place.
    #[cfg(feature = "sqlite")]
    Sqlite {
        /// The connection to the new file.
        conn: &'a mut sqlx::SqliteConnection,
    },
}
