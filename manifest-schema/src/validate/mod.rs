//! Walks the `package.metadata.nano` value section by section, building the
//! typed manifest and collecting every problem instead of stopping at the first.

mod dirs;
mod leaves;
mod limits;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use self::leaves::Common;
use crate::checks::{Invalid, NameKind, backticked, check_name, suggest};
use crate::error::Part;
use crate::{Capabilities, FORMAT_VERSION, Grant, Limits, NanoManifest, Problem};

/// Key path of the nano table itself.
pub(crate) const NANO: &str = "package.metadata.nano";
const TOP_KEYS: &[&str] = &["format", "requests", "grants"];
const CAP_KEYS: &[&str] = &[
    "dirs", "env", "stdio", "clocks", "random", "network", "args", "limits",
];
const DIR_GRANT_KEYS: &[&str] = &["from", "path", "access"];
const ACCESS: &[&str] = &["read-only", "read-write"];
const STREAMS: &[&str] = &["stdin", "stdout", "stderr"];
const CLOCKS: &[&str] = &["wall", "monotonic"];
const ACCESS_HELP: &str = "`read-only` lets the package list and read; `read-write` also lets it create, change and delete";
const STREAM_HELP: &str =
    "list the standard streams the package uses, e.g. `stdio = [\"stdout\", \"stderr\"]`";
const CLOCK_HELP: &str = "`wall` gives the date and time of day; `monotonic` measures elapsed time";
const GRANT_DIR_EXAMPLE: &str = "`out = \"data\"` shares your slot `data` as the child's slot `out`; \
     `out = { from = \"data\", path = \"sub\", access = \"read-only\" }` shares a subdirectory";

/// Parses and validates the value of `package.metadata.nano`.
pub(crate) fn walk(nano: &Value) -> Result<NanoManifest, Vec<Problem>> {
    let mut walker = Walker::default();
    let manifest = walker.manifest(nano);
    match manifest {
        Some(manifest) if walker.problems.is_empty() => Ok(manifest),
        _ => Err(walker.problems),
    }
}

/// The key path of `key` inside `parent`, quoted TOML-style when not a bare key.
pub(crate) fn child_key(parent: &str, key: &str) -> String {
    crate::span::child_key(parent, key)
}

/// What kind of value this is, for "expected X, found Y" messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
    }
}

/// Collects problems while walking.
#[derive(Default)]
struct Walker {
    problems: Vec<Problem>,
}

impl Walker {
    fn report(&mut self, key: &str, message: impl Into<String>, help: Option<String>) {
        self.problems.push(Problem {
            key: key.to_owned(),
            message: message.into(),
            help,
            part: Part::Value,
        });
    }

    fn invalid(&mut self, key: &str, (message, help): Invalid) {
        self.report(key, message, help);
    }

    /// Reports a problem with the key itself (its name), not its value.
    fn invalid_key(&mut self, key: &str, (message, help): Invalid) {
        self.report(key, message, help);
        if let Some(problem) = self.problems.last_mut() {
            problem.part = Part::Key;
        }
    }

    /// `value` as a table, or a problem.
    fn table<'v>(
        &mut self,
        value: &'v Value,
        key: &str,
        help: String,
    ) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            other => {
                self.report(
                    key,
                    format!("expected a table, found {}", kind(other)),
                    Some(help),
                );
                None
            }
        }
    }

    /// Reports every key of `map` not in `allowed`.
    fn unknown_keys(&mut self, map: &Map<String, Value>, key: &str, allowed: &[&str]) {
        for name in sorted_keys(map) {
            if allowed.contains(&name) {
                continue;
            }
            let help = if let Some(close) = suggest(name, allowed) {
                format!("did you mean `{close}`?")
            } else if key == NANO && CAP_KEYS.contains(&name) {
                format!("what this package needs goes in `[{NANO}.requests]`")
            } else {
                "remove it or fix its spelling; unknown keys are errors so that a typo cannot slip into a permission".to_owned()
            };
            let message = format!(
                "unknown key `{name}` in `{key}` (expected one of {})",
                backticked(allowed)
            );
            self.invalid_key(&child_key(key, name), (message, Some(help)));
        }
    }

    fn manifest(&mut self, nano: &Value) -> Option<NanoManifest> {
        let help =
            format!("write a `[{NANO}]` table containing at least `format = {FORMAT_VERSION}`");
        let map = self.table(nano, NANO, help)?;
        self.unknown_keys(map, NANO, TOP_KEYS);
        let format = self.format(map.get("format"));
        let requests = match map.get("requests") {
            Some(value) => self.capabilities(value, &format!("{NANO}.requests")),
            None => Some((Capabilities::default(), Limits::default())),
        };
        let grants = match map.get("grants") {
            Some(value) => self.grants(value, &format!("{NANO}.grants")),
            None => Some(BTreeMap::new()),
        };
        let (requests, limits) = requests?;
        Some(NanoManifest {
            format: format?,
            requests,
            limits,
            grants: grants?,
        })
    }

    fn format(&mut self, value: Option<&Value>) -> Option<u32> {
        let key = format!("{NANO}.format");
        let write = format!("write `format = {FORMAT_VERSION}`");
        let Some(value) = value else {
            self.report(
                &key,
                "missing required key `format`",
                Some(format!("add `format = {FORMAT_VERSION}`")),
            );
            return None;
        };
        let Value::Number(number) = value else {
            self.report(
                &key,
                format!("expected an integer, found {}", kind(value)),
                Some(write),
            );
            return None;
        };
        let supported = format!("this cargo-nano supports format {FORMAT_VERSION}");
        match (number.as_u64(), number.as_i64()) {
            (Some(n), _) if n == u64::from(FORMAT_VERSION) => Some(FORMAT_VERSION),
            (Some(n), _) if n > u64::from(FORMAT_VERSION) => {
                self.report(
                    &key,
                    format!("unsupported format version `{n}`; {supported}"),
                    Some(format!("upgrade cargo-nano to read format {n}")),
                );
                None
            }
            (Some(n), _) => {
                self.report(
                    &key,
                    format!("unsupported format version `{n}`; {supported}"),
                    Some(write),
                );
                None
            }
            (None, Some(n)) => {
                self.report(
                    &key,
                    format!("unsupported format version `{n}`; {supported}"),
                    Some(write),
                );
                None
            }
            (None, None) => {
                self.report(
                    &key,
                    format!("expected an integer, found {}", kind(value)),
                    Some(write),
                );
                None
            }
        }
    }

    /// The requests, and the limits written among them.
    fn capabilities(&mut self, value: &Value, key: &str) -> Option<(Capabilities, Limits)> {
        let help =
            format!("write `[{key}]` followed by what this package needs, e.g. `env = [\"LANG\"]`");
        let map = self.table(value, key, help)?;
        self.unknown_keys(map, key, CAP_KEYS);
        let dirs = map
            .get("dirs")
            .map(|dirs| self.request_dirs(dirs, &child_key(key, "dirs")));
        let mut caps = Capabilities {
            dirs: dirs.unwrap_or_default(),
            ..Capabilities::default()
        };
        let mut limits = Limits::default();
        self.common(
            map,
            key,
            &mut Common {
                env: &mut caps.env,
                stdio: &mut caps.stdio,
                clocks: &mut caps.clocks,
                random: &mut caps.random,
                network: &mut caps.network,
                args: &mut caps.args,
                limits: &mut limits,
            },
        );
        Some((caps, limits))
    }

    fn grants(&mut self, value: &Value, key: &str) -> Option<BTreeMap<String, Grant>> {
        let help =
            format!("write one `[{key}.CHILD]` table per nano child, keyed by its dependency name");
        let map = self.table(value, key, help)?;
        let mut grants = BTreeMap::new();
        for name in sorted_keys(map) {
            let child = child_key(key, name);
            if let Err(invalid) = check_name(NameKind::Child, name) {
                self.invalid_key(&child, invalid);
            }
            if let Some(grant) = self.grant(&map[name], &child) {
                grants.insert(name.to_owned(), grant);
            }
        }
        Some(grants)
    }

    fn grant(&mut self, value: &Value, key: &str) -> Option<Grant> {
        let help = format!(
            "each key of `{NANO}.grants` names a nano child; write `[{key}]` followed by what it gets, e.g. `env = [\"LANG\"]`"
        );
        let map = self.table(value, key, help)?;
        self.unknown_keys(map, key, CAP_KEYS);
        let dirs = map
            .get("dirs")
            .map(|dirs| self.grant_dirs(dirs, &child_key(key, "dirs")));
        let mut grant = Grant {
            dirs: dirs.unwrap_or_default(),
            ..Grant::default()
        };
        self.common(
            map,
            key,
            &mut Common {
                env: &mut grant.env,
                stdio: &mut grant.stdio,
                clocks: &mut grant.clocks,
                random: &mut grant.random,
                network: &mut grant.network,
                args: &mut grant.args,
                limits: &mut grant.limits,
            },
        );
        Some(grant)
    }
}

/// The keys of `map` in sorted order, whatever order the map keeps.
pub(super) fn sorted_keys(map: &Map<String, Value>) -> Vec<&str> {
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}
