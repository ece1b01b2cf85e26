//! Build progress: one `[n/m] package` status line per nano package with the time elapsed, in
//! Cargo's style, between Cargo's own output ([`crate::cargo_output`]); with `--message-format
//! json`, the `nano-package-started` messages.
//!
//! The lines are printed on a terminal and when piped (so that a cold build in a CI log does
//! not look hung), not with `-q` nor with Cargo's `CARGO_TERM_PROGRESS_WHEN=never`.

use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};
use linker::pipeline::Event;
use serde_json::json;

use crate::message::{self, MessageFormat};
use crate::term;

/// Shows [`Event`]s.
pub struct Progress {
    start: Instant,
    total: usize,
    index: usize,
    shown: bool,
    messages: MessageFormat,
}

impl Progress {
    /// A progress display for text only.
    pub fn new() -> Self {
        Self::with_messages(MessageFormat::Human)
    }

    /// A progress display that also emits `messages`.
    pub fn with_messages(messages: MessageFormat) -> Self {
        Progress {
            start: Instant::now(),
            total: 0,
            index: 0,
            shown: term::progress_shown(),
            messages,
        }
    }

    /// Shows one event.
    pub fn event(&mut self, event: Event) {
        match event {
            Event::InstallingTarget => {
                // Worth saying even with `-q`: it takes a while and changes the toolchain.
                status("Installing", "the `wasm32-wasip2` target with rustup");
            }
            Event::Planned { packages } => self.total = packages,
            Event::Compiling { package } => {
                self.index += 1;
                if self.messages == MessageFormat::Json {
                    message::emit(
                        "nano-package-started",
                        json!({ "package": package, "index": self.index, "total": self.total }),
                    );
                }
                if self.shown {
                    let (n, m) = (self.index, self.total.max(self.index));
                    let elapsed = elapsed(self.start.elapsed());
                    status("Building", &format!("[{n}/{m}] {package} ({elapsed})"));
                }
            }
            Event::Linking => {
                if self.shown {
                    status("Linking", &format!("{} nano package(s)", self.total));
                }
            }
            Event::FullSource { package, reason } => {
                // Only with `-v`: a crate without a view builds correctly, only less
                // incrementally, and most crates have nothing to change about it.
                if term::verbose() > 0 && !term::quiet() {
                    status(
                        "Note",
                        &format!(
                            "parents of `{package}` are compiled from its full source, so any \
                             change to it rebuilds them: {reason}"
                        ),
                    );
                }
            }
            Event::Blocked { lock } => {
                // As Cargo says it; hidden with the other progress lines (`-q`,
                // `CARGO_TERM_PROGRESS_WHEN=never`).
                if self.shown {
                    status(
                        "Blocking",
                        &format!("waiting for file lock on `{}`", lock.display()),
                    );
                }
            }
        }
    }

    /// Ends the display: on success of a build that compiled something, the time it took.
    pub fn finish(&self, success: bool) {
        if success && self.shown && self.index > 0 {
            let elapsed = elapsed(self.start.elapsed());
            status(
                "Finished",
                &format!("{} nano package(s) in {elapsed}", self.total),
            );
        }
    }
}

/// A status line on stderr: the verb right-aligned in 12 columns, bold green, like Cargo's.
fn status(verb: &str, message: &str) {
    let style = Style::new()
        .bold()
        .fg_color(Some(AnsiColor::BrightGreen.into()));
    anstream::eprintln!("{style}{verb:>12}{style:#} {message}");
}

/// `4.2s`, or `2m 05s` from a minute on, like Cargo's `Finished … in`.
fn elapsed(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_time_reads_like_cargos() {
        assert_eq!(elapsed(Duration::from_millis(4230)), "4.2s");
        assert_eq!(elapsed(Duration::from_secs(125)), "2m 05s");
    }
}
