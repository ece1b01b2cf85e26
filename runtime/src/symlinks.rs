//! Symlink creation that cannot plant a way out of a package's slot.
//!
//! Inside the sandbox a symlink cannot lead out (wasmtime-wasi resolves every path through
//! cap-std within the preopen), but the link stays on the host after the run, where the next
//! native program follows it: a package holding `out` could leave `out/config -> ../../.ssh`.
//! `symlink-at` belongs to `wasi:filesystem/types`, which is shared (it acts on descriptors), so
//! it is bound once here over wasmtime-wasi's binding: the target is resolved lexically from the
//! link's own directory, and a target that is absolute or climbs above that directory is refused
//! with `not-permitted` and reported as a run-time denial naming the package.
//!
//! Why the link's own directory, and not the slot's root: a link that climbs (`box/sub/l ->
//! ../x`) may stay inside the slot where it is made, and leave it once the package renames or
//! hard-links it, or renames a directory holding it, to a shallower place (`box/l -> ../x`). A
//! target that never climbs above its link's directory stays below the link wherever the link
//! moves, and a package moves things only within its slots. (A descriptor does not say how deep in
//! its slot it is either.) The price: links such as `../lib/x`, common in archives, cannot be
//! created; the package gets `not-permitted`.

use std::path::{Component, Path};

use wasmtime::component::{Linker, Resource};
use wasmtime::{StoreContextMut, WasmBacktrace};
use wasmtime_wasi::filesystem::WasiFilesystemView;
use wasmtime_wasi::p2::bindings::sync::filesystem::types::{
    self as fs, Descriptor, ErrorCode, HostDescriptor,
};

use crate::state::NanoState;

/// The name wasmtime-wasi's generated `add_to_linker` binds `wasi:filesystem/types` under (the
/// version of its WIT; wasmtime matches the components' `@0.2.x` imports to it by semver).
const TYPES: &str = "wasi:filesystem/types@0.2.12";
const SYMLINK_AT: &str = "[method]descriptor.symlink-at";

/// Binds `symlink-at` over the one [`crate::shared::add_shared`] bound: call after it.
pub fn add(linker: &mut Linker<NanoState>) -> wasmtime::Result<()> {
    // Shadowing only for this one function: everywhere else a second definition is a mistake.
    linker.allow_shadowing(true);
    let result = linker
        .instance(TYPES)
        .and_then(|mut inst| inst.func_wrap(SYMLINK_AT, symlink_at));
    linker.allow_shadowing(false);
    result
}

fn symlink_at(
    mut store: StoreContextMut<'_, NanoState>,
    (fd, target, link): (Resource<Descriptor>, String, String),
) -> wasmtime::Result<(Result<(), ErrorCode>,)> {
    if leaves_directory(&target, &link) {
        deny(&mut store, &target, &link);
        return Ok((Err(ErrorCode::NotPermitted),));
    }
    let mut view = store.data_mut().filesystem();
    match HostDescriptor::symlink_at(&mut view, fd, target, link) {
        Ok(()) => Ok((Ok(()),)),
        Err(e) => Ok((Err(fs::Host::convert_error_code(&mut view, e)?),)),
    }
}

/// Whether `target`, resolved lexically from the directory of the link, is absolute or climbs
/// above that directory at any step. (Where the link itself is made is wasmtime-wasi's to check:
/// it refuses a `link` path that leaves the descriptor.)
pub fn leaves_directory(target: &str, _link: &str) -> bool {
    let target = Path::new(target);
    if target.has_root() || target.as_os_str().is_empty() {
        return true;
    }
    // Depth below the link's directory.
    let mut depth: i64 = 0;
    for c in target.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return true,
        }
    }
    false
}

/// Records the refused link as a denial of the package whose code is running: the innermost
/// frame whose core module the linker named after an instance (the shared binding itself does
/// not know its caller).
fn deny(store: &mut StoreContextMut<'_, NanoState>, target: &str, link: &str) {
    let backtrace = WasmBacktrace::capture(&*store);
    let state = store.data();
    let Some(index) = backtrace
        .frames()
        .iter()
        .find_map(|f| state.limits.instance_of_module(f.module().name()?))
    else {
        return;
    };
    if let Some(pkg) = state.packages.get(index) {
        pkg.denied.record(
            format!("create a symlink `{link}` -> `{target}`, which climbs out of its directory"),
            None,
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::leaves_directory;

    #[test]
    fn targets_are_resolved_from_the_links_directory() {
        assert!(!leaves_directory("hello.txt", "link"));
        assert!(!leaves_directory("./a/../b", "link"));
        assert!(!leaves_directory("a/b/../c", "sub/link"));
        // Inside the slot where it is made, but not once moved up: refused.
        assert!(leaves_directory("../hello.txt", "sub/link"));
        assert!(leaves_directory("../../x", "a/b/link"));
        assert!(leaves_directory("../secret.txt", "link"));
        assert!(leaves_directory("../../secret.txt", "sub/link"));
        assert!(leaves_directory("a/../../x", "link"));
        assert!(leaves_directory("/etc/passwd", "link"));
        assert!(leaves_directory("", "link"));
        // Climbing out and back in by name is still a climb out: the name outside is not ours.
        assert!(leaves_directory("../box/x", "link"));
    }
}
