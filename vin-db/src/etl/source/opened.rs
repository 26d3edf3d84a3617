//! The running side of a source: a reader thread that produces events into
//! a bounded channel, and the iterator the loader pulls them from.
//!
//! Reading on its own thread lets decompression and COPY parsing run on one
//! core while the loader writes on another, and keeps borrowed readers (a zip
//! member borrows its archive) inside one stack frame.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use super::{SourceEvent, SourceInfo};
use crate::{Error, Result};

/// Rows per [`SourceEvent::Rows`] batch.
pub(crate) const BATCH_ROWS: usize = 4096;

/// Batches in flight between the reader thread and the loader.
const CHANNEL_DEPTH: usize = 4;

/// A table the source held but the caller did not want; its rows were only counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedTable {
    /// Lower-case table name.
    pub table: String,
    /// Rows counted in its block.
    pub rows: u64,
}

/// What NHTSA's server said about a downloaded release, so a later check can
/// tell a re-issued month (same month, other bytes) from the one loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Release {
    /// Data month `YYYY_MM`.
    pub month: String,
    /// The URL the file came from.
    pub url: String,
    /// Size in bytes of the zip.
    pub size: u64,
    /// SHA-256 (hex) of the zip.
    pub sha256: String,
    /// The `ETag` response header, when sent.
    pub etag: Option<String>,
    /// The `Last-Modified` response header, when sent.
    pub last_modified: Option<String>,
}

/// Facts the reader thread fills in as it goes.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub info: SourceInfo,
    pub tables: Vec<String>,
    pub skipped: Vec<SkippedTable>,
    pub release: Option<Release>,
}

type SharedRef = Arc<Mutex<Shared>>;

fn lock(shared: &SharedRef) -> MutexGuard<'_, Shared> {
    // The data is plain facts; a panic elsewhere cannot leave it half-updated
    // in a way that matters, so a poisoned lock is still usable.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The reader thread's handle for sending events and recording facts.
pub(crate) struct Emitter {
    tx: SyncSender<Result<SourceEvent>>,
    shared: SharedRef,
}

impl Emitter {
    /// Sends one event; `false` when the consumer has gone away and reading should stop.
    pub fn send(&self, event: SourceEvent) -> bool {
        self.tx.send(Ok(event)).is_ok()
    }

    /// Updates the shared facts.
    pub fn update(&self, f: impl FnOnce(&mut Shared)) {
        f(&mut lock(&self.shared));
    }

    /// Records a table the source holds (wanted or not), in source order.
    pub fn saw_table(&self, table: &str) {
        self.update(|s| s.tables.push(table.to_owned()));
    }
}

/// An opened source: an iterator of [`SourceEvent`]s in the dump's terms.
///
/// Created by [`open`](super::open). Events come as `Begin`, any number of
/// `Rows` batches, then `End`, for each wanted table. The first `Err` ends the
/// stream. [`OpenedSource::info`] is complete once the iterator returned `None`.
pub struct OpenedSource {
    rx: Receiver<Result<SourceEvent>>,
    shared: SharedRef,
    worker: Option<JoinHandle<()>>,
    pending: Option<Result<SourceEvent>>,
    finished: bool,
}

impl OpenedSource {
    /// Starts `read` on its own thread and waits for its first event, so that
    /// setup failures (missing file, not a zip, download failed) are returned
    /// here rather than from the first `next()`.
    pub(crate) fn spawn<F>(label: &str, read: F) -> Result<Self>
    where
        F: FnOnce(&Emitter) -> Result<()> + Send + 'static,
    {
        let (tx, rx) = sync_channel(CHANNEL_DEPTH);
        let shared: SharedRef = Arc::new(Mutex::new(Shared {
            info: SourceInfo {
                label: label.to_owned(),
                ..SourceInfo::default()
            },
            ..Shared::default()
        }));
        let emitter = Emitter {
            tx,
            shared: Arc::clone(&shared),
        };
        let worker = std::thread::Builder::new()
            .name("vin-etl-source".into())
            .spawn(move || {
                if let Err(e) = read(&emitter) {
                    // The consumer may be gone; nothing left to tell then.
                    let _ = emitter.tx.send(Err(e));
                }
            })?;
        let mut opened = OpenedSource {
            rx,
            shared,
            worker: Some(worker),
            pending: None,
            finished: false,
        };
        match opened.receive() {
            Some(Err(e)) => Err(e),
            first => {
                opened.pending = first;
                Ok(opened)
            }
        }
    }

    fn receive(&mut self) -> Option<Result<SourceEvent>> {
        if self.finished {
            return None;
        }
        match self.rx.recv() {
            Ok(Ok(event)) => Some(Ok(event)),
            Ok(Err(e)) => {
                self.finished = true;
                Some(Err(e))
            }
            Err(_) => {
                self.finished = true;
                let panicked = self.worker.take().map(|w| w.join().is_err());
                if panicked == Some(true) {
                    Some(Err(Error::Source(
                        "the source reader stopped unexpectedly".into(),
                    )))
                } else {
                    None
                }
            }
        }
    }

    /// Facts about the source (label, data month, SHA-256 and size of the
    /// stored file). Complete after the last event.
    pub fn info(&self) -> SourceInfo {
        lock(&self.shared).info.clone()
    }

    /// Lower-case names of every table the source holds, wanted or not.
    /// For the lite file and the supplement this is known at once; for a
    /// dump it grows as blocks are read and is complete after the last event.
    pub fn tables(&self) -> Vec<String> {
        lock(&self.shared).tables.clone()
    }

    /// Tables that were present but not wanted, with their row counts.
    pub fn skipped(&self) -> Vec<SkippedTable> {
        lock(&self.shared).skipped.clone()
    }

    /// For a download from NHTSA: the release identity (month, size, SHA-256,
    /// `ETag`, `Last-Modified`). `None` for local sources.
    pub fn release(&self) -> Option<Release> {
        lock(&self.shared).release.clone()
    }
}

impl Iterator for OpenedSource {
    type Item = Result<SourceEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(first) = self.pending.take() {
            return Some(first);
        }
        self.receive()
    }
}

impl std::fmt::Debug for OpenedSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedSource")
            .field("info", &self.info())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
