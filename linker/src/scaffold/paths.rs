//! Paths: absolute ones for packages that do not exist yet, relative ones as manifests write
//! them, and short ones for messages.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute without resolving what does not exist yet: the longest existing
/// ancestor is canonicalized, the rest is appended with `.` and `..` applied.
pub(super) fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let full = std::env::current_dir()?.join(path);
    let mut rest = Vec::new();
    let mut base = full.as_path();
    let existing = loop {
        match base.canonicalize() {
            Ok(existing) => break existing,
            Err(e) => match (base.parent(), base.file_name()) {
                (Some(up), Some(name)) => {
                    rest.push(name.to_os_string());
                    base = up;
                }
                // `..` or `.` at the end of a missing path, or nothing left.
                _ => return Err(e),
            },
        }
    };
    let mut out = existing;
    for name in rest.into_iter().rev() {
        match Path::new(&name).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            _ => out.push(name),
        }
    }
    Ok(out)
}

/// `to` relative to the directory `from` (both absolute, normalized), with `/` separators.
pub(super) fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// A path for messages: relative to the current directory when below it.
pub(super) fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// The outermost ancestor of `dir` (or `dir` itself) that does not exist yet.
pub(super) fn first_missing(dir: &Path) -> Option<PathBuf> {
    let mut top = None;
    for ancestor in dir.ancestors() {
        if ancestor.exists() {
            break;
        }
        top = Some(ancestor.to_path_buf());
    }
    top
}
