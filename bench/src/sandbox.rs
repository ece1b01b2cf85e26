//! 6. The cost of build-time confinement: `cargo nano build` with build scripts and proc macros
//!    confined (the default) against the same with `CARGO_NANO_NO_BUILD_SANDBOX=1`, cold and
//!    no-op, each on its own copy of the fixture with its own target directory.

use std::path::Path;
use std::process::Command;

use crate::Options;
use crate::buildtime::{cargo_nano_binary, copy_tree, time};
use crate::report::Row;
use crate::timing::median;

/// The target for both ratios.
const TARGET: f64 = 1.10;

/// Runs the confinement benchmarks.
pub fn run(options: &Options) -> Vec<Row> {
    let root = crate::repo_root();
    // As in `buildtime`: the smoke mode builds the small benchmark guests in their (already
    // built) target directory, so only the no-op build is measured there.
    let (subject, repeats) = if options.quick {
        (root.join("bench/guests"), 1)
    } else {
        (root.join("fixtures/unzip-app"), 3)
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
    let measure = |confined: bool| {
        let ws = tmp.path().join(if confined { "on" } else { "off" });
        copy_tree(&subject, &ws);
        let target = target_of(&ws);
        let build = |ws: &Path| {
            let mut cmd = Command::new(&cargo_nano);
            cmd.args(["nano", "build"])
                .current_dir(ws)
                .env("CARGO_TARGET_DIR", &target);
            if !confined {
                cmd.env("CARGO_NANO_NO_BUILD_SANDBOX", "1");
            }
            cmd
        };
        let cold = time(&mut build(&ws));
        let noop = median(
            &mut (0..repeats)
                .map(|_| time(&mut build(&ws)))
                .collect::<Vec<_>>(),
        );
        (cold, noop)
    };
    let (cold_on, noop_on) = measure(true);
    let (cold_off, noop_off) = measure(false);
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
    let mut rows = vec![row("no-op", noop_on, noop_off)];
    if !options.quick {
        rows.insert(0, row("cold", cold_on, cold_off));
    }
    rows
}
