//! Sizing wasmtime's pooling instance allocator from a link plan.
//!
//! The pool reserves its slots when the engine is made, so it is sized for one application: as
//! many slots as the plan's instances need for [`PoolSize::RUNS`] runs at once, each instance
//! counted with what a Rust `wasm32-wasip2` component of one nano package holds (its main module,
//! wit-component's shim and fixup modules, and the adapters wasmtime fuses between packages),
//! with room to spare. A component that needs more than the pool holds is refused when it is
//! loaded (wasmtime checks every component against the pool), and [`crate::NanoEngine`] then
//! falls back to the on-demand allocator.
//!
//! **Memories.** Every slot is the default 4 GiB `memory_reservation` plus its guard, so that
//! compiled code keeps its bounds-check elision; the largest memory a slot holds
//! (`max_memory_size`) is therefore 4 GiB too, which costs no address space beyond the
//! reservation. Per-package memory limits stay the limiter's job ([`crate::limits`]): they are
//! totals over all of an instance's memories, and a run's top package may be given more than it
//! was linked with (`--max-memory`), so the pool must never stop a growth before the limiter
//! does (it would make `memory.grow` return -1 instead of naming the package and its limit).
//!
//! **Tables.** A slot holds the largest table-element limit of the plan: no table of an instance
//! can grow past its instance's limit (the limiter refuses it first), and the command line does
//! not raise table limits.

use manifest_schema::plan::Plan;
use wasmtime::{Enabled, PoolingAllocationConfig};

/// The pooling allocator's limits for one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PoolSize {
    /// Runs of the application that can be live at once.
    pub runs: u32,
    /// Core module instances of one run.
    pub core_instances: u32,
    /// Linear memories of one run.
    pub memories: u32,
    /// Tables of one run.
    pub tables: u32,
    /// Elements of the largest table slot.
    pub table_elements: usize,
}

impl PoolSize {
    /// Runs live at once: `App::run` instantiates the app once per run, and a slot is free again
    /// when its run's store is dropped.
    pub const RUNS: u32 = 2;
    /// Core instances per package: its main module, wit-component's shim and fixup modules, and
    /// the adapter modules wasmtime compiles for the calls it makes and serves, with room for
    /// packages with more (C code, extra adapters).
    pub const CORE_INSTANCES_PER_PACKAGE: u32 = 16;
    /// Linear memories per package: Rust's single memory, with room for one more (a memory-owning
    /// adapter).
    pub const MEMORIES_PER_PACKAGE: u32 = 2;
    /// Tables per package: the main module's function table and the shim's.
    pub const TABLES_PER_PACKAGE: u32 = 4;
    /// Memories or tables one core module may define.
    pub const PER_MODULE: u32 = 2;
    /// Fixed room for the composition's own modules (e.g. adapters between the host and the top
    /// package).
    const EXTRA_CORE_INSTANCES: u32 = 16;

    /// The pool for `plan`.
    pub fn for_plan(plan: &Plan) -> PoolSize {
        let packages = u32::try_from(plan.instances.len())
            .unwrap_or(u32::MAX)
            .max(1);
        let table_elements = plan
            .instances
            .iter()
            .map(|i| i.holds.limits.table_elements)
            .max()
            .unwrap_or(manifest_schema::limits::DEFAULT_TABLE_ELEMENTS);
        PoolSize {
            runs: Self::RUNS,
            core_instances: packages
                .saturating_mul(Self::CORE_INSTANCES_PER_PACKAGE)
                .saturating_add(Self::EXTRA_CORE_INSTANCES),
            memories: packages.saturating_mul(Self::MEMORIES_PER_PACKAGE),
            tables: packages.saturating_mul(Self::TABLES_PER_PACKAGE),
            table_elements: usize::try_from(table_elements).unwrap_or(usize::MAX),
        }
    }

    /// wasmtime's configuration of this pool.
    pub fn config(&self) -> PoolingAllocationConfig {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(self.runs)
            .total_core_instances(self.core_instances.saturating_mul(self.runs))
            .total_memories(self.memories.saturating_mul(self.runs))
            .total_tables(self.tables.saturating_mul(self.runs))
            // Nano apps run synchronously: no fiber stacks are taken from the pool.
            .total_stacks(self.runs)
            .max_core_instances_per_component(self.core_instances)
            .max_memories_per_component(self.memories)
            .max_tables_per_component(self.tables)
            .max_memories_per_module(Self::PER_MODULE)
            .max_tables_per_module(Self::PER_MODULE)
            .table_elements(self.table_elements)
            // The 4 GiB reservation (see the module docs): growth is bounded by the limiter.
            .max_memory_size(MAX_MEMORY)
            // A slot is reused by the next run: reset the pages a run dirtied in its first
            // KEEP_RESIDENT bytes in place (found with Linux's PAGEMAP_SCAN where the kernel has
            // it) instead of dropping them and faulting them in again at the next start.
            .linear_memory_keep_resident(KEEP_RESIDENT)
            .table_keep_resident(TABLE_KEEP_RESIDENT)
            .pagemap_scan(Enabled::Auto);
        pool
    }

    /// Address space the memory slots reserve (each a 4 GiB reservation and a 32 MiB guard).
    pub fn reserved_bytes(&self) -> u64 {
        u64::from(self.memories)
            .saturating_mul(u64::from(self.runs))
            .saturating_mul((4 << 30) + (32 << 20))
    }
}

/// Bytes at the start of each memory slot kept resident between runs: a Rust package's shadow
/// stack (1 MiB, below its data) and the first of its data and heap.
const KEEP_RESIDENT: usize = 2 << 20;

/// Bytes at the start of each table slot kept resident between runs.
const TABLE_KEEP_RESIDENT: usize = 64 << 10;

/// The largest 32-bit linear memory: the default `memory_reservation`.
const MAX_MEMORY: usize = if usize::BITS >= 64 {
    1 << 32
} else {
    usize::MAX
};

#[cfg(test)]
mod tests {
    use manifest_schema::plan::{Holdings, PLAN_FORMAT, PlanInstance};

    use super::*;

    fn plan(instances: usize, table_elements: &[u32]) -> Plan {
        Plan {
            format: PLAN_FORMAT,
            component: "app.wasm".into(),
            component_sha256: String::new(),
            type_only_imports: vec![],
            instances: (0..instances)
                .map(|i| {
                    let mut holds = Holdings::default();
                    if let Some(&elements) = table_elements.get(i) {
                        holds.limits.table_elements = elements;
                    }
                    PlanInstance {
                        id: format!("app/p{i}"),
                        package: format!("p{i}"),
                        version: "0.1.0".into(),
                        namespace: format!("nano-app-p{i}"),
                        parent: i.checked_sub(1).map(|_| 0),
                        component_sha256: String::new(),
                        holds,
                        imports: vec![],
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn sized_per_package_of_the_plan() {
        let one = PoolSize::for_plan(&plan(1, &[]));
        assert_eq!(
            one,
            PoolSize {
                runs: 2,
                core_instances: 32,
                memories: 2,
                tables: 4,
                table_elements: manifest_schema::limits::DEFAULT_TABLE_ELEMENTS as usize,
            }
        );
        let hundred = PoolSize::for_plan(&plan(100, &[]));
        assert_eq!(
            (hundred.core_instances, hundred.memories, hundred.tables),
            (1616, 200, 400)
        );
        // 2 runs × 200 memories × (4 GiB + 32 MiB): 1.6 TiB of the 128 TiB of user address space.
        assert_eq!(hundred.reserved_bytes(), 400 * ((4 << 30) + (32 << 20)));
    }

    #[test]
    fn table_slots_hold_the_largest_table_limit_of_the_plan() {
        let size = PoolSize::for_plan(&plan(3, &[1000, 250_000, 10]));
        assert_eq!(size.table_elements, 250_000);
    }

    #[test]
    fn an_empty_plan_still_gets_a_pool_for_one_package() {
        assert_eq!(
            PoolSize::for_plan(&plan(0, &[])),
            PoolSize::for_plan(&plan(1, &[]))
        );
    }

    #[test]
    fn the_config_is_accepted_by_wasmtime() {
        let size = PoolSize::for_plan(&plan(3, &[]));
        let mut config = wasmtime::Config::new();
        config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(size.config()));
        wasmtime::Engine::new(&config).unwrap();
    }
}
