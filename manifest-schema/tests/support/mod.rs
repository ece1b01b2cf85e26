//! Shared by the schema drift tests.

use std::path::Path;

/// Compares `schema/<file>` with `generated`, or rewrites it when `BLESS` is set (cargo and wac
/// style); `test` names the test target for the hint.
pub fn check_committed_schema(file: &str, generated: &serde_json::Value, test: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(file);
    let mut text = serde_json::to_string_pretty(generated).expect("the schema serializes");
    text.push('\n');
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &text).expect("cannot write the schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed.replace("\r\n", "\n") == text,
        "`{}` is out of date with the types; run `BLESS=1 cargo test -p nano-manifest-schema --test {test}` to update it",
        path.display()
    );
}
