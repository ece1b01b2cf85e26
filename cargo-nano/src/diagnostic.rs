//! Errors about manifests, grants and `Nano.lock` drawn as Cargo draws its own: the title, then
//! `--> file:line:column`, the line with the offending key or value underlined, and `= help:`.
//!
//! The libraries return typed errors naming the file and the key path; this module reads the
//! file again and finds the key with [`manifest_schema::span`]. When the file cannot be read or
//! no longer holds the key (it changed since), the error is still shown, pointing at the file.

#[path = "diagnostic_keys.rs"]
mod keys;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use manifest_schema::span::{self, Located};
use manifest_schema::{ManifestErrors, Part};

pub use keys::{build_permission, lock_error, unknown_grant, violation};

/// Whether diagnostics on stderr are coloured: Cargo's rules, as `--color` and
/// `CARGO_TERM_COLOR` set them for the whole process ([`crate::term`]).
pub fn color_stderr() -> bool {
    crate::term::stderr_color()
}

/// The renderer: styled when `color`.
fn renderer(color: bool) -> Renderer {
    if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// The files read so far, by path: each is read once however many errors point into it.
#[derive(Default)]
pub struct Files {
    texts: BTreeMap<PathBuf, Option<Rc<str>>>,
}

impl Files {
    /// The text of `path`, or `None` when it cannot be read.
    fn text(&mut self, path: &Path) -> Option<Rc<str>> {
        self.texts
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok().map(Rc::from))
            .clone()
    }
}

/// `path` as shown: relative to the current directory when inside it, as Cargo shows paths.
pub fn shown(path: &Path) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return path.display().to_string();
    };
    // Cargo reports paths with symbolic links resolved; the current directory may have some.
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let relative = path
        .strip_prefix(&cwd)
        .ok()
        .map(Path::to_path_buf)
        .or_else(|| {
            let path = canonical(path);
            path.strip_prefix(canonical(&cwd))
                .ok()
                .map(Path::to_path_buf)
        });
    relative
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// What to underline in a file: the bytes and the label under them.
pub(crate) struct Mark {
    /// The bytes; `None` to point at the file alone.
    pub(crate) range: Option<Range<usize>>,
    /// The label under them.
    pub(crate) label: String,
}

impl Mark {
    /// The mark of `key_path` in `text` (an element of its array equal to `item` if given):
    /// its key or value as `part` says; a key that is not written marks the table that should
    /// hold it. Without a place (the file unread, or not TOML), the label alone.
    pub(crate) fn at(
        text: Option<&str>,
        key_path: &str,
        item: Option<&str>,
        part: Part,
        label: String,
    ) -> Mark {
        let located: Option<Located> = text.and_then(|text| match item {
            Some(item) => span::locate_item(text, key_path, item),
            None => span::locate(text, key_path),
        });
        Mark {
            range: located.map(|l| l.range(part == Part::Key && l.missing.is_none())),
            label,
        }
    }
}

/// A file and what to mark in it.
pub(crate) struct Source<'a> {
    pub(crate) file: &'a Path,
    /// Its text, when it could be read.
    pub(crate) text: Option<Rc<str>>,
    pub(crate) marks: Vec<Mark>,
}

/// One error: `title`, then the marks of each source (the first one primary), then the notes
/// and the help.
pub(crate) struct Diagnostic<'a> {
    pub(crate) title: String,
    pub(crate) sources: Vec<Source<'a>>,
    pub(crate) notes: Vec<String>,
    pub(crate) help: Option<String>,
}

impl Diagnostic<'_> {
    /// The diagnostic as text, with colours when `color`.
    pub(crate) fn render(&self, color: bool) -> String {
        let paths: Vec<String> = self.sources.iter().map(|s| shown(s.file)).collect();
        let mut group = Group::with_title(Level::ERROR.primary_title(self.title.as_str()));
        let mut unplaced: Vec<&str> = Vec::new();
        for (n, (source, path)) in self.sources.iter().zip(&paths).enumerate() {
            let (placed, rest): (Vec<&Mark>, Vec<&Mark>) = source
                .marks
                .iter()
                .partition(|m| m.range.is_some() && source.text.is_some());
            unplaced.extend(rest.iter().map(|m| m.label.as_str()));
            match source.text.as_deref() {
                Some(text) if !placed.is_empty() => {
                    let annotations = placed.iter().enumerate().filter_map(|(i, m)| {
                        let kind = if n == 0 && i == 0 {
                            AnnotationKind::Primary
                        } else {
                            AnnotationKind::Context
                        };
                        Some(kind.span(m.range.clone()?).label(m.label.as_str()))
                    });
                    group = group.element(
                        Snippet::source(text)
                            .path(path.as_str())
                            .annotations(annotations),
                    );
                }
                // A file that cannot be shown is still named, unless it is not the main one.
                _ if n == 0 => group = group.element(Origin::path(path.as_str())),
                _ => {}
            }
        }
        let messages = unplaced
            .into_iter()
            .chain(self.notes.iter().map(String::as_str))
            .map(|text| (Level::NOTE, text))
            .chain(self.help.iter().map(|help| (Level::HELP, help.as_str())));
        for (level, text) in messages {
            group = group.element(level.message(text));
        }
        renderer(color).render(&[group])
    }
}

/// Every problem of every invalid manifest, one diagnostic each.
pub fn manifest_errors(list: &[ManifestErrors], files: &mut Files, color: bool) -> String {
    let mut out = String::new();
    for errors in list {
        let text = files.text(&errors.manifest_path);
        let title = format!("invalid nano manifest of package `{}`", errors.package);
        for problem in &errors.problems {
            let (mark, label) = match (problem.key.is_empty(), text.as_deref()) {
                // Not about a key: a TOML syntax error, whose span the parser knows.
                (true, Some(text)) => match span::syntax_error(text) {
                    Some(error) => (Some(error.range), error.message),
                    None => (None, problem.message.clone()),
                },
                (true, None) => (None, problem.message.clone()),
                (false, text) => {
                    let message = problem.message.clone();
                    let mark = Mark::at(text, &problem.key, None, problem.part, message);
                    let label = match mark.range {
                        Some(_) => mark.label,
                        // Unplaced: the key path goes with the message.
                        None => format!("`{}`: {}", problem.key, problem.message),
                    };
                    (mark.range, label)
                }
            };
            let diagnostic = Diagnostic {
                title: title.clone(),
                sources: vec![Source {
                    file: &errors.manifest_path,
                    text: text.clone(),
                    marks: vec![Mark { range: mark, label }],
                }],
                notes: Vec::new(),
                help: problem.help.clone(),
            };
            out.push_str(&diagnostic.render(color));
            out.push_str("\n\n");
        }
    }
    out
}

#[cfg(test)]
#[path = "diagnostic_tests.rs"]
mod tests;
