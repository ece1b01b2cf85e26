//! What a rustc command line says about its inputs and outputs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The parts of a rustc command line the wrapper needs.
#[derive(Debug, Default, PartialEq)]
pub struct RustcArgs {
    /// `--crate-name`.
    pub crate_name: Option<String>,
    /// `--crate-type` values.
    pub crate_types: Vec<String>,
    /// `--out-dir`.
    pub out_dir: Option<PathBuf>,
    /// `-o`.
    pub output: Option<PathBuf>,
    /// `-C extra-filename=`.
    pub extra_filename: String,
    /// `-C incremental=`.
    pub incremental: Option<PathBuf>,
    /// Paths of `--emit KIND=PATH`.
    pub emit_paths: Vec<PathBuf>,
    /// `--extern NAME=PATH` paths.
    pub externs: Vec<PathBuf>,
    /// `-L [KIND=]PATH` directories.
    pub search_dirs: Vec<PathBuf>,
    /// `@FILE` argument files.
    pub arg_files: Vec<PathBuf>,
}

impl RustcArgs {
    /// Parses rustc's arguments (without the program), reading `@FILE`s for their arguments.
    pub fn parse(args: &[OsString]) -> RustcArgs {
        let mut out = RustcArgs::default();
        let mut list: Vec<String> = Vec::new();
        for arg in args {
            let arg = arg.to_string_lossy().into_owned();
            if let Some(file) = arg.strip_prefix('@') {
                out.arg_files.push(PathBuf::from(file));
                if let Ok(text) = std::fs::read_to_string(file) {
                    list.extend(text.lines().map(str::to_string));
                }
            } else {
                list.push(arg);
            }
        }
        let mut i = 0;
        while i < list.len() {
            let arg = &list[i];
            // `--flag value`, `--flag=value` and `-Cvalue` / `-Lvalue` forms.
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
                _ if arg.len() > 2 && (arg.starts_with("-C") || arg.starts_with("-L")) => {
                    (arg[..2].to_string(), Some(arg[2..].to_string()))
                }
                _ => (arg.clone(), None),
            };
            let takes_value = matches!(
                flag.as_str(),
                "--crate-name"
                    | "--crate-type"
                    | "--out-dir"
                    | "-o"
                    | "-C"
                    | "--codegen"
                    | "--emit"
                    | "--extern"
                    | "-L"
            );
            if !takes_value {
                i += 1;
                continue;
            }
            let value = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    list.get(i).cloned().unwrap_or_default()
                }
            };
            i += 1;
            out.take(&flag, value);
        }
        out
    }

    fn take(&mut self, flag: &str, value: String) {
        match flag {
            "--crate-name" => self.crate_name = Some(value),
            "--crate-type" => self
                .crate_types
                .extend(value.split(',').map(str::to_string)),
            "--out-dir" => self.out_dir = Some(value.into()),
            "-o" => self.output = Some(value.into()),
            "-C" | "--codegen" => {
                if let Some(v) = value.strip_prefix("extra-filename=") {
                    self.extra_filename = v.to_string();
                } else if let Some(v) = value.strip_prefix("incremental=") {
                    self.incremental = Some(v.into());
                }
            }
            "--emit" => {
                for kind in value.split(',') {
                    if let Some((_, path)) = kind.split_once('=') {
                        self.emit_paths.push(path.into());
                    }
                }
            }
            "--extern" => {
                if let Some((_, path)) = value.split_once('=') {
                    self.externs.push(path.into());
                }
            }
            "-L" => {
                let path = value.split_once('=').map_or(value.as_str(), |(_, p)| p);
                self.search_dirs.push(path.into());
            }
            _ => {}
        }
    }

    /// The proc macros this invocation loads, by crate name: `--extern`s of host dynamic
    /// libraries (`libNAME-HASH.so`), which rustc runs in its own process.
    pub fn proc_macros(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .externs
            .iter()
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "so" || e == "dylib" || e == "dll")
            })
            .filter_map(|p| crate_of_library(p))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The build-script binary this invocation writes, if it compiles one (`build_script_build`).
    pub fn build_script_output(&self) -> Option<PathBuf> {
        let name = self.crate_name.as_deref()?;
        if !name.starts_with("build_script_") || !self.crate_types.iter().any(|t| t == "bin") {
            return None;
        }
        if let Some(o) = &self.output {
            return Some(o.clone());
        }
        Some(
            self.out_dir
                .as_ref()?
                .join(format!("{name}{}", self.extra_filename)),
        )
    }

    /// The directories this invocation writes: its output directories and incremental cache.
    pub fn write_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self.out_dir.iter().cloned().collect();
        dirs.extend(self.incremental.iter().cloned());
        for path in self.output.iter().chain(&self.emit_paths) {
            dirs.extend(path.parent().map(Path::to_path_buf));
        }
        dirs
    }

    /// The directories this invocation reads besides the common roots.
    pub fn read_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = self.search_dirs.clone();
        for path in self.externs.iter().chain(&self.arg_files) {
            dirs.extend(path.parent().map(Path::to_path_buf));
        }
        dirs
    }
}

/// `serde_derive` for `…/libserde_derive-1a2b3c.so`.
fn crate_of_library(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    let stem = stem.strip_prefix("lib").unwrap_or(stem);
    Some(
        stem.rsplit_once('-')
            .map_or(stem, |(name, _)| name)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn a_build_script_compilation_names_its_binary() {
        let parsed = RustcArgs::parse(&args(&[
            "--crate-name",
            "build_script_build",
            "--edition=2021",
            "build.rs",
            "--crate-type",
            "bin",
            "--emit=dep-info,link",
            "-C",
            "extra-filename=-0a1b",
            "--out-dir",
            "/t/release/build/x-0a1b",
            "-L",
            "dependency=/t/release/deps",
            "--extern",
            "cc=/t/release/deps/libcc-9f.rlib",
        ]));
        assert_eq!(
            parsed.build_script_output(),
            Some(PathBuf::from(
                "/t/release/build/x-0a1b/build_script_build-0a1b"
            ))
        );
        assert!(parsed.proc_macros().is_empty());
        assert_eq!(parsed.search_dirs, [PathBuf::from("/t/release/deps")]);
    }

    #[test]
    fn proc_macros_are_the_dynamic_library_externs() {
        let parsed = RustcArgs::parse(&args(&[
            "--crate-name=app",
            "--crate-type",
            "lib",
            "--extern",
            "serde_derive=/t/release/deps/libserde_derive-77.so",
            "--extern",
            "serde=/t/wasm32-wasip2/release/deps/libserde-12.rlib",
            "-Cincremental=/t/inc",
            "--out-dir",
            "/t/wasm32-wasip2/release/deps",
        ]));
        assert_eq!(parsed.proc_macros(), ["serde_derive"]);
        assert_eq!(parsed.build_script_output(), None);
        assert_eq!(
            parsed.write_dirs(),
            [
                PathBuf::from("/t/wasm32-wasip2/release/deps"),
                "/t/inc".into()
            ]
        );
    }
}
