//! The limiter's bookkeeping and the time accounting, without wasm.

use manifest_schema::plan::{Holdings, PLAN_FORMAT, PlanInstance};
use manifest_schema::{MemorySize, TimeLimit};

use super::*;

const MIB: usize = 1 << 20;

/// `app` → `bomb` (16 MiB, 1s) and `app` → `spin`.
fn plan() -> Plan {
    let instance = |id: &str, parent, memory: u64, time: Option<u64>| {
        let mut holds = Holdings::default();
        holds.limits.memory = MemorySize::mib(memory).unwrap();
        holds.limits.time = time.and_then(TimeLimit::millis);
        PlanInstance {
            id: id.into(),
            package: id.rsplit('/').next().unwrap().into(),
            version: "0.1.0".into(),
            namespace: format!("nano-{}", id.replace('/', "-")),
            parent,
            component_sha256: String::new(),
            holds,
            imports: vec![],
        }
    };
    Plan {
        format: PLAN_FORMAT,
        component: "app.wasm".into(),
        component_sha256: String::new(),
        type_only_imports: vec![],
        instances: vec![
            instance("app", None, 256, None),
            instance("app/bomb", Some(0), 16, Some(1000)),
            instance("app/spin", Some(0), 256, None),
        ],
    }
}

fn memory_tag(instance: usize) -> Option<usize> {
    Some((tag::memory_maximum_pages(instance) << 16) as usize)
}

#[test]
fn the_command_line_replaces_the_top_limits_and_children_stay_below_them() {
    let linked = effective(&plan(), &RunOptions::default());
    assert_eq!(linked[1].memory, MemorySize::mib(16).unwrap());
    assert_eq!(linked[2].time, None);
    let mut options = RunOptions::default();
    options
        .max_memory(MemorySize::mib(8).unwrap())
        .timeout(TimeLimit::millis(500).unwrap());
    let run = effective(&plan(), &options);
    assert_eq!(run[0].memory, MemorySize::mib(8).unwrap());
    assert_eq!(run[1].memory, MemorySize::mib(8).unwrap());
    assert_eq!(run[1].time, TimeLimit::millis(500));
    assert_eq!(run[2].time, TimeLimit::millis(500));
    options.max_memory(MemorySize::mib(1024).unwrap());
    let raised = effective(&plan(), &options);
    assert_eq!(raised[0].memory, MemorySize::mib(1024).unwrap());
    assert_eq!(raised[1].memory, MemorySize::mib(16).unwrap());
}

#[test]
fn each_instance_grows_against_its_own_limit() {
    let mut limits = RunLimits::new(&plan(), &RunOptions::default());
    // `bomb` creates a 1 MiB memory and grows it to 16 MiB: allowed.
    assert!(limits.memory_growing(0, MIB, memory_tag(1)).unwrap());
    assert!(limits.memory_growing(MIB, 16 * MIB, memory_tag(1)).unwrap());
    // `app` is not charged for it.
    assert!(limits.memory_growing(0, 200 * MIB, memory_tag(0)).unwrap());
    // One more page for `bomb` is over.
    let err = limits
        .memory_growing(16 * MIB, 16 * MIB + 65536, memory_tag(1))
        .unwrap_err();
    let exceeded = err.downcast_ref::<LimitExceeded>().unwrap();
    assert_eq!(
        exceeded.to_string(),
        "package `bomb` exceeded its memory limit of 16 MiB (help: if it needs more, raise `limits.memory` in `[package.metadata.nano.grants.bomb]` of `app`; a child never holds more than its parent)"
    );
    // A second memory of `bomb` counts towards the same total.
    assert!(limits.memory_growing(0, 65536, memory_tag(1)).is_err());
}

#[test]
fn a_failed_growth_is_not_charged_and_untagged_memories_are_refused() {
    let mut limits = RunLimits::new(&plan(), &RunOptions::default());
    assert!(limits.memory_growing(0, 16 * MIB, memory_tag(1)).unwrap());
    limits
        .memory_grow_failed(wasmtime::Error::msg("mmap failed"))
        .unwrap();
    assert!(limits.memory_growing(0, 16 * MIB, memory_tag(1)).unwrap());
    let untagged = limits.memory_growing(0, MIB, Some(64 * MIB)).unwrap_err();
    assert!(untagged.downcast_ref::<Untagged>().is_some());
    assert!(limits.memory_growing(0, MIB, None).is_err());
    let table = Some(tag::table_maximum(2) as usize);
    assert!(limits.table_growing(0, 100_000, table).unwrap());
    let err = limits.table_growing(100_000, 100_001, table).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("package `spin` exceeded its table limit of 100000 elements"),
        "{err}"
    );
}

#[test]
fn time_counts_for_the_running_instance_and_its_ancestors() {
    let mut options = RunOptions::default();
    options.timeout(TimeLimit::millis(60).unwrap());
    let mut limits = RunLimits::new(&plan(), &options);
    assert!(limits.timed());
    assert_eq!(limits.instance_of_module("nano-app-spin"), Some(2));
    assert_eq!(limits.instance_of_module("spin.wasm"), None);
    limits.start_clock();
    let start = limits.clock.last;
    let at = |ms| start + Duration::from_millis(ms);
    limits.tick_at(Some(2), at(30)).unwrap();
    // `spin` holds the top's 60 ms too (lowered to it); it ran out first, being innermost.
    let exceeded = limits.tick_at(Some(2), at(70)).unwrap_err();
    assert_eq!(exceeded.package, "spin");
    assert_eq!(exceeded.limit, "60ms");
    assert_eq!(exceeded.running, None);

    // A child's time counts against its parent's too: `app` runs 12 ms itself, then `spin` 12 ms
    // (`spin` holds 20 ms too, lowered to its parent's, but used only 12).
    let mut plan = plan();
    plan.instances[0].holds.limits.time = TimeLimit::millis(20);
    let mut limits = RunLimits::new(&plan, &RunOptions::default());
    limits.start_clock();
    let start = limits.clock.last;
    let at = |ms| start + Duration::from_millis(ms);
    limits.tick_at(Some(0), at(12)).unwrap();
    let exceeded = limits.tick_at(Some(2), at(24)).unwrap_err();
    assert_eq!(exceeded.package, "app");
    assert_eq!(exceeded.running.as_deref(), Some("spin"));
    assert!(
        exceeded
            .to_string()
            .starts_with("package `app` exceeded its time limit of 20ms (while its descendant `spin` was running) (help: `--timeout` sets"),
        "{exceeded}"
    );
}
