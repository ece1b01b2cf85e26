//! `cargo nano`: run every dependency of a Rust program in its own WebAssembly nanoprocess.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cargo_output;
mod commands;
mod diagnostic;
mod message;
mod output;
mod progress;
mod render;
mod term;

const EXIT_STATUS: &str = "\
Exit status:
  0  success (for `run`: the program's own exit code once it has started)
  1  policy violation: a package reaches, requests or grants more than it may, or more than
     Nano.lock records (`build`, `lock`, `check --locked`; `diff` and `tree` on a violation;
     `run --audit` when a manifest misses what the run needed)
  2  bad input or usage: invalid manifest, missing slot, build failure, corrupt files
  101  `run`: the program trapped (the message names the package)
  102  `run`: a package exceeded its memory, table or time limit (the message names the
       package and the limit)";

/// Run every dependency of a Rust program in its own WebAssembly nanoprocess.
#[derive(Parser)]
#[command(name = "cargo nano", bin_name = "cargo nano", version, after_help = EXIT_STATUS)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// `--color`, `-q`, `-v`, for every command.
    #[command(flatten)]
    global: term::GlobalArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Build every nano package to its own component, check its capabilities, and link them.
    #[command(after_help = EXIT_STATUS)]
    Build(commands::build::BuildCommand),
    /// Build if needed, then run the application on the bundled runtime.
    #[command(after_help = EXIT_STATUS)]
    Run(commands::run::RunCommand),
    /// Make an existing project's top package a nano package with the requests its code reaches.
    #[command(after_help = EXIT_STATUS)]
    Init(commands::init::InitCommand),
    /// Create a nano package (`--lib`) in the enclosing workspace; `--parent APP` wires it to APP.
    New(commands::new::NewCommand),
    /// Write `Nano.lock`, or accept reviewed permission changes into it with `--update`.
    #[command(after_help = EXIT_STATUS)]
    Lock(commands::lock::LockCommand),
    /// Show how the current tree's permissions differ from `Nano.lock`.
    #[command(after_help = EXIT_STATUS)]
    Diff(commands::diff::DiffCommand),
    /// Build and check; with `--locked`, fail when permissions grew beyond `Nano.lock` (the CI gate).
    #[command(after_help = EXIT_STATUS)]
    Check(commands::check::CheckCommand),
    /// Show the nano tree with each package's capabilities and grants; `--reaches`: what each crate
    /// inside reaches.
    #[command(after_help = EXIT_STATUS)]
    Tree(commands::tree::TreeCommand),
}

fn main() -> ExitCode {
    // As a Cargo subcommand we are called as `cargo-nano nano build …`.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The same binary is rustc's wrapper and the build-script runner of confined builds.
    if let Some(code) = build_sandbox::wrapper::dispatch(&args) {
        return ExitCode::from(code);
    }
    if args.get(1).is_some_and(|a| a == "nano") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Err(e) = cli.global.apply() {
        eprintln!("error: {e}");
        return ExitCode::from(output::EXIT_INPUT);
    }
    let code = match cli.command {
        Command::Build(cmd) => cmd.exec(),
        Command::Run(cmd) => cmd.exec(),
        Command::Init(cmd) => cmd.exec(),
        Command::New(cmd) => cmd.exec(),
        Command::Lock(cmd) => cmd.exec(),
        Command::Diff(cmd) => cmd.exec(),
        Command::Check(cmd) => cmd.exec(),
        Command::Tree(cmd) => cmd.exec(),
    };
    ExitCode::from(code)
}
