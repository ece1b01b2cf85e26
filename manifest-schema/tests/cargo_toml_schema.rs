//! The editor schema of `Cargo.toml` is committed, up to date, and accepts every manifest of
//! this repository while refusing a nano table with an unknown key.
//! Run with `BLESS=1` to rewrite `schema/cargo-toml.schema.json`.

mod support;

use std::path::Path;

#[test]
fn committed_schema_is_up_to_date() {
    support::check_committed_schema(
        "cargo-toml.schema.json",
        &manifest_schema::cargo_toml_json_schema(),
        "cargo_toml_schema",
    );
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&manifest_schema::cargo_toml_json_schema())
        .expect("the editor schema is a valid JSON Schema")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    let value: toml::Value = toml::from_str(toml_text).expect("valid TOML");
    serde_json::to_value(value).expect("TOML converts to JSON")
}

/// Every `Cargo.toml` under `fixtures/` (except the deliberately broken ones, which have no nano
/// table problems the schema could see anyway) passes.
#[test]
fn every_fixture_manifest_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let validator = validator();
    let mut seen = 0;
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures are readable") {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() && name != "target" && !name.starts_with('.') {
                stack.push(path);
            } else if name == "Cargo.toml" {
                let text = std::fs::read_to_string(&path).expect("readable manifest");
                let errors: Vec<String> = validator
                    .iter_errors(&as_json(&text))
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                assert!(errors.is_empty(), "{}: {errors:?}", path.display());
                seen += 1;
            }
        }
    }
    assert!(seen > 20, "only {seen} manifests found");
}

#[test]
fn nano_tables_are_checked_and_the_rest_is_left_to_cargo() {
    let validator = validator();
    let good = as_json(
        "[package]\nname = \"app\"\nunknown-to-us = 1\n\
         [package.metadata.nano]\nformat = 1\n[package.metadata.nano.requests]\nenv = [\"HOME\"]\n\
         [package.metadata.other-tool]\nanything = true\n\
         [workspace.metadata.nano.build.openssl-src]\nnetwork = true\nread = [\"~/.config\"]\n",
    );
    assert!(validator.is_valid(&good));
    for bad in [
        "[package.metadata.nano]\nformat = 1\n[package.metadata.nano.requests]\ndris = {}\n",
        "[package.metadata.nano]\nformat = 1\n[package.metadata.nano.requests]\nenv = \"HOME\"\n",
        "[workspace.metadata.nano.build.cc]\nenv = [\"X\"]\n",
        "[workspace.metadata.nano.build.cc]\nnetwork = \"yes\"\n",
    ] {
        assert!(!validator.is_valid(&as_json(bad)), "accepted:\n{bad}");
    }
}
