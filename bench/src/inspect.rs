//! 5. Deriving a package's syscall set and attribution (`linker::inspect`), per package, next to
//!    reading its component from disk.

use std::hint::black_box;

use crate::report::Row;
use crate::timing::{each_ns, fmt_ns};
use crate::{Options, guests};

/// Runs the inspection benchmarks.
pub fn run(options: &Options) -> Vec<Row> {
    let count = if options.quick { 3 } else { 21 };
    let mut reports = vec![guests::build_guests()];
    if !options.quick {
        let unzip = crate::repo_root().join("fixtures/unzip-app/Cargo.toml");
        reports.push(guests::nano_build(&unzip, None));
    }
    let mut rows = Vec::new();
    for report in &reports {
        for pkg in &report.packages {
            let read = each_ns(count, || {
                black_box(std::fs::read(&pkg.component).expect("cannot read the component"));
            });
            let bytes = std::fs::read(&pkg.component).expect("cannot read the component");
            let inspect = each_ns(count, || {
                black_box(linker::inspect::inspect_component(&bytes).expect("inspection failed"));
            });
            rows.push(
                Row::new(
                    "inspect",
                    format!(
                        "syscall set + attribution of `{}` ({} KiB)",
                        pkg.name,
                        bytes.len() / 1024
                    ),
                    "read the component from disk",
                )
                .values(fmt_ns(read), fmt_ns(inspect), Some(inspect / read)),
            );
        }
    }
    rows
}
