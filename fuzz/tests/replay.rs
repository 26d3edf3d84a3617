//! Replays the committed corpus and regressions through the targets' code
//! (a plain stable build: `cargo test --no-default-features`).

use std::fs;
use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                let data = fs::read(&path).unwrap();
                run(&data);
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "no corpus for {target}");
    println!("{target}: replayed {seen} inputs");
}

#[test]
fn parse_corpus() {
    replay("parse", vin_fuzz::parse);
}

#[test]
fn key_corpus() {
    replay("key", vin_fuzz::key);
}
