//! 3. Extra private RSS per live nanoprocess: the slope of /proc/self/smaps_rollup over 0…1000
//!    instances of the `callee` package, with the default and a 64 KiB shadow stack.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::engines::{self, Variant};
use crate::report::Row;
use crate::{Options, guests};

struct MemState {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for MemState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// (private, rss) of a process in KiB, from its smaps_rollup.
fn smaps(pid: &str) -> (f64, f64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .expect("cannot read smaps_rollup");
    let field = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0)
    };
    (
        field("Private_Clean:") + field("Private_Dirty:"),
        field("Rss:"),
    )
}

/// Runs the memory benchmarks.
pub fn run(options: &Options) -> Vec<Row> {
    let max = if options.quick { 100 } else { 1000 };
    let report = guests::build_guests();
    let default = report
        .packages
        .iter()
        .find(|p| p.name == "callee")
        .expect("no callee package")
        .component
        .clone();
    let mut variants = vec![("default shadow stack", default)];
    // Relinking with another stack size rebuilds every dependency: not in the smoke mode.
    if !options.quick {
        variants.push(("64 KiB shadow stack", build_small_stack()));
    }
    let native = native_idle_private_kib();
    let mut rows = Vec::new();
    for (label, wasm) in variants {
        let (slope, total_rss) = slope_kib(&wasm, max);
        rows.push(
            Row::new(
                "memory",
                format!("private RSS per idle nanoprocess ({label})"),
                "private RSS of an idle native process (`sleep`)",
            )
            .values(
                format!("{native:.0} KiB"),
                format!("{slope:.1} KiB"),
                Some(slope / native),
            )
            .target("≤ 64 KiB", slope <= 64.0),
        );
        let mib = total_rss / 1024.0;
        let row = Row::new(
            "memory",
            format!("whole-process RSS with {max} nanoprocesses ({label})"),
            "—",
        )
        .values("—".into(), format!("{mib:.1} MiB"), None);
        rows.push(if max == 1000 {
            row.target("< 128 MiB", mib < 128.0)
        } else {
            row
        });
    }
    rows
}

/// Instantiates `wasm` `max` times, each in its own store, calling `add-one` once in each;
/// returns the least-squares slope of private RSS (KiB per instance) and the final RSS (KiB).
fn slope_kib(wasm: &Path, max: usize) -> (f64, f64) {
    let engine: Engine = engines::engine(Variant::DEFAULT);
    let bytes = std::fs::read(wasm).expect("cannot read the callee component");
    let component = Component::new(&engine, &bytes).expect("Cranelift failed");
    let mut linker: Linker<MemState> = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("cannot add WASI");
    let pre = linker.instantiate_pre(&component).expect("cannot link");
    let (_, iface) = component
        .get_export(None, "nano:callee/api")
        .expect("no nano:callee/api export");
    let (_, add_one) = component
        .get_export(Some(&iface), "add-one")
        .expect("no add-one export");
    let pid = std::process::id().to_string();
    let mut live = Vec::with_capacity(max);
    let mut points = vec![(0.0, smaps(&pid).0)];
    let step = (max / 10).max(1);
    for k in 1..=max {
        let state = MemState {
            ctx: WasiCtx::builder().build(),
            table: ResourceTable::new(),
        };
        let mut store = Store::new(&engine, state);
        store.set_epoch_deadline(engines::NO_DEADLINE);
        let instance = pre.instantiate(&mut store).expect("instantiation failed");
        let f = instance
            .get_typed_func::<(u32,), (u32,)>(&mut store, &add_one)
            .expect("add-one has an unexpected type");
        let (r,) = f.call(&mut store, (1,)).expect("trap");
        assert_eq!(r, 2);
        live.push((store, instance));
        if k % step == 0 {
            points.push((k as f64, smaps(&pid).0));
        }
    }
    let total = smaps(&pid).1;
    drop(live);
    (least_squares_slope(&points), total)
}

fn least_squares_slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let cov: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let var: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    cov / var
}

/// The callee component linked with a 64 KiB shadow stack (`-z stack-size=65536`), built with
/// the same `cargo rustc` command as the pipeline, into its own target directory.
fn build_small_stack() -> PathBuf {
    let target = crate::repo_root().join("target/nano-bench/stack64k");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["rustc", "--manifest-path"])
        .arg(guests::guests_manifest())
        .args([
            "-p",
            "callee",
            "--lib",
            "--crate-type",
            "cdylib",
            "--release",
        ])
        .args(["--target", "wasm32-wasip2", "--features", "nano-export"])
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-C link-arg=-zstack-size=65536")
        .stdout(Stdio::null())
        .status()
        .expect("cannot run cargo");
    assert!(status.success(), "building the 64 KiB-stack callee failed");
    target.join("wasm32-wasip2/release/callee.wasm")
}

/// Private RSS of an idle native process: `sleep`, read after it has started.
fn native_idle_private_kib() -> f64 {
    let mut child = Command::new("sleep")
        .arg("5")
        .spawn()
        .expect("cannot start `sleep`");
    std::thread::sleep(std::time::Duration::from_millis(100));
    let (private, _) = smaps(&child.id().to_string());
    let _ = child.kill();
    let _ = child.wait();
    private
}
