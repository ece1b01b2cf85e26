//! Build progress on a terminal; silence otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use linker::pipeline::Event;

/// Shows [`Event`]s as a spinner on stderr when it is a terminal.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A progress display (hidden when stderr is not a terminal).
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    /// Shows one event.
    pub fn event(&mut self, event: Event) {
        let Some(bar) = &self.bar else {
            // Installing a toolchain component is worth saying even in a log.
            if let Event::InstallingTarget = event {
                eprintln!("note: installing the `wasm32-wasip2` target with rustup");
            }
            return;
        };
        let msg = match event {
            Event::InstallingTarget => {
                "installing the wasm32-wasip2 target with rustup".to_string()
            }
            Event::Planned { packages } => format!("{packages} nano package(s)"),
            Event::Compiling { package } => format!("compiling `{package}` to a component"),
            Event::Linking => "linking".to_string(),
        };
        bar.set_message(msg);
    }

    /// Removes the display.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
