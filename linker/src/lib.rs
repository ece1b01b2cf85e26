//! Dependency graph, component inspection, composition and policy checks for cargo-nano.
//!
//! [`pipeline::build`] is `cargo nano build`: it reads the Cargo workspace ([`workspace`]), builds
//! the nano tree ([`graph`]), checks grants ([`policy`]), compiles each nano package to its own
//! component ([`cargo_build`]), derives what each reaches ([`inspect`]), composes them
//! ([`compose`]) and proves the composition's wiring ([`verify`]).
#![deny(missing_docs)]

pub mod cargo_build;
pub mod compat;
pub mod compose;
pub mod graph;
pub mod inspect;
pub mod pipeline;
pub mod policy;
pub mod verify;
pub mod workspace;
