//! The crate's error type: every failure a caller can branch on.

/// Errors of `vin-db`. Each variant has a stable [`Error::code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller passed something unusable (bad URL, year out of range, …).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The database could not be reached, or the circuit breaker is open.
    #[error("data unavailable: {0}")]
    Unavailable(String),
    /// The database answered with an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A source file is corrupt, truncated or not what it claims to be.
    #[error("bad source: {0}")]
    Source(String),
    /// An ETL gate rejected the new dataset; the live one keeps serving.
    #[error("rejected by gate: {0}")]
    Rejected(String),
    /// I/O on a local file failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// A stable, machine-readable code (also used by the Node binding).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument(_) => "ERR_INVALID_ARGUMENT",
            Error::Unavailable(_) => "ERR_DATA_UNAVAILABLE",
            Error::Database(_) | Error::Migrate(_) => "ERR_DATABASE",
            Error::Source(_) => "ERR_SOURCE",
            Error::Rejected(_) => "ERR_REJECTED",
            Error::Io(_) => "ERR_IO",
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
