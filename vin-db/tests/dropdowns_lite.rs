//! The dropdowns on the full lite vPIC file (`VPIC_LITE`), loaded once per
//! backend through the real ETL: golden coverage, a consistent cascade,
//! typed argument errors, and ids identical across two loads (SQLite, then
//! Postgres when `DATABASE_URL` is set).

mod dropdowns_support;

use dropdowns_support as support;
use vin_db::dropdowns::Dropdowns;
use vin_db::store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_lite_data() {
    let Some(source) = support::lite_source() else {
        return;
    };
    let golden = support::golden();
    assert!(golden.len() > 500, "golden set unexpectedly small");

    // SQLite.
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("lite.sqlite").display());
    support::load(&url, &source).await;
    let store = Store::open(&url).await.expect("open sqlite");
    let dropdowns = Dropdowns::new(store.clone());
    let cov = support::coverage(&dropdowns, &golden).await;
    cov.print("lite, SQLite");
    // Every golden (year, make, model) is offered. Trims that the decoder
    // takes from vehicle-spec tables (absent from the lite file) can be
    // missing, so the trim share has a floor, not 100 %.
    assert_eq!(cov.models_found, cov.models_total, "golden models missing");
    assert!(
        cov.trims_found * 100 >= cov.trims_total * 95,
        "too few golden trims offered"
    );
    support::check_cascade(&store, &dropdowns).await;
    support::check_arguments(&dropdowns).await;
    let sqlite_ids = support::all_ids(&store).await;
    assert!(!sqlite_ids.is_empty());

    // Postgres: the same data loaded again gives the same ids.
    let Some(pg_url) = support::fresh_pg_database("lite").await else {
        return;
    };
    support::load(&pg_url, &source).await;
    let store = Store::open(&pg_url).await.expect("open postgres");
    let dropdowns = Dropdowns::new(store.clone());
    let cov_pg = support::coverage(&dropdowns, &golden).await;
    cov_pg.print("lite, Postgres");
    assert_eq!(cov_pg.models_found, cov.models_found);
    assert_eq!(cov_pg.trims_found, cov.trims_found);
    support::check_cascade(&store, &dropdowns).await;
    support::check_arguments(&dropdowns).await;
    let pg_ids = support::all_ids(&store).await;
    assert_eq!(
        pg_ids.len(),
        sqlite_ids.len(),
        "different choices per backend"
    );
    assert!(
        pg_ids == sqlite_ids,
        "ids differ between two loads of the same data"
    );
}
