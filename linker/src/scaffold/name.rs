//! The package name: the last component of the new directory, checked as Cargo and rustc
//! would.

use std::path::Path;

use super::ScaffoldError;

/// The package name: the last component of `path`, checked as Cargo and rustc would.
pub(super) fn package_name(path: &Path) -> Result<String, ScaffoldError> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| {
            n.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
        .ok_or_else(|| ScaffoldError::InvalidName {
            path: path.to_path_buf(),
        })?;
    let ident = name.replace('-', "_");
    if RESERVED.contains(&ident.as_str()) {
        return Err(ScaffoldError::ReservedName {
            name: name.to_string(),
        });
    }
    Ok(name.to_string())
}

/// Names a nano package cannot have: keywords, the sysroot crates, and its own dependencies.
const RESERVED: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "alloc",
    "core",
    "proc_macro",
    "std",
    "test",
    "nanoprocess",
    "nanoprocess_macros",
    "wit_bindgen",
];
