//! The flags every command takes, with Cargo's meanings: `--color`, `-q`, `-v`; set once for the
//! whole process.

use std::io::IsTerminal;
use std::sync::OnceLock;

use anstream::ColorChoice;
use clap::{ArgAction, Args, ValueEnum};

/// `--color`, `--quiet`, `--verbose`: accepted by every command, before or after its name.
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// Coloring: auto, always, never (default: `CARGO_TERM_COLOR`, else auto; `NO_COLOR` is
    /// honoured in auto).
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        display_order = 900
    )]
    color: Option<ColorWhen>,
    /// Use verbose output (-vv very verbose): passed to Cargo; `check`/`diff` list every crate,
    /// `run` shows a trap's whole backtrace.
    #[arg(short, long, global = true, action = ArgAction::Count, display_order = 901)]
    verbose: u8,
    /// Do not print progress lines or notes (warnings and errors still); `run` hides the
    /// capability table.
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        display_order = 902
    )]
    quiet: bool,
}

/// A `--color` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when the output is a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The settings the flags chose.
#[derive(Debug, Clone, Copy, Default)]
struct Settings {
    verbose: u8,
    quiet: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

impl GlobalArgs {
    /// Applies the flags to the whole process (colour of every stream, verbosity). Fails on a
    /// `CARGO_TERM_COLOR` Cargo would refuse.
    pub fn apply(&self) -> Result<(), String> {
        let when = match self.color {
            Some(when) => when,
            None => match std::env::var("CARGO_TERM_COLOR") {
                Ok(value) => ColorWhen::from_str(&value, true).map_err(|_| {
                    format!(
                        "invalid value `{value}` of `CARGO_TERM_COLOR` (expected `auto`, `always` or `never`)"
                    )
                })?,
                Err(_) => ColorWhen::Auto,
            },
        };
        match when {
            ColorWhen::Auto => ColorChoice::Auto,
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
        }
        .write_global();
        let _ = SETTINGS.set(Settings {
            verbose: self.verbose,
            quiet: self.quiet,
        });
        Ok(())
    }
}

fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

/// `-q`.
pub fn quiet() -> bool {
    settings().quiet
}

/// How many times `-v` was given.
pub fn verbose() -> u8 {
    settings().verbose
}

/// Whether what goes to stderr is coloured (anstream's rules: `--color`, `NO_COLOR`,
/// `CLICOLOR_FORCE`, a terminal).
pub fn stderr_color() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != ColorChoice::Never
}

/// Whether stderr is a terminal.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Whether progress is shown: not with `-q`, nor with Cargo's `CARGO_TERM_PROGRESS_WHEN=never`.
pub fn progress_shown() -> bool {
    !quiet() && std::env::var("CARGO_TERM_PROGRESS_WHEN").map_or(true, |v| v != "never")
}
