//! Which environment variables a package reads, by name where the call passes a constant.
//!
//! std reads one variable through `std::env::_var_os` (behind `var_os`) and `_var` (behind
//! `var`), given the name as a `&str` (pointer, length); C code through `getenv`, given a
//! NUL-terminated string. A call from the package's code (or from std on its behalf, e.g.
//! `RUST_MIN_STACK`) whose name arguments are constants names the variable: the bytes are read
//! from the module's initial memory ([`super::operands`]). Calls inside the readers themselves
//! and inside `std::env`/`std::sys` only pass the caller's name on, so they are not counted.
//!
//! A variable is read without a name the analysis sees when a call passes a name that is not a
//! constant, or when the environment is reached without going through a reader at all
//! (`std::env::vars()`, wasi-libc's `environ`, the WASI bindings called directly). Both are
//! reported as such, with the crate and a path.

use super::callgraph::{CallGraph, Indirect};
use super::reach::Walk;
use super::{EnvReads, Syscall, capability_of, model};
use crate::inspect::Capability;

/// Where a reader takes the variable's name.
#[derive(Debug, Clone, Copy)]
enum NameArg {
    /// A `&str` as (pointer, length) at these argument positions.
    Str(usize, usize),
    /// A NUL-terminated string at this position.
    CStr(usize),
}

/// Functions that read one variable, named by an argument.
const READERS: &[(&str, NameArg)] = &[
    // `(return slot, name pointer, name length)`.
    ("std::env::_var_os", NameArg::Str(1, 2)),
    ("std::env::_var", NameArg::Str(1, 2)),
    ("std::env::var_os", NameArg::Str(1, 2)),
    ("std::env::var", NameArg::Str(1, 2)),
    ("getenv", NameArg::CStr(0)),
    ("secure_getenv", NameArg::CStr(0)),
];

fn reader(name: &str) -> Option<NameArg> {
    READERS.iter().find_map(|(reader, arg)| {
        let generic = name
            .strip_prefix(reader)
            .is_some_and(|rest| rest.starts_with("::<"));
        (name == *reader || generic).then_some(*arg)
    })
}

/// Whether calls in `name` pass on their caller's name: std's readers and the functions between
/// them and wasi-libc (`std::sys::env::…::getenv`, `run_with_cstr…`).
fn passes_name_on(name: &str) -> bool {
    reader(name).is_some() || name.starts_with("std::env::") || name.starts_with("std::sys::")
}

impl CallGraph {
    /// The variables read, by crate (see the module documentation). `walk` walks back from a
    /// function over the forward search of every call.
    pub(super) fn env_reads(&self, walk: &Walk<'_>) -> EnvReads {
        let s = walk.s;
        let mut out = EnvReads::default();
        let readers: Vec<(u32, NameArg)> = (self.names.keys().copied())
            .filter(|&f| (f as usize) < s.names.len())
            .filter_map(|f| Some((f, reader(&s.names[f as usize])?)))
            .collect();
        let env = model::syscall("wasi:cli/environment", "get-environment");
        let base = self.imports.len();
        for (d, sites) in self.sites.iter().enumerate() {
            let func = (base + d) as u32;
            let name = &s.names[func as usize];
            if !walk.seen.contains_key(&func) || s.cuts.contains(&func) || passes_name_on(name) {
                continue;
            }
            for site in sites {
                let Some(&(reader, arg)) = readers.iter().find(|(r, _)| *r == site.callee) else {
                    continue;
                };
                let variable = self.variable(arg, &site.args);
                for (krate, mut path) in self.responsible(walk, func, &env) {
                    path.insert(path.len() - 1, s.names[reader as usize].clone());
                    match &variable {
                        Some(variable) => {
                            out.names.entry(krate).or_default().insert(variable.clone());
                        }
                        None => _ = out.unnamed.entry(krate).or_insert(path),
                    }
                }
            }
        }
        // The environment reached without a reader.
        let mut cuts = s.cuts.clone();
        cuts.extend(readers.iter().map(|(f, _)| *f));
        let seen = self.search(Indirect::None, &cuts);
        let starts: Vec<u32> = (s.targets.iter())
            .filter(|(f, syscall, _)| {
                capability_of(syscall) == Some(Capability::Env) && seen.contains_key(f)
            })
            .map(|(f, _, _)| *f)
            .collect();
        if !starts.is_empty() {
            let bare = Walk {
                cuts: &cuts,
                seen: &seen,
                ..*walk
            };
            for (krate, path) in bare.back_from(&starts, &env) {
                out.unnamed.entry(krate).or_insert(path);
            }
        }
        out
    }

    /// The name a reader's call passes, if its arguments are constants naming UTF-8 bytes of
    /// the initial memory.
    fn variable(&self, arg: NameArg, args: &[Option<i32>]) -> Option<String> {
        let bytes = match arg {
            NameArg::Str(ptr, len) => {
                let len = u32::try_from((*args.get(len)?)?).ok()?;
                self.constants.bytes((*args.get(ptr)?)?, len)?
            }
            NameArg::CStr(ptr) => self.constants.c_string((*args.get(ptr)?)?)?,
        };
        let name = std::str::from_utf8(bytes).ok()?;
        // A name with `=` or NUL can never be read: not a name the code meant.
        let valid = !name.is_empty() && !name.contains(['=', '\0']);
        valid.then(|| name.to_owned())
    }

    /// The crates responsible for a call in `func`: its crate, or the crates whose code reaches
    /// it through plumbing (`None`: the package's export glue), each with a path ending with
    /// `func` then `syscall`.
    fn responsible(
        &self,
        walk: &Walk<'_>,
        func: u32,
        syscall: &Syscall,
    ) -> Vec<(Option<String>, Vec<String>)> {
        let mut path = self.path(walk.seen, func);
        if let Some(krate) = &walk.owners[func as usize] {
            path.push(syscall.to_string());
            return vec![(Some(krate.clone()), path)];
        }
        let found = walk.back_from(&[func], syscall);
        if !found.is_empty() {
            return found;
        }
        // Reached only through indirect calls: the last crate on the example path.
        let krate = path.iter().rev().find_map(|frame| {
            let f = walk.s.names.iter().position(|n| n == frame)?;
            walk.owners[f].clone()
        });
        path.push(syscall.to_string());
        vec![(krate, path)]
    }
}
