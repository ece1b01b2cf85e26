//! Dependency graph, component inspection, composition and policy checks for cargo-nano.
//!
//! [`pipeline::build`] is `cargo nano build`: it reads the Cargo workspace ([`workspace`]), builds
//! the nano tree ([`graph`]), checks grants ([`policy`]), compiles each nano package to its own
//! component ([`cargo_build`]), derives what each reaches ([`inspect`]), composes them
//! ([`compose`]) and proves the composition's wiring ([`verify`]). What it computes from the
//! components (their inspections, the composition) is kept in `target/nano/` and reused while
//! their bytes and the other inputs stay the same (`build_cache`).
//!
//! [`lock`] records what every package requests, receives and reaches in `Nano.lock` (with
//! [`attribution`] naming the crate behind each syscall), and [`diff`] compares two locks.
#![deny(missing_docs)]

pub mod attribution;
pub mod audit;
mod build_cache;
pub mod build_time;
pub mod build_workspace;
pub mod c_toolchain;
pub mod cargo_build;
mod cargo_diagnose;
pub mod cargo_flags;
pub mod compat;
pub mod compose;
pub mod diff;
pub mod findings;
mod grant_keys;
pub mod graph;
pub mod inspect;
pub mod interface_view;
pub mod limits;
pub mod lock;
pub mod onboard;
pub mod permission;
pub mod pipeline;
mod pipeline_link;
pub mod policy;
pub mod scaffold;
pub mod tag;
pub mod target_lock;
pub mod verify;
pub mod workspace;
