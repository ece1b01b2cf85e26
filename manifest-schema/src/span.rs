//! Where a key path is in the text of a TOML file: the byte ranges a diagnostic underlines.
//!
//! Errors carry a file and a key path ([`crate::Problem::key`], e.g.
//! `package.metadata.nano.requests.env[1]` or `package.metadata.nano.grants."serde.json"`);
//! whoever renders them reads the file again and asks [`locate`] where that key is. The lookup
//! uses the spans of `toml`'s own parser, so it knows every way TOML writes a key: `[table]`
//! headers, dotted keys (`requests.env = […]`), inline tables and arrays.
//!
//! A key that is not written (a missing `format`, a grant that should exist) is located at the
//! nearest table that is written and should hold it, with [`Located::missing`] saying which key
//! is absent.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A key of a table.
    Key(String),
    /// An index into an array.
    Index(usize),
}

/// Parses a key path as the validation writes it: keys separated by `.`, each bare
/// (`[A-Za-z0-9_-]+`) or a TOML basic string (`"serde.json"`), each followed by any number of
/// `[N]` indices. `None` when `path` is not such a path.
pub fn parse_key_path(path: &str) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut rest = path;
    if rest.is_empty() {
        return Some(segments);
    }
    loop {
        let key;
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = closing_quote(quoted)?;
            // A JSON string literal is a TOML basic string with the same escapes.
            key = serde_json::from_str::<String>(&rest[..end + 2]).ok()?;
            rest = &quoted[end + 1..];
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            key = rest[..end].to_owned();
            rest = &rest[end..];
        }
        segments.push(Segment::Key(key));
        while let Some(index) = rest.strip_prefix('[') {
            let end = index.find(']')?;
            segments.push(Segment::Index(index[..end].parse().ok()?));
            rest = &index[end + 1..];
        }
        match rest.strip_prefix('.') {
            Some(next) => rest = next,
            None if rest.is_empty() => return Some(segments),
            None => return None,
        }
    }
}

/// The key path of `key` inside `parent` (`parent.key`), quoted TOML-style when `key` is not a
/// bare key (`parent."serde.json"`); `key` alone when `parent` is empty.
pub fn child_key(parent: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let key = if bare {
        key.to_owned()
    } else {
        // JSON string escaping is a valid TOML basic string.
        serde_json::Value::String(key.to_owned()).to_string()
    };
    if parent.is_empty() {
        key
    } else {
        format!("{parent}.{key}")
    }
}

/// The byte offset of the `"` closing the string whose body starts `body`.
fn closing_quote(body: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// Where a key path was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The key as written (in a `[header]`, the last key of it); `None` for an array element.
    pub key: Option<Range<usize>>,
    /// The value: a string, number, array or inline table as written; for a table with a
    /// `[header]`, the header; for a table only implied by dotted keys, the key that implies it.
    pub value: Range<usize>,
    /// The first key or index of the path that is not written, when only an enclosing table
    /// was found.
    pub missing: Option<Segment>,
}

impl Located {
    /// The range to underline: the key when `on_key` and there is one, otherwise the value.
    pub fn range(&self, on_key: bool) -> Range<usize> {
        match (&self.key, on_key) {
            (Some(key), true) => key.clone(),
            _ => self.value.clone(),
        }
    }
}

/// Where `key_path` is in the TOML `text`, or the nearest enclosing table that is written when
/// it is not. `None` when the text is not valid TOML, the path cannot be parsed, or not even
/// its first key is written.
pub fn locate(text: &str, key_path: &str) -> Option<Located> {
    locate_in(text, key_path, None)
}

/// Like [`locate`], narrowed to the element of the array at `key_path` that is the string `item`
/// (compared without regard to ASCII case when no element matches exactly, as endpoints are).
/// Where the array has no such element, or `key_path` is not an array, as [`locate`].
pub fn locate_item(text: &str, key_path: &str, item: &str) -> Option<Located> {
    locate_in(text, key_path, Some(item))
}

/// A value found, with the span of its key (`None` for an array element).
type Found<'d, 'i> = (Option<Range<usize>>, &'d Spanned<DeValue<'i>>);

fn locate_in(text: &str, key_path: &str, item: Option<&str>) -> Option<Located> {
    let segments = parse_key_path(key_path)?;
    let document = DeTable::parse(text).ok()?;
    let mut current: Option<Found<'_, '_>> = None;
    for segment in segments {
        let next = match (&segment, current.as_ref().map(|(_, v)| v.get_ref())) {
            (Segment::Key(name), None) => entry(document.get_ref(), name),
            (Segment::Key(name), Some(DeValue::Table(table))) => entry(table, name),
            (Segment::Index(i), Some(DeValue::Array(items))) => items.get(*i).map(|v| (None, v)),
            _ => None,
        };
        match (next, current) {
            (Some(found), _) => current = Some(found),
            (None, Some((key, value))) => {
                return Some(Located {
                    key,
                    value: value.span(),
                    missing: Some(segment),
                });
            }
            (None, None) => return None,
        }
    }
    let (mut key, mut value) = current?;
    if let (Some(item), DeValue::Array(items)) = (item, value.get_ref()) {
        let strings = || items.iter().map(|v| v.get_ref().as_str());
        let index = strings()
            .position(|s| s == Some(item))
            .or_else(|| strings().position(|s| s.is_some_and(|s| s.eq_ignore_ascii_case(item))));
        if let Some(element) = index.and_then(|i| items.get(i)) {
            (key, value) = (None, element);
        }
    }
    Some(Located {
        key,
        value: value.span(),
        missing: None,
    })
}

/// The entry `name` of `table`, with the span of its key.
fn entry<'d, 'i>(table: &'d DeTable<'i>, name: &str) -> Option<Found<'d, 'i>> {
    table
        .iter()
        .find(|(key, _)| key.get_ref().as_ref() == name)
        .map(|(key, value)| (Some(key.span()), value))
}

/// An error reading TOML: where it is and what the parser said (without a trailing period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    /// The bytes the parser points at (may be empty: a position).
    pub range: Range<usize>,
    /// The parser's message.
    pub message: String,
}

impl TomlError {
    /// The error of `err`, when it has a place.
    fn of(err: &toml::de::Error) -> Option<TomlError> {
        Some(TomlError {
            range: err.span()?,
            message: err.message().trim_end_matches('.').to_owned(),
        })
    }
}

/// The first syntax error of the TOML `text`, or `None` when it parses (its structure may still
/// be wrong for what reads it, see [`read_error`]).
pub fn syntax_error(text: &str) -> Option<TomlError> {
    TomlError::of(&DeTable::parse(text).err()?)
}

/// The first error reading the TOML `text` as a `T`, syntax or structure (a value of the wrong
/// type, a missing or unknown key), when the parser can say where it is.
pub fn read_error<T: serde::de::DeserializeOwned>(text: &str) -> Option<TomlError> {
    TomlError::of(&toml::from_str::<T>(text).err()?)
}

/// The 1-based line and column (in characters) of byte `offset` of `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

#[cfg(test)]
#[path = "span_tests.rs"]
mod tests;
