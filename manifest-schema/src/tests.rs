//! API-level unit tests. Error messages of many inputs are covered by the
//! data-driven cases in `tests/cases/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::json;

use crate::*;

const EXAMPLE: &str = r#"
[package]
name = "app"
version = "0.1.0"

[package.metadata.nano]
format = 1

[package.metadata.nano.requests]
dirs = { out = "read-write", cache = "read-only" }
env = ["LANG", "HOME"]
stdio = ["stdin", "stdout", "stderr"]
clocks = ["wall", "monotonic"]
random = true
network = ["example.com:443", "127.0.0.1:8080"]
args = true
limits = { memory = "1 GiB", table-elements = 20000, time = "1min" }

[package.metadata.nano.grants.extractor]
dirs = { out = { from = "data", path = "extracted", access = "read-only" }, tmp = "cache" }
env = ["LANG"]
stdio = ["stderr"]
clocks = ["wall"]
random = true
network = ["example.com:443"]
args = false
limits = { memory = "64 MiB", time = "10s" }
"#;

fn path() -> &'static Path {
    Path::new("app/Cargo.toml")
}

fn endpoint(text: &str) -> Endpoint {
    text.parse().unwrap()
}

fn example() -> NanoManifest {
    parse_cargo_toml(EXAMPLE, "app", path()).unwrap().unwrap()
}

#[test]
fn the_example_parses_to_the_expected_value() {
    let expected = NanoManifest {
        format: 1,
        requests: Capabilities {
            dirs: BTreeMap::from([
                ("out".to_owned(), Access::ReadWrite),
                ("cache".to_owned(), Access::ReadOnly),
            ]),
            env: BTreeSet::from(["LANG".to_owned(), "HOME".to_owned()]),
            stdio: BTreeSet::from([Stream::Stdin, Stream::Stdout, Stream::Stderr]),
            clocks: BTreeSet::from([Clock::Wall, Clock::Monotonic]),
            random: true,
            network: BTreeSet::from([endpoint("example.com:443"), endpoint("127.0.0.1:8080")]),
            args: true,
        },
        limits: Limits {
            memory: MemorySize::mib(1024),
            table_elements: Some(20000),
            time: TimeLimit::millis(60_000),
        },
        grants: BTreeMap::from([(
            "extractor".to_owned(),
            Grant {
                dirs: BTreeMap::from([
                    (
                        "out".to_owned(),
                        DirGrant {
                            from: "data".to_owned(),
                            path: Some("extracted".to_owned()),
                            access: Some(Access::ReadOnly),
                        },
                    ),
                    ("tmp".to_owned(), DirGrant::slot("cache")),
                ]),
                env: BTreeSet::from(["LANG".to_owned()]),
                stdio: BTreeSet::from([Stream::Stderr]),
                clocks: BTreeSet::from([Clock::Wall]),
                random: true,
                network: BTreeSet::from([endpoint("example.com:443")]),
                args: false,
                limits: Limits {
                    memory: MemorySize::mib(64),
                    table_elements: None,
                    time: TimeLimit::millis(10_000),
                },
            },
        )]),
    };
    assert_eq!(example(), expected);
}

#[test]
fn serde_round_trip_agrees_with_the_validator() {
    let manifest = example();
    let value = serde_json::to_value(&manifest).unwrap();
    let back: NanoManifest = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(back, manifest);
    assert_eq!(parse_manifest(&value, "app", path()).unwrap(), manifest);
}

#[test]
fn serde_accepts_the_shorthand_and_denies_unknown_fields() {
    let grant: DirGrant = serde_json::from_value(json!("data")).unwrap();
    assert_eq!(grant, DirGrant::slot("data"));
    assert_eq!(
        serde_json::to_value(&grant).unwrap(),
        json!({ "from": "data" })
    );
    assert!(
        serde_json::from_value::<DirGrant>(json!({ "from": "a", "acces": "read-only" })).is_err()
    );
    assert!(serde_json::from_value::<Capabilities>(json!({ "dris": {} })).is_err());
}

#[test]
fn access_is_ordered_read_only_first() {
    assert!(Access::ReadOnly < Access::ReadWrite);
}

#[test]
fn minimal_manifest_requests_nothing() {
    let manifest = parse_manifest(&json!({ "format": 1 }), "app", path()).unwrap();
    assert!(manifest.requests.is_empty());
    assert!(manifest.grants.is_empty());
    assert_eq!(
        serde_json::to_value(&manifest).unwrap(),
        json!({ "format": 1 })
    );
    assert!(!example().requests.is_empty());
    assert!(Grant::default().is_empty());
}

#[test]
fn absent_table_is_not_a_nano_package() {
    let toml = "[package]\nname = \"plain\"\n[package.metadata.other]\nx = 1\n";
    assert_eq!(parse_cargo_toml(toml, "plain", path()).unwrap(), None);
    assert_eq!(parse_cargo_toml("", "plain", path()).unwrap(), None);
}

#[test]
fn errors_carry_package_path_and_every_problem() {
    let nano = json!({
        "format": 2,
        "requests": { "dris": {}, "env": ["A=B"] },
        "grants": { "x": { "dirs": { "out": { "from": "data", "path": "../up" } } } },
    });
    let errors = parse_manifest(&nano, "app", path()).unwrap_err();
    assert_eq!(errors.package, "app");
    assert_eq!(errors.manifest_path, path());
    let keys: Vec<&str> = errors.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "package.metadata.nano.format",
            "package.metadata.nano.requests.dris",
            "package.metadata.nano.requests.env[0]",
            "package.metadata.nano.grants.x.dirs.out.path",
        ]
    );
    assert!(errors.problems.iter().all(|p| p.help.is_some()));
    let text = errors.to_string();
    assert!(text.starts_with("invalid nano manifest of package `app` in `app/Cargo.toml`\n  - "));
    assert_eq!(text.lines().count(), 5, "{text}");
}

#[test]
fn unusual_keys_are_quoted_in_key_paths() {
    let nano =
        json!({ "format": 1, "requests": { "dirs": { "my slot": "read-only", "": "read-only" } } });
    let errors = parse_manifest(&nano, "app", path()).unwrap_err();
    let keys: Vec<&str> = errors.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            r#"package.metadata.nano.requests.dirs."""#,
            r#"package.metadata.nano.requests.dirs."my slot""#,
        ]
    );
}

#[test]
fn schema_is_generated_from_the_types() {
    let schema = manifest_json_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["required"], json!(["format"]));
    assert_eq!(schema["properties"]["format"]["const"], 1);
}

#[test]
fn keywords_display_as_in_manifests() {
    for access in [Access::ReadOnly, Access::ReadWrite] {
        assert_eq!(
            serde_json::to_value(access).unwrap(),
            json!(access.to_string())
        );
    }
    for stream in [Stream::Stdin, Stream::Stdout, Stream::Stderr] {
        assert_eq!(
            serde_json::to_value(stream).unwrap(),
            json!(stream.as_str())
        );
    }
    for clock in [Clock::Wall, Clock::Monotonic] {
        assert_eq!(
            serde_json::to_value(clock).unwrap(),
            json!(clock.to_string())
        );
    }
}
