//! Network grants end to end (`fixtures/net`): the `fetcher` child connects to the one endpoint it
//! is granted, served by the test on loopback, and carries data both ways; a connection to any
//! other endpoint is refused inside the nanoprocess, never reaches the host's listener, and is
//! reported on stderr naming the package and the endpoint. The same over UDP (`udp://` grants),
//! where a TCP grant gives no UDP.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use support::cargo_nano;

/// The endpoint `fixtures/net` grants to `fetcher`.
const GRANTED: &str = "127.0.0.1:47613";
/// A loopback endpoint nobody grants.
const OTHER: &str = "127.0.0.1:47614";

/// Serves `addr` on a thread: answers each line with `pong: LINE`, for at most a minute, and
/// counts the connections it accepted.
fn serve(addr: &str) -> Arc<AtomicUsize> {
    let listener = TcpListener::bind(addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    listener.set_nonblocking(true).unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            let Ok((stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            count.fetch_add(1, Ordering::SeqCst);
            stream.set_nonblocking(false).unwrap();
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_ok() {
                let _ = writeln!(&stream, "pong: {}", line.trim_end());
            }
        }
    });
    accepted
}

/// Runs the built `fixtures/net` app with the top package given `nets`, asking `fetcher` to send
/// `ping` to `endpoint`.
fn ping(nets: &[&str], endpoint: &str) -> support::Output {
    let mut args = vec!["run", "--quiet", "--no-build"];
    for net in nets {
        args.extend(["--net", net]);
    }
    args.extend(["--", endpoint, "ping"]);
    cargo_nano("net", &args)
}

#[test]
fn a_granted_endpoint_connects_and_any_other_is_refused() {
    let built = cargo_nano("net", &["build"]);
    assert_eq!(built.status, 0, "{}", built.render());
    let granted = serve(GRANTED);
    let other = serve(OTHER);

    let run = |endpoint: &str| ping(&[GRANTED], endpoint);
    let ok = run(GRANTED);
    assert_eq!(ok.status, 0, "{}", ok.render());
    assert_eq!(ok.stdout.trim(), "answer: pong: ping", "{}", ok.render());
    assert_eq!(granted.load(Ordering::SeqCst), 1);

    let refused = run(OTHER);
    assert_eq!(refused.status, 1, "{}", refused.render());
    assert!(
        refused
            .stdout
            .contains("error: cannot connect to 127.0.0.1:47614"),
        "{}",
        refused.render()
    );
    // The denial is not silent: the run names the package, the endpoint and the grant to add.
    assert!(
        refused.stderr.contains(
            "warning: package `fetcher` (instance `app/fetcher`) was denied: connect to 127.0.0.1:47614 \
             (help: grant `network = [\"127.0.0.1:47614\"]` in `[package.metadata.nano.grants.fetcher]` \
             of `app` if it needs it)"
        ),
        "{}",
        refused.render()
    );
    assert!(!ok.stderr.contains("was denied"), "{}", ok.render());
    // Give a connection that slipped through time to arrive, then check none did.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        other.load(Ordering::SeqCst),
        0,
        "the refused connect reached the host"
    );
}

/// The endpoint `fixtures/net` grants to `fetcher` by host name.
const BY_NAME: &str = "localhost:47615";

#[test]
fn a_granted_host_name_resolves_and_connects_and_no_other_name_resolves() {
    let built = cargo_nano("net", &["build"]);
    assert_eq!(built.status, 0, "{}", built.render());
    let served = serve("127.0.0.1:47615");

    let run = |endpoint: &str| ping(&[BY_NAME], endpoint);
    let ok = run(BY_NAME);
    assert_eq!(ok.status, 0, "{}", ok.render());
    assert_eq!(ok.stdout.trim(), "answer: pong: ping", "{}", ok.render());
    assert_eq!(served.load(Ordering::SeqCst), 1);
    assert!(!ok.stderr.contains("was denied"), "{}", ok.render());

    // Another name is never looked up: the lookup is refused inside the nanoprocess and reported.
    let refused = run("example.invalid:47615");
    assert_eq!(refused.status, 1, "{}", refused.render());
    assert!(
        refused
            .stdout
            .contains("error: cannot connect to example.invalid:47615"),
        "{}",
        refused.render()
    );
    assert!(
        refused.stderr.contains(
            "warning: package `fetcher` (instance `app/fetcher`) was denied: look up `example.invalid`"
        ),
        "{}",
        refused.render()
    );
}

/// The endpoint `fixtures/net` grants to `fetcher` over UDP.
const UDP_GRANTED: &str = "127.0.0.1:47616";
/// A loopback UDP endpoint nobody grants.
const UDP_OTHER: &str = "127.0.0.1:47617";

/// Answers each datagram on `addr` with `pong: DATA`, for at most a minute, and counts the
/// datagrams it received.
fn serve_udp(addr: &str) -> Arc<AtomicUsize> {
    let socket = std::net::UdpSocket::bind(addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let received = Arc::new(AtomicUsize::new(0));
    let count = received.clone();
    std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let mut buf = [0u8; 1500];
        while std::time::Instant::now() < deadline {
            let Ok((len, from)) = socket.recv_from(&mut buf) else {
                continue;
            };
            count.fetch_add(1, Ordering::SeqCst);
            let answer = format!("pong: {}", String::from_utf8_lossy(&buf[..len]));
            let _ = socket.send_to(answer.as_bytes(), from);
        }
    });
    received
}

#[test]
fn a_granted_udp_endpoint_exchanges_datagrams_and_no_other_does() {
    let built = cargo_nano("net", &["build"]);
    assert_eq!(built.status, 0, "{}", built.render());
    let granted = serve_udp(UDP_GRANTED);
    let other = serve_udp(UDP_OTHER);
    let udp = format!("udp://{UDP_GRANTED}");
    let run = |endpoint: &str| ping(&[&udp, GRANTED], endpoint);

    let ok = run(&format!("udp://{UDP_GRANTED}"));
    assert_eq!(ok.status, 0, "{}", ok.render());
    assert_eq!(ok.stdout.trim(), "answer: pong: ping", "{}", ok.render());
    assert_eq!(granted.load(Ordering::SeqCst), 1);
    assert!(!ok.stderr.contains("was denied"), "{}", ok.render());

    let refused = run(&format!("udp://{UDP_OTHER}"));
    assert_eq!(refused.status, 1, "{}", refused.render());
    assert!(
        refused
            .stdout
            .contains("error: cannot send to udp://127.0.0.1:47617"),
        "{}",
        refused.render()
    );
    assert!(
        refused.stderr.contains(
            "warning: package `fetcher` (instance `app/fetcher`) was denied: send UDP to 127.0.0.1:47617 \
             (help: grant `network = [\"udp://127.0.0.1:47617\"]` in `[package.metadata.nano.grants.fetcher]` \
             of `app` if it needs it)"
        ),
        "{}",
        refused.render()
    );

    // A TCP grant gives no UDP: `127.0.0.1:47613` is granted over TCP only.
    let tcp_only = run(&format!("udp://{GRANTED}"));
    assert_eq!(tcp_only.status, 1, "{}", tcp_only.render());
    assert!(
        tcp_only
            .stderr
            .contains("was denied: send UDP to 127.0.0.1:47613"),
        "{}",
        tcp_only.render()
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        other.load(Ordering::SeqCst),
        0,
        "a refused datagram reached the host"
    );
}
