//! The network side of a package's context: the endpoints it may connect to, resolved on the
//! host, and the check wasmtime-wasi asks before every socket use.

use std::collections::BTreeSet;
use std::net::{SocketAddr, ToSocketAddrs};

use manifest_schema::{Endpoint, Transport};
use wasmtime_wasi::sockets::SocketAddrUse;

use crate::RunError;
use crate::denials::Denied;

/// The endpoints named by host name rather than by address.
pub(crate) fn host_names<'a>(endpoints: impl Iterator<Item = &'a Endpoint>) -> BTreeSet<Endpoint> {
    endpoints.filter(|e| !e.is_ip()).cloned().collect()
}

/// The addresses a package may reach, each with the transport it may reach it over.
pub(crate) type Reachable = BTreeSet<(Transport, SocketAddr)>;

/// Whether `allowed` holds any address over `transport`.
pub(crate) fn holds_any(allowed: &Reachable, transport: Transport) -> bool {
    allowed.iter().any(|(t, _)| *t == transport)
}

pub(crate) fn resolve_endpoints(endpoints: &BTreeSet<Endpoint>) -> Result<Reachable, RunError> {
    let mut out = BTreeSet::new();
    for e in endpoints {
        let host = e.host.trim_start_matches('[').trim_end_matches(']');
        let addrs = (host, e.port)
            .to_socket_addrs()
            .map_err(|source| RunError::Resolve {
                endpoint: e.to_string(),
                source,
            })?;
        out.extend(addrs.map(|addr| (e.transport, addr)));
    }
    Ok(out)
}

/// Whether a package holding `allowed` may use `addr` for `use_`: a TCP connect to a held TCP
/// endpoint; a UDP datagram sent to or received from a held UDP endpoint (wasmtime-wasi drops a
/// datagram from anywhere else before the guest sees it, and checks both directions when a UDP
/// socket is connected); and the bind to the unspecified address and port 0 that wasmtime-wasi
/// checks first when a connect or a send needs an implicit bind, for a package holding an
/// endpoint of that transport. Nothing else: no other bind, no listen (a socket bound to an
/// ephemeral port can neither listen nor reach anywhere else).
pub(crate) fn socket_allowed(allowed: &Reachable, addr: SocketAddr, use_: SocketAddrUse) -> bool {
    let holds = |transport| holds_any(allowed, transport);
    let implicit_bind = addr.ip().is_unspecified() && addr.port() == 0;
    match use_ {
        SocketAddrUse::TcpConnect => allowed.contains(&(Transport::Tcp, addr)),
        SocketAddrUse::TcpBind => holds(Transport::Tcp) && implicit_bind,
        SocketAddrUse::UdpSend | SocketAddrUse::UdpReceive => {
            allowed.contains(&(Transport::Udp, addr))
        }
        SocketAddrUse::UdpBind => holds(Transport::Udp) && implicit_bind,
        _ => false,
    }
}

/// The transport and remote address a use reaches, for uses a grant can allow.
pub(crate) fn reached(use_: SocketAddrUse) -> Option<Transport> {
    match use_ {
        SocketAddrUse::TcpConnect => Some(Transport::Tcp),
        SocketAddrUse::UdpSend | SocketAddrUse::UdpReceive => Some(Transport::Udp),
        _ => None,
    }
}

/// Records a socket use [`socket_allowed`] refused: one that reaches an endpoint (a TCP connect, a
/// UDP send or receive) names the `network` entry that would allow it; any other use cannot be
/// granted.
pub(crate) fn record_socket_denial(
    denied: &Denied,
    addr: SocketAddr,
    use_: SocketAddrUse,
    top: bool,
) {
    let what = match use_ {
        SocketAddrUse::TcpConnect => "connect to",
        SocketAddrUse::UdpSend => "send UDP to",
        SocketAddrUse::UdpReceive => "receive UDP from",
        SocketAddrUse::TcpBind => "bind to",
        SocketAddrUse::TcpListen => "listen on",
        SocketAddrUse::TcpAccept => "accept on",
        SocketAddrUse::UdpBind => "bind UDP to",
    };
    let (grant, option) = match reached(use_) {
        Some(transport) => {
            let endpoint = match transport {
                Transport::Tcp => addr.to_string(),
                Transport::Udp => format!("udp://{addr}"),
            };
            let grant = format!("network = [\"{endpoint}\"]");
            (Some(grant), top.then(|| format!("--net {endpoint}")))
        }
        None => (None, None),
    };
    denied.record(format!("{what} {addr}"), grant, option);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_held_endpoints_and_the_implicit_bind_of_a_connect_pass() {
        let held: SocketAddr = "127.0.0.1:47613".parse().unwrap();
        let allowed = BTreeSet::from([(Transport::Tcp, held)]);
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
        // A TCP grant gives no UDP, and a UDP grant no TCP.
        let udp = BTreeSet::from([(Transport::Udp, held)]);
        assert!(socket_allowed(&udp, held, SocketAddrUse::UdpSend));
        assert!(socket_allowed(&udp, held, SocketAddrUse::UdpReceive));
        assert!(socket_allowed(
            &udp,
            at("0.0.0.0:0"),
            SocketAddrUse::UdpBind
        ));
        for (addr, use_) in [
            ("127.0.0.1:47613", SocketAddrUse::TcpConnect),
            ("0.0.0.0:0", SocketAddrUse::TcpBind),
            ("127.0.0.1:47614", SocketAddrUse::UdpSend),
            ("127.0.0.1:47614", SocketAddrUse::UdpReceive),
            ("0.0.0.0:5353", SocketAddrUse::UdpBind),
        ] {
            assert!(!socket_allowed(&udp, at(addr), use_), "{addr} {use_:?}");
        }
        // A package holding no endpoint may not even bind.
        assert!(!socket_allowed(
            &BTreeSet::new(),
            at("0.0.0.0:0"),
            SocketAddrUse::TcpBind
        ));
    }
}
