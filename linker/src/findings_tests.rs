use super::*;

const MANIFEST: &str = r#"[package]
name = "app"

[package.metadata.nano]
format = 1

[package.metadata.nano.requests]
stdio = ["stdout"]
env = ["HOME"]

# The child's grant.
[package.metadata.nano.grants.notifier]
stdio = ["stderr"]

[package.metadata.nano.grants."other"]
random = true
"#;

#[test]
fn a_key_of_a_table_is_found_on_its_line() {
    assert_eq!(line_in(MANIFEST, "requests", Some("env")), Some(9));
    assert_eq!(line_in(MANIFEST, "requests", Some("stdio")), Some(8));
    assert_eq!(
        line_in(MANIFEST, "grants.notifier", Some("stdio")),
        Some(13)
    );
    assert_eq!(line_in(MANIFEST, "grants.other", Some("random")), Some(16));
}

#[test]
fn an_absent_key_points_at_its_table_and_an_absent_table_at_the_nano_table() {
    assert_eq!(line_in(MANIFEST, "requests", Some("network")), Some(7));
    assert_eq!(line_in(MANIFEST, "grants.notifier", Some("env")), Some(12));
    assert_eq!(line_in(MANIFEST, "grants.missing", None), Some(4));
    assert_eq!(line_in("[package]\nname = \"x\"\n", "requests", None), None);
}

#[test]
fn dotted_and_inline_keys_under_the_nano_table_are_found() {
    let text = "[package]\nname = \"x\"\n\n[package.metadata.nano]\nformat = 1\nrequests.env = [\"A\"]\ngrants = { child = { random = true } }\n";
    assert_eq!(line_in(text, "requests", Some("env")), Some(6));
    assert_eq!(line_in(text, "grants.child", Some("random")), Some(7));
}

#[test]
fn kinds_are_ordered_by_importance_and_named_as_rules() {
    let rules: Vec<&str> = Kind::ALL.iter().map(|k| k.rule()).collect();
    assert_eq!(rules[0], "nano/unrequested-reach");
    assert_eq!(rules[6], "nano/dropped-permission");
    assert!(Kind::ALL.windows(2).all(|w| w[0] < w[1]));
    assert!(
        Kind::ALL
            .iter()
            .all(|k| k.is_error() == (*k != Kind::Dropped))
    );
}
