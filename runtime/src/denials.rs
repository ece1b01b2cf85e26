//! Denied attempts the host can see, recorded per instance so that a run can name them: a
//! package touching a capability it does not hold is still denied, but no longer silently.
//!
//! Recorded: a read of stdin, a write to stdout or stderr, by a package that does not hold the
//! stream (it reads end of file, its writes are discarded, as before), and a socket use
//! wasmtime-wasi checks against the package's endpoints (a connect to an endpoint it does not
//! hold, a listen, any UDP). Not recorded: what a package cannot name at all (a path outside its directory slots
//! resolves to nothing, an environment variable it does not hold is absent).

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use manifest_schema::Stream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wasmtime_wasi::cli::{IsTerminal, StdinStream, StdoutStream};

/// One denied attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// The package that attempted it.
    pub package: String,
    /// Its instance id (e.g. `app/fetcher`).
    pub instance: String,
    /// The package of its parent instance; `None` for the top package.
    pub parent: Option<String>,
    /// What was attempted, e.g. `connect to 127.0.0.1:47614` or `read stdin`.
    pub what: String,
    /// The holding that would allow it, in manifest syntax (e.g. `network = ["127.0.0.1:47614"]`),
    /// if cargo-nano can grant it at all.
    pub grant: Option<String>,
    /// For the top package, the `cargo nano run` option that passes it too (e.g.
    /// `--net 127.0.0.1:47614`).
    pub option: Option<String>,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "package `{}` (instance `{}`) was denied: {}",
            self.package, self.instance, self.what
        )?;
        match (&self.grant, &self.parent) {
            (Some(grant), Some(parent)) => write!(
                f,
                " (help: grant `{grant}` in `[package.metadata.nano.grants.{}]` of `{parent}` if it needs it)",
                self.package
            ),
            (Some(grant), None) => {
                write!(
                    f,
                    " (help: request `{grant}` in `[package.metadata.nano.requests]` of `{}`",
                    self.package
                )?;
                if let Some(option) = &self.option {
                    write!(f, " and pass `{option}`")?;
                }
                write!(f, " if it needs it)")
            }
            (None, _) if self.what.starts_with("create a symlink") => write!(
                f,
                " (help: a package may create a symlink only to a relative target that stays below the link's own directory)"
            ),
            (None, _) => write!(
                f,
                " (help: cargo-nano grants only outgoing TCP connections to listed endpoints)"
            ),
        }
    }
}

/// The denials of one run, shared by every instance's context. Each distinct attempt is kept once.
#[derive(Debug, Clone, Default)]
pub struct Denials {
    list: Arc<Mutex<Vec<Denial>>>,
    /// The last bytes each package wrote to a stderr it does not hold, by package: shown only
    /// when that package traps (its panic message), marked as withheld.
    withheld: Arc<Mutex<std::collections::BTreeMap<String, Vec<u8>>>>,
}

/// How much of a withheld stderr is kept: the tail, where a panic message ends up.
const WITHHELD_BYTES: usize = 2048;

impl Denials {
    /// Records `denial` unless the same attempt is already recorded.
    pub fn record(&self, denial: Denial) {
        let mut list = self.list.lock().unwrap_or_else(|e| e.into_inner());
        if !list.contains(&denial) {
            list.push(denial);
        }
    }

    /// The denials recorded so far, in the order they first happened.
    pub fn list(&self) -> Vec<Denial> {
        self.list.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets every denial (a new run starts).
    pub fn clear(&self) {
        self.list.lock().unwrap_or_else(|e| e.into_inner()).clear();
        self.withheld
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Keeps the tail of what `package` wrote to a stderr it does not hold.
    fn withhold(&self, package: &str, bytes: &[u8]) {
        let mut all = self.withheld.lock().unwrap_or_else(|e| e.into_inner());
        let kept = all.entry(package.to_string()).or_default();
        kept.extend_from_slice(bytes);
        let excess = kept.len().saturating_sub(WITHHELD_BYTES);
        kept.drain(..excess);
    }

    /// What `package` wrote to a stderr it does not hold (its last 2 KiB), as text with control
    /// characters escaped, so that it cannot drive the terminal; `None` if it wrote nothing.
    pub fn withheld_stderr(&self, package: &str) -> Option<String> {
        let all = self.withheld.lock().unwrap_or_else(|e| e.into_inner());
        let text = String::from_utf8_lossy(all.get(package)?).into_owned();
        let text: String = text
            .trim()
            .chars()
            .flat_map(|c| match c {
                '\n' => vec!['\n'],
                c if c.is_control() => c.escape_default().collect(),
                c => vec![c],
            })
            .collect();
        (!text.is_empty()).then_some(text)
    }
}

/// Who is denied: everything of a [`Denial`] but the attempt.
///
/// Each package's context holds several copies (its unheld streams, its socket check, its
/// scoped bindings), made at every start: the names are shared, not copied.
#[derive(Debug, Clone)]
pub struct Denied {
    pub(crate) log: Denials,
    pub(crate) package: Arc<str>,
    pub(crate) instance: Arc<str>,
    pub(crate) parent: Option<Arc<str>>,
}

impl Denied {
    /// Records that this instance attempted `what`, which `grant` would allow.
    pub fn record(&self, what: String, grant: Option<String>, option: Option<String>) {
        self.log.record(Denial {
            package: self.package.to_string(),
            instance: self.instance.to_string(),
            parent: self.parent.as_deref().map(str::to_string),
            what,
            grant,
            option,
        });
    }

    fn stream(&self, stream: Stream) {
        let (what, name) = match stream {
            Stream::Stdin => ("read stdin", "stdin"),
            Stream::Stdout => ("write to stdout", "stdout"),
            Stream::Stderr => ("write to stderr", "stderr"),
        };
        self.record(what.into(), Some(format!("stdio = [\"{name}\"]")), None);
    }
}

/// The stdio stream of a package that does not hold it: reads end of file and discards writes, as
/// an absent stream does, and records the first attempt.
#[derive(Debug, Clone)]
pub struct DeniedStream {
    pub(crate) denied: Denied,
    pub(crate) stream: Stream,
}

impl IsTerminal for DeniedStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdinStream for DeniedStream {
    fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
        Box::new(self.clone())
    }
}

impl StdoutStream for DeniedStream {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncRead for DeniedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if buf.remaining() > 0 {
            self.denied.stream(self.stream);
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for DeniedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.stream == Stream::Stderr {
            self.denied.log.withhold(&self.denied.package, buf);
        }
        if !buf.is_empty() {
            self.denied.stream(self.stream);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied(parent: Option<&str>) -> (Denials, Denied) {
        let log = Denials::default();
        let denied = Denied {
            log: log.clone(),
            package: "fetcher".into(),
            instance: "app/fetcher".into(),
            parent: parent.map(Arc::from),
        };
        (log, denied)
    }

    #[test]
    fn a_denial_names_the_package_the_attempt_and_the_grant() {
        let (log, denied) = denied(Some("app"));
        let grant = || Some("network = [\"127.0.0.1:47614\"]".to_string());
        denied.record("connect to 127.0.0.1:47614".into(), grant(), None);
        denied.record("connect to 127.0.0.1:47614".into(), grant(), None);
        let list = log.list();
        assert_eq!(list.len(), 1, "the same attempt is recorded once");
        assert_eq!(
            list[0].to_string(),
            "package `fetcher` (instance `app/fetcher`) was denied: connect to 127.0.0.1:47614 \
             (help: grant `network = [\"127.0.0.1:47614\"]` in \
             `[package.metadata.nano.grants.fetcher]` of `app` if it needs it)"
        );
    }

    #[test]
    fn the_top_package_is_told_to_request_and_pass_an_option() {
        let (log, denied) = denied(None);
        denied.record(
            "connect to 127.0.0.1:1".into(),
            Some("network = [\"127.0.0.1:1\"]".into()),
            Some("--net 127.0.0.1:1".into()),
        );
        assert!(log.list()[0].to_string().ends_with(
            "(help: request `network = [\"127.0.0.1:1\"]` in `[package.metadata.nano.requests]` \
             of `fetcher` and pass `--net 127.0.0.1:1` if it needs it)"
        ));
    }

    #[test]
    fn unheld_stdio_reads_nothing_discards_writes_and_records_both() {
        let (log, denied) = denied(Some("app"));
        let mut stdin = DeniedStream {
            denied: denied.clone(),
            stream: Stream::Stdin,
        };
        let mut stderr = DeniedStream {
            denied,
            stream: Stream::Stderr,
        };
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut bytes = [0u8; 8];
        let mut buf = ReadBuf::new(&mut bytes);
        assert!(matches!(
            Pin::new(&mut stdin).poll_read(&mut cx, &mut buf),
            Poll::Ready(Ok(()))
        ));
        assert!(buf.filled().is_empty(), "end of file");
        assert!(matches!(
            Pin::new(&mut stderr).poll_write(&mut cx, b"oops"),
            Poll::Ready(Ok(4))
        ));
        let what: Vec<String> = log.list().into_iter().map(|d| d.what).collect();
        assert_eq!(what, ["read stdin", "write to stderr"]);
    }
}
