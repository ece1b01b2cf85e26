//! Reading `package.metadata.nano` out of the text of a whole `Cargo.toml`.

use serde_json::Value;

use crate::Problem;
use crate::validate::{NANO, kind};

/// The `package.metadata.nano` value converted to JSON the way `cargo metadata`
/// does, or `None` when absent. A problem when the TOML is invalid or one of
/// the enclosing keys is not a table.
pub(crate) fn nano_table(text: &str) -> Result<Option<Value>, Problem> {
    let document: toml::Table = toml::from_str(text).map_err(|err| {
        let message = err.message().trim_end_matches('.').to_owned();
        let message = match err.span() {
            Some(span) => {
                let (line, column) = crate::span::line_column(text, span.start);
                format!("invalid TOML at line {line}, column {column}: {message}")
            }
            None => format!("invalid TOML: {message}"),
        };
        Problem::new("", message).with_help("fix the TOML syntax of the file")
    })?;
    let mut current = &document;
    let mut key = String::new();
    for segment in ["package", "metadata", "nano"] {
        if !key.is_empty() {
            key.push('.');
        }
        key.push_str(segment);
        match current.get(segment) {
            None => return Ok(None),
            Some(toml::Value::Table(table)) => current = table,
            Some(other) if segment == "nano" => return Ok(Some(to_json(other))),
            Some(other) => {
                return Err(Problem::new(
                    &key,
                    format!("expected a table, found {}", kind(&to_json(other))),
                )
                .with_help(format!("nano settings go in a `[{NANO}]` table")));
            }
        }
    }
    Ok(Some(Value::Object(
        current
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect(),
    )))
}

/// TOML to JSON like Cargo does for metadata: datetimes become strings.
fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}
