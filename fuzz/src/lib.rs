//! The bodies of cargo-nano's fuzz targets: each feeds bytes to a parser that reads untrusted
//! input and checks what must hold whatever the input (no panic; what is accepted is
//! consistent). `cargo fuzz` runs them under libFuzzer (`fuzz_targets/`); `cargo test` runs them
//! over the corpus in `corpus/` and mutations of it (`tests/smoke.rs`). docs/security.md records
//! the fuzzing runs.
#![deny(missing_docs)]

use std::path::Path;

use linker::verify::ExpectedInstance;

/// A `Cargo.toml`: parsed, its `[package.metadata.nano]` validated. What is accepted must
/// serialize and parse back to the same manifest.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/Cargo.toml");
    if let Ok(Some(manifest)) = manifest_schema::parse_cargo_toml(text, "fuzzed", path) {
        let json = serde_json::to_value(&manifest).expect("an accepted manifest serializes");
        let again = manifest_schema::parse_manifest(&json, "fuzzed", path)
            .expect("an accepted manifest, written back, is accepted");
        assert_eq!(again, manifest, "a manifest round-trips");
    }
}

/// A `Nano.lock`: parsed; what is accepted renders to a lock that parses to the same value.
pub fn lockfile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(lock) = linker::lock::parse(text, "Nano.lock") {
        let rendered = linker::lock::render(&lock);
        let again = linker::lock::parse(&rendered, "Nano.lock").expect("a rendered lock parses");
        assert_eq!(
            linker::lock::render(&again),
            rendered,
            "a lock renders stably"
        );
    }
}

/// A package's component under inspection: any bytes, no panic.
pub fn inspect(data: &[u8]) {
    let _ = linker::inspect::inspect_package(data, "fuzzed");
}

/// A composed component under verification against a two-instance plan: any bytes, no panic.
pub fn verify(data: &[u8]) {
    let expected = [
        ExpectedInstance {
            id: "app".into(),
            namespace: "nano-app".into(),
            component_sha256: [0; 32],
            parent: None,
            imports: vec!["wasi:cli/stdout@0.2.6".into()],
        },
        ExpectedInstance {
            id: "app/left".into(),
            namespace: "nano-app-left".into(),
            component_sha256: [1; 32],
            parent: Some(0),
            imports: vec!["wasi:filesystem/preopens@0.2.6".into()],
        },
    ];
    let _ = linker::verify::verify(data, &expected);
}
