//! Nano packages wherever Cargo resolves them: a git repository, an alternative registry, a path
//! outside the workspace, a renamed dependency, and two versions of one package in one tree.
//!
//! Everything but crates.io is served from files made at test time in a scratch directory (see
//! [`Sources`]); the crates.io crates are the ones this repository already uses. The happy path is
//! one rich tree built and run once; the refusals stop before anything is compiled.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{cargo_nano_in, edit, normalize, repo, snapshot};

/// The index URL of crates.io, as a registry index records a dependency on it.
const CRATES_IO: &str = "https://github.com/rust-lang/crates.io-index";

/// `fixtures/sources` made real in a scratch directory:
///
/// - `registry/`: a git index and its `.crate` files, holding `nanoprocess-macros` and
///   `nanoprocess` (packaged from this repository) and `util` 1.0.0 and 2.0.0;
/// - `hello/`: a git repository (branch `main`) holding the nano package `hello`;
/// - `outside/`: a path package outside `app`'s workspace;
/// - `app/`: the application, its `.cargo/config.toml` declaring the registry as `local`, its
///   `Cargo.lock` seeded from this repository's so crates.io versions are ones already fetched.
struct Sources {
    dir: tempfile::TempDir,
    registry: Registry,
    /// The `file://` URL of the git repository holding `hello`.
    git: String,
}

impl Sources {
    fn new() -> Sources {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        copy_dir(&repo().join("fixtures").join("sources"), root);

        let registry = Registry::new(&root.join("registry"));
        let support_crates = repo().join("Cargo.toml");
        registry.publish(&support_crates, "nanoprocess-macros");
        registry.publish(&support_crates, "nanoprocess");
        registry.publish(&root.join("util-1.0.0/Cargo.toml"), "util");
        registry.publish(&root.join("util-2.0.0/Cargo.toml"), "util");

        let hello = root.join("hello");
        git(&hello, &["init", "--quiet", "--initial-branch=main"]);
        git(&hello, &["add", "--all"]);
        git(&hello, &["commit", "--quiet", "--message", "hello 0.13.0"]);
        let git_url = file_url(&hello);

        let app = root.join("app");
        edit(&app.join("Cargo.toml"), "@HELLO_GIT@", &git_url);
        std::fs::create_dir_all(app.join(".cargo")).expect("create .cargo");
        std::fs::write(
            app.join(".cargo/config.toml"),
            format!("[registries.local]\nindex = {:?}\n", registry.url),
        )
        .expect("write .cargo/config.toml");
        std::fs::copy(repo().join("Cargo.lock"), app.join("Cargo.lock")).expect("seed Cargo.lock");

        Sources {
            dir,
            registry,
            git: git_url,
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn app(&self) -> PathBuf {
        self.root().join("app")
    }

    /// A copy of `app` named `name`, next to it (so `../outside` still resolves), for a test
    /// that edits its manifest.
    fn app_copy(&self, name: &str) -> PathBuf {
        let copy = self.root().join(name);
        copy_dir(&self.app(), &copy);
        copy
    }

    /// Paths and URLs of this scratch directory replaced by stable names.
    fn normalize(&self, text: &str) -> String {
        normalize(
            &text
                .replace(&self.git, "[GIT]")
                .replace(&self.registry.url, "[REGISTRY]"),
            &[(self.root(), "[SOURCES]")],
        )
    }
}

/// An alternative registry served from files: a git index whose `config.json` points downloads at
/// a directory of `.crate` files, as `cargo publish` would leave it.
struct Registry {
    index: PathBuf,
    crates: PathBuf,
    /// The index URL (`file:///…/index`).
    url: String,
}

impl Registry {
    fn new(dir: &Path) -> Registry {
        let index = dir.join("index");
        let crates = dir.join("crates");
        std::fs::create_dir_all(&index).expect("create index");
        std::fs::create_dir_all(&crates).expect("create crates dir");
        let config = serde_json::json!({
            "dl": format!("{}/{{crate}}-{{version}}.crate", file_url(&crates)),
        });
        std::fs::write(index.join("config.json"), config.to_string()).expect("write config.json");
        git(&index, &["init", "--quiet", "--initial-branch=main"]);
        git(&index, &["add", "--all"]);
        git(
            &index,
            &["commit", "--quiet", "--message", "empty registry"],
        );
        let url = file_url(&index);
        Registry { index, crates, url }
    }

    /// Packages `package` of the workspace of `manifest` (`cargo package`), stores the `.crate`
    /// and commits its index entry: `cargo publish` without a server. Path dependencies are
    /// taken to be published to this registry too (publish them first).
    fn publish(&self, manifest: &Path, package: &str) {
        let scratch = tempfile::tempdir().expect("temp dir");
        let config = format!("registries.local.index={:?}", self.url);
        let mut cmd = cargo();
        cmd.args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "--exclude-lockfile",
        ])
        .args(["--package", package, "--manifest-path"])
        .arg(manifest)
        .args(["--config", &config, "--target-dir"])
        .arg(scratch.path());
        let metadata = serde_json::from_slice::<serde_json::Value>(&run(cargo()
            .args([
                "metadata",
                "--no-deps",
                "--format-version=1",
                "--manifest-path",
            ])
            .arg(manifest)
            .args(["--config", &config])))
        .expect("cargo metadata prints JSON");
        let pkg = metadata["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .find(|p| p["name"] == package)
            .unwrap_or_else(|| panic!("no package `{package}` in {}", manifest.display()));
        // Dependencies from another registry (`util` -> `nanoprocess`) make the package publishable
        // only there.
        if pkg["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .any(|d| d["registry"] == self.url.as_str())
        {
            cmd.args(["--registry", "local"]);
        }
        run(&mut cmd);
        let version = pkg["version"].as_str().expect("version");
        let file = format!("{package}-{version}.crate");
        let bytes = std::fs::read(scratch.path().join("package").join(&file)).expect("read .crate");
        std::fs::write(self.crates.join(&file), &bytes).expect("store .crate");

        let entry = self.index_entry(pkg, &bytes);
        let path = self.index.join(index_path(package));
        std::fs::create_dir_all(path.parent().expect("index dir")).expect("create index dir");
        let mut lines = std::fs::read_to_string(&path).unwrap_or_default();
        lines.push_str(&entry.to_string());
        lines.push('\n');
        std::fs::write(&path, lines).expect("write index entry");
        git(&self.index, &["add", "--all"]);
        git(
            &self.index,
            &[
                "commit",
                "--quiet",
                "--message",
                &format!("{package} {version}"),
            ],
        );
    }

    /// The index line of a package (`cargo metadata` JSON) whose `.crate` is `bytes`.
    fn index_entry(&self, pkg: &serde_json::Value, bytes: &[u8]) -> serde_json::Value {
        use sha2::Digest;
        let deps: Vec<serde_json::Value> = pkg["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"] != "dev")
            .map(|d| {
                // `null`: this registry. Cargo metadata gives `null` for crates.io.
                let registry = if d["path"].is_string() || d["registry"] == self.url.as_str() {
                    serde_json::Value::Null
                } else if d["registry"].is_null() {
                    CRATES_IO.into()
                } else {
                    d["registry"].clone()
                };
                let mut dep = serde_json::json!({
                    "name": if d["rename"].is_string() { &d["rename"] } else { &d["name"] },
                    "req": d["req"],
                    "features": d["features"],
                    "optional": d["optional"],
                    "default_features": d["uses_default_features"],
                    "target": d["target"],
                    "kind": if d["kind"].is_null() { "normal".into() } else { d["kind"].clone() },
                    "registry": registry,
                });
                if d["rename"].is_string() {
                    dep["package"] = d["name"].clone();
                }
                dep
            })
            .collect();
        // Features using `dep:` or `?` syntax go to `features2` (index format v2).
        let (mut features, mut features2) = (serde_json::Map::new(), serde_json::Map::new());
        for (name, values) in pkg["features"].as_object().expect("features") {
            let new_syntax = values.as_array().expect("feature list").iter().any(|v| {
                let v = v.as_str().expect("feature");
                v.starts_with("dep:") || v.contains('?')
            });
            let map = if new_syntax {
                &mut features2
            } else {
                &mut features
            };
            map.insert(name.clone(), values.clone());
        }
        let mut entry = serde_json::json!({
            "name": pkg["name"],
            "vers": pkg["version"],
            "deps": deps,
            "cksum": hex::encode(sha2::Sha256::digest(bytes)),
            "features": features,
            "yanked": false,
        });
        if !features2.is_empty() {
            entry["features2"] = features2.into();
            entry["v"] = 2.into();
        }
        entry
    }
}

/// Where a package's entries live in an index: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…`.
fn index_path(name: &str) -> String {
    let name = name.to_lowercase();
    match name.len() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let (from, to) = (entry.path(), to.join(entry.file_name()));
        if from.is_dir() {
            copy_dir(&from, &to);
        } else {
            std::fs::copy(&from, &to).expect("copy file");
        }
    }
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The cargo that runs the tests.
fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs git in `dir` with a fixed identity and dates, so commits are the same every time.
fn git(dir: &Path, args: &[&str]) {
    run(Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=cargo-nano tests",
            "-c",
            "user.email=tests@example.invalid",
        ])
        .args(["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z"));
}

/// Runs a command that must succeed; its stdout.
fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// One `[[package]]` of a `Nano.lock`.
#[derive(Debug)]
struct Locked {
    name: String,
    version: String,
    source: Option<String>,
    /// Instance path -> what it received (a TOML table).
    received: toml::Table,
    requests: toml::Table,
}

fn locked_packages(lock: &str) -> Vec<Locked> {
    let lock: toml::Table = toml::from_str(lock).expect("Nano.lock is TOML");
    let string = |t: &toml::Table, key: &str| t.get(key).and_then(|v| v.as_str()).map(String::from);
    let table = |t: &toml::Table, key: &str| {
        t.get(key)
            .and_then(|v| v.as_table())
            .cloned()
            .unwrap_or_default()
    };
    lock["package"]
        .as_array()
        .expect("[[package]]")
        .iter()
        .map(|p| {
            let p = p.as_table().expect("package table");
            Locked {
                name: string(p, "name").expect("name"),
                version: string(p, "version").expect("version"),
                source: string(p, "source"),
                received: table(p, "received"),
                requests: table(p, "requests"),
            }
        })
        .collect()
}

#[test]
fn nano_packages_from_git_a_registry_and_outside_paths_build_and_run() {
    let sources = Sources::new();
    let app = sources.app();
    let target = "sources";

    let built = cargo_nano_in(&app, target, &["build"]);
    assert_eq!(built.status, 0, "{}", built.render());

    // Nano.lock, at the workspace root: every nano package with where it comes from, both
    // versions of `util`, and what each instance received under its dependency name.
    let lock = std::fs::read_to_string(app.join("Nano.lock")).expect("build writes Nano.lock");
    let registry = format!("registry+{}", sources.registry.url);
    let packages = locked_packages(&lock);
    let summary: Vec<_> = packages
        .iter()
        .map(|p| {
            let instances: Vec<_> = p.received.keys().map(String::as_str).collect();
            format!("{} {} {}", p.name, p.version, instances.join(","))
        })
        .collect();
    assert_eq!(
        summary,
        [
            "app 0.10.0 app",
            "hello 0.13.0 app/hello",
            "outside 0.11.0 app/outside",
            "util 1.0.0 app/util1",
            "util 2.0.0 app/outside/util",
        ],
        "{lock}"
    );
    let [app_pkg, hello, outside, util1, util2] = &packages[..] else {
        unreachable!()
    };
    assert_eq!(app_pkg.source, None, "a path package has no source");
    assert_eq!(outside.source, None, "a path package has no source");
    let hello_source = hello.source.as_deref().unwrap_or_default();
    assert!(
        hello_source.starts_with(&format!("git+{}?branch=main#", sources.git)),
        "`hello` comes from the git repository's branch `main`: {hello_source:?}"
    );
    assert_eq!(util1.source.as_deref(), Some(registry.as_str()));
    assert_eq!(util2.source.as_deref(), Some(registry.as_str()));
    // Each version requests and holds its own capabilities, granted by its own parent.
    let keys = |t: &toml::Table| t.keys().cloned().collect::<Vec<_>>().join(",");
    assert_eq!(keys(&util1.requests), "dirs");
    assert_eq!(keys(&util2.requests), "env");
    let table = |text: &str| toml::Value::Table(toml::from_str(text).unwrap());
    assert_eq!(
        util1.received["app/util1"],
        table(r#"dirs.notes = { from = "data", path = "notes", access = "read-only" }"#)
    );
    assert_eq!(
        util2.received["app/outside/util"],
        table(r#"env = ["UTIL_TAG"]"#)
    );
    assert_eq!(
        outside.received["app/outside"],
        table(
            r#"env = ["UTIL_TAG"]
stdio = ["stderr"]"#
        )
    );
    assert_eq!(hello.received["app/hello"], table(r#"env = ["GREETING"]"#));

    // The tree names each instance by its dependency name.
    let tree = cargo_nano_in(&app, target, &["tree"]);
    assert_eq!(tree.status, 0, "{}", tree.render());
    snapshot("sources-tree", &sources.normalize(&tree.render()));

    // The run: each nanoprocess sees only its grant. `hello` reads `UTIL_TAG` too, but was not
    // granted it; natively it would see it.
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path().join("notes")).unwrap();
    std::fs::write(data.path().join("notes/note.txt"), "from the app's data\n").unwrap();
    let ran = cargo_nano_in(
        &app,
        target,
        &[
            "run",
            "--dir",
            &format!("data={}", data.path().display()),
            "--env",
            "GREETING=Hello",
            "--env",
            "UTIL_TAG=two",
        ],
    );
    assert_eq!(ran.status, 0, "{}", ran.render());
    assert_eq!(
        ran.stdout,
        "hello: Hello, sources! (from git; UTIL_TAG is hidden here)\n\
         util1: util 1.0.0 read notes/note.txt: from the app's data\n\
         outside: util 2.0.0 for outside: UTIL_TAG=two\n",
        "{}",
        ran.render()
    );
    assert!(
        ran.stderr.contains("outside: asking util 2.0.0"),
        "`outside` was granted stderr:\n{}",
        ran.render()
    );
    snapshot(
        "sources-run",
        &normalize(&ran.render(), &[(data.path(), "[DATA]")]),
    );

    // Natively the same sources are one process: `hello` sees `UTIL_TAG`, and `util` 1.0.0
    // opens `notes/` relative to the working directory. (Release, like the components, so the
    // proc macros built for the host are reused.)
    let target_dir = repo().join("target/fixtures").join(target);
    run(cargo()
        .args(["build", "--release", "--quiet"])
        .current_dir(&app)
        .env("CARGO_TARGET_DIR", &target_dir));
    let native = run(Command::new(target_dir.join("release/app"))
        .current_dir(data.path())
        .env("GREETING", "Hello")
        .env("UTIL_TAG", "two"));
    assert_eq!(
        String::from_utf8_lossy(&native),
        "hello: Hello, sources! (from git; UTIL_TAG is visible here)\n\
         util1: util 1.0.0 read notes/note.txt: from the app's data\n\
         outside: util 2.0.0 for outside: UTIL_TAG=two\n"
    );

    // The CI gate right after a build: the `Nano.lock` and `Cargo.lock` just written must pass
    // (sources and both versions of `util` told apart, and every crate the components are built
    // from locked).
    let check = cargo_nano_in(&app, target, &["check", "--locked"]);
    assert_eq!(check.status, 0, "{}", check.render());
}

#[test]
fn grants_to_a_dependency_that_is_not_a_nano_child_are_refused() {
    let sources = Sources::new();
    // A typo.
    let typo = sources.app_copy("app-typo");
    edit(
        &typo.join("Cargo.toml"),
        "[package.metadata.nano.grants.hello]",
        "[package.metadata.nano.grants.helo]",
    );
    let out = cargo_nano_in(&typo, "sources-refused", &["build"]);
    assert_eq!(out.status, 2, "{}", out.render());
    for needle in ["`helo`", "`app`", "did you mean `hello`"] {
        assert!(
            out.stderr.contains(needle),
            "missing `{needle}`:\n{}",
            out.render()
        );
    }
    assert!(!typo.join("Nano.lock").exists());

    // The package name where the dependency is renamed (`util1 = { package = "util", … }`).
    let renamed = sources.app_copy("app-package-name");
    edit(
        &renamed.join("Cargo.toml"),
        "[package.metadata.nano.grants.util1]",
        "[package.metadata.nano.grants.util]",
    );
    let out = cargo_nano_in(&renamed, "sources-refused", &["build"]);
    assert_eq!(out.status, 2, "{}", out.render());
    for needle in ["`util`", "`util1`", "grants.util1"] {
        assert!(
            out.stderr.contains(needle),
            "missing `{needle}`:\n{}",
            out.render()
        );
    }
}

#[test]
fn two_versions_of_one_nano_package_under_one_parent_are_refused() {
    let sources = Sources::new();
    let app = sources.app_copy("app-two-utils");
    edit(
        &app.join("Cargo.toml"),
        "outside = { path = \"../outside\" }",
        "outside = { path = \"../outside\" }\n\
         util2 = { package = \"util\", version = \"2.0.0\", registry = \"local\" }",
    );
    let out = cargo_nano_in(&app, "sources-refused", &["build"]);
    assert_eq!(out.status, 2, "{}", out.render());
    for needle in ["`app`", "two versions", "`util`", "1.0.0", "2.0.0"] {
        assert!(
            out.stderr.contains(needle),
            "missing `{needle}`:\n{}",
            out.render()
        );
    }
    assert!(!app.join("Nano.lock").exists());
}
