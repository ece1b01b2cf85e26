//! Confining a child process (and everything it then runs) with Landlock and seccomp.
//!
//! The ruleset is built in the wrapper ([`prepare`]) and enforced in the child between `fork` and
//! `execve` ([`Prepared::apply`]); Landlock domains and seccomp filters are inherited across both
//! and cannot be lifted, so whatever the build script or rustc runs stays inside. The wrapper
//! itself stays unconfined, to remove the child's temporary directory afterwards.

use std::path::PathBuf;

use crate::Availability;

/// What a confined process may do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rules {
    /// Trees it may read and execute from.
    pub read: Vec<PathBuf>,
    /// Trees it may read, write, create and remove in.
    pub write: Vec<PathBuf>,
    /// Whether it may open sockets.
    pub network: bool,
}

/// Confinement failed or is not in force.
#[derive(Debug, thiserror::Error)]
pub enum ConfineError {
    /// The kernel refused the ruleset.
    #[error("the Landlock ruleset was refused: {0}")]
    Landlock(String),
    /// The kernel enforces nothing.
    #[error("the kernel enforces no Landlock rule")]
    NotEnforced,
}

#[cfg(target_os = "linux")]
mod seccomp;

#[cfg(target_os = "linux")]
pub use linux::{availability, prepare};

#[cfg(not(target_os = "linux"))]
pub fn availability() -> Availability {
    Availability::Unavailable {
        reason: format!(
            "Landlock is Linux-only, and this is {}",
            std::env::consts::OS
        ),
    }
}

/// Nothing to enforce here.
#[cfg(not(target_os = "linux"))]
pub struct Prepared;

#[cfg(not(target_os = "linux"))]
impl Prepared {
    pub fn apply(&mut self) -> std::io::Result<()> {
        Err(std::io::Error::other("no build sandbox on this platform"))
    }
}

#[cfg(not(target_os = "linux"))]
pub fn prepare(_: &Rules) -> Result<Prepared, ConfineError> {
    Err(ConfineError::NotEnforced)
}

#[cfg(target_os = "linux")]
mod linux {
    use std::path::Path;

    use landlock::{
        ABI, Access, AccessFs, AccessNet, BitFlags, PathBeneath, PathFd, Ruleset, RulesetAttr,
        RulesetCreatedAttr, RulesetStatus, Scope,
    };

    use super::{Availability, ConfineError, Rules};

    /// The newest ABI whose rights are asked for; older kernels enforce what they know.
    const ABI_ASKED: ABI = ABI::V6;

    /// Asks the kernel for its Landlock ABI version.
    pub fn availability() -> Availability {
        const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
        // SAFETY: landlock_create_ruleset(NULL, 0, VERSION) only returns the ABI version (or -1
        // with errno); it reads no memory, as the null attribute pointer with size 0 says.
        let abi = unsafe {
            libc::syscall(
                libc::SYS_landlock_create_ruleset,
                std::ptr::null::<libc::c_void>(),
                0usize,
                LANDLOCK_CREATE_RULESET_VERSION,
            )
        };
        if abi >= 1 {
            return Availability::Available { abi: abi as u32 };
        }
        let reason = match std::io::Error::last_os_error().raw_os_error() {
            Some(libc::EOPNOTSUPP) => {
                "Landlock is built into this kernel but not enabled (boot with `lsm=...,landlock`)"
            }
            _ => "this kernel has no Landlock (Linux 5.13 or later is needed)",
        };
        Availability::Unavailable {
            reason: reason.to_string(),
        }
    }

    /// A ruleset and filter ready to be enforced in a child.
    pub struct Prepared {
        ruleset: Option<landlock::RulesetCreated>,
        seccomp: Option<super::seccomp::Filter>,
    }

    impl Prepared {
        /// Enforces the rules on the calling process. Meant for a `pre_exec` hook: it only makes
        /// system calls and drops the ruleset (closing its descriptor).
        pub fn apply(&mut self) -> std::io::Result<()> {
            let ruleset = self
                .ruleset
                .take()
                .ok_or_else(|| std::io::Error::other("the ruleset was already enforced"))?;
            let status = ruleset.restrict_self().map_err(std::io::Error::other)?;
            if status.ruleset == RulesetStatus::NotEnforced {
                return Err(std::io::Error::other(ConfineError::NotEnforced));
            }
            if let Some(filter) = &mut self.seccomp {
                filter.install()?;
            }
            Ok(())
        }
    }

    /// Builds the ruleset for `rules` (opening each existing tree), to enforce in a child.
    pub fn prepare(rules: &Rules) -> Result<Prepared, ConfineError> {
        let landlock = |e: landlock::RulesetError| ConfineError::Landlock(e.to_string());
        let mut ruleset = Ruleset::default()
            .handle_access(AccessFs::from_all(ABI_ASKED))
            .map_err(landlock)?
            // A confined process cannot signal (kill, stop) processes outside its domain.
            .scope(Scope::Signal)
            .map_err(landlock)?;
        if !rules.network {
            // Handled with no rule: every TCP bind and connect is denied; nor may it reach
            // abstract UNIX sockets outside its domain.
            ruleset = ruleset
                .handle_access(AccessNet::from_all(ABI_ASKED))
                .map_err(landlock)?
                .scope(Scope::AbstractUnixSocket)
                .map_err(landlock)?;
        }
        let mut created = ruleset.create().map_err(landlock)?;
        let read = AccessFs::from_read(ABI_ASKED);
        let all = AccessFs::from_all(ABI_ASKED);
        let mut trees: Vec<(&Path, BitFlags<AccessFs>)> = Vec::new();
        trees.extend(rules.read.iter().map(|p| (p.as_path(), read)));
        trees.extend(rules.write.iter().map(|p| (p.as_path(), all)));
        // Every tool writes to `/dev/null`; writing to these devices reaches nothing.
        for dev in ["/dev/null", "/dev/zero", "/dev/full"] {
            trees.push((Path::new(dev), read | AccessFs::WriteFile));
        }
        for (path, access) in trees {
            // A path that does not exist (no `/nix` here) simply grants nothing.
            let Ok(fd) = PathFd::new(path) else {
                continue;
            };
            let access = if path.is_dir() {
                access
            } else {
                access & AccessFs::from_file(ABI_ASKED)
            };
            created = created
                .add_rule(PathBeneath::new(fd, access))
                .map_err(landlock)?;
        }
        Ok(Prepared {
            ruleset: Some(created),
            seccomp: (!rules.network).then(super::seccomp::Filter::new),
        })
    }
}
