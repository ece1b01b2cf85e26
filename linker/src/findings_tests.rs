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
    assert_eq!(rules[7], "nano/dropped-permission");
    assert!(Kind::ALL.windows(2).all(|w| w[0] < w[1]));
    assert!(
        Kind::ALL
            .iter()
            .all(|k| k.is_error() == (*k != Kind::Dropped))
    );
}

#[test]
fn growth_is_grouped_per_capability_and_a_crates_new_names_join_its_env_reach() {
    use crate::diff::{Change, CrateDiff, Delta, PackageDiff, Permission, PermissionDiff};
    use manifest_schema::lockfile::LockedPath;
    let env = |name: &str| Permission::Env { name: name.into() };
    let diff = PermissionDiff {
        packages: vec![PackageDiff {
            name: "notifier".into(),
            change: Change::Upgraded,
            old_version: Some("1.0.0".into()),
            new_version: Some("1.1.0".into()),
            checksum_changed: true,
            requests: Delta {
                added: vec![env("A"), Permission::Random, env("B")],
                removed: vec![Permission::Args],
            },
            received: vec![],
            crates: vec![CrateDiff {
                name: "fmtlib".into(),
                change: Change::Upgraded,
                old_version: vec!["0.1.0".into()],
                new_version: vec!["0.2.0".into()],
                reaches: Delta {
                    added: vec![LockedPath {
                        krate: "fmtlib".into(),
                        capability: "env".into(),
                        path: vec!["nano:notifier/api#notify".into(), "fmtlib::banner".into()],
                        indirect: false,
                    }],
                    removed: vec![],
                },
                env: Delta {
                    added: vec!["NO_COLOR".into()],
                    removed: vec![],
                },
            }],
            capability_free: Delta::default(),
            build: vec![],
        }],
    };
    let found = of_diff(&diff, &Sources::default());
    let messages: Vec<(Kind, &str)> = found.iter().map(|f| (f.kind, f.message.as_str())).collect();
    assert_eq!(
        messages,
        [
            (Kind::NewRequest, "requests env `A`, `B`"),
            (Kind::NewRequest, "requests random"),
            (
                Kind::NewReach,
                "crate `fmtlib` 0.1.0 → 0.2.0 now reaches `env` and reads `NO_COLOR`"
            ),
            (Kind::Dropped, "requests args"),
        ]
    );
    assert_eq!(found[0].values, ["A", "B"]);
    let reach = &found[2];
    assert_eq!(
        reach.krate.as_ref().map(|c| c.versions.as_str()),
        Some("0.1.0 → 0.2.0")
    );
    assert_eq!(reach.path.len(), 2);
    assert!(found.iter().all(|f| f.title == "notifier 1.0.0 → 1.1.0"));
}
