//! The committed JSON Schema must match the one generated from the types.
//! Run with `BLESS=1` to rewrite `schema/nano-manifest.schema.json`.

mod support;

#[test]
fn committed_schema_is_up_to_date() {
    support::check_committed_schema(
        "nano-manifest.schema.json",
        &manifest_schema::manifest_json_schema(),
        "schema",
    );
}

#[test]
fn tables_deny_unknown_keys() {
    let schema = manifest_schema::manifest_json_schema();
    assert_eq!(schema["additionalProperties"], false);
    for def in ["Requests", "Grant", "Limits"] {
        assert_eq!(schema["$defs"][def]["additionalProperties"], false, "{def}");
    }
    let dir_grant = schema["$defs"]["DirGrant"].to_string();
    assert!(
        dir_grant.contains(r#""additionalProperties":false"#),
        "{dir_grant}"
    );
}
