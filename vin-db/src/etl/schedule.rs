//! `vin etl schedule`: runs loads on a cron schedule until stopped.

use chrono::Utc;
use croner::Cron;

use super::run::{RunOptions, run_etl};
use crate::{Error, Result};

/// Parses a five-field cron expression (`0 2 * * SUN`).
pub fn parse_cron(expr: &str) -> Result<Cron> {
    Cron::new(expr)
        .parse()
        .map_err(|e| Error::InvalidArgument(format!("bad --cron {expr:?}: {e}")))
}

/// Runs `opts` at every time `cron` names, forever or until Ctrl-C. A failed
/// run is logged and the schedule goes on.
pub async fn schedule(url: &str, cron: &Cron, opts: &RunOptions) -> Result<()> {
    loop {
        let now = Utc::now();
        let next = cron
            .find_next_occurrence(&now, false)
            .map_err(|e| Error::InvalidArgument(format!("the schedule has no next time: {e}")))?;
        let wait = (next - now).to_std().unwrap_or_default();
        tracing::info!(next = %next.to_rfc3339(), "next ETL run scheduled");
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("stopping the schedule (Ctrl-C)");
                return Ok(());
            }
        }
        let run = run_etl(url, opts);
        tokio::select! {
            result = run => match result {
                Ok(report) => tracing::info!(
                    status = report.status.as_str(),
                    version = ?report.version,
                    seconds = format!("{:.1}", report.seconds),
                    "scheduled ETL run finished"
                ),
                Err(e) => tracing::error!(code = e.code(), error = %e, "scheduled ETL run failed; the schedule goes on"),
            },
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("stopping the schedule during a run (Ctrl-C); the next run cleans up");
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_expressions_are_checked() {
        let c = parse_cron("0 2 * * SUN").unwrap();
        let start = chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let next = c.find_next_occurrence(&start, false).unwrap();
        assert_eq!(next.to_rfc3339(), "2026-11-29T02:00:00+00:00");
        assert!(parse_cron("61 * * * *").is_err());
        assert!(parse_cron("every sunday").is_err());
    }
}
