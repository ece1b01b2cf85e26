//! Which WASI interfaces carry authority on their own ("root" interfaces, scoped per package) and
//! which only act on handles obtained from a root one ("shared" interfaces).
//!
//! The linker gives every package its own import of each root interface, and the runtime binds each
//! to that package's context. Shared interfaces are imported once: their functions act only on
//! resources (descriptors, streams, sockets) that a root function of the caller's own package
//! handed out, and the component model keeps each instance's handles in its own table.

/// How cargo-nano treats an imported interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfaceClass {
    /// Grants authority without a handle: scoped per package.
    Root,
    /// Acts only on handles: shared by all packages.
    Shared,
    /// A WASI interface cargo-nano does not support (e.g. `wasi:http`): refused.
    Unsupported,
    /// Not a WASI interface: must be wired to a nano child's export.
    NotWasi,
}

/// Root interfaces, without version.
pub const ROOT_INTERFACES: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:filesystem/preopens",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:sockets/instance-network",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/udp-create-socket",
];

/// Shared (handle-only) interfaces, without version. `ip-name-lookup` is shared because the
/// runtime's shared context refuses every lookup: grants name IP endpoints.
pub const SHARED_INTERFACES: &[&str] = &[
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:filesystem/types",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:sockets/network",
    "wasi:sockets/tcp",
    "wasi:sockets/udp",
    "wasi:sockets/ip-name-lookup",
];

/// The versions of WASI 0.2 that cargo-nano binds.
pub fn supported_version(version: &str) -> bool {
    version.starts_with("0.2.")
}

/// Splits `wasi:cli/stdout@0.2.6` into (`wasi:cli/stdout`, `Some("0.2.6")`).
pub fn split_version(name: &str) -> (&str, Option<&str>) {
    match name.split_once('@') {
        Some((path, version)) => (path, Some(version)),
        None => (name, None),
    }
}

/// Classifies an import name of a package's component.
pub fn classify(name: &str) -> InterfaceClass {
    let (path, version) = split_version(name);
    if !path.starts_with("wasi:") {
        return InterfaceClass::NotWasi;
    }
    if !version.is_some_and(supported_version) {
        return InterfaceClass::Unsupported;
    }
    if ROOT_INTERFACES.contains(&path) {
        InterfaceClass::Root
    } else if SHARED_INTERFACES.contains(&path) {
        InterfaceClass::Shared
    } else {
        InterfaceClass::Unsupported
    }
}

/// The name under which the composed component imports `name` (a root interface) for the
/// instance with `namespace`: `wasi:cli/stdout@0.2.6` → `nano-app:cli/stdout@0.2.6`.
pub fn scoped_name(namespace: &str, name: &str) -> String {
    let rest = name.strip_prefix("wasi:").unwrap_or(name);
    format!("{namespace}:{rest}")
}

/// The inverse of [`scoped_name`]: `nano-app:cli/stdout@0.2.6` → (`nano-app`, `wasi:cli/stdout@0.2.6`).
pub fn unscope(name: &str) -> Option<(&str, String)> {
    let (namespace, rest) = name.split_once(':')?;
    if !namespace.starts_with("nano-") {
        return None;
    }
    Some((namespace, format!("wasi:{rest}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies() {
        assert_eq!(
            classify("wasi:filesystem/preopens@0.2.6"),
            InterfaceClass::Root
        );
        assert_eq!(classify("wasi:io/streams@0.2.0"), InterfaceClass::Shared);
        assert_eq!(
            classify("wasi:http/types@0.2.6"),
            InterfaceClass::Unsupported
        );
        assert_eq!(
            classify("wasi:cli/stdout@0.3.0"),
            InterfaceClass::Unsupported
        );
        assert_eq!(classify("wasi:cli/stdout"), InterfaceClass::Unsupported);
        assert_eq!(classify("nano:inflate/api"), InterfaceClass::NotWasi);
    }

    #[test]
    fn scopes_round_trip() {
        let s = scoped_name("nano-app-extractor", "wasi:filesystem/preopens@0.2.6");
        assert_eq!(s, "nano-app-extractor:filesystem/preopens@0.2.6");
        let (ns, orig) = unscope(&s).unwrap();
        assert_eq!(ns, "nano-app-extractor");
        assert_eq!(orig, "wasi:filesystem/preopens@0.2.6");
        assert!(unscope("wasi:cli/stdout@0.2.6").is_none());
    }
}
