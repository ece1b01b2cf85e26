//! Unit tests of the requests `cargo nano init` writes.

use super::*;

fn edited(original: &str, requests: &Requests) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Cargo.toml");
    std::fs::write(&path, original).unwrap();
    write_manifest(&path, requests).unwrap();
    std::fs::read_to_string(&path).unwrap()
}

#[test]
fn the_table_is_added_and_the_rest_of_the_file_kept() {
    let original =
        "[package]\nname = \"app\" # the app\nversion = \"0.1.0\"\n\n[dependencies]\n# none yet\n";
    let mut requests = Requests {
        args: true,
        ..Default::default()
    };
    requests.stdio.insert(Stream::Stdout);
    requests.decide(
        "env = [\"NAME\"]",
        "the code reads environment variables".into(),
    );
    let text = edited(original, &requests);
    assert!(text.starts_with(original), "{text}");
    assert!(
        text.contains("[package.metadata.nano]\nformat = 1\n"),
        "{text}"
    );
    assert!(
        text.contains("stdio = [\"stdout\"]\nargs = true\n"),
        "{text}"
    );
    assert!(
        text.contains("# To decide: the code reads environment variables\n# env = [\"NAME\"]\n"),
        "{text}"
    );
    let parsed =
        manifest_schema::parse_cargo_toml(&text, "app", std::path::Path::new("Cargo.toml"))
            .unwrap()
            .unwrap();
    assert!(parsed.requests.args);
    assert!(parsed.requests.env.is_empty());
}

#[test]
fn existing_metadata_of_other_tools_stays() {
    let original = "[package]\nname = \"app\"\n\n[package.metadata.docs.rs]\nall-features = true\n";
    let text = edited(original, &Requests::default());
    assert!(
        text.contains("[package.metadata.docs.rs]\nall-features = true\n"),
        "{text}"
    );
    assert!(
        text.contains("[package.metadata.nano]\nformat = 1\n"),
        "{text}"
    );
    assert!(text.contains("[package.metadata.nano.requests]"), "{text}");
}

/// The component of `linker/tests/data/src/envnames`: `TERM` and `NO_COLOR` by name, and a
/// computed name.
fn envnames() -> Inspection {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/envnames.wasm");
    let bytes = std::fs::read(path).unwrap();
    crate::inspect::inspect_package(&bytes, "nano-test-envnames").unwrap()
}

#[test]
fn environment_variables_read_by_constant_names_are_requested_by_name() {
    let mut inspection = envnames();
    inspection.env.unnamed.clear();
    let requests = Requests::from_inspection("app", &inspection).unwrap();
    assert_eq!(requests.lines(), ["env = [\"NO_COLOR\", \"TERM\"]"]);
    assert!(requests.decisions.is_empty());
}

#[test]
fn a_computed_variable_name_is_left_to_decide_with_the_names_seen() {
    let requests = Requests::from_inspection("app", &envnames()).unwrap();
    assert!(requests.lines().is_empty(), "{:?}", requests.lines());
    let [decision] = &requests.decisions[..] else {
        panic!("{:?}", requests.decisions);
    };
    assert_eq!(decision.example, "env = [\"NO_COLOR\", \"TERM\", \"NAME\"]");
    assert!(
        decision.text.contains("nano_test_envnames::read_computed")
            && decision
                .text
                .contains("it reads `NO_COLOR`, `TERM` by name"),
        "{}",
        decision.text
    );
}

#[test]
fn a_manifest_without_package_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Cargo.toml");
    std::fs::write(&path, "[workspace]\n").unwrap();
    let err = write_manifest(&path, &Requests::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Cargo.toml") && err.contains("no `[package]`"),
        "{err}"
    );
}
