//! Errors about manifests, grants and `Nano.lock` drawn as Cargo draws its own: the title, then
//! `--> file:line:column`, the line with the offending key or value underlined, and `= help:`.
//!
//! The libraries return typed errors naming the file and the key path; this module reads the
//! file again and finds the key with [`manifest_schema::span`]. When the file cannot be read or
//! no longer holds the key (it changed since), the error is still shown, pointing at the file.

#[path = "diagnostic_keys.rs"]
mod keys;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use manifest_schema::span::{self, Located};
use manifest_schema::{ManifestErrors, Part};

pub use keys::{lock_error, unknown_grant, violation};

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
    texts: BTreeMap<PathBuf, Option<String>>,
}

impl Files {
    /// The text of `path`, or `None` when it cannot be read.
    fn text(&mut self, path: &Path) -> Option<&str> {
        self.texts
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(path).ok())
            .as_deref()
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
    /// its key or value as `part` says; a missing key marks the table that should hold it.
    /// `label` is the label when the key was found; `missing` builds it from the absent key.
    pub(crate) fn at(
        text: Option<&str>,
        key_path: &str,
        item: Option<&str>,
        part: Part,
        label: String,
        missing: impl FnOnce(&span::Segment) -> String,
    ) -> Mark {
        let located: Option<Located> = text.and_then(|text| match item {
            Some(item) => span::locate_item(text, key_path, item),
            None => span::locate(text, key_path),
        });
        match located {
            Some(l) => {
                let label = match &l.missing {
                    Some(segment) => missing(segment),
                    None => label,
                };
                Mark {
                    range: Some(l.range(part == Part::Key && l.missing.is_none())),
                    label,
                }
            }
            None => Mark { range: None, label },
        }
    }
}

/// One error: `title`, then each mark in `file` (whose `text` is given when it could be read),
/// then the notes and the help.
pub(crate) struct Diagnostic<'a> {
    pub(crate) title: String,
    pub(crate) file: &'a Path,
    pub(crate) text: Option<&'a str>,
    pub(crate) marks: Vec<Mark>,
    pub(crate) notes: Vec<String>,
    pub(crate) help: Option<String>,
}

impl Diagnostic<'_> {
    /// The diagnostic as text, with colours when `color`.
    pub(crate) fn render(&self, color: bool) -> String {
        let path = shown(self.file);
        let mut group = Group::with_title(Level::ERROR.primary_title(self.title.as_str()));
        let (placed, unplaced): (Vec<&Mark>, Vec<&Mark>) = self
            .marks
            .iter()
            .partition(|m| m.range.is_some() && self.text.is_some());
        match self.text {
            Some(text) if !placed.is_empty() => {
                let annotations = placed.iter().enumerate().filter_map(|(i, m)| {
                    let kind = if i == 0 {
                        AnnotationKind::Primary
                    } else {
                        AnnotationKind::Context
                    };
                    let range = m.range.clone()?;
                    Some(kind.span(range).label(m.label.as_str()))
                });
                group = group.element(
                    Snippet::source(text)
                        .path(path.as_str())
                        .annotations(annotations),
                );
            }
            _ => group = group.element(Origin::path(path.as_str())),
        }
        let mut messages: Vec<(Level<'_>, Cow<'_, str>)> = Vec::new();
        for mark in unplaced {
            messages.push((Level::NOTE, Cow::Borrowed(mark.label.as_str())));
        }
        for note in &self.notes {
            messages.push((Level::NOTE, Cow::Borrowed(note.as_str())));
        }
        if let Some(help) = &self.help {
            messages.push((Level::HELP, Cow::Borrowed(help.as_str())));
        }
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
        let text = files.text(&errors.manifest_path).map(str::to_owned);
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
                    let mark = Mark::at(text, &problem.key, None, problem.part, message, |_| {
                        // The message says which key is missing.
                        problem.message.clone()
                    });
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
                file: &errors.manifest_path,
                text: text.as_deref(),
                marks: vec![Mark { range: mark, label }],
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
