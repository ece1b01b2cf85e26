//! Building nano workspaces with the real `cargo nano build` pipeline (`linker::pipeline::build`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use linker::pipeline::{BuildOptions, BuildReport, build};

/// Builds the workspace at `manifest` (top package `package`) and returns the report.
pub fn nano_build(manifest: &Path, package: Option<&str>) -> BuildReport {
    let t = Instant::now();
    let report = build(
        &BuildOptions {
            manifest_path: manifest.to_path_buf(),
            package: package.map(str::to_string),
            flags: Default::default(),
        },
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("cargo nano build of `{}` failed: {e}", manifest.display()));
    eprintln!(
        "   built {} ({} packages) in {:.1} s",
        manifest.display(),
        report.packages.len(),
        t.elapsed().as_secs_f64()
    );
    report
}

/// `bench/guests`: `driver` (top) → `callee`.
pub fn guests_manifest() -> PathBuf {
    crate::repo_root().join("bench/guests/Cargo.toml")
}

/// Builds the call-benchmark guests; returns the report (the plan is `report.plan_path`).
pub fn build_guests() -> BuildReport {
    nano_build(&guests_manifest(), Some("driver"))
}
