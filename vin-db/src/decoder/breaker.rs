//! The circuit breaker in front of every database call the decoder makes.
//!
//! Closed → (`failure_threshold` consecutive failures) → Open: calls fail at
//! once with [`Error::Unavailable`], no connection is attempted → after a
//! cool-down → Half-open: exactly one trial call goes through; its success
//! closes the breaker, its failure opens it again with a longer cool-down
//! (exponential backoff, capped, with jitter so that many processes do not
//! retry in lock-step).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

use crate::{Error, Result};

/// Tuning of the [`Breaker`].
#[derive(Debug, Clone, PartialEq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker.
    pub failure_threshold: u32,
    /// Cool-down after the first opening; doubled on each failed trial.
    pub base_cooldown: Duration,
    /// Upper bound of the cool-down.
    pub max_cooldown: Duration,
    /// Relative jitter applied to each cool-down, in `[0, 1)`: 0.2 means ±20 %.
    pub jitter: f64,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 3,
            base_cooldown: Duration::from_millis(500),
            max_cooldown: Duration::from_secs(30),
            jitter: 0.2,
        }
    }
}

/// The breaker's state as reported by [`Breaker::state`] and in health reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum BreakerState {
    /// Calls go through; `failures` consecutive failures so far.
    Closed {
        /// Consecutive failures counted so far.
        failures: u32,
    },
    /// Calls fail fast; a trial is allowed in `retry_in_ms`.
    Open {
        /// Milliseconds until the next trial call is allowed.
        retry_in_ms: u64,
    },
    /// One trial call is (or may be) in flight.
    HalfOpen,
}

#[derive(Debug)]
enum Inner {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
        openings: u32,
    },
    HalfOpen {
        openings: u32,
        trial_in_flight: bool,
    },
}

/// A thread-safe circuit breaker. Cheap to query; holds its lock only for a
/// few instructions, never across an `await`.
#[derive(Debug)]
pub struct Breaker {
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

/// Permission to make one call, from [`Breaker::acquire`]. Report its outcome
/// with [`Breaker::record`]; a permit dropped without a report (a cancelled
/// call) frees the half-open trial slot so that the breaker cannot wedge.
#[derive(Debug)]
pub struct Permit<'a> {
    breaker: &'a Breaker,
    trial: bool,
    reported: bool,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.trial && !self.reported {
            let mut inner = self.breaker.lock();
            if let Inner::HalfOpen {
                trial_in_flight, ..
            } = &mut *inner
            {
                *trial_in_flight = false;
            }
        }
    }
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Breaker {
        Breaker {
            config,
            inner: Mutex::new(Inner::Closed { failures: 0 }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave `Inner` half-written
        // (every update is a single assignment), so a poisoned lock is still valid.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Asks to make a call: `Ok` when closed, or as the single half-open trial;
    /// `Err(Unavailable)` at once while open or while another trial is running.
    pub fn acquire(&self) -> Result<Permit<'_>> {
        let mut inner = self.lock();
        let trial = match &mut *inner {
            Inner::Closed { .. } => false,
            Inner::Open { until, openings } => {
                let now = Instant::now();
                if now < *until {
                    let wait = until.saturating_duration_since(now);
                    return Err(Error::Unavailable(format!(
                        "database circuit breaker is open (next attempt in {} ms)",
                        wait.as_millis()
                    )));
                }
                *inner = Inner::HalfOpen {
                    openings: *openings,
                    trial_in_flight: true,
                };
                true
            }
            Inner::HalfOpen {
                trial_in_flight, ..
            } => {
                if *trial_in_flight {
                    return Err(Error::Unavailable(
                        "database circuit breaker is half-open and a trial call is running".into(),
                    ));
                }
                *trial_in_flight = true;
                true
            }
        };
        Ok(Permit {
            breaker: self,
            trial,
            reported: false,
        })
    }

    /// Reports the outcome of a permitted call. Only failures that say
    /// something about reachability should be reported as failures (see
    /// [`counts_as_failure`]); others are successes for the breaker.
    pub fn record(&self, mut permit: Permit<'_>, ok: bool) {
        permit.reported = true;
        let mut inner = self.lock();
        if ok {
            *inner = Inner::Closed { failures: 0 };
            return;
        }
        let next = match &*inner {
            Inner::Closed { failures } => {
                let failures = failures + 1;
                if failures >= self.config.failure_threshold {
                    self.open_state(1)
                } else {
                    Inner::Closed { failures }
                }
            }
            Inner::HalfOpen { openings, .. } => self.open_state(openings + 1),
            // A call permitted before the breaker opened failed late: keep the
            // current cool-down rather than extending it.
            Inner::Open { until, openings } => Inner::Open {
                until: *until,
                openings: *openings,
            },
        };
        *inner = next;
    }

    fn open_state(&self, openings: u32) -> Inner {
        Inner::Open {
            until: Instant::now() + self.cooldown(openings),
            openings,
        }
    }

    /// The cool-down after the `openings`-th consecutive opening:
    /// `base · 2^(openings-1)`, capped at `max`, times a factor in `1 ± jitter`.
    pub fn cooldown(&self, openings: u32) -> Duration {
        let exp = openings.saturating_sub(1).min(20);
        let raw = self
            .config
            .base_cooldown
            .saturating_mul(1u32 << exp)
            .min(self.config.max_cooldown);
        let jitter = self.config.jitter.clamp(0.0, 0.99);
        if jitter == 0.0 {
            return raw;
        }
        let factor = rand::rng().random_range(1.0 - jitter..1.0 + jitter);
        raw.mul_f64(factor)
    }

    /// The current state, for health reports.
    pub fn state(&self) -> BreakerState {
        match &*self.lock() {
            Inner::Closed { failures } => BreakerState::Closed {
                failures: *failures,
            },
            Inner::Open { until, .. } => {
                let wait = until.saturating_duration_since(Instant::now());
                if wait.is_zero() {
                    BreakerState::HalfOpen
                } else {
                    BreakerState::Open {
                        retry_in_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    }
                }
            }
            Inner::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// True while calls are refused or only a trial may pass.
    pub fn is_open(&self) -> bool {
        !matches!(self.state(), BreakerState::Closed { .. })
    }
}

/// Whether an error says the database is unreachable or failing (and so
/// counts against the breaker), as opposed to a problem with the request.
pub fn counts_as_failure(e: &Error) -> bool {
    matches!(e, Error::Unavailable(_) | Error::Database(_) | Error::Io(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> BreakerConfig {
        BreakerConfig {
            failure_threshold: 2,
            base_cooldown: Duration::from_millis(50),
            max_cooldown: Duration::from_millis(400),
            jitter: 0.0,
        }
    }

    #[test]
    fn opens_after_threshold_and_fails_fast() {
        let b = Breaker::new(quick());
        b.record(b.acquire().unwrap(), false);
        assert_eq!(b.state(), BreakerState::Closed { failures: 1 });
        b.record(b.acquire().unwrap(), false);
        assert!(matches!(b.state(), BreakerState::Open { .. }));
        let err = b.acquire().unwrap_err();
        assert_eq!(err.code(), "ERR_DATA_UNAVAILABLE");
    }

    #[test]
    fn success_resets_the_failure_count() {
        let b = Breaker::new(quick());
        b.record(b.acquire().unwrap(), false);
        b.record(b.acquire().unwrap(), true);
        b.record(b.acquire().unwrap(), false);
        assert_eq!(b.state(), BreakerState::Closed { failures: 1 });
    }

    #[test]
    fn half_open_allows_one_trial_then_closes_or_reopens_longer() {
        let b = Breaker::new(quick());
        b.record(b.acquire().unwrap(), false);
        b.record(b.acquire().unwrap(), false);
        std::thread::sleep(Duration::from_millis(70));
        let trial = b.acquire().unwrap();
        assert!(
            b.acquire().is_err(),
            "second caller during the trial is refused"
        );
        b.record(trial, false);
        // Second opening: cool-down doubled to 100 ms.
        std::thread::sleep(Duration::from_millis(10));
        assert!(b.acquire().is_err(), "open again after a failed trial");
        std::thread::sleep(Duration::from_millis(120));
        let trial = b.acquire().unwrap();
        b.record(trial, true);
        assert_eq!(b.state(), BreakerState::Closed { failures: 0 });
    }

    #[test]
    fn dropped_trial_frees_the_slot() {
        let b = Breaker::new(quick());
        b.record(b.acquire().unwrap(), false);
        b.record(b.acquire().unwrap(), false);
        std::thread::sleep(Duration::from_millis(70));
        drop(b.acquire().unwrap());
        assert!(b.acquire().is_ok());
    }

    #[test]
    fn cooldown_is_capped_and_jittered_within_bounds() {
        let b = Breaker::new(BreakerConfig {
            jitter: 0.5,
            ..quick()
        });
        for openings in 1..40 {
            let d = b.cooldown(openings);
            assert!(d <= Duration::from_millis(600), "{d:?}");
            assert!(d >= Duration::from_millis(25), "{d:?}");
        }
    }
}
