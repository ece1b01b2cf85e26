//! A run that proves what it runs, on `fixtures/isolation` (`app` holds `home`, gives `home/left`
//! to `left` read-write and `home/right` to `right` read-only):
//!
//! - `run --no-build` refuses a linked app whose plan gives a package more than its manifests
//!   grant, or whose composed component hands one package's scoped imports to another, even with
//!   the plan's checksum recomputed; the untouched app still runs;
//! - a package cannot create a symlink whose target climbs out of the link's directory, and the
//!   refusal is
//!   reported naming it;
//! - a child that calls `exit` is named.

mod support;

use std::path::Path;

use support::{Output, cargo_nano};

/// A scratch home: `secret.txt` (the app's), `left/hello.txt`, `right/r.txt`.
fn home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let p = home.path();
    std::fs::write(p.join("secret.txt"), "app secret").unwrap();
    std::fs::create_dir_all(p.join("left")).unwrap();
    std::fs::create_dir_all(p.join("right")).unwrap();
    std::fs::write(p.join("left/hello.txt"), "left hello").unwrap();
    std::fs::write(p.join("right/r.txt"), "right file").unwrap();
    home
}

/// `cargo nano run [--no-build --plan PLAN] --dir home=HOME -- ARGS` in the fixture.
fn run(plan: Option<&Path>, home: &Path, args: &[&str]) -> Output {
    let plan = plan.map(|p| p.display().to_string());
    let dir = format!("home={}", home.display());
    let mut all = vec!["run", "--quiet"];
    if let Some(plan) = &plan {
        all.extend(["--no-build", "--plan", plan]);
    }
    all.extend(["--dir", &dir, "--"]);
    all.extend_from_slice(args);
    cargo_nano("isolation", &all)
}

fn assert_refused(out: &Output, what: &[&str]) {
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(out.stdout.is_empty(), "the program ran: {}", out.render());
    assert!(out.stderr.contains("refusing to start"), "{}", out.render());
    assert!(out.stderr.contains("help: "), "{}", out.render());
    for w in what {
        assert!(out.stderr.contains(w), "`{w}` not in: {}", out.render());
    }
}

fn edit_plan(plan: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan).unwrap()).unwrap();
    edit(&mut json);
    std::fs::write(plan, serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

#[test]
fn no_build_refuses_a_plan_that_holds_more_than_the_manifests_grant() {
    let copy = support::linked_copy("isolation");
    let plan = copy.path().join("plan.json");
    let home = home();
    let ok = run(Some(&plan), home.path(), &["left", "read", "box/hello.txt"]);
    assert_eq!(ok.status, 0, "{}", ok.render());
    assert_eq!(ok.stdout.trim(), "ok: left hello");

    // `left` is given the whole of `home` instead of `home/left`: the parent's secret.
    let original = std::fs::read_to_string(&plan).unwrap();
    edit_plan(&plan, |json| {
        let left = &mut json["instances"][1];
        assert_eq!(left["id"], "app/left");
        left["holds"]["dirs"]["box"]["path"] = serde_json::Value::Null;
    });
    let out = run(
        Some(&plan),
        home.path(),
        &["left", "read", "box/secret.txt"],
    );
    assert_refused(
        &out,
        &[
            "the plan says instance `app/left` (package `left`) holds dirs",
            "its manifests grant dirs",
        ],
    );

    // `right` made read-write, like its request, instead of read-only, like its grant.
    std::fs::write(&plan, &original).unwrap();
    edit_plan(&plan, |json| {
        json["instances"][2]["holds"]["dirs"]["box"]["access"] = "read-write".into();
    });
    let out = run(
        Some(&plan),
        home.path(),
        &["right", "write", "box/w.txt", "x"],
    );
    assert_refused(&out, &["instance `app/right` (package `right`)"]);
    assert!(!home.path().join("right/w.txt").exists());
}

#[test]
fn no_build_refuses_a_component_whose_scoped_imports_were_swapped() {
    let copy = support::linked_copy("isolation");
    let plan = copy.path().join("plan.json");
    let wasm_path = copy.path().join("app.wasm");
    let wasm = std::fs::read(&wasm_path).unwrap();
    let swapped = swap_namespaces(&wasm, "nano-app-left:", "nano-app-right:");
    assert_ne!(
        swapped, wasm,
        "the fixture's children import scoped interfaces"
    );
    std::fs::write(&wasm_path, &swapped).unwrap();
    support::rewrite_plan_checksum(&plan, &swapped);
    let home = home();
    // Without the proof, `right` would write with `left`'s read-write directory.
    let out = run(
        Some(&plan),
        home.path(),
        &["right", "write", "box/w.txt", "x"],
    );
    assert_refused(&out, &["(package `left`) is given", "`nano-app-right:"]);
    assert!(!home.path().join("left/w.txt").exists());
    assert!(!home.path().join("right/w.txt").exists());
}

#[test]
fn no_build_refuses_a_plan_whose_instance_digest_was_changed() {
    let copy = support::linked_copy("isolation");
    let plan = copy.path().join("plan.json");
    // Point `left` at `right`'s code: the plan no longer says which instantiation is which.
    edit_plan(&plan, |json| {
        let right = json["instances"][2]["component-sha256"].clone();
        json["instances"][1]["component-sha256"] = right;
    });
    let out = run(
        Some(&plan),
        home().path(),
        &["left", "read", "box/hello.txt"],
    );
    assert_refused(&out, &["the same component for two instances"]);
}

#[test]
fn no_build_outside_a_workspace_refuses_to_trust_the_plan() {
    let copy = support::linked_copy("isolation");
    let plan = copy.path().join("plan.json").display().to_string();
    let nowhere = tempfile::tempdir().unwrap();
    let dir = format!("home={}", home().path().display());
    let out = support::cargo_nano_in(
        nowhere.path(),
        "isolation",
        &["run", "--no-build", "--plan", &plan, "--dir", &dir],
    );
    assert_eq!(out.status, 2, "{}", out.render());
    assert!(out.stdout.is_empty(), "{}", out.render());
    assert!(
        out.stderr
            .contains("help: `--no-build` checks the linked app against the manifests"),
        "{}",
        out.render()
    );
}

/// Renames every top-level import `A…` to `B…` and `B…` to `A…`, re-encoding the import
/// sections and copying every other section as it is.
fn swap_namespaces(wasm: &[u8], a: &str, b: &str) -> Vec<u8> {
    use wasmparser::{ComponentTypeRef as P, Parser, Payload, TypeBounds as PB};
    let mut out = wasm[..8].to_vec();
    let mut depth = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.unwrap();
        let top = depth == 0;
        match &payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => {
                depth -= 1;
                continue;
            }
            _ => {}
        }
        if !top {
            continue;
        }
        if let Payload::ComponentImportSection(reader) = &payload {
            let mut section = wasm_encoder::ComponentImportSection::new();
            for import in reader.clone() {
                let import = import.unwrap();
                let name = import.name.name;
                let name = match (name.strip_prefix(a), name.strip_prefix(b)) {
                    (Some(rest), _) => format!("{b}{rest}"),
                    (_, Some(rest)) => format!("{a}{rest}"),
                    _ => name.to_string(),
                };
                let ty = match import.ty {
                    P::Instance(i) => wasm_encoder::ComponentTypeRef::Instance(i),
                    P::Type(PB::Eq(i)) => {
                        wasm_encoder::ComponentTypeRef::Type(wasm_encoder::TypeBounds::Eq(i))
                    }
                    P::Type(PB::SubResource) => {
                        wasm_encoder::ComponentTypeRef::Type(wasm_encoder::TypeBounds::SubResource)
                    }
                    P::Func(i) => wasm_encoder::ComponentTypeRef::Func(i),
                    P::Component(i) => wasm_encoder::ComponentTypeRef::Component(i),
                    other => panic!("unexpected import type {other:?}"),
                };
                section.import(&name, ty);
            }
            out.push(wasm_encoder::ComponentSection::id(&section));
            wasm_encoder::Encode::encode(&section, &mut out);
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            out.push(id);
            let data = &wasm[range.start as usize..range.end as usize];
            wasm_encoder::Encode::encode(&(data.len() as u32), &mut out);
            out.extend_from_slice(data);
        }
    }
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&out)
        .expect("the swapped component is still valid");
    out
}

#[test]
fn a_symlink_out_of_a_packages_directory_is_refused_and_reported() {
    let home = home();
    let out = run(
        None,
        home.path(),
        &["left", "symlink", "../secret.txt", "box/out"],
    );
    // wasi-libc resolves `box/out` to the `box` directory and `out` in it. `app` exits 3 on a
    // denial, which WASI 0.2 carries as a failure (1).
    assert_eq!(out.status, 1, "{}", out.render());
    assert!(out.stdout.starts_with("denied: "), "{}", out.render());
    assert!(
        out.stderr.contains(
            "warning: package `left` (instance `app/left`) was denied: create a symlink `out` -> `../secret.txt`, which climbs out of its directory"
        ),
        "{}",
        out.render()
    );
    assert!(std::fs::symlink_metadata(home.path().join("left/out")).is_err());
    // Also a climb that would land inside the slot today: renamed higher, the link would not.
    for target in ["/etc/passwd", "sub/../../secret.txt", "../left/hello.txt"] {
        let out = run(None, home.path(), &["left", "symlink", target, "box/out"]);
        assert_eq!(out.status, 1, "{target}: {}", out.render());
        assert!(
            out.stderr.contains("was denied: create a symlink"),
            "{}",
            out.render()
        );
    }
    assert!(std::fs::symlink_metadata(home.path().join("left/out")).is_err());

    // Inside its directory a link is made, as written.
    let out = run(
        None,
        home.path(),
        &["left", "symlink", "hello.txt", "box/in"],
    );
    assert_eq!(out.status, 0, "{}", out.render());
    assert!(!out.stderr.contains("denied"), "{}", out.render());
    let link = std::fs::read_link(home.path().join("left/in")).unwrap();
    assert_eq!(link, Path::new("hello.txt"));
}

#[test]
fn a_child_calling_exit_is_named() {
    let home = home();
    let out = run(None, home.path(), &["left", "exit", "3"]);
    assert_ne!(out.status, 0, "{}", out.render());
    let note = format!(
        "note: package `left` (instance `app/left`) called exit({}), which ended the whole program",
        out.status
    );
    assert!(
        out.stderr.contains(&note),
        "`{note}` not in: {}",
        out.render()
    );
    let zero = run(None, home.path(), &["left", "exit", "0"]);
    assert_eq!(zero.status, 0, "{}", zero.render());
    assert!(
        zero.stderr
            .contains("package `left` (instance `app/left`) called exit(0)"),
        "{}",
        zero.render()
    );

    // The top package's own exit is the program's: nothing to name.
    let own = run(None, home.path(), &["app", "read", "home/missing.txt"]);
    assert_eq!(own.status, 1, "{}", own.render());
    assert!(!own.stderr.contains("note:"), "{}", own.render());
}
