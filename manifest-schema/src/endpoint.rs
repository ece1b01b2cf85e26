//! Network endpoints: `host:port` (TCP) and `udp://host:port` (UDP).

use std::borrow::Cow;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A network endpoint a package may reach, written `host:port` for TCP and `udp://host:port` for
/// UDP (`tcp://host:port` is also read, and written as `host:port`).
///
/// The host is a DNS name (stored lowercase), an IPv4 address, or an IPv6
/// address written in brackets (`[::1]:8080`). The port is `1..=65535`.
/// Wildcards are not supported in format 1.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    /// The host in canonical form: a lowercase DNS name, an IPv4 address, or an
    /// IPv6 address *without* brackets.
    pub host: String,
    /// The TCP/UDP port, never 0.
    pub port: u16,
    /// TCP (connect) or UDP (send and receive datagrams).
    pub transport: Transport,
}

/// How a package reaches an [`Endpoint`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Transport {
    /// A TCP connection to the endpoint (`host:port`).
    #[default]
    Tcp,
    /// UDP datagrams sent to the endpoint and received from it (`udp://host:port`).
    Udp,
}

/// Why a string is not a valid [`Endpoint`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid endpoint `{input}`: {reason}")]
pub struct ParseEndpointError {
    input: String,
    reason: String,
}

impl ParseEndpointError {
    fn new(input: &str, reason: impl Into<String>) -> Self {
        Self {
            input: input.to_owned(),
            reason: reason.into(),
        }
    }

    /// The text that failed to parse.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it, e.g. ``missing port``.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl Endpoint {
    /// Whether the host is an IP address rather than a DNS name.
    pub fn is_ip(&self) -> bool {
        self.host.parse::<std::net::IpAddr>().is_ok()
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.transport == Transport::Udp {
            f.write_str("udp://")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl FromStr for Endpoint {
    type Err = ParseEndpointError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| ParseEndpointError::new(input, reason);
        if input.contains('*') {
            return Err(err("wildcards are not supported in format 1"));
        }
        if input.chars().any(char::is_whitespace) {
            return Err(err("whitespace is not allowed"));
        }
        let (transport, rest) = match input.split_once("://") {
            Some(("udp", rest)) => (Transport::Udp, rest),
            Some(("tcp", rest)) => (Transport::Tcp, rest),
            Some(_) => {
                return Err(err(
                    "the only schemes are `udp://` and `tcp://` (the default)",
                ));
            }
            None => (Transport::Tcp, input),
        };
        let Some((host, port)) = rest.rsplit_once(':') else {
            return Err(err("missing port"));
        };
        let host = parse_host(host).map_err(err)?;
        let port = parse_port(port).map_err(|reason| ParseEndpointError::new(input, reason))?;
        Ok(Self {
            host,
            port,
            transport,
        })
    }
}

/// Parses and canonicalizes the host part.
fn parse_host(host: &str) -> Result<String, &'static str> {
    if host.is_empty() {
        return Err("the host is empty");
    }
    if let Some(inner) = host.strip_prefix('[') {
        let Some(inner) = inner.strip_suffix(']') else {
            return Err("unclosed `[` in the host");
        };
        return match inner.parse::<Ipv6Addr>() {
            Ok(ip) => Ok(ip.to_string()),
            Err(_) => Err("brackets must contain an IPv6 address"),
        };
    }
    if host.contains(':') || host.ends_with(']') {
        return Err("IPv6 addresses must be written in brackets, e.g. `[::1]:8080`");
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Ok(ip.to_string());
    }
    if is_dns_name(host) {
        Ok(host.to_ascii_lowercase())
    } else {
        Err("the host is not a valid DNS name or IP address")
    }
}

/// A DNS host name: dot-separated labels of 1 to 63 letters, digits and `-`
/// (not at either end), 253 characters at most, the last label not all digits.
fn is_dns_name(host: &str) -> bool {
    if host.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let valid_labels = labels.iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    let numeric_tld = labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()));
    valid_labels && !numeric_tld
}

/// Parses the port part: decimal digits, `1..=65535`.
fn parse_port(port: &str) -> Result<u16, String> {
    if port.is_empty() {
        return Err("missing port".to_owned());
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "invalid port `{port}` (expected a number from 1 to 65535)"
        ));
    }
    match port.parse::<u16>() {
        Ok(0) => Err("port 0 is not allowed (expected a number from 1 to 65535)".to_owned()),
        Ok(port) => Ok(port),
        Err(_) => Err(format!(
            "port `{port}` is out of range (expected a number from 1 to 65535)"
        )),
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Cow::<'de, str>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Endpoint {
    fn schema_name() -> Cow<'static, str> {
        "Endpoint".into()
    }

    fn schema_id() -> Cow<'static, str> {
        concat!(module_path!(), "::Endpoint").into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A network endpoint `host:port` (TCP) or `udp://host:port` (UDP): a DNS name, an IPv4 address or a bracketed IPv6 address, and a port from 1 to 65535. No wildcards.",
            "type": "string",
            "pattern": "^((tcp|udp)://)?([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}$",
            "examples": ["example.com:443", "127.0.0.1:8080", "[::1]:8080", "udp://127.0.0.1:5353"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        match text.parse::<Endpoint>() {
            Ok(endpoint) => endpoint.to_string(),
            Err(err) => panic!("`{text}` should parse: {err}"),
        }
    }

    fn reason(text: &str) -> String {
        match text.parse::<Endpoint>() {
            Ok(endpoint) => panic!("`{text}` should not parse, got {endpoint:?}"),
            Err(err) => err.reason().to_owned(),
        }
    }

    #[test]
    fn valid_endpoints_round_trip_canonically() {
        assert_eq!(ok("example.com:443"), "example.com:443");
        assert_eq!(ok("Example.COM:443"), "example.com:443");
        assert_eq!(ok("localhost:1"), "localhost:1");
        assert_eq!(ok("127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(ok("[::1]:8080"), "[::1]:8080");
        assert_eq!(ok("[2001:DB8:0:0::1]:65535"), "[2001:db8::1]:65535");
        assert_eq!(ok("xn--bcher-kva.example:80"), "xn--bcher-kva.example:80");
        let endpoint: Endpoint = "[::1]:80".parse().unwrap();
        assert_eq!(endpoint.host, "::1");
        assert!(endpoint.is_ip());
    }

    #[test]
    fn invalid_endpoints_say_why() {
        assert_eq!(reason("example.com"), "missing port");
        assert_eq!(reason("example.com:"), "missing port");
        assert_eq!(reason(":80"), "the host is empty");
        assert!(reason("example.com:0").starts_with("port 0 is not allowed"));
        assert!(reason("example.com:65536").contains("out of range"));
        assert!(reason("example.com:+80").starts_with("invalid port `+80`"));
        assert!(reason("*.example.com:443").contains("wildcards"));
        assert!(reason("::1:80").contains("brackets"));
        assert!(reason("[::1:80").contains("unclosed"));
        assert!(reason("[example.com]:80").contains("IPv6"));
        assert!(reason("1.2.3:80").contains("not a valid DNS name"));
        assert!(reason("-a.example:80").contains("not a valid DNS name"));
        assert!(reason("a..example:80").contains("not a valid DNS name"));
        assert!(reason("a_b.example:80").contains("not a valid DNS name"));
        assert!(reason("a b:80").contains("whitespace"));
        assert!(reason("http://example.com:80").contains("`udp://` and `tcp://`"));
        assert_eq!(reason("udp://example.com"), "missing port");
    }

    #[test]
    fn udp_endpoints_carry_their_scheme_and_tcp_is_the_default() {
        assert_eq!(ok("udp://127.0.0.1:5353"), "udp://127.0.0.1:5353");
        assert_eq!(ok("udp://[::1]:53"), "udp://[::1]:53");
        assert_eq!(ok("tcp://Example.com:443"), "example.com:443");
        let udp: Endpoint = "udp://localhost:53".parse().unwrap();
        let tcp: Endpoint = "localhost:53".parse().unwrap();
        assert_eq!(udp.transport, Transport::Udp);
        assert_eq!(tcp.transport, Transport::Tcp);
        // The same host and port over another transport is another endpoint: a TCP grant never
        // covers UDP, nor the reverse.
        assert_ne!(udp, tcp);
    }

    #[test]
    fn serde_uses_the_string_form() {
        let endpoint: Endpoint = serde_json::from_str("\"[::1]:8080\"").unwrap();
        assert_eq!(serde_json::to_string(&endpoint).unwrap(), "\"[::1]:8080\"");
        let err = serde_json::from_str::<Endpoint>("\"nope\"").unwrap_err();
        assert!(err.to_string().contains("missing port"), "{err}");
    }
}
