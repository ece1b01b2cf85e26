//! Host-name grants: a package holding `example.com:443` may look up `example.com` — that name
//! and no other — and connect to what it resolves to, on the granted ports.
//!
//! `wasi:sockets/ip-name-lookup` is a shared interface, and wasmtime-wasi checks lookups against
//! the context it is bound with (the neutral one, which allows none). Its `resolve-addresses`
//! takes the caller's `network` handle, which only the package's own scoped `instance-network`
//! hands out: the runtime notes whose each handle is ([`NanoState::networks`]), and binds
//! `resolve-addresses` again over wasmtime-wasi's to check the name against that package's
//! grants before delegating to wasmtime-wasi with the package's own context. The host resolves
//! the granted name too, and the addresses it gets join the endpoints the package may connect to
//! (DNS may answer differently from one query to the next; an address only the guest's query
//! returned is refused at connect, never silently allowed).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};

use manifest_schema::{Endpoint, Transport};
use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource};
use wasmtime_wasi::p2::bindings::sockets::ip_name_lookup;
use wasmtime_wasi::p2::bindings::sockets::network::{ErrorCode, Network};
use wasmtime_wasi::sockets::WasiSocketsCtxView;

use crate::state::NanoState;

/// The name wasmtime-wasi 48 binds the shared lookup interface under; components importing any
/// 0.2.x version match it.
const IP_NAME_LOOKUP: &str = "wasi:sockets/ip-name-lookup@0.2.12";

/// One package's host-name grants and the addresses they resolved to.
#[derive(Debug, Clone, Default)]
pub struct NameGrants {
    /// Granted host names (lowercase) and their ports, each with its transport.
    names: BTreeMap<String, BTreeSet<(Transport, u16)>>,
    /// Addresses the granted names resolved to during the run, with the granted ports and
    /// transports; shared with the package's socket address check.
    resolved: Arc<Mutex<BTreeSet<(Transport, SocketAddr)>>>,
}

impl NameGrants {
    /// The host-name endpoints among `endpoints` (IP endpoints need no lookup).
    pub fn new<'a>(endpoints: impl IntoIterator<Item = &'a Endpoint>) -> NameGrants {
        let mut names: BTreeMap<String, BTreeSet<(Transport, u16)>> = BTreeMap::new();
        for e in endpoints.into_iter().filter(|e| !e.is_ip()) {
            names
                .entry(e.host.clone())
                .or_default()
                .insert((e.transport, e.port));
        }
        NameGrants {
            names,
            resolved: Arc::default(),
        }
    }

    /// Whether the package may look up any name.
    pub fn any(&self) -> bool {
        !self.names.is_empty()
    }

    /// Whether a granted name may be reached over `transport`.
    pub fn holds(&self, transport: Transport) -> bool {
        self.names
            .values()
            .any(|ports| ports.iter().any(|(t, _)| *t == transport))
    }

    /// Whether `addr` is an address a granted name resolved to, on a port granted for
    /// `transport`.
    pub fn resolved(&self, transport: Transport, addr: &SocketAddr) -> bool {
        self.resolved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&(transport, *addr))
    }

    /// The ports granted for `name` (as the guest wrote it), if it is granted.
    fn ports(&self, name: &str) -> Option<&BTreeSet<(Transport, u16)>> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.names.get(&name)
    }

    /// Resolves `name` on the host and remembers its addresses with `ports`.
    fn remember(&self, name: &str, ports: &BTreeSet<(Transport, u16)>) {
        let Ok(addrs) = (name, 0).to_socket_addrs() else {
            return;
        };
        let mut resolved = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
        for addr in addrs {
            for (transport, port) in ports {
                resolved.insert((*transport, SocketAddr::new(addr.ip(), *port)));
            }
        }
    }
}

/// Binds `resolve-addresses` over wasmtime-wasi's: only names the calling package holds resolve.
pub fn check_lookups(linker: &mut Linker<NanoState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let mut lookup = linker.instance(IP_NAME_LOOKUP)?;
    lookup.func_wrap(
        "resolve-addresses",
        |mut s: StoreContextMut<'_, NanoState>, (network, name): (Resource<Network>, String)| {
            let state = s.data_mut();
            let Some(&i) = state.networks.get(&network.rep()) else {
                return Ok((Err(ErrorCode::AccessDenied),));
            };
            let pkg = &mut state.packages[i];
            let Some(ports) = pkg.names.ports(&name).cloned() else {
                pkg.denied.record(
                    format!("look up `{name}`"),
                    Some(format!("network = [\"{name}:PORT\"]")),
                    None,
                );
                return Ok((Err(ErrorCode::AccessDenied),));
            };
            pkg.names.remember(&name, &ports);
            let mut view = WasiSocketsCtxView {
                ctx: pkg.wasi.sockets(),
                table: &mut state.table,
            };
            let result = match ip_name_lookup::Host::resolve_addresses(&mut view, network, name) {
                Ok(stream) => Ok(stream),
                Err(e) => Err(e.downcast()?),
            };
            Ok((result,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}
