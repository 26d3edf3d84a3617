//! The `vin` command line: decode, ETL, catalog, bench.
fn main() -> std::process::ExitCode {
    vin_db::cli::main()
}
