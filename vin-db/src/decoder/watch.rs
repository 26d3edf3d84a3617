//! The dataset watch: a background task that notices when the ETL swaps in a
//! new dataset and makes the decoder drop its caches.
//!
//! Two mechanisms, because either alone misses cases: Postgres `LISTEN` on
//! [`crate::store::NOTIFY_CHANNEL`] (immediate, but notifications sent while
//! the listener was disconnected are lost), and a periodic version check
//! (the only mechanism for SQLite, whose ETL replaces the file).

use std::sync::Weak;
use std::time::Duration;

use super::Inner;
use crate::store::Backend;

/// How often the task wakes at least, to notice that the decoder is gone.
const WAKE: Duration = Duration::from_secs(5);

/// Runs until the decoder is dropped (the `Weak` no longer upgrades) or the task is aborted.
pub(super) async fn run(decoder: Weak<Inner>) {
    let (interval, listen) = match decoder.upgrade() {
        Some(inner) => (inner.config.version_check_interval, inner.config.listen),
        None => return,
    };
    let tick = if interval.is_zero() {
        WAKE
    } else {
        interval.min(WAKE)
    };
    let mut listener = if listen {
        connect_listener(&decoder).await
    } else {
        None
    };
    let mut last_check = tokio::time::Instant::now();
    let mut listener_backoff = Duration::from_secs(1);
    let mut next_listener_attempt = tokio::time::Instant::now() + listener_backoff;
    loop {
        let notified = match listener.as_mut() {
            Some(l) => {
                tokio::select! {
                    n = l.try_recv() => Some(n),
                    _ = tokio::time::sleep(tick) => None,
                }
            }
            None => {
                tokio::time::sleep(tick).await;
                None
            }
        };
        let Some(inner) = decoder.upgrade() else {
            return;
        };
        let mut check = !interval.is_zero() && last_check.elapsed() >= interval;
        match notified {
            Some(Ok(Some(n))) => {
                tracing::debug!(payload = n.payload(), "dataset notification");
                check = true;
            }
            Some(Ok(None)) => {
                // The connection was lost (the listener reconnects on its next
                // call): notifications may have been missed meanwhile.
                check = true;
            }
            Some(Err(e)) => {
                // The listener reconnects on its next `recv`; meanwhile a
                // notification may have been missed, so check the version.
                tracing::debug!(error = %e, "dataset listener lost its connection");
                listener = None;
                next_listener_attempt = tokio::time::Instant::now() + listener_backoff;
                listener_backoff = (listener_backoff * 2).min(Duration::from_secs(30));
                check = true;
            }
            None => {}
        }
        if listen && listener.is_none() && tokio::time::Instant::now() >= next_listener_attempt {
            drop(inner);
            listener = connect_listener(&decoder).await;
            let Some(inner_again) = decoder.upgrade() else {
                return;
            };
            if listener.is_some() {
                listener_backoff = Duration::from_secs(1);
                check = true;
            } else {
                next_listener_attempt = tokio::time::Instant::now() + listener_backoff;
                listener_backoff = (listener_backoff * 2).min(Duration::from_secs(30));
            }
            if check {
                last_check = tokio::time::Instant::now();
                if let Err(e) = inner_again.check_version().await {
                    tracing::debug!(error = %e, "dataset version check failed");
                }
            }
            continue;
        }
        if check {
            last_check = tokio::time::Instant::now();
            if let Err(e) = inner.check_version().await {
                tracing::debug!(error = %e, "dataset version check failed");
            }
        }
    }
}

/// A `LISTEN`ing connection for a Postgres store; `None` for SQLite or when
/// the database cannot be reached (the caller retries with backoff).
async fn connect_listener(decoder: &Weak<Inner>) -> Option<sqlx::postgres::PgListener> {
    let inner = decoder.upgrade()?;
    let pool = match inner.store.backend() {
        Backend::Postgres { pool, .. } => pool.clone(),
        _ => return None,
    };
    drop(inner);
    let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
        Ok(l) => l,
        Err(e) => {
            tracing::debug!(error = %e, "cannot listen for dataset changes yet");
            return None;
        }
    };
    if let Err(e) = listener.listen(crate::store::NOTIFY_CHANNEL).await {
        tracing::debug!(error = %e, "LISTEN failed");
        return None;
    }
    Some(listener)
}
