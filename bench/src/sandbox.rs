//! 6. The cost of build-time confinement: `cargo nano build` with build scripts and proc macros
//!    confined (the default) against the same with `CARGO_NANO_NO_BUILD_SANDBOX=1`, cold and
//!    no-op, each on its own copy of the fixture.
//!
//! Full mode: `fixtures/unzip-app`, each copy with its own target directory (a cold build compiles
//! every dependency and runs every build script). Smoke mode: the small benchmark guests, whose
//! dependencies are built once (untimed) in their shared target directory; a cold build there
//! compiles the copy's own crates, whose `wit_bindgen::generate!` proc macro runs confined.
//! Before each cold build Cargo's rustc-info cache (`.rustc_info.json`) is removed, so both modes
//! probe rustc alike.

use std::path::Path;
use std::process::Command;

use linker::cargo_flags::CargoFlags;
use linker::pipeline::BuildOptions;

use crate::Options;
use crate::buildtime::{cargo_nano_binary, copy_tree, time};
use crate::report::Row;
use crate::timing::median;

/// The target for both ratios.
const TARGET: f64 = 1.10;
/// Rounds of no-op builds on each side (two timed builds per round); smoke mode: two, as each
/// round's untimed first build recompiles the copy's own crates there (the copies share the
/// uplifted components), about 1.5 s.
const ROUNDS: usize = 3;
const ROUNDS_QUICK: usize = 2;

/// Runs the confinement benchmarks.
pub fn run(options: &Options) -> Vec<Row> {
    let root = crate::repo_root();
    // Smoke mode: the small benchmark guests in their (already built) target directory.
    let subject = if options.quick {
        root.join("bench/guests")
    } else {
        root.join("fixtures/unzip-app")
    };
    let cargo_nano = cargo_nano_binary();
    let tmp = tempfile::tempdir().expect("cannot create a temporary directory");
    let target_of = |ws: &Path| {
        if options.quick {
            subject.join("target")
        } else {
            ws.join("target")
        }
    };
    if options.quick {
        // The dependencies, built once for both, in process (a no-op when the `calls` group built
        // them; unlike the command, this writes no `Nano.lock` into the repository).
        let flags = CargoFlags {
            target_dir: Some(subject.join("target")),
            ..CargoFlags::default()
        };
        let options = BuildOptions {
            manifest_path: subject.join("Cargo.toml"),
            package: Some("driver".into()),
            flags,
        };
        if let Err(e) = linker::pipeline::build(&options, &mut |_| {}) {
            panic!("cannot build the benchmark guests: {e}");
        }
    }
    let build = |confined: bool| {
        let ws = tmp.path().join(if confined { "on" } else { "off" });
        let mut cmd = Command::new(&cargo_nano);
        cmd.args(["nano", "build"])
            .current_dir(&ws)
            .env("CARGO_TARGET_DIR", target_of(&ws));
        if !confined {
            cmd.env("CARGO_NANO_NO_BUILD_SANDBOX", "1");
        }
        cmd
    };
    let cold = |confined: bool| {
        let ws = tmp.path().join(if confined { "on" } else { "off" });
        copy_tree(&subject, &ws);
        let _ = std::fs::remove_file(target_of(&ws).join(".rustc_info.json"));
        time(&mut build(confined))
    };
    let cold_on = cold(true);
    let cold_off = cold(false);
    // No-op builds in alternating rounds, so that a load change on this shared machine weighs on
    // both sides alike. A round's first build is not timed: in smoke mode both sides share a
    // target directory, and Cargo's rustc-info cache, written by the other side's last build
    // (the wrapper is part of its key), is refreshed there; a user's no-op build finds its own.
    let (mut noop_on, mut noop_off) = (Vec::new(), Vec::new());
    let rounds = if options.quick { ROUNDS_QUICK } else { ROUNDS };
    for _ in 0..rounds {
        for (confined, samples) in [(true, &mut noop_on), (false, &mut noop_off)] {
            time(&mut build(confined));
            samples.extend((0..2).map(|_| time(&mut build(confined))));
        }
    }
    let noop_on = median(&mut noop_on);
    let noop_off = median(&mut noop_off);
    // Where confinement is unavailable both builds run unconfined, and the row says so.
    let confined = Command::new(&cargo_nano)
        .args(["nano", "build", "--require-build-sandbox"])
        .current_dir(tmp.path().join("on"))
        .env("CARGO_TARGET_DIR", target_of(&tmp.path().join("on")))
        .output()
        .is_ok_and(|o| o.status.success());
    let name = subject
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let note = if confined {
        ""
    } else {
        " (no Landlock here: both unconfined)"
    };
    let s = |v: f64| format!("{v:.2} s");
    let row = |what: &str, on: f64, off: f64| {
        Row::new(
            "build-sandbox",
            format!("{what} `cargo nano build` ({name}), confined{note}"),
            "the same, unconfined",
        )
        .values(s(off), s(on), Some(on / off))
        .target(format!("≤ {TARGET:.2}×"), on / off <= TARGET)
    };
    let cold = if options.quick {
        "cold (own crates)"
    } else {
        "cold"
    };
    vec![
        row("no-op", noop_on, noop_off),
        row(cold, cold_on, cold_off),
    ]
}
