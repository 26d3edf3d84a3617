//! The vehicle catalog for dropdowns: years → makes → models → trims →
//! engines → transmissions, derived by the ETL and served from the store.

use std::collections::BTreeMap;

/// Builds the derived dropdown tables inside a dataset being loaded; returns
/// their row counts for the dataset metadata.
pub async fn derive(
    _staging: &mut crate::etl::Staging<'_>,
) -> crate::Result<BTreeMap<String, i64>> {
    Ok(BTreeMap::new())
}
