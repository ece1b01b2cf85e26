//! Tests against real components built by `cargo build --release --target wasm32-wasip2` and
//! small hand-written ones; see `linker/tests/data/src/README.md` for how to regenerate them.

mod crates;
mod env;
mod exact;
mod mapping;
mod operands;
mod real;
mod robustness;
mod synthetic;

use super::*;

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn inspect(name: &str) -> Inspection {
    inspect_component(&data(name)).unwrap_or_else(|e| panic!("inspecting {name}: {e:?}"))
}

fn syscall(interface: &str, function: &str) -> Syscall {
    Syscall {
        interface: interface.to_owned(),
        function: function.to_owned(),
    }
}

fn reach<'a>(inspection: &'a Inspection, interface: &str, function: &str) -> &'a Reach {
    let wanted = syscall(interface, function);
    inspection.syscalls.get(&wanted).unwrap_or_else(|| {
        panic!(
            "{wanted} not reached; reached: {:?}",
            inspection
                .syscalls
                .keys()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        )
    })
}

/// Capabilities needed by syscalls reached through direct calls only.
fn direct_capabilities(inspection: &Inspection) -> BTreeSet<Capability> {
    inspection
        .syscalls
        .iter()
        .filter(|(_, reach)| !reach.indirect)
        .filter_map(|(syscall, _)| capability_of(syscall))
        .collect()
}

fn reaches_interface(inspection: &Inspection, prefix: &str) -> bool {
    inspection
        .syscalls
        .keys()
        .any(|s| s.interface.starts_with(prefix))
}

/// Removes a top-level custom section from a component (the binary format is: 8-byte header,
/// then sections of `id: u8, size: leb128 u32, payload`; a custom section's payload starts with
/// its name).
fn strip_custom_section(bytes: &[u8], name: &str) -> Vec<u8> {
    fn leb(bytes: &[u8], pos: &mut usize) -> usize {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = bytes[*pos];
            *pos += 1;
            value |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return value;
            }
        }
    }
    let mut out = bytes[..8].to_vec();
    let mut pos = 8;
    while pos < bytes.len() {
        let start = pos;
        let id = bytes[pos];
        pos += 1;
        let size = leb(bytes, &mut pos);
        let end = pos + size;
        let mut name_pos = pos;
        let is_named = id == 0 && {
            let len = leb(bytes, &mut name_pos);
            &bytes[name_pos..name_pos + len] == name.as_bytes()
        };
        if !is_named {
            out.extend_from_slice(&bytes[start..end]);
        }
        pos = end;
    }
    out
}

fn path(reach: &Reach) -> Vec<&str> {
    reach.path.iter().map(String::as_str).collect()
}
