//! The committed JSON Schema of `Nano.lock` must match the one generated from the types.
//! Run with `BLESS=1` to rewrite `schema/nano-lock.schema.json`.

mod support;

use std::path::Path;

#[test]
fn committed_lock_schema_is_up_to_date() {
    support::check_committed_schema(
        "nano-lock.schema.json",
        &manifest_schema::lock_json_schema(),
        "lock_schema",
    );
}

#[test]
fn lock_tables_deny_unknown_keys() {
    let schema = manifest_schema::lock_json_schema();
    assert_eq!(schema["additionalProperties"], false);
    for def in [
        "LockedPackage",
        "LockedHoldings",
        "LockedDir",
        "LockedSyscall",
    ] {
        assert_eq!(schema["$defs"][def]["additionalProperties"], false, "{def}");
    }
}

#[test]
fn a_lock_round_trips_through_toml() {
    let text = r#"
version = 1

[[package]]
name = "notifier"
version = "1.0.0"
checksum = "0000000000000000000000000000000000000000000000000000000000000000"

[package.requests]
env = ["NO_COLOR"]
stdio = ["stderr"]

[package.received."app/notifier"]
stdio = ["stderr"]

[[package.syscall]]
name = "wasi:cli/stderr#get-stderr"
capability = "stdio stderr"
crate = "notifier"
path = ["nano:notifier/api#notify", "std::io::stdio::_eprint", "wasi:cli/stderr#get-stderr"]
"#;
    let lock: manifest_schema::lockfile::NanoLock = toml::from_str(text).expect("parses");
    assert_eq!(lock.packages[0].syscalls[0].krate, "notifier");
    assert!(!lock.packages[0].syscalls[0].indirect);
    let again: manifest_schema::lockfile::NanoLock =
        toml::from_str(&toml::to_string(&lock).expect("serializes")).expect("parses again");
    assert_eq!(lock, again);
    let bad = text.replace("crate = ", "krate = ");
    assert!(toml::from_str::<manifest_schema::lockfile::NanoLock>(&bad).is_err());
}

#[test]
fn the_lock_example_of_the_docs_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lockfile.md");
    let doc = std::fs::read_to_string(path).expect("cannot read docs/lockfile.md");
    let example = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a TOML example");
    let lock: manifest_schema::lockfile::NanoLock = toml::from_str(example).expect("valid lock");
    assert_eq!(lock.version, manifest_schema::lockfile::LOCK_VERSION);
    assert!(lock.packages[0].syscalls.iter().any(|s| s.indirect));
}
