//! Streams a source into a dataset being built: the source is read on its
//! own threads (it blocks), its events cross a small bounded channel, and the
//! target writes each table block as it arrives.

use std::collections::BTreeMap;

use indicatif::ProgressBar;
use tokio::sync::mpsc;

use super::convert;
use super::source::{self, OpenedSource, SourceEvent, SourceInfo, WantedTables};
use super::target::Target;
use crate::{Error, Result};

/// Test hooks: fail, or stall (so a test can kill the process), after this
/// many tables were written.
#[derive(Debug, Clone, Default)]
pub struct Hooks {
    /// Fail with an error after N tables (env `VIN_ETL_FAIL_AFTER_TABLES`).
    pub fail_after_tables: Option<usize>,
    /// Sleep for a long time after N tables (env `VIN_ETL_PAUSE_AFTER_TABLES`).
    pub pause_after_tables: Option<usize>,
}

impl Hooks {
    /// The hooks set in the environment.
    pub fn from_env() -> Hooks {
        let get = |k: &str| std::env::var(k).ok().and_then(|v| v.trim().parse().ok());
        Hooks {
            fail_after_tables: get("VIN_ETL_FAIL_AFTER_TABLES"),
            pause_after_tables: get("VIN_ETL_PAUSE_AFTER_TABLES"),
        }
    }
}

/// What reading one source gave.
pub(crate) struct Fed {
    /// Facts about the source (complete: it was read to the end).
    pub info: SourceInfo,
    /// Every table the source holds, wanted or not.
    pub tables: Vec<String>,
    /// Rows written per source table.
    pub rows: BTreeMap<String, u64>,
}

/// Reads `spec` to the end, writing every kept table block through `target`.
/// `tables_done` counts blocks across sources, for the hooks.
pub(crate) async fn feed<T: Target>(
    target: &mut T,
    spec: &str,
    wanted: WantedTables,
    progress: &ProgressBar,
    hooks: &Hooks,
    tables_done: &mut usize,
) -> Result<Fed> {
    let spec_owned = spec.to_owned();
    let opened = tokio::task::spawn_blocking(move || source::open(&spec_owned, wanted))
        .await
        .map_err(|e| Error::Source(format!("opening {spec}: {e}")))??;
    let (tx, mut rx) = mpsc::channel::<Result<SourceEvent>>(4);
    let pump = tokio::task::spawn_blocking(move || pump(opened, tx));

    let mut rows = BTreeMap::new();
    let result: Result<()> = async {
        while let Some(event) = rx.recv().await {
            match event? {
                SourceEvent::Begin(header) => {
                    let Some(mapping) = convert::map_header(&header)? else {
                        skip_block(&mut rx, &header.table).await?;
                        continue;
                    };
                    progress.set_message(format!("loading {}", header.table));
                    let started = std::time::Instant::now();
                    let n = target.write_table(&mapping, &mut rx, progress).await?;
                    tracing::debug!(
                        table = %header.table,
                        rows = n,
                        ms = started.elapsed().as_millis() as u64,
                        "table loaded"
                    );
                    *rows.entry(header.table.clone()).or_insert(0) += n;
                    *tables_done += 1;
                    if hooks.fail_after_tables == Some(*tables_done) {
                        return Err(Error::Source(format!(
                            "injected failure after {tables_done} tables (VIN_ETL_FAIL_AFTER_TABLES)"
                        )));
                    }
                    if hooks.pause_after_tables == Some(*tables_done) {
                        tracing::warn!(
                            tables = *tables_done,
                            "pausing (VIN_ETL_PAUSE_AFTER_TABLES)"
                        );
                        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                    }
                }
                SourceEvent::Rows(_) | SourceEvent::End { .. } => {
                    return Err(Error::Source(
                        "the source sent rows outside a table block".into(),
                    ));
                }
            }
        }
        Ok(())
    }
    .await;
    // Dropping the receiver stops the pump on error; then collect the facts.
    drop(rx);
    let opened = pump
        .await
        .map_err(|e| Error::Source(format!("reading {spec}: {e}")))?;
    result?;
    Ok(Fed {
        info: opened.info(),
        tables: opened.tables(),
        rows,
    })
}

fn pump(mut opened: OpenedSource, tx: mpsc::Sender<Result<SourceEvent>>) -> OpenedSource {
    for event in &mut opened {
        let failed = event.is_err();
        if tx.blocking_send(event).is_err() || failed {
            break;
        }
    }
    opened
}

async fn skip_block(rx: &mut mpsc::Receiver<Result<SourceEvent>>, table: &str) -> Result<()> {
    loop {
        match rx.recv().await {
            Some(Ok(SourceEvent::End { .. })) => return Ok(()),
            Some(Ok(SourceEvent::Rows(_))) => {}
            Some(Ok(SourceEvent::Begin(h))) => {
                return Err(Error::Source(format!(
                    "table {} began before table {table} ended",
                    h.table
                )));
            }
            Some(Err(e)) => return Err(e),
            None => return Err(truncated(table)),
        }
    }
}

/// The error for a source that stopped inside a table block.
pub(crate) fn truncated(table: &str) -> Error {
    Error::Source(format!(
        "the source ended inside table {table} (truncated?)"
    ))
}
