//! One file per subcommand: each reads its input, calls one library function, writes output.

pub mod build;
pub mod check;
pub mod diff;
pub mod init;
pub mod lock;
pub mod new;
pub mod run;
mod run_audit;
pub mod tree;
