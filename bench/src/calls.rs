//! 1. Calls across a nanoprocess boundary, timed as loops inside wasm, next to an in-module
//!    call, a native call, a pipe round trip between two processes and memcpy.

use std::hint::black_box;
use std::io::{Read, Write};
use std::process::{Command, Stdio};

use runtime::bench_support::NanoState;
use wasmtime::Store;
use wasmtime::component::{Instance, TypedFunc};

use crate::engines::{self, Variant};
use crate::report::{Row, fmt_ratio};
use crate::timing::{fmt_ns, per_iter_ns};
use crate::{Options, guests};

/// Argument that turns this binary into the far end of the pipe baseline.
pub const PIPE_CHILD_ARG: &str = "--pipe-child";

/// Length of the echoed string.
pub const STRING_LEN: u32 = 1024;

struct Sizes {
    batches: usize,
    calls: u64,
    echoes: u64,
    pipe_trips: u64,
}

/// Per-iteration times (ns) of one engine variant.
struct Wasm {
    boundary: f64,
    local: f64,
    echo: f64,
    /// The same echo with a `list<u8>` instead of a `string`.
    bytes: f64,
    copy: f64,
}

/// Runs the call benchmarks.
pub fn run(options: &Options) -> Vec<Row> {
    let s = if options.quick {
        Sizes {
            batches: 3,
            calls: 20_000,
            echoes: 2_000,
            pipe_trips: 200,
        }
    } else {
        Sizes {
            batches: 11,
            calls: 2_000_000,
            echoes: 200_000,
            pipe_trips: 20_000,
        }
    };
    let report = guests::build_guests();
    let off = measure_wasm(Variant::DEFAULT, &report.plan_path, &s);
    let on = measure_wasm(
        Variant {
            inlining: true,
            ..Variant::DEFAULT
        },
        &report.plan_path,
        &s,
    );
    // The cost of the epoch checks that time limits need (`NanoEngine` compiles them in when a
    // package has a time limit, or for `--timeout`).
    let epochs = measure_wasm(
        Variant {
            epochs: true,
            ..Variant::DEFAULT
        },
        &report.plan_path,
        &s,
    );
    let native = per_iter_ns(s.batches, s.calls, |n| {
        let mut acc = 0u64;
        for i in 0..n {
            acc += u64::from(native_add_one(black_box(i as u32)));
        }
        black_box(acc);
    });
    let memcpy = memcpy_ns(&s);
    let pipe = pipe_round_trip_ns(&s);

    let g = "calls";
    let ns = |v: f64| fmt_ns(v);
    let mut rows = Vec::new();
    for (label, m) in [("inliner off", &off), ("inliner on", &on)] {
        let r = m.boundary / m.local;
        rows.push(
            Row::new(
                g,
                format!("boundary call u32→u32 ({label})"),
                "in-module call",
            )
            .values(ns(m.local), ns(m.boundary), Some(r))
            .target("≤ 1.50×", r <= 1.5),
        );
    }
    rows.push(
        Row::new(
            g,
            "boundary call with epoch interruption (inliner off)",
            "the same, epoch interruption off",
        )
        .values(
            ns(off.boundary),
            ns(epochs.boundary),
            Some(epochs.boundary / off.boundary),
        ),
    );
    rows.push(
        Row::new(
            g,
            "boundary call (inliner off)",
            "native #[inline(never)] call",
        )
        .values(ns(native), ns(off.boundary), Some(off.boundary / native)),
    );
    for (label, m) in [("inliner off", &off), ("inliner on", &on)] {
        let r = m.boundary / pipe;
        rows.push(
            Row::new(
                g,
                format!("boundary call ({label})"),
                "pipe round trip, 2 processes",
            )
            .values(ns(pipe), ns(m.boundary), Some(r))
            .target("≤ 1/1000", r <= 1e-3),
        );
    }
    for (label, m) in [("inliner off", &off), ("inliner on", &on)] {
        let base = memcpy + m.boundary;
        let r = m.echo / base;
        rows.push(
            Row::new(
                g,
                format!("1 KiB string echo ({label})"),
                "memcpy 1 KiB + boundary call",
            )
            .values(ns(base), ns(m.echo), Some(r))
            .target("≤ 1.50×", r <= 1.5),
        );
    }
    let base = memcpy + off.boundary;
    rows.push(
        Row::new(
            g,
            "1 KiB list<u8> echo (inliner off)",
            "memcpy 1 KiB + boundary call",
        )
        .values(ns(base), ns(off.bytes), Some(off.bytes / base)),
    );
    rows.push(
        Row::new(
            g,
            "1 KiB string echo (inliner off)",
            "alloc + copy 1 KiB in-module",
        )
        .values(ns(off.copy), ns(off.echo), Some(off.echo / off.copy)),
    );
    eprintln!(
        "   boundary/local off {} on {}",
        fmt_ratio(off.boundary / off.local),
        fmt_ratio(on.boundary / on.local)
    );
    rows
}

fn measure_wasm(variant: Variant, plan: &std::path::Path, s: &Sizes) -> Wasm {
    let engine = engines::engine(variant);
    let app = engines::prepare(&engine, plan);
    eprintln!(
        "   {variant:?}: compile {}, .cwasm {} KiB, deserialize {}",
        fmt_ns(app.compile_ns),
        app.cwasm_bytes / 1024,
        fmt_ns(app.deserialize_ns)
    );
    let mut store = app.store();
    let instance = app.instantiate(&mut store);
    let run_loop: TypedFunc<(u32,), (u64,)> = func(&instance, &mut store, "run-loop");
    let local_loop: TypedFunc<(u32,), (u64,)> = func(&instance, &mut store, "local-loop");
    let echo_loop: TypedFunc<(u32, u32), (u64,)> = func(&instance, &mut store, "echo-loop");
    let bytes_loop: TypedFunc<(u32, u32), (u64,)> = func(&instance, &mut store, "bytes-loop");
    let copy_loop: TypedFunc<(u32, u32), (u64,)> = func(&instance, &mut store, "copy-loop");
    let mut call1 = |f: &TypedFunc<(u32,), (u64,)>, n: u64| {
        let (r,) = f.call(&mut store, (n as u32,)).expect("trap");
        black_box(r);
    };
    let boundary = per_iter_ns(s.batches, s.calls, |n| call1(&run_loop, n));
    let local = per_iter_ns(s.batches, s.calls, |n| call1(&local_loop, n));
    let mut call2 = |f: &TypedFunc<(u32, u32), (u64,)>, n: u64| {
        let (r,) = f.call(&mut store, (n as u32, STRING_LEN)).expect("trap");
        assert_eq!(r, n * u64::from(STRING_LEN), "wrong echo checksum");
    };
    let echo = per_iter_ns(s.batches, s.echoes, |n| call2(&echo_loop, n));
    let bytes = per_iter_ns(s.batches, s.echoes, |n| call2(&bytes_loop, n));
    let copy = per_iter_ns(s.batches, s.calls, |n| call2(&copy_loop, n));
    Wasm {
        boundary,
        local,
        echo,
        bytes,
        copy,
    }
}

/// The typed export `name` of the driver's `nano:driver/bench`.
pub fn func<P, R>(instance: &Instance, store: &mut Store<NanoState>, name: &str) -> TypedFunc<P, R>
where
    P: wasmtime::component::ComponentNamedList + wasmtime::component::Lower,
    R: wasmtime::component::ComponentNamedList + wasmtime::component::Lift,
{
    let iface = instance
        .get_export_index(&mut *store, None, "nano:driver/bench")
        .expect("the composed app does not export `nano:driver/bench`");
    let index = instance
        .get_export_index(&mut *store, Some(&iface), name)
        .unwrap_or_else(|| panic!("missing export `{name}`"));
    instance
        .get_typed_func(&mut *store, index)
        .unwrap_or_else(|e| panic!("`{name}` has an unexpected type: {e}"))
}

#[inline(never)]
fn native_add_one(x: u32) -> u32 {
    x.wrapping_add(1)
}

fn memcpy_ns(s: &Sizes) -> f64 {
    let src = vec![b'x'; STRING_LEN as usize];
    let mut dst = vec![0u8; STRING_LEN as usize];
    per_iter_ns(s.batches, s.calls, |n| {
        for _ in 0..n {
            dst.copy_from_slice(black_box(&src));
            black_box(&mut dst);
        }
    })
}

/// A `u32` to a child process over a pipe and its `+ 1` back.
fn pipe_round_trip_ns(s: &Sizes) -> f64 {
    let exe = std::env::current_exe().expect("no current exe");
    let mut child = Command::new(exe)
        .arg(PIPE_CHILD_ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("cannot start the pipe child");
    let mut to = child.stdin.take().expect("piped stdin");
    let mut from = child.stdout.take().expect("piped stdout");
    let mut x = 0u32;
    let ns = per_iter_ns(s.batches.min(5), s.pipe_trips, |n| {
        for _ in 0..n {
            to.write_all(&x.to_le_bytes()).expect("pipe write");
            let mut buf = [0u8; 4];
            from.read_exact(&mut buf).expect("pipe read");
            x = u32::from_le_bytes(buf);
        }
    });
    drop(to);
    let _ = child.wait();
    ns
}

/// The far end of the pipe: reads `u32`s from stdin and writes each `+ 1` to stdout.
pub fn pipe_child() {
    let mut input = std::io::stdin().lock();
    let mut output = std::io::stdout().lock();
    let mut buf = [0u8; 4];
    while input.read_exact(&mut buf).is_ok() {
        let x = u32::from_le_bytes(buf).wrapping_add(1);
        if output
            .write_all(&x.to_le_bytes())
            .and_then(|()| output.flush())
            .is_err()
        {
            return;
        }
    }
}
