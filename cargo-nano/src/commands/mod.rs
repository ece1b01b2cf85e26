//! One file per subcommand: each reads its input, calls one library function, writes output.

pub mod build;
pub mod new;
pub mod run;
