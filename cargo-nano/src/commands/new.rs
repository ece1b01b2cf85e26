//! `cargo nano new --lib NAME [--parent APP] [--nanoprocess-path DIR]`: scaffolds a nano
//! package ([`linker::scaffold`]).

use std::path::PathBuf;

use clap::Args;
use linker::scaffold::{self, NewOptions};

use crate::output::{self, EXIT_INPUT};

/// Create a new nano package: manifest, boundary module and a native test.
#[derive(Args, Debug)]
pub struct NewCommand {
    /// Create a library nano package (the only kind `new` makes).
    #[arg(long, required = true)]
    lib: bool,
    /// Make the new package a nano child of APP: a path dependency and an empty grant (everything
    /// denied) in APP's Cargo.toml. APP is a package of the enclosing workspace, or the path to
    /// its directory or Cargo.toml.
    #[arg(long, value_name = "APP")]
    parent: Option<String>,
    /// Depend on the `nanoprocess` crate in DIR (a local checkout), written as a path relative
    /// to the new package, instead of on crates.io.
    #[arg(long, value_name = "DIR")]
    nanoprocess_path: Option<PathBuf>,
    /// The directory to create; its last component is the package name.
    path: PathBuf,
}

impl NewCommand {
    /// Runs the command; returns the exit code.
    pub fn exec(self) -> u8 {
        debug_assert!(self.lib, "clap requires `--lib`");
        let options = NewOptions {
            path: self.path,
            parent: self.parent,
            nanoprocess_path: self.nanoprocess_path,
        };
        match scaffold::new_package(&options) {
            Ok(created) => {
                println!(
                    "created nano library `{}` in `{}`",
                    created.name,
                    options.path.display()
                );
                for change in &created.changes {
                    println!("{change}");
                }
                0
            }
            Err(e) => {
                output::print_error(&e);
                EXIT_INPUT
            }
        }
    }
}
