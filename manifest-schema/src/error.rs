//! Errors: every problem of a manifest, reported at once.
//!
//! Each problem names its file and key path and nothing more: this crate does not render. A
//! program showing them to people finds the key in the file with [`crate::span::locate`] and
//! shows the line (cargo-nano's `diagnostic` module).

use std::fmt;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One problem found in a nano manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Problem {
    /// The full key path of the offending value, e.g.
    /// `package.metadata.nano.requests.dirs.out` or
    /// `package.metadata.nano.requests.env[1]`. Empty when the problem is not
    /// about one key (a TOML syntax error).
    pub key: String,
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Whether the key itself is wrong (an unknown key, an invalid name) or its value.
    #[serde(default, skip_serializing_if = "Part::is_value")]
    pub part: Part,
}

/// The part of an entry a [`Problem`] is about, for a diagnostic to underline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    /// The value (the default).
    #[default]
    Value,
    /// The key: its name is what is wrong.
    Key,
}

impl Part {
    /// Whether this is [`Part::Value`].
    pub fn is_value(&self) -> bool {
        *self == Part::Value
    }
}

impl Problem {
    /// A problem at `key` without a fix hint.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
            help: None,
            part: Part::Value,
        }
    }

    /// Adds a fix hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// All the problems found in the nano manifest of one package.
///
/// Displayed as a header line followed by one line per problem:
///
/// ```text
/// invalid nano manifest of package `app` in `/src/app/Cargo.toml`
///   - `package.metadata.nano.format`: missing required key `format` (help: add `format = 1`)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[error(
    "invalid nano manifest of package `{package}` in `{}`{}",
    .manifest_path.display(),
    ProblemList(.problems)
)]
pub struct ManifestErrors {
    /// Name of the package whose manifest is invalid.
    pub package: String,
    /// Path of its `Cargo.toml`, as given to the parser.
    pub manifest_path: PathBuf,
    /// The problems, in the order they were found; never empty.
    pub problems: Vec<Problem>,
}

/// Displays problems as `\n  - problem` lines.
struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for problem in self.0 {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_lists_every_problem() {
        let errors = ManifestErrors {
            package: "app".into(),
            manifest_path: PathBuf::from("app/Cargo.toml"),
            problems: vec![
                Problem::new(
                    "package.metadata.nano.format",
                    "missing required key `format`",
                )
                .with_help("add `format = 1`"),
                Problem::new("", "invalid TOML"),
            ],
        };
        assert_eq!(
            errors.to_string(),
            "invalid nano manifest of package `app` in `app/Cargo.toml`\n  \
             - `package.metadata.nano.format`: missing required key `format` (help: add `format = 1`)\n  \
             - invalid TOML"
        );
    }
}
