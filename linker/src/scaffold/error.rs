//! What can stop `cargo nano new`: each error names the file or argument at fault and the fix.

use std::path::PathBuf;

use super::paths::shown;

/// An error of [`new_package`](super::new_package). Nothing has been written when one is
/// returned (a failed write puts back what was written before it).
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The last component of the path is not a package name Cargo accepts.
    #[error(
        "`{}` is not a valid package name: use lowercase letters, digits, `-` and `_`, starting with a letter",
        .path.display()
    )]
    InvalidName {
        /// The path given for the new package.
        path: PathBuf,
    },
    /// The name is a Rust keyword or a crate every nano package uses.
    #[error(
        "`{name}` cannot be a package name: it is a Rust keyword or the name of a crate every nano package uses; choose another name"
    )]
    ReservedName {
        /// The name.
        name: String,
    },
    /// The directory of the new package exists.
    #[error("`{}` already exists; choose a new directory for the package", .path.display())]
    Exists {
        /// The path given for the new package.
        path: PathBuf,
    },
    /// A path could not be made absolute.
    #[error("cannot resolve `{}`", .path.display())]
    Resolve {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A manifest could not be read.
    #[error("cannot read `{}`", shown(.path))]
    Read {
        /// The manifest.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A manifest is not TOML.
    #[error("`{}` is not valid TOML; fix it first", shown(.path))]
    Toml {
        /// The manifest.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: toml_edit::TomlError,
    },
    /// Writing a file failed; what was written before it has been put back.
    #[error("failed to write `{}`; nothing was changed", shown(.path))]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `workspace.members` is not an array.
    #[error(
        "`workspace.members` in `{}` is not an array; make it a list of paths",
        shown(.manifest)
    )]
    MembersNotArray {
        /// The workspace manifest.
        manifest: PathBuf,
    },
    /// A `workspace.members` entry is not a glob pattern (Cargo refuses the workspace too).
    #[error(
        "`workspace.members` in `{}` has `{pattern}`, which is not a valid glob pattern; fix it first",
        shown(.manifest)
    )]
    MemberPattern {
        /// The workspace manifest.
        manifest: PathBuf,
        /// The entry.
        pattern: String,
        /// What is wrong with it.
        #[source]
        source: glob::PatternError,
    },
    /// `--nanoprocess-path` holds no `Cargo.toml`.
    #[error(
        "`--nanoprocess-path {}`: there is no `{}`; pass the directory of the `nanoprocess` crate (the one holding its Cargo.toml)",
        .given.display(),
        .manifest.display()
    )]
    NoNanoprocess {
        /// The argument.
        given: PathBuf,
        /// The manifest looked for.
        manifest: PathBuf,
    },
    /// `--nanoprocess-path` names another crate.
    #[error(
        "`--nanoprocess-path {}`: `{}` is not the manifest of the `nanoprocess` crate; pass the directory of the `nanoprocess` crate",
        .given.display(),
        shown(.manifest)
    )]
    NotNanoprocess {
        /// The argument.
        given: PathBuf,
        /// The manifest found there.
        manifest: PathBuf,
    },
    /// `--parent NAME` names no package of the enclosing workspace.
    #[error(
        "`--parent {parent}`: the workspace `{}` has no package named `{parent}` (it has {}); pass one of those names or the path to the parent's Cargo.toml",
        shown(.workspace),
        .packages.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
    )]
    UnknownParent {
        /// The argument.
        parent: String,
        /// The workspace manifest.
        workspace: PathBuf,
        /// The names of its packages.
        packages: Vec<String>,
    },
    /// `--parent PATH` holds no `Cargo.toml`.
    #[error(
        "`--parent {parent}`: there is no `{}`; pass the parent package's directory or Cargo.toml",
        .manifest.display()
    )]
    NoParentManifest {
        /// The argument.
        parent: String,
        /// The manifest looked for.
        manifest: PathBuf,
    },
    /// `--parent NAME` without an enclosing workspace to look it up in.
    #[error(
        "`--parent {parent}`: no Cargo workspace encloses the new package to look `{parent}` up in; pass the path to the parent's directory or Cargo.toml"
    )]
    NoWorkspace {
        /// The argument.
        parent: String,
    },
    /// `cargo metadata` failed on the enclosing workspace.
    #[error(
        "cannot list the packages of the workspace `{}` (`cargo metadata` failed); fix the workspace first or pass the path to the parent's Cargo.toml",
        shown(.workspace)
    )]
    Metadata {
        /// The workspace manifest.
        workspace: PathBuf,
        /// The cause.
        #[source]
        source: cargo_metadata::Error,
    },
    /// The parent's manifest has no package name.
    #[error(
        "`{}` has no `[package]` with a `name`; pass a package's manifest to `--parent`",
        shown(.manifest)
    )]
    ParentWithoutName {
        /// The parent's manifest.
        manifest: PathBuf,
    },
    /// The parent is the package being created.
    #[error("`--parent {parent}` is the package being created; choose another parent or name")]
    ParentIsNew {
        /// The parent's package name.
        parent: String,
    },
    /// The parent has no `[package.metadata.nano]`.
    #[error(
        "`{parent}` is not a nano package: `{}` has no `[package.metadata.nano]` table; add one with `format = 1` (and the `[package.metadata.nano.requests]` it needs) first",
        shown(.manifest)
    )]
    ParentNotNano {
        /// The parent's package name.
        parent: String,
        /// Its manifest.
        manifest: PathBuf,
    },
    /// The parent already has a dependency of that name.
    #[error(
        "`{parent}` already depends on `{name}` (`dependencies.{key}` in `{}`); remove that dependency or choose another name for the new package",
        shown(.manifest)
    )]
    AlreadyDepends {
        /// The parent's package name.
        parent: String,
        /// The new package's name.
        name: String,
        /// The key of the dependency (a rename when it differs from `name`).
        key: String,
        /// The parent's manifest.
        manifest: PathBuf,
    },
    /// The parent already has a grant for that name.
    #[error(
        "`{}` already has `[package.metadata.nano.grants.{name}]`; remove it or choose another name for the new package",
        shown(.manifest)
    )]
    GrantExists {
        /// The new package's name.
        name: String,
        /// The parent's manifest.
        manifest: PathBuf,
    },
    /// A key that must hold a table holds something else.
    #[error("`{key}` in `{}` is not a table; fix it first", shown(.manifest))]
    NotATable {
        /// The dotted key, e.g. `dependencies`.
        key: &'static str,
        /// The manifest.
        manifest: PathBuf,
    },
}
