//! The gates a new dataset must pass before it may replace the live one.

use std::collections::BTreeMap;

use super::target::Target;
use crate::store::schema;
use crate::{Error, Result};

/// Referential checks: (what, query counting the offending rows).
const REFERENCES: &[(&str, &str)] = &[
    (
        "patterns whose schema does not exist",
        "SELECT count(*) FROM pattern p LEFT JOIN vinschema s ON s.id = p.vinschemaid WHERE s.id IS NULL",
    ),
    (
        "patterns whose element does not exist",
        "SELECT count(*) FROM pattern p LEFT JOIN element e ON e.id = p.elementid WHERE e.id IS NULL",
    ),
    (
        "WMI-schema links whose WMI does not exist",
        "SELECT count(*) FROM wmi_vinschema l LEFT JOIN wmi w ON w.id = l.wmiid WHERE w.id IS NULL",
    ),
    (
        "WMI-schema links whose schema does not exist",
        "SELECT count(*) FROM wmi_vinschema l LEFT JOIN vinschema s ON s.id = l.vinschemaid WHERE s.id IS NULL",
    ),
];

/// Rows per source table in the new dataset (stored tables by name, lookups
/// by their vPIC table name).
pub(crate) async fn count_rows<T: Target>(target: &mut T) -> Result<BTreeMap<String, i64>> {
    let mut counts = BTreeMap::new();
    for t in schema::TABLES {
        let n = target
            .scalar(&format!("SELECT count(*) FROM {}", t.name))
            .await?;
        counts.insert(t.name.to_owned(), n);
    }
    for (tbl, n) in target.lookup_counts().await? {
        counts.insert(tbl, n);
    }
    Ok(counts)
}

/// Runs every gate; the error names every failure found.
pub(crate) async fn check<T: Target>(
    target: &mut T,
    counts: &BTreeMap<String, i64>,
    max_shrink: f64,
    force: bool,
) -> Result<()> {
    let mut failures = Vec::new();
    for t in schema::TABLES.iter().filter(|t| t.required) {
        if counts.get(t.name).copied().unwrap_or(0) == 0 {
            failures.push(format!("required table {} is empty", t.name));
        }
    }
    if !force && let Some(live) = target.live() {
        failures.extend(shrinkage(&live.row_counts, counts, max_shrink));
    }
    for (what, sql) in REFERENCES {
        let n = target.scalar(sql).await?;
        if n > 0 {
            failures.push(format!("{n} {what}"));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected(failures.join("; ")))
    }
}

/// Tables that shrank by more than `max_shrink` (a share, 0.10 = 10 %).
pub(crate) fn shrinkage(
    live: &BTreeMap<String, i64>,
    new: &BTreeMap<String, i64>,
    max_shrink: f64,
) -> Vec<String> {
    live.iter()
        .filter(|(_, old)| **old > 0)
        .filter_map(|(table, &old)| {
            let now = new.get(table).copied().unwrap_or(0);
            let lost = (old - now) as f64 / old as f64;
            (lost > max_shrink).then(|| {
                format!(
                    "table {table} would shrink from {old} to {now} rows ({:.1} % > {:.1} %; --force to accept)",
                    lost * 100.0,
                    max_shrink * 100.0
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrinkage_is_relative_to_the_live_counts() {
        let live: BTreeMap<String, i64> = [
            ("pattern".to_string(), 1000),
            ("abs".to_string(), 3),
            ("empty".to_string(), 0),
        ]
        .into();
        let mut new = live.clone();
        new.insert("pattern".into(), 901);
        assert!(shrinkage(&live, &new, 0.10).is_empty());
        new.insert("pattern".into(), 899);
        let f = shrinkage(&live, &new, 0.10);
        assert_eq!(f.len(), 1);
        assert!(f[0].contains("pattern") && f[0].contains("899"), "{f:?}");
        new.remove("abs");
        assert_eq!(shrinkage(&live, &new, 0.10).len(), 2);
        assert_eq!(shrinkage(&live, &new, 1.0).len(), 0);
    }
}
