//! The dropdowns on the committed sample, through the real ETL into SQLite
//! (and Postgres when `DATABASE_URL` is set): a consistent cascade, typed
//! argument errors, ids stable across two loads, the cache dropped on
//! `invalidate_all`, makes read alike from datasets built before the packed
//! make lists, and the golden coverage the sample allows (printed).

mod dropdowns_support;

use dropdowns_support as support;
use vin_db::dropdowns::{Dropdowns, DropdownsConfig};
use vin_db::store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_on_sqlite_twice() {
    let source = support::sample_source();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("sample.sqlite").display());
    support::load(&url, &source).await;
    let store = Store::open(&url).await.expect("open sqlite");
    let dropdowns = Dropdowns::new(store.clone());
    support::check_cascade(&store, &dropdowns).await;
    support::check_arguments(&dropdowns).await;
    support::coverage(&dropdowns, &support::golden())
        .await
        .print("sample, SQLite");
    let first = support::all_ids(&store).await;
    assert!(!first.is_empty(), "the sample derives no trims or engines");

    // A second load of the same data: the same ids, and a dropped cache
    // shows the new dataset's answers (identical here).
    let years_before = dropdowns.years().await.expect("years");
    support::load(&url, &source).await;
    dropdowns.invalidate_all();
    let store2 = Store::open(&url).await.expect("reopen sqlite");
    assert_eq!(support::all_ids(&store2).await, first);
    assert_eq!(dropdowns.years().await.expect("years"), years_before);
    support::check_without_packed_lists(&store2, &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_on_postgres() {
    let Some(url) = support::fresh_pg_database("sample").await else {
        return;
    };
    let source = support::sample_source();
    support::load(&url, &source).await;
    let store = Store::open(&url).await.expect("open postgres");
    let dropdowns = Dropdowns::with_config(
        store.clone(),
        DropdownsConfig {
            capacity: 1000,
            ..DropdownsConfig::default()
        },
    );
    support::check_cascade(&store, &dropdowns).await;
    support::check_arguments(&dropdowns).await;
    let first = support::all_ids(&store).await;

    // Reload: the live schema changes; after invalidation the answers come
    // from the new one and the ids are unchanged.
    support::load(&url, &source).await;
    dropdowns.invalidate_all();
    support::check_cascade(&store, &dropdowns).await;
    assert_eq!(support::all_ids(&store).await, first);
    support::check_without_packed_lists(&store, &url).await;
}
