//! The network side of a package's context: the endpoints it may connect to, resolved on the
//! host, and the check wasmtime-wasi asks before every socket use.

use std::collections::BTreeSet;
use std::net::{SocketAddr, ToSocketAddrs};

use manifest_schema::Endpoint;
use wasmtime_wasi::sockets::SocketAddrUse;

use crate::RunError;
use crate::denials::Denied;

/// The endpoints named by host name rather than by address.
pub(crate) fn host_names<'a>(endpoints: impl Iterator<Item = &'a Endpoint>) -> BTreeSet<Endpoint> {
    endpoints.filter(|e| !e.is_ip()).cloned().collect()
}

pub(crate) fn resolve_endpoints(
    endpoints: &BTreeSet<Endpoint>,
) -> Result<BTreeSet<SocketAddr>, RunError> {
    let mut out = BTreeSet::new();
    for e in endpoints {
        let host = e.host.trim_start_matches('[').trim_end_matches(']');
        let addrs = (host, e.port)
            .to_socket_addrs()
            .map_err(|source| RunError::Resolve {
                endpoint: e.to_string(),
                source,
            })?;
        out.extend(addrs);
    }
    Ok(out)
}

/// Whether a package holding the TCP endpoints `allowed` may use `addr` for `use_`: connecting
/// to a held endpoint, and the bind to the unspecified address and port 0 that wasmtime-wasi
/// checks first when a connect needs an implicit bind. Nothing else: no other bind, no listen
/// (a socket bound to an ephemeral port can neither listen nor connect anywhere else), no UDP.
pub(crate) fn socket_allowed(
    allowed: &BTreeSet<SocketAddr>,
    addr: SocketAddr,
    use_: SocketAddrUse,
) -> bool {
    match use_ {
        SocketAddrUse::TcpConnect => allowed.contains(&addr),
        SocketAddrUse::TcpBind => {
            !allowed.is_empty() && addr.ip().is_unspecified() && addr.port() == 0
        }
        _ => false,
    }
}

/// Records a socket use [`socket_allowed`] refused: a connect names the endpoint to grant; any
/// other use cannot be granted.
pub(crate) fn record_socket_denial(
    denied: &Denied,
    addr: SocketAddr,
    use_: SocketAddrUse,
    top: bool,
) {
    let what = match use_ {
        SocketAddrUse::TcpConnect => {
            let grant = format!("network = [\"{addr}\"]");
            let option = top.then(|| format!("--net {addr}"));
            denied.record(format!("connect to {addr}"), Some(grant), option);
            return;
        }
        SocketAddrUse::TcpBind => "bind to",
        SocketAddrUse::TcpListen => "listen on",
        SocketAddrUse::TcpAccept => "accept on",
        SocketAddrUse::UdpBind => "bind UDP to",
        SocketAddrUse::UdpSend => "send UDP to",
        SocketAddrUse::UdpReceive => "receive UDP from",
    };
    denied.record(format!("{what} {addr}"), None, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_held_endpoints_and_the_implicit_bind_of_a_connect_pass() {
        let held: SocketAddr = "127.0.0.1:47613".parse().unwrap();
        let allowed = BTreeSet::from([held]);
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert!(socket_allowed(&allowed, held, SocketAddrUse::TcpConnect));
        assert!(!socket_allowed(
            &allowed,
            at("127.0.0.1:47614"),
            SocketAddrUse::TcpConnect
        ));
        assert!(socket_allowed(
            &allowed,
            at("0.0.0.0:0"),
            SocketAddrUse::TcpBind
        ));
        assert!(socket_allowed(
            &allowed,
            at("[::]:0"),
            SocketAddrUse::TcpBind
        ));
        for (addr, use_) in [
            ("0.0.0.0:8080", SocketAddrUse::TcpBind),
            ("127.0.0.1:0", SocketAddrUse::TcpBind),
            ("0.0.0.0:0", SocketAddrUse::TcpListen),
            ("127.0.0.1:47613", SocketAddrUse::TcpListen),
            ("127.0.0.1:47613", SocketAddrUse::TcpAccept),
            ("127.0.0.1:47613", SocketAddrUse::UdpSend),
            ("0.0.0.0:0", SocketAddrUse::UdpBind),
        ] {
            assert!(!socket_allowed(&allowed, at(addr), use_), "{addr} {use_:?}");
        }
        // A package holding no endpoint may not even bind.
        assert!(!socket_allowed(
            &BTreeSet::new(),
            at("0.0.0.0:0"),
            SocketAddrUse::TcpBind
        ));
    }
}
