use manifest_schema::{Access, Capabilities, Clock, Stream};

use super::needs::{minus, union};
use super::{PackageNeeds, write};

fn caps(stdio: &[Stream], random: bool) -> Capabilities {
    Capabilities {
        stdio: stdio.iter().copied().collect(),
        random,
        ..Capabilities::default()
    }
}

#[test]
fn missing_is_what_is_needed_and_not_held_and_a_wider_access_counts() {
    let mut need = caps(&[Stream::Stdout, Stream::Stderr], true);
    need.dirs.insert("data".into(), Access::ReadWrite);
    need.dirs.insert("input".into(), Access::ReadOnly);
    let mut have = caps(&[Stream::Stdout], false);
    have.dirs.insert("data".into(), Access::ReadOnly);
    have.dirs.insert("input".into(), Access::ReadWrite);
    let missing = minus(&need, &have);
    assert_eq!(missing.stdio, [Stream::Stderr].into());
    assert!(missing.random);
    assert_eq!(missing.dirs.len(), 1, "input is held with more than needed");
    assert_eq!(missing.dirs["data"], Access::ReadWrite);
    assert!(minus(&have, &have).is_empty());
    let mut both = have.clone();
    union(&mut both, &need);
    assert_eq!(both.dirs["data"], Access::ReadWrite);
    assert!(minus(&need, &both).is_empty());
}

#[test]
fn write_adds_what_is_missing_and_keeps_the_rest_of_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Cargo.toml");
    let before = "[package]\nname = \"app\" # the app\n\n[package.metadata.nano]\nformat = 1\n\n[package.metadata.nano.requests]\nstdio = [\"stdout\"]\n";
    std::fs::write(&path, before).unwrap();
    let mut missing_requests = caps(&[Stream::Stderr], true);
    missing_requests.clocks.insert(Clock::Monotonic);
    let needs = PackageNeeds {
        package: "app".into(),
        manifest_path: path.clone(),
        local: true,
        missing_requests,
        missing_grants: [("child".to_string(), caps(&[Stream::Stderr], false))].into(),
        ..PackageNeeds::default()
    };
    assert_eq!(
        write(std::slice::from_ref(&needs)).unwrap(),
        std::slice::from_ref(&path)
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        after.starts_with("[package]\nname = \"app\" # the app\n"),
        "{after}"
    );
    let doc: toml::Value = toml::from_str(&after).unwrap();
    let nano = &doc["package"]["metadata"]["nano"];
    assert_eq!(
        nano["requests"]["stdio"],
        toml::Value::Array(vec!["stdout".into(), "stderr".into()])
    );
    assert_eq!(nano["requests"]["random"], toml::Value::Boolean(true));
    assert_eq!(
        nano["requests"]["clocks"],
        toml::Value::Array(vec!["monotonic".into()])
    );
    assert_eq!(
        nano["grants"]["child"]["stdio"],
        toml::Value::Array(vec!["stderr".into()])
    );
    // A package from a registry is never written.
    let remote = PackageNeeds {
        local: false,
        ..needs
    };
    assert!(write(&[remote]).unwrap().is_empty());
}
