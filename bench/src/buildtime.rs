//! 4. Build times of the real `cargo-nano` binary on a copy of a fixture with its own target
//!    directory: a cold build, a no-op build, and a build after touching one leaf package (with the
//!    per-package components it rewrote), next to plain
//!    `cargo build --release --target wasm32-wasip2` of another copy, same steps.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use crate::Options;
use crate::report::Row;
use crate::timing::median;

/// The fixture, its top package and the leaf that is touched.
struct Subject {
    dir: PathBuf,
    leaf_source: &'static str,
}

/// Runs the build benchmarks.
pub fn run(options: &Options) -> Vec<Row> {
    let root = crate::repo_root();
    // The smoke mode builds the tiny benchmark guests instead of `unzip-app` (whose cold build
    // takes about a minute) so that CI stays fast; it exercises exactly the same steps.
    let subject = if options.quick {
        Subject {
            dir: root.join("bench/guests"),
            leaf_source: "callee/src/lib.rs",
        }
    } else {
        Subject {
            dir: root.join("fixtures/unzip-app"),
            leaf_source: "inflate/src/lib.rs",
        }
    };
    let repeats = if options.quick { 1 } else { 3 };
    let cargo_nano = cargo_nano_binary();
    let tmp = tempfile::tempdir().expect("cannot create a temporary directory");
    let nano_ws = tmp.path().join("nano");
    let plain_ws = tmp.path().join("plain");
    copy_tree(&subject.dir, &nano_ws);
    copy_tree(&subject.dir, &plain_ws);
    // Each copy has its own target directory; the smoke mode shares the guests' (already built)
    // one between both copies so that registry dependencies are not compiled again. The nano
    // measurements all run before the plain ones, so neither overwrites the other's artifacts.
    let target_of = |ws: &Path| {
        if options.quick {
            subject.dir.join("target")
        } else {
            ws.join("target")
        }
    };
    let nano = |ws: &Path| {
        let mut cmd = Command::new(&cargo_nano);
        cmd.args(["nano", "build"])
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", target_of(ws));
        cmd
    };
    let plain = |ws: &Path| {
        let mut cmd = Command::new("cargo");
        cmd.args(["build", "--release", "--target", "wasm32-wasip2"])
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", target_of(ws));
        cmd
    };
    let cold_nano = time(&mut nano(&nano_ws));
    let noop_nano = median(
        &mut (0..repeats)
            .map(|_| time(&mut nano(&nano_ws)))
            .collect::<Vec<_>>(),
    );
    let mut rebuilt = Vec::new();
    let leaf_nano = median(
        &mut (0..repeats)
            .map(|_| {
                let before = components(&target_of(&nano_ws));
                touch(&nano_ws.join(subject.leaf_source));
                let t = time(&mut nano(&nano_ws));
                rebuilt = changed(&before, &components(&target_of(&nano_ws)));
                t
            })
            .collect::<Vec<_>>(),
    );
    let cold_plain = time(&mut plain(&plain_ws));
    eprintln!("   cold builds: cargo nano {cold_nano:.1} s, plain cargo {cold_plain:.1} s");
    let noop_plain = median(
        &mut (0..repeats)
            .map(|_| time(&mut plain(&plain_ws)))
            .collect::<Vec<_>>(),
    );
    let leaf_plain = median(
        &mut (0..repeats)
            .map(|_| {
                touch(&plain_ws.join(subject.leaf_source));
                time(&mut plain(&plain_ws))
            })
            .collect::<Vec<_>>(),
    );
    let name = subject
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let s = |v: f64| format!("{v:.2} s");
    // The smoke mode's copies share the guests' target directory: its "cold" builds are not.
    let cold = if options.quick {
        "first (smoke mode: shared, already built target dir)"
    } else {
        "cold"
    };
    vec![
        Row::new(
            "build",
            format!("{cold} `cargo nano build` ({name})"),
            "plain cargo build of the same workspace",
        )
        .values(s(cold_plain), s(cold_nano), Some(cold_nano / cold_plain))
        .target("≤ 1.30×", cold_nano / cold_plain <= 1.3),
        Row::new(
            "build",
            format!("no-op `cargo nano build` ({name})"),
            "no-op plain cargo build",
        )
        .values(s(noop_plain), s(noop_nano), Some(noop_nano / noop_plain))
        .target("≤ 0.3 s", noop_nano <= 0.3),
        Row::new(
            "build",
            format!(
                "`cargo nano build` after touching `{}` (rewritten components: {})",
                subject.leaf_source,
                if rebuilt.is_empty() {
                    "none".to_string()
                } else {
                    rebuilt.join(", ")
                }
            ),
            "plain cargo build, same change",
        )
        .values(s(leaf_plain), s(leaf_nano), Some(leaf_nano / leaf_plain))
        .target(
            "≤ 1.20×, only the leaf rewritten",
            leaf_nano / leaf_plain <= 1.2 && rebuilt.len() <= 1,
        ),
    ]
}

/// Seconds `cmd` took; panics if it failed.
pub(crate) fn time(cmd: &mut Command) -> f64 {
    let t = Instant::now();
    let out = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("cannot run the build");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    t.elapsed().as_secs_f64()
}

/// The `cargo-nano` binary next to this one, built first with the same profile; or the one
/// `NANO_BENCH_CARGO_NANO` names, as is (`.ci/run` names the one its tests built: building
/// `-p cargo-nano` alone resolves other features than the workspace build and compiles wasmtime
/// again).
pub(crate) fn cargo_nano_binary() -> PathBuf {
    if let Some(given) = std::env::var_os("NANO_BENCH_CARGO_NANO") {
        // The builds run in copies of the fixtures: a relative path would name nothing there.
        return std::path::absolute(given).expect("the current directory exists");
    }
    let exe = std::env::current_exe().expect("no current exe");
    // …/target/<profile>/nano-bench: build into the same target directory and profile.
    let target_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("nano-bench runs from a target directory");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["build", "-p", "cargo-nano", "--manifest-path"])
        .arg(crate::repo_root().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir);
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("cannot run cargo");
    assert!(status.success(), "cannot build cargo-nano");
    exe.with_file_name(format!("cargo-nano{}", std::env::consts::EXE_SUFFIX))
}

/// Copies a workspace without its `target/`; a path dependency on this repository's
/// `nanoprocess` crate is made absolute so the copy still resolves it.
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("cannot create a directory");
    for entry in std::fs::read_dir(from)
        .expect("cannot list a directory")
        .flatten()
    {
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(&name));
        } else if name == "Cargo.toml" {
            let nanoprocess = format!(
                "path = {:?}",
                crate::repo_root().join("nanoprocess").display().to_string()
            );
            let text = std::fs::read_to_string(&path).expect("cannot read a manifest");
            let text = text.replace("path = \"../../../nanoprocess\"", &nanoprocess);
            std::fs::write(to.join(&name), text).expect("cannot write a manifest");
        } else {
            std::fs::copy(&path, to.join(&name)).expect("cannot copy a file");
        }
    }
}

/// Sets `path`'s modification time to now, as an editor saving it would.
fn touch(path: &Path) {
    let file = std::fs::File::options()
        .append(true)
        .open(path)
        .expect("cannot open the leaf's source");
    file.set_modified(SystemTime::now())
        .expect("cannot touch the leaf's source");
}

/// Modification times of the per-package components (nano builds have their own profile,
/// `nano-release`).
fn components(target: &Path) -> Vec<(String, SystemTime)> {
    let dir = target.join("wasm32-wasip2/nano-release");
    let mut out: Vec<(String, SystemTime)> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
                .filter_map(|e| {
                    let modified = e.metadata().ok()?.modified().ok()?;
                    Some((e.file_name().to_string_lossy().into_owned(), modified))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn changed(before: &[(String, SystemTime)], after: &[(String, SystemTime)]) -> Vec<String> {
    after
        .iter()
        .filter(|a| !before.contains(a))
        .map(|(name, _)| name.trim_end_matches(".wasm").to_string())
        .collect()
}
