//! Exponential backoff with jitter for connecting.

use std::future::Future;
use std::time::Duration;

use rand::Rng as _;

use crate::{Error, Result};

/// The delay before retry `attempt` (1-based): 200 ms · 2^(attempt-1), capped
/// at 5 s, times a random factor in [0.5, 1.5) so many clients do not retry
/// in step.
pub fn backoff_delay(attempt: u32) -> Duration {
    let base = 200u64.saturating_mul(1u64 << attempt.saturating_sub(1).min(10));
    let capped = base.min(5_000) as f64;
    let factor = rand::rng().random_range(0.5..1.5);
    Duration::from_millis((capped * factor) as u64)
}

/// Runs `f` up to `attempts` times (at least once) while it fails with
/// [`Error::Unavailable`] (an unreachable database); other errors return at once.
pub async fn with_backoff<T, F, Fut>(what: &str, attempts: u32, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let attempts = attempts.max(1);
    let mut attempt = 1;
    loop {
        match f().await {
            Err(Error::Unavailable(msg)) if attempt < attempts => {
                let delay = backoff_delay(attempt);
                tracing::warn!(what, attempt, ?delay, error = %msg, "retrying");
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_bounded() {
        for attempt in 1..20 {
            let d = backoff_delay(attempt);
            let nominal = (200u64 << (attempt - 1).min(10)).min(5_000);
            assert!(d.as_millis() as u64 >= nominal / 2, "{attempt}: {d:?}");
            assert!(
                (d.as_millis() as u64) < nominal * 3 / 2 + 1,
                "{attempt}: {d:?}"
            );
        }
    }

    #[tokio::test]
    async fn retries_only_unavailable() {
        let mut calls = 0;
        let r: Result<()> = with_backoff("t", 3, || {
            calls += 1;
            async { Err(Error::InvalidArgument("no".into())) }
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls, 1);
        let mut calls = 0;
        let r: Result<u8> = with_backoff("t", 3, || {
            calls += 1;
            let n = calls;
            async move {
                if n < 2 {
                    Err(Error::Unavailable("down".into()))
                } else {
                    Ok(7)
                }
            }
        })
        .await;
        assert_eq!(r.ok(), Some(7));
        assert_eq!(calls, 2);
    }
}
