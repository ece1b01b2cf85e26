//! The committed JSON Schema must match the one generated from the types.
//! Run with `BLESS=1` to rewrite `schema/nano-manifest.schema.json`.

use std::path::Path;

#[test]
fn committed_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/nano-manifest.schema.json");
    let mut generated = serde_json::to_string_pretty(&manifest_schema::manifest_json_schema())
        .expect("the schema serializes");
    generated.push('\n');
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &generated).expect("cannot write the schema");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed.replace("\r\n", "\n") == generated,
        "`{}` is out of date with `manifest_json_schema()`; \
         run `BLESS=1 cargo test -p nano-manifest-schema --test schema` to update it",
        path.display()
    );
}

#[test]
fn tables_deny_unknown_keys() {
    let schema = manifest_schema::manifest_json_schema();
    assert_eq!(schema["additionalProperties"], false);
    for def in ["Capabilities", "Grant"] {
        assert_eq!(schema["$defs"][def]["additionalProperties"], false, "{def}");
    }
    let dir_grant = schema["$defs"]["DirGrant"].to_string();
    assert!(
        dir_grant.contains(r#""additionalProperties":false"#),
        "{dir_grant}"
    );
}
