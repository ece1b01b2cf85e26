use super::*;

/// The text `located` underlines (`on_key`: the key), and the missing segment.
fn shown<'t>(text: &'t str, path: &str, on_key: bool) -> (&'t str, Option<Segment>) {
    let located = locate(text, path).unwrap_or_else(|| panic!("`{path}` not located"));
    (&text[located.range(on_key)], located.missing)
}

const MANIFEST: &str = r#"[package]
name = "app"

[package.metadata.nano]
format = 1

[package.metadata.nano.requests]
dirs = { data = "rw", out = "read-write" }
env = ["HOME", "LANG=C", "EXAMPLE"]
network = ["Example.com:443"]

[package.metadata.nano.grants.extractor]
dirs.out = { from = "data", path = "../x" }
env = ["HOME"]

[package.metadata.nano.grants."serde.json"]
random = true
"#;

#[test]
fn key_paths_parse_as_the_validation_writes_them() {
    let key = |k: &str| Segment::Key(k.into());
    assert_eq!(
        parse_key_path("package.metadata.nano.requests.env[1]"),
        Some(vec![
            key("package"),
            key("metadata"),
            key("nano"),
            key("requests"),
            key("env"),
            Segment::Index(1)
        ])
    );
    assert_eq!(
        parse_key_path(r#"grants."serde.json".dirs."in \"put\"""#),
        Some(vec![
            key("grants"),
            key("serde.json"),
            key("dirs"),
            key("in \"put\"")
        ])
    );
    assert_eq!(
        parse_key_path("a[0][2]"),
        Some(vec![key("a"), Segment::Index(0), Segment::Index(2)])
    );
    assert_eq!(parse_key_path(""), Some(vec![]));
    let quoted = child_key(&child_key("grants", "serde.json"), "in \"put\"");
    assert_eq!(quoted, r#"grants."serde.json"."in \"put\"""#);
    assert_eq!(parse_key_path(&quoted).map(|s| s.len()), Some(3));
    assert_eq!(child_key("", "grants"), "grants");
    for bad in ["a..b", "a.", ".a", "a[x]", "a[1", "\"open", "a b", "a.b c"] {
        assert_eq!(parse_key_path(bad), None, "{bad}");
    }
}

#[test]
fn values_in_header_tables_and_inline_tables() {
    let text = MANIFEST;
    assert_eq!(
        shown(text, "package.metadata.nano.format", false),
        ("1", None)
    );
    assert_eq!(
        shown(text, "package.metadata.nano.requests.dirs.data", false),
        ("\"rw\"", None)
    );
    assert_eq!(
        shown(text, "package.metadata.nano.requests.dirs.data", true),
        ("data", None)
    );
    assert_eq!(
        shown(text, "package.metadata.nano.requests.dirs", false),
        ("{ data = \"rw\", out = \"read-write\" }", None)
    );
}

#[test]
fn array_elements() {
    let text = MANIFEST;
    assert_eq!(
        shown(text, "package.metadata.nano.requests.env[1]", false),
        ("\"LANG=C\"", None)
    );
    // An element has no key of its own: the value is shown either way.
    assert_eq!(
        shown(text, "package.metadata.nano.requests.env[1]", true),
        ("\"LANG=C\"", None)
    );
    // Past the end: the array, with the index missing.
    assert_eq!(
        shown(text, "package.metadata.nano.requests.env[7]", false),
        (
            "[\"HOME\", \"LANG=C\", \"EXAMPLE\"]",
            Some(Segment::Index(7))
        )
    );
}

#[test]
fn dotted_keys_and_quoted_keys() {
    let text = MANIFEST;
    let path = "package.metadata.nano.grants.extractor.dirs.out.path";
    assert_eq!(shown(text, path, false), ("\"../x\"", None));
    assert_eq!(shown(text, path, true), ("path", None));
    // The table only implied by `dirs.out = …`: its key.
    assert_eq!(
        shown(text, "package.metadata.nano.grants.extractor.dirs", false),
        ("dirs", None)
    );
    // A table with a header: the header, and its last key.
    assert_eq!(
        shown(text, r#"package.metadata.nano.grants."serde.json""#, false),
        (r#"[package.metadata.nano.grants."serde.json"]"#, None)
    );
    assert_eq!(
        shown(text, r#"package.metadata.nano.grants."serde.json""#, true),
        (r#""serde.json""#, None)
    );
    let dotted = "[package]\nname = \"a\"\nmetadata.nano.requests.env = [\"A\", \"B\"]\n";
    assert_eq!(
        shown(dotted, "package.metadata.nano.requests.env[1]", false),
        ("\"B\"", None)
    );
}

#[test]
fn a_missing_key_points_at_the_table_that_should_hold_it() {
    let text = MANIFEST;
    assert_eq!(
        shown(text, "package.metadata.nano.grants.extractor.random", false),
        (
            "[package.metadata.nano.grants.extractor]",
            Some(Segment::Key("random".into()))
        )
    );
    // Missing below a missing key: the nearest table that is written, here `grants`, implied
    // by the headers below it (its span is its key in the first of them).
    assert_eq!(
        shown(text, "package.metadata.nano.grants.fetcher.env", false),
        ("grants", Some(Segment::Key("fetcher".into())))
    );
    // Missing inside an inline table: the inline table.
    assert_eq!(
        shown(
            text,
            "package.metadata.nano.grants.extractor.dirs.out.access",
            false
        ),
        (
            "{ from = \"data\", path = \"../x\" }",
            Some(Segment::Key("access".into()))
        )
    );
    let no_format = "[package]\nname = \"a\"\n\n[package.metadata.nano]\n";
    assert_eq!(
        shown(no_format, "package.metadata.nano.format", false),
        (
            "[package.metadata.nano]",
            Some(Segment::Key("format".into()))
        )
    );
    assert_eq!(locate("x = 1\n", "package.metadata.nano"), None);
    assert_eq!(locate("not toml = = 1", "package"), None);
}

#[test]
fn items_of_an_array_by_value() {
    let text = MANIFEST;
    let at = |path: &str, item: &str| {
        let located = locate_item(text, path, item).expect("located");
        (&text[located.value.clone()], located.missing)
    };
    assert_eq!(
        at("package.metadata.nano.requests.env", "EXAMPLE"),
        ("\"EXAMPLE\"", None)
    );
    assert_eq!(
        at("package.metadata.nano.requests.network", "example.com:443"),
        ("\"Example.com:443\"", None)
    );
    // Not in the array: the array.
    assert_eq!(
        at("package.metadata.nano.grants.extractor.env", "LANG"),
        ("[\"HOME\"]", None)
    );
    // No array at all: the grant table that should hold it.
    assert_eq!(
        at("package.metadata.nano.grants.extractor.network", "a:1").0,
        "[package.metadata.nano.grants.extractor]"
    );
}

#[test]
fn syntax_errors_and_positions() {
    let text = "[package]\nname = \"a\"\nname = \"b\"\n";
    let error = syntax_error(text).expect("a syntax error");
    assert_eq!(error.message, "duplicate key");
    assert_eq!(&text[error.range.clone()], "name");
    assert_eq!(line_column(text, error.range.start), (3, 1));
    assert_eq!(syntax_error(MANIFEST), None);
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)] // Read for its errors only.
    struct Package {
        name: String,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Document {
        package: Package,
    }
    let wrong = "[package]\nname = 3\n";
    let error = read_error::<Document>(wrong).expect("a type error");
    assert_eq!(&wrong[error.range], "3");
    assert!(
        error.message.contains("expected a string"),
        "{}",
        error.message
    );
    assert_eq!(read_error::<Document>("[package]\nname = \"a\"\n"), None);
    assert_eq!(line_column("ab\ncdé f", 8), (2, 5));
    assert_eq!(line_column("", 0), (1, 1));
}
