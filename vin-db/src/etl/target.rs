//! What a dataset being built must offer the load, whichever the backend.

use std::collections::BTreeMap;

use indicatif::ProgressBar;
use tokio::sync::mpsc;

use super::convert::Mapping;
use super::source::SourceEvent;
use crate::Result;
use crate::model::DatasetInfo;

/// The final state of an ETL run (the `etl_run.status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// In progress (or interrupted, until the next run marks it failed).
    Running,
    /// The new dataset is live.
    Swapped,
    /// An error stopped the run; the live dataset is untouched.
    Failed,
    /// A gate refused the new dataset; the live dataset is untouched.
    Rejected,
    /// The same release (month and SHA-256) is already live; nothing changed.
    Skipped,
}

impl RunStatus {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Swapped => "swapped",
            RunStatus::Failed => "failed",
            RunStatus::Rejected => "rejected",
            RunStatus::Skipped => "skipped",
        }
    }
}

/// What the dataset row and the audit row record about a load.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub source: String,
    pub data_month: Option<String>,
    pub sha256: Option<String>,
    pub size: Option<u64>,
    pub row_counts: BTreeMap<String, i64>,
    pub supplemented: Vec<String>,
    pub note: Option<String>,
}

/// A dataset being built (a new Postgres schema or a new SQLite file).
pub(crate) trait Target {
    /// Writes one table block: `Rows` events until its `End`.
    async fn write_table(
        &mut self,
        mapping: &Mapping,
        rx: &mut mpsc::Receiver<Result<SourceEvent>>,
        progress: &ProgressBar,
    ) -> Result<u64>;
    /// Builds keys and indexes (a duplicate key is a [`crate::Error::Rejected`]).
    async fn build_indexes(&mut self) -> Result<()>;
    /// Packs each VIN schema's patterns into one value (`pattern_pack`);
    /// returns the number of packed schemas.
    async fn pack_patterns(&mut self) -> Result<i64>;
    /// Runs the dropdowns' derivation on the new dataset.
    async fn derive(&mut self) -> Result<BTreeMap<String, i64>>;
    /// Runs a query returning one integer.
    async fn scalar(&mut self, sql: &str) -> Result<i64>;
    /// Rows per source lookup table in `lookup`.
    async fn lookup_counts(&mut self) -> Result<BTreeMap<String, i64>>;
    /// The live dataset when the run started.
    fn live(&self) -> Option<&DatasetInfo>;
    /// The version the new dataset gets.
    fn version(&self) -> i64;
    /// Makes the new dataset live (and records the run as swapped).
    async fn swap(&mut self, meta: &Meta) -> Result<()>;
    /// Throws the new dataset away and records how the run ended.
    async fn abandon(self, status: RunStatus, error: Option<&str>, meta: &Meta) -> Result<()>;
}
