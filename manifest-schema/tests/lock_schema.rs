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
        "LockedCrate",
        "LockedPath",
        "LockedBuild",
    ] {
        assert_eq!(schema["$defs"][def]["additionalProperties"], false, "{def}");
    }
}

#[test]
fn a_lock_round_trips_through_toml() {
    let text = r#"
version = 3

[[package]]
name = "notifier"
version = "1.0.0"
checksum = "0000000000000000000000000000000000000000000000000000000000000000"
capability-free = ["wasi:io/streams"]

[package.requests]
env = ["NO_COLOR"]
stdio = ["stderr"]

[package.received."app/notifier"]
stdio = ["stderr"]

[package.crates]
fmtlib = { version = "0.2.0", reaches = ["env"] }
notifier = { version = "1.0.0", reaches = ["stdio stderr"] }
rand = { version = ["0.8.5", "0.9.1"] }

[package.build]
openssl-src = { version = "300.2.0", runs = ["build-script"], network = true, read = ["vendor"] }

[[package.path]]
crate = "fmtlib"
capability = "env"
path = ["nano:notifier/api#notify", "fmtlib::banner", "std::env::var_os", "wasi:cli/environment#get-environment"]
indirect = true
"#;
    let lock: manifest_schema::lockfile::NanoLock = toml::from_str(text).expect("parses");
    let pkg = &lock.packages[0];
    assert_eq!(pkg.crates["fmtlib"].version, ["0.2.0"]);
    assert_eq!(pkg.crates["rand"].version, ["0.8.5", "0.9.1"]);
    assert!(pkg.crates["rand"].reaches.is_empty());
    assert_eq!(pkg.paths[0].krate, "fmtlib");
    assert!(pkg.paths[0].indirect);
    let build = &pkg.build["openssl-src"];
    assert!(build.network && build.read.contains("vendor") && build.write.is_empty());
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
    assert!(lock.packages.iter().any(|p| p.crates.len() > 1));
}
