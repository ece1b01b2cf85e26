//! Leaves shared by requests and grants: lists, booleans and keywords.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{CLOCK_HELP, CLOCKS, STREAM_HELP, STREAMS, Walker, child_key, kind};
use crate::checks::{Invalid, backticked, check_env_name, printable, suggest};
use crate::{Clock, Endpoint, Limits, Stream};

impl Walker {
    /// The keys shared by requests and grants, except `dirs`.
    pub(super) fn common(&mut self, map: &Map<String, Value>, key: &str, out: &mut Common<'_>) {
        if let Some(value) = map.get("env") {
            *out.env = self.set(
                value,
                &child_key(key, "env"),
                "env = [\"LANG\", \"HOME\"]",
                |name| check_env_name(name).map(|()| name.to_owned()),
            );
        }
        if let Some(value) = map.get("stdio") {
            *out.stdio = self.set(
                value,
                &child_key(key, "stdio"),
                "stdio = [\"stdout\", \"stderr\"]",
                |s| keyword(s, "stream", STREAMS, STREAM_HELP),
            );
        }
        if let Some(value) = map.get("clocks") {
            *out.clocks = self.set(
                value,
                &child_key(key, "clocks"),
                "clocks = [\"wall\", \"monotonic\"]",
                |s| keyword::<Clock>(s, "clock", CLOCKS, CLOCK_HELP),
            );
        }
        if let Some(value) = map.get("network") {
            *out.network = self.set(value, &child_key(key, "network"), "network = [\"example.com:443\"]", |s| {
                s.parse::<Endpoint>().map_err(|err| {
                    (err.to_string(), Some("write `host:port`, e.g. `example.com:443`, `127.0.0.1:8080` or `[::1]:8080`".to_owned()))
                })
            });
        }
        if let Some(value) = map.get("random") {
            *out.random = self.boolean(value, &child_key(key, "random"));
        }
        if let Some(value) = map.get("args") {
            *out.args = self.boolean(value, &child_key(key, "args"));
        }
        if let Some(value) = map.get("limits") {
            *out.limits = self.limits(value, &child_key(key, "limits"));
        }
    }

    fn boolean(&mut self, value: &Value, key: &str) -> bool {
        match value {
            Value::Bool(b) => *b,
            other => {
                let name = key.rsplit('.').next().unwrap_or(key);
                self.report(
                    key,
                    format!("expected a boolean, found {}", kind(other)),
                    Some(format!("write `{name} = true` or `{name} = false`")),
                );
                false
            }
        }
    }

    /// An array of strings, each parsed by `parse`, without duplicates.
    fn set<T: Ord>(
        &mut self,
        value: &Value,
        key: &str,
        example: &str,
        parse: impl Fn(&str) -> Result<T, Invalid>,
    ) -> BTreeSet<T> {
        // Each entry and the index where it first appears.
        let mut seen = BTreeMap::new();
        let Value::Array(items) = value else {
            self.report(
                key,
                format!("expected an array of strings, found {}", kind(value)),
                Some(format!("write it as `{example}`")),
            );
            return BTreeSet::new();
        };
        for (i, item) in items.iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            let Value::String(text) = item else {
                self.report(
                    &item_key,
                    format!("expected a string, found {}", kind(item)),
                    Some(format!("write it as `{example}`")),
                );
                continue;
            };
            match parse(text) {
                Ok(parsed) => match seen.get(&parsed) {
                    Some(first) => {
                        let field = key.rsplit('.').next().unwrap_or(key);
                        self.report(
                            &item_key,
                            format!(
                                "duplicate entry `{}`, same as `{field}[{first}]`",
                                printable(text)
                            ),
                            Some("remove the repeated entry".to_owned()),
                        );
                    }
                    None => {
                        seen.insert(parsed, i);
                    }
                },
                Err(invalid) => self.invalid(&item_key, invalid),
            }
        }
        seen.into_keys().collect()
    }
}

/// Where [`Walker::common`] stores what it reads.
pub(super) struct Common<'a> {
    pub(super) env: &'a mut BTreeSet<String>,
    pub(super) stdio: &'a mut BTreeSet<Stream>,
    pub(super) clocks: &'a mut BTreeSet<Clock>,
    pub(super) random: &'a mut bool,
    pub(super) network: &'a mut BTreeSet<Endpoint>,
    pub(super) args: &'a mut bool,
    pub(super) limits: &'a mut Limits,
}

/// One of the kebab-case `choices`, deserialized with serde.
pub(super) fn keyword<T: DeserializeOwned>(
    text: &str,
    what: &str,
    choices: &[&str],
    fallback_help: &str,
) -> Result<T, Invalid> {
    if choices.contains(&text)
        && let Ok(parsed) = serde_json::from_value(Value::String(text.to_owned()))
    {
        return Ok(parsed);
    }
    let expected = if choices.len() == 2 {
        format!("`{}` or `{}`", choices[0], choices[1])
    } else {
        format!("one of {}", backticked(choices))
    };
    let help = match suggest(text, choices) {
        Some(close) => format!("did you mean `{close}`?"),
        None => fallback_help.to_owned(),
    };
    Err((
        format!("invalid {what} `{}` (expected {expected})", printable(text)),
        Some(help),
    ))
}
