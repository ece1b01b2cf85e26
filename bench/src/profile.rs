//! `--profile WHAT [COUNT]`: one measured operation, and nothing else, run `COUNT` times, for a
//! profiler (`perf record`, `valgrind --tool=callgrind`). Not part of the table.
//!
//! - `call`, `local`, `echo`, `bytes`, `copy`: `COUNT` iterations of the driver's `run-loop`,
//!   `local-loop`, `echo-loop` (1 KiB string), `bytes-loop` (1 KiB `list<u8>`) or `copy-loop`
//!   (1 KiB), in one call from the host;
//! - `start-N` (N = 1, 10, 100) and `start-N-ondemand`: `COUNT` cold starts of the generated
//!   `app-N` (store with its per-package contexts + `InstancePre::instantiate`), with the
//!   default pooling allocator sized from the plan, or on-demand.
//!
//! The engine writes a perf map (`/tmp/perf-PID.map`), so `perf report` names the compiled wasm
//! functions and adapters. Instructions per operation under callgrind: run two counts and divide
//! the difference of the totals by the difference of the counts (setup cancels out).

use std::hint::black_box;

use runtime::PoolSize;
use wasmtime::component::TypedFunc;

use crate::engines::{self, Variant};
use crate::{generate, guests};

/// The `--profile` argument.
pub const ARG: &str = "--profile";

/// Runs `what` `count` times (`count` defaults to something taking seconds natively).
pub fn run(what: &str, count: Option<u64>) {
    let variant = Variant {
        perf_map: true,
        ..Variant::DEFAULT
    };
    if let Some(rest) = what.strip_prefix("start-") {
        let (n, on_demand) = match rest.strip_suffix("-ondemand") {
            Some(n) => (n, true),
            None => (rest, false),
        };
        let n: usize = n.parse().unwrap_or_else(|_| bad(what));
        if !generate::SIZES.contains(&n) {
            bad(what);
        }
        return start(n, on_demand, count.unwrap_or(100_000), variant);
    }
    let (export, default_count) = match what {
        "call" => ("run-loop", 100_000_000),
        "local" => ("local-loop", 100_000_000),
        "echo" => ("echo-loop", 10_000_000),
        "bytes" => ("bytes-loop", 10_000_000),
        "copy" => ("copy-loop", 10_000_000),
        _ => bad(what),
    };
    let count = count.unwrap_or(default_count);
    let count = u32::try_from(count).unwrap_or_else(|_| bad("COUNT over u32::MAX"));
    let report = guests::build_guests();
    let engine = engines::engine(variant);
    write_cwasm(&engine, &report.plan_path);
    let app = engines::prepare(&engine, &report.plan_path);
    let mut store = app.store();
    let instance = app.instantiate(&mut store);
    let t = std::time::Instant::now();
    let result = if export.starts_with("run") || export.starts_with("local") {
        let f: TypedFunc<(u32,), (u64,)> = crate::calls::func(&instance, &mut store, export);
        f.call(&mut store, (count,)).expect("trap").0
    } else {
        let f: TypedFunc<(u32, u32), (u64,)> = crate::calls::func(&instance, &mut store, export);
        f.call(&mut store, (count, crate::calls::STRING_LEN))
            .expect("trap")
            .0
    };
    black_box(result);
    report_time(what, count.into(), t.elapsed());
}

/// With `NANO_BENCH_CWASM=FILE`, writes the compiled app to `FILE`: an ELF object whose code
/// `objdump -d` shows, with the functions the perf map names.
fn write_cwasm(engine: &wasmtime::Engine, plan: &std::path::Path) {
    let Some(path) = std::env::var_os("NANO_BENCH_CWASM") else {
        return;
    };
    let files = runtime::bench_support::read_app(plan).expect("cannot read the linked app");
    let compiled =
        wasmtime::component::Component::new(engine, &files.wasm).expect("Cranelift failed");
    std::fs::write(&path, compiled.serialize().expect("cannot serialize"))
        .expect("cannot write NANO_BENCH_CWASM");
}

fn start(n: usize, on_demand: bool, count: u64, variant: Variant) {
    let plan = generate::build_app(&generate::workspace(), n);
    let pool = (!on_demand)
        .then(|| PoolSize::for_plan(&runtime::bench_support::read_app(&plan).expect("plan").plan));
    let app = engines::prepare(&engines::engine(Variant { pool, ..variant }), &plan);
    let t = std::time::Instant::now();
    for _ in 0..count {
        let mut store = app.store();
        let instance = app.instantiate(&mut store);
        drop(black_box((instance, store)));
    }
    report_time(&format!("start-{n}"), count, t.elapsed());
}

fn report_time(what: &str, count: u64, elapsed: std::time::Duration) {
    eprintln!(
        "   profile {what}: {count} in {:.2} s ({:.1} ns each)",
        elapsed.as_secs_f64(),
        elapsed.as_nanos() as f64 / count as f64
    );
}

fn bad(what: &str) -> ! {
    eprintln!(
        "error: {ARG} takes call|local|echo|bytes|copy|start-N|start-N-ondemand (N = 1, 10, 100) and an optional count, not `{what}`"
    );
    std::process::exit(2);
}
