//! 2. Cold start of a whole composed app (N = 1, 10, 100 generated packages) from the compiled
//!    form with a pre-instantiated linker, next to posix_spawn + wait of a trivial native binary;
//!    with `NanoEngine`'s default allocator (pooling, sized from the app's plan) and on-demand.

use std::process::Command;
use std::time::Instant;

use runtime::PoolSize;

use crate::engines::{self, Variant};
use crate::report::Row;
use crate::timing::{each_ns, fmt_ns, median};
use crate::{Options, generate, guests};

/// Runs the cold-start benchmarks.
pub fn run(options: &Options) -> Vec<Row> {
    let count = if options.quick { 10 } else { 200 };
    // The smoke mode starts the 2-package benchmark guests instead of building the 20 generated
    // crates (a few minutes the first time).
    let plans: Vec<(usize, std::path::PathBuf)> = if options.quick {
        vec![(2, guests::build_guests().plan_path)]
    } else {
        let manifest = generate::workspace();
        generate::SIZES
            .iter()
            .map(|&n| (n, generate::build_app(&manifest, n)))
            .collect()
    };
    let spawn = each_ns(count, || {
        let status = Command::new("true").status().expect("cannot spawn `true`");
        assert!(status.success());
    });
    let mut rows = Vec::new();
    for (n, plan) in &plans {
        // `NanoEngine`'s default: the pooling allocator sized from the app's plan; then on-demand.
        let size = PoolSize::for_plan(&runtime::bench_support::read_app(plan).expect("plan").plan);
        for pool in [Some(size), None] {
            let engine = engines::engine(Variant {
                pool,
                ..Variant::DEFAULT
            });
            let label = match pool {
                Some(_) => "default: pooling allocator sized from the plan",
                None => "on-demand allocator",
            };
            let app = engines::prepare(&engine, plan);
            assert_eq!(
                app.plan.instances.len(),
                *n,
                "app-{n} has the wrong instance count"
            );
            eprintln!(
                "   N={n} {label}: compile {}, deserialize {}, .cwasm {} KiB",
                fmt_ns(app.compile_ns),
                fmt_ns(app.deserialize_ns),
                app.cwasm_bytes / 1024
            );
            let runs = if *n >= 100 { count / 4 } else { count };
            let mut samples: Vec<f64> = (0..=runs)
                .map(|_| {
                    let t = Instant::now();
                    let mut store = app.store();
                    let instance = app.instantiate(&mut store);
                    let ns = t.elapsed().as_nanos() as f64;
                    drop((instance, store));
                    ns
                })
                .skip(1)
                .collect();
            let whole = median(&mut samples);
            let per = whole / *n as f64;
            let ratio = per / spawn;
            let mut row = Row::new(
                "start",
                format!("start app of N={n} packages ({label}), per package"),
                "posix_spawn + wait of `true`",
            )
            .values(
                fmt_ns(spawn),
                format!("{} ({} whole app)", fmt_ns(per), fmt_ns(whole)),
                Some(ratio),
            );
            if pool.is_some() {
                row = row.target("≤ 2 µs/pkg and ≤ 1/100", per <= 2_000.0 && ratio <= 0.01);
            }
            rows.push(row);
        }
    }
    rows
}
