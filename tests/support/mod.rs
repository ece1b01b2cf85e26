//! Running the real `cargo-nano` binary on the fixtures, and snapshot files.
//!
//! Snapshots live in `tests/snapshots/<name>.txt`; `BLESS=1 cargo test` rewrites them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the cargo-nano crate lives in the repository")
        .to_path_buf()
}

/// A fixture workspace.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("fixtures").join(name)
}

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Output {
    /// What a finished run of the binary printed (a status of -1: killed by a signal).
    fn from(out: std::process::Output) -> Self {
        Output {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Output {
    /// Everything, for snapshots and failure messages.
    pub fn render(&self) -> String {
        format!(
            "status: {}\n--- stdout\n{}--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `cargo-nano ARGS` in the fixture `name` (as `cargo nano` would be run there), with the
/// fixture's own target directory under this repository's `target/`.
pub fn cargo_nano(name: &str, args: &[&str]) -> Output {
    cargo_nano_in(&fixture(name), name, args)
}

/// Like [`cargo_nano`] in an arbitrary directory, with the target directory of `target_name`.
pub fn cargo_nano_in(dir: &Path, target_name: &str, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-nano"))
        .arg("nano")
        .args(args)
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            repo().join("target").join("fixtures").join(target_name),
        )
        .env_remove("CARGO_NANO_LOG")
        // No `[n/m] package (time)` progress lines in the snapshots.
        .env("CARGO_TERM_PROGRESS_WHEN", "never")
        .output()
        .expect("the cargo-nano binary runs");
    Output::from(out)
}

/// The arguments after `run` that extract `unzip-app`'s sample archive into `data`: the fixture's
/// `input` directory, `data`, and the archive.
pub fn unzip_args(data: &Path) -> Vec<String> {
    let input = fixture("unzip-app").join("input");
    vec![
        "--dir".into(),
        format!("input={}", input.display()),
        "--dir".into(),
        format!("data={}", data.display()),
        "--".into(),
        "input/sample.zip".into(),
    ]
}

/// Replaces machine-specific paths so snapshots are stable.
pub fn normalize(text: &str, extra: &[(&Path, &str)]) -> String {
    let mut t = text.to_string();
    for (path, name) in extra {
        t = t.replace(&path.display().to_string(), name);
    }
    t = t.replace(&repo().display().to_string(), "[ROOT]");
    t
}

/// Compares `actual` with `tests/snapshots/<name>.txt`, or writes it when `BLESS` is set.
pub fn snapshot(name: &str, actual: &str) {
    let path = repo()
        .join("tests")
        .join("snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing snapshot `{}`: run with BLESS=1", path.display()));
    assert_eq!(
        expected, actual,
        "snapshot `{name}` differs (BLESS=1 to accept)"
    );
}

/// Appends to a component an import of an empty instance named `name`: the smallest hand edit
/// that gives a component an import nobody announced.
pub fn add_instance_import(wasm: &[u8], name: &str) -> Vec<u8> {
    use wasm_encoder::{
        ComponentImportSection, ComponentSection, ComponentTypeRef, ComponentTypeSection, Encode,
        InstanceType,
    };
    let index = count_types(wasm);
    let mut out = wasm.to_vec();
    let mut types = ComponentTypeSection::new();
    types.instance(&InstanceType::new());
    out.push(types.id());
    types.encode(&mut out);
    let mut imports = ComponentImportSection::new();
    imports.import(name, ComponentTypeRef::Instance(index));
    out.push(imports.id());
    imports.encode(&mut out);
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&out)
        .expect("the edited component is still valid");
    out
}

/// The size of the top-level type index space of a component.
fn count_types(wasm: &[u8]) -> u32 {
    use wasmparser::{
        ComponentAlias, ComponentExternalKind, ComponentOuterAliasKind, ComponentTypeRef, Parser,
        Payload,
    };
    let mut depth = 0;
    let mut n = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("valid component") {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            _ if depth > 0 => {}
            Payload::ComponentTypeSection(r) => n += r.count(),
            Payload::ComponentImportSection(r) => {
                n += r
                    .into_iter()
                    .filter(|i| matches!(i.as_ref().unwrap().ty, ComponentTypeRef::Type(_)))
                    .count() as u32
            }
            Payload::ComponentAliasSection(r) => {
                n += r
                    .into_iter()
                    .filter(|a| {
                        matches!(
                            a.as_ref().unwrap(),
                            ComponentAlias::InstanceExport {
                                kind: ComponentExternalKind::Type,
                                ..
                            } | ComponentAlias::Outer {
                                kind: ComponentOuterAliasKind::Type,
                                ..
                            }
                        )
                    })
                    .count() as u32
            }
            Payload::ComponentExportSection(r) => {
                n += r
                    .into_iter()
                    .filter(|e| e.as_ref().unwrap().kind == ComponentExternalKind::Type)
                    .count() as u32
            }
            _ => {}
        }
    }
    n
}

/// Points a plan at new component bytes, as someone editing both files would.
pub fn rewrite_plan_checksum(plan: &Path, wasm: &[u8]) {
    use sha2::Digest;
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan).unwrap()).unwrap();
    json["component-sha256"] = hex::encode(sha2::Sha256::digest(wasm)).into();
    std::fs::write(plan, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

/// Builds the fixture `name` and copies its linked app (`plan.json`, `app.wasm`) to a scratch
/// directory, for tests that tamper with it or its cache.
pub fn linked_copy(name: &str) -> tempfile::TempDir {
    let built = cargo_nano(name, &["build"]);
    assert_eq!(built.status, 0, "{}", built.render());
    let nano = repo().join("target/fixtures").join(name).join("nano");
    let copy = tempfile::tempdir().expect("temp dir");
    for file in ["plan.json", "app.wasm"] {
        std::fs::copy(nano.join(file), copy.path().join(file)).expect("copy linked app");
    }
    copy
}

/// A scratch copy of a fixture (without its `target/`), for tests that edit it. Path
/// dependencies on this repository's crates (`nanoprocess`) are made absolute so they still
/// resolve.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(name), dir.path());
    let nanoprocess = format!(
        "path = {:?}",
        repo().join("nanoprocess").display().to_string()
    );
    for entry in std::fs::read_dir(dir.path()).expect("read copy") {
        let manifest = entry.expect("dir entry").path().join("Cargo.toml");
        if let Ok(text) = std::fs::read_to_string(&manifest) {
            let fixed = text.replace("path = \"../../../nanoprocess\"", &nanoprocess);
            std::fs::write(&manifest, fixed).expect("write manifest");
        }
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("dir entry");
        let path = entry.path();
        if entry.file_name() == "target" {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy file");
        }
    }
}

/// Replaces `from` by `to` in a file, which must contain it.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read file to edit");
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write edited file");
}
