//! Unit tests of the generated workspace: sources, patches, the lock.

use super::lock::{entry_key, lock_entries};
use super::*;

fn info(source: Option<&str>) -> PackageInfo {
    PackageInfo {
        version: semver::Version::new(1, 2, 3),
        source: source.map(str::to_string),
        manifest_path: PathBuf::from("/src/util/Cargo.toml"),
        enabled_features: vec!["default".into(), "fast".into()],
        ..PackageInfo::for_test("util")
    }
}

fn spec(source: Option<&str>) -> String {
    toml::to_string(&dependency(&info(source), IMPORT_FEATURE).unwrap()).unwrap()
}

#[test]
fn each_source_is_named_as_cargo_resolved_it() {
    let path = spec(None);
    assert!(path.contains("path = \"/src/util\""), "{path}");
    assert!(
        path.contains("features = [\"default\", \"fast\", \"nano-import\"]"),
        "{path}"
    );
    assert!(path.contains("default-features = false"), "{path}");
    let crates_io = spec(Some(CRATES_IO_SPARSE));
    assert!(crates_io.contains("version = \"=1.2.3\""), "{crates_io}");
    assert!(!crates_io.contains("registry-index"), "{crates_io}");
    let alt = spec(Some("registry+file:///tmp/index"));
    assert!(
        alt.contains("registry-index = \"file:///tmp/index\""),
        "{alt}"
    );
    let sparse = spec(Some("sparse+https://example.com/index/"));
    assert!(
        sparse.contains("registry-index = \"sparse+https://example.com/index/\""),
        "{sparse}"
    );
    let git = spec(Some("git+file:///tmp/repo?branch=main#0123abcd"));
    assert!(git.contains("git = \"file:///tmp/repo\""), "{git}");
    assert!(git.contains("branch = \"main\""), "{git}");
    assert!(!git.contains("0123abcd"), "{git}");
}

#[test]
fn an_unknown_source_is_an_error_naming_the_package() {
    let err = dependency(&info(Some("vendored+x")), IMPORT_FEATURE)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`util`") && err.contains("vendored+x"),
        "{err}"
    );
}

#[test]
fn patch_paths_become_absolute() {
    let mut value: Value = toml::from_str::<Table>(
        "[crates-io]\nutil = { path = \"../util\" }\nother = { git = \"x\" }",
    )
    .unwrap()
    .into();
    absolutize_paths(&mut value, Path::new("/ws"));
    let text = toml::to_string(&value).unwrap();
    assert!(text.contains("path = \"/ws/../util\""), "{text}");
    assert!(text.contains("git = \"x\""), "{text}");
}

#[test]
fn locked_builds_use_the_users_versions() {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace {
        root: dir.path().to_path_buf(),
        manifest_path: dir.path().join("Cargo.toml"),
        target_dir: dir.path().join("target"),
        members: vec![],
        packages: vec![],
        build_time: Default::default(),
    };
    let package = NanoPackage {
        info: info(None),
        manifest: crate::graph::empty_manifest(),
        kind: crate::graph::PackageKind::Library,
        children: vec![],
    };
    let entry = |name: &str, version: &str| {
        format!(
            "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = \"registry+x\"\n"
        )
    };
    let user = format!("version = 4\n{}", entry("itoa", "1.0.14"));
    std::fs::write(dir.path().join("Cargo.lock"), &user).unwrap();
    let generated = dir_of(&ws, &package.info);
    std::fs::create_dir_all(&generated).unwrap();
    // The same version, plus the generated root and a crate only the nano features pull in.
    let own = "[[package]]\nname = \"nano-build-util\"\nversion = \"0.0.0\"\n";
    let glue = format!(
        "{}{}",
        entry("wit-bindgen", "0.63.0"),
        entry("itoa", "2.0.0")
    );
    std::fs::write(generated.join("Cargo.lock"), format!("{user}{own}{glue}")).unwrap();
    check_locked(&ws, &package).unwrap();
    // Another version of a crate the user's lock holds.
    let other = format!("version = 4\n{}{own}", entry("itoa", "1.0.15"));
    std::fs::write(generated.join("Cargo.lock"), other).unwrap();
    let err = check_locked(&ws, &package).unwrap_err().to_string();
    assert!(
        err.contains("building `util` resolved versions") && err.contains("`itoa 1.0.15`"),
        "{err}"
    );
}

#[test]
fn the_generated_lock_keeps_what_only_the_nano_features_need() {
    let dir = tempfile::tempdir().unwrap();
    let (user, generated) = (dir.path().join("user.lock"), dir.path().join("gen.lock"));
    let entry = |name: &str, version: &str| {
        format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n")
    };
    std::fs::write(&user, format!("version = 4\n\n{}", entry("itoa", "1.0.14"))).unwrap();
    // First build: the user's lock as it is.
    seed_lock(&user, &generated).unwrap();
    assert_eq!(
        std::fs::read(&generated).unwrap(),
        std::fs::read(&user).unwrap()
    );
    // Cargo added the generated root and the glue crates; the user then upgraded itoa.
    let resolved = format!(
        "version = 4\n\n{}{}{}",
        entry("itoa", "1.0.14"),
        entry("nano-build-util", "0.0.0"),
        entry("wit-bindgen", "0.63.0"),
    );
    let resolved = format!(
        "{resolved}{}{}",
        entry("syn", "3.0.1"),
        entry("syn", "2.0.1")
    );
    std::fs::write(&generated, resolved).unwrap();
    std::fs::write(
        &user,
        format!(
            "version = 4\n\n{}{}",
            entry("itoa", "1.0.15"),
            entry("syn", "2.0.2")
        ),
    )
    .unwrap();
    seed_lock(&user, &generated).unwrap();
    let seeded = std::fs::read_to_string(&generated).unwrap();
    let keys: Vec<_> = lock_entries(&seeded, &generated)
        .unwrap()
        .iter()
        .map(entry_key)
        .map(|(n, v, _)| format!("{n} {v}"))
        .collect();
    assert_eq!(
        keys,
        [
            "itoa 1.0.15",
            "syn 2.0.2",
            "wit-bindgen 0.63.0",
            "syn 3.0.1"
        ]
    );
}
