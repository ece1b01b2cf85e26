//! Per-package limits on `fixtures/limits`: `app` grants `bomb` 16 MiB of memory and `spin` 500 ms
//! of running time. Each runaway child is stopped by its own limit, with a message naming it and
//! the limit (exit 102), while a call within the limit runs normally.

mod support;

use std::time::{Duration, Instant};

use support::{Output, cargo_nano};

/// `cargo nano run -q [OPTIONS] -- ARGS` on the fixture (building it first, as users do).
fn run(options: &[&str], args: &str) -> Output {
    let mut argv = vec!["run", "--quiet"];
    argv.extend_from_slice(options);
    argv.push("--");
    argv.extend(args.split(' '));
    cargo_nano("limits", &argv)
}

fn assert_stopped(out: &Output, message: &str) {
    assert_eq!(out.status, 102, "{}", out.render());
    assert!(
        out.stderr.contains(&format!("error: {message} (help: ")),
        "{}",
        out.render()
    );
    assert_eq!(out.stdout, "", "{}", out.render());
}

#[test]
fn a_memory_bomb_is_stopped_by_its_own_limit_and_named() {
    let ok = run(&[], "bomb 4");
    assert_eq!(
        (ok.status, ok.stdout.as_str()),
        (0, "bomb held 4194304 bytes\n"),
        "{}",
        ok.render()
    );
    let bomb = run(&[], "bomb forever");
    assert_stopped(&bomb, "package `bomb` exceeded its memory limit of 16 MiB");
    assert!(
        bomb.stderr
            .contains("raise `limits.memory` in `[package.metadata.nano.grants.bomb]` of `app`"),
        "{}",
        bomb.render()
    );
    // The limit is `bomb`'s alone: `app` itself holds the default 256 MiB.
    let table = cargo_nano("limits", &["run", "--", "bomb", "1"]);
    assert_eq!(table.status, 0, "{}", table.render());
    for row in [
        "app       app 0.15.0   stdio: stdout stderr; args\n",
        "  bomb    bomb 0.15.0  limits: memory 16 MiB\n",
        "  spin    spin 0.15.0  limits: time 500ms\n",
    ] {
        assert!(table.stderr.contains(row), "{row:?} in {}", table.render());
    }
}

#[test]
fn a_loop_is_stopped_by_its_deadline_and_named() {
    let ok = run(&[], "spin 1000000");
    assert_eq!(
        (ok.status, ok.stdout.as_str()),
        (0, "spin counted to 1000000\n"),
        "{}",
        ok.render()
    );
    let start = Instant::now();
    let spin = run(&["--no-build"], "spin forever");
    let took = start.elapsed();
    assert_stopped(&spin, "package `spin` exceeded its time limit of 500ms");
    // Stopped soon after its 500 ms (generously bounded: the machine may be busy).
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

#[test]
fn the_command_line_sets_the_top_limits_for_one_run_and_children_stay_below() {
    let built = run(&[], "bomb 1");
    assert_eq!(built.status, 0, "{}", built.render());
    // Lowering the top's memory lowers its children's.
    let low = run(&["--no-build", "--max-memory", "8MiB"], "bomb 12");
    assert_stopped(&low, "package `bomb` exceeded its memory limit of 8 MiB");
    assert!(low.stderr.contains("`--max-memory`"), "{}", low.render());
    // Raising it gives the top more, never a child beyond its grant.
    let high = run(&["--no-build", "--max-memory", "1 GiB"], "bomb 12");
    assert_eq!(high.status, 0, "{}", high.render());
    let still = run(&["--no-build", "--max-memory", "1 GiB"], "bomb forever");
    assert_stopped(&still, "package `bomb` exceeded its memory limit of 16 MiB");
    // A timeout for the whole run reaches the package that runs.
    let timeout = run(&["--no-build", "--timeout", "200ms"], "spin forever");
    assert_stopped(&timeout, "package `spin` exceeded its time limit of 200ms");
    // Bad values are usage errors, with the fix.
    let bad = run(&["--no-build", "--max-memory", "64MB"], "bomb 1");
    assert_eq!(bad.status, 2, "{}", bad.render());
    assert!(
        bad.stderr.contains("did you mean `MiB`?"),
        "{}",
        bad.render()
    );
    let zero = run(&["--no-build", "--timeout", "0s"], "spin 1");
    assert_eq!(zero.status, 2, "{}", zero.render());
}
