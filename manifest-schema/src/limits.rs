//! Resource limits: how much memory and time a nano package may use.
//!
//! Written as `limits = { memory = "64 MiB", table-elements = 5000, time = "10s" }` in
//! `[package.metadata.nano.requests]` (what the package needs) and in
//! `[package.metadata.nano.grants.CHILD]` (what its parent allows it). Unlike capabilities, a
//! package always holds some limit: see [`HeldLimits::default`] for the values used when nobody
//! sets one.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The size of a WebAssembly page: memories grow by whole pages.
pub const PAGE: u64 = 64 << 10;
/// The largest memory limit: all a 32-bit WebAssembly memory can address.
pub const MAX_MEMORY: MemorySize = MemorySize(4 << 30);
/// The memory limit of a package when neither its request nor its parent's grant sets one.
pub const DEFAULT_MEMORY: MemorySize = MemorySize(256 << 20);
/// The largest table limit, in elements (wasmtime stores a pointer or two per element).
pub const MAX_TABLE_ELEMENTS: u32 = 10_000_000;
/// The table limit of a package when nobody sets one: far above what compilers emit (a big Rust
/// program's function table holds a few thousand entries), and under 1 MiB of host memory.
pub const DEFAULT_TABLE_ELEMENTS: u32 = 100_000;
/// The largest time limit. Longer runs: leave `time` out (no limit).
pub const MAX_TIME: TimeLimit = TimeLimit(Duration::from_secs(24 * 3600));

/// Limits as written in a manifest: each one absent unless set.
///
/// In `requests`, a limit says how much the package needs: its parent must grant at least that
/// much, and the package holds exactly that. In a grant, it caps the child; absent, the child
/// gets the default limit, never more than the granter holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// Linear memory, all the package's memories together: `"64 MiB"` (units `KiB`, `MiB`,
    /// `GiB`; a whole number of 64 KiB pages, at most 4 GiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "MemorySize")]
    pub memory: Option<MemorySize>,
    /// Table elements (function pointers), all the package's tables together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "u32", range(min = 1, max = MAX_TABLE_ELEMENTS))]
    pub table_elements: Option<u32>,
    /// Running time over the whole run, the calls into its own children included: `"10s"`
    /// (units `ms`, `s`, `min`, `h`; at most 24 h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "TimeLimit")]
    pub time: Option<TimeLimit>,
}

impl Limits {
    /// Whether no limit is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The limits an instance holds once requests and grants are resolved: always a memory and a
/// table limit, and a time limit or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HeldLimits {
    /// Linear memory.
    pub memory: MemorySize,
    /// Table elements.
    pub table_elements: u32,
    /// Running time; `None` is no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeLimit>,
}

impl Default for HeldLimits {
    /// [`DEFAULT_MEMORY`] (256 MiB), [`DEFAULT_TABLE_ELEMENTS`] (100 000) and no time limit.
    fn default() -> Self {
        Self {
            memory: DEFAULT_MEMORY,
            table_elements: DEFAULT_TABLE_ELEMENTS,
            time: None,
        }
    }
}

/// Why a limit does not parse: the message and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseLimitError {
    /// What is wrong, e.g. ``invalid memory size `64 MB`: unknown unit `MB` ``.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

/// A memory limit in bytes: a whole number of 64 KiB pages, from 64 KiB to 4 GiB.
///
/// Parsed from and displayed as `"64 MiB"`; units `B`, `KiB`, `MiB`, `GiB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemorySize(u64);

impl MemorySize {
    /// `n` mebibytes; `None` when not a valid limit.
    pub fn mib(n: u64) -> Option<Self> {
        n.checked_mul(1 << 20)
            .and_then(|b| Self::from_bytes(b).ok())
    }

    /// A limit of `bytes`, checked like a written one.
    pub fn from_bytes(bytes: u64) -> Result<Self, ParseLimitError> {
        let err = |reason: String, help: &str| ParseLimitError {
            message: format!("invalid memory size `{bytes} B`: {reason}"),
            help: help.to_owned(),
        };
        if bytes == 0 {
            return Err(err("a package needs some memory".into(), MEMORY_EXAMPLE));
        }
        if bytes > MAX_MEMORY.0 {
            return Err(err(
                "more than 4 GiB, all a 32-bit WebAssembly memory can address".into(),
                "write at most `4 GiB`",
            ));
        }
        if !bytes.is_multiple_of(PAGE) {
            let up = MemorySize(bytes.div_ceil(PAGE) * PAGE);
            return Err(err(
                "not a whole number of 64 KiB WebAssembly pages".into(),
                &format!("memories grow by 64 KiB pages; write e.g. `{up}`"),
            ));
        }
        Ok(Self(bytes))
    }

    /// The size in bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }
}

const MEMORY_EXAMPLE: &str = "write a size with a binary unit, e.g. `64 MiB` or `1 GiB`";
const TIME_EXAMPLE: &str = "write a duration with a unit, e.g. `500ms`, `10s` or `2min`";

impl fmt::Display for MemorySize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = [(30, "GiB"), (20, "MiB"), (10, "KiB")]
            .into_iter()
            .find(|(shift, _)| self.0.is_multiple_of(1 << shift));
        match unit {
            Some((shift, name)) => write!(f, "{} {name}", self.0 >> shift),
            None => write!(f, "{} B", self.0),
        }
    }
}

impl FromStr for MemorySize {
    type Err = ParseLimitError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason: &str, help: &str| ParseLimitError {
            message: format!("invalid memory size `{text}`: {reason}"),
            help: help.to_owned(),
        };
        let (number, unit) = split(text).map_err(|reason| fail(&reason, MEMORY_EXAMPLE))?;
        let shift = match unit {
            "B" => 0,
            "KiB" => 10,
            "MiB" => 20,
            "GiB" => 30,
            "" => return Err(fail("missing unit", MEMORY_EXAMPLE)),
            other => {
                let help = match other.to_ascii_lowercase().trim_end_matches(['b', 'i']) {
                    "k" => "did you mean `KiB`? sizes use binary units (1 KiB = 1024 B)",
                    "m" => "did you mean `MiB`? sizes use binary units (1 MiB = 1024 KiB)",
                    "g" => "did you mean `GiB`? sizes use binary units (1 GiB = 1024 MiB)",
                    _ => "the units are `B`, `KiB`, `MiB` and `GiB`",
                };
                return Err(fail(&format!("unknown unit `{other}`"), help));
            }
        };
        let bytes = number
            .checked_mul(1 << shift)
            .ok_or_else(|| fail("too large", "write at most `4 GiB`"))?;
        Self::from_bytes(bytes).map_err(|e| fail(reason_of(&e.message), &e.help))
    }
}

/// A time limit: from 1 ms to 24 h, in whole milliseconds.
///
/// Parsed from and displayed as `"10s"`; units `ms`, `s`, `min`, `h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeLimit(Duration);

impl TimeLimit {
    /// `n` milliseconds; `None` when not a valid limit.
    pub fn millis(n: u64) -> Option<Self> {
        let limit = Self(Duration::from_millis(n));
        (n > 0 && limit <= MAX_TIME).then_some(limit)
    }

    /// The duration.
    pub fn duration(self) -> Duration {
        self.0
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        let unit = [(3_600_000, "h"), (60_000, "min"), (1000, "s")]
            .into_iter()
            .find(|(size, _)| ms.is_multiple_of(*size));
        match unit {
            Some((size, name)) => write!(f, "{}{name}", ms / size),
            None => write!(f, "{ms}ms"),
        }
    }
}

impl FromStr for TimeLimit {
    type Err = ParseLimitError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason: &str, help: &str| ParseLimitError {
            message: format!("invalid duration `{text}`: {reason}"),
            help: help.to_owned(),
        };
        let (number, unit) = split(text).map_err(|reason| fail(&reason, TIME_EXAMPLE))?;
        let millis: u64 = match unit {
            "ms" => 1,
            "s" => 1000,
            "min" => 60_000,
            "h" => 3_600_000,
            "" => return Err(fail("missing unit", TIME_EXAMPLE)),
            other => {
                let help = match other.to_ascii_lowercase().as_str() {
                    "m" | "mins" | "minute" | "minutes" => "did you mean `min`?",
                    "sec" | "secs" | "second" | "seconds" => "did you mean `s`?",
                    "hr" | "hrs" | "hour" | "hours" => "did you mean `h`?",
                    "us" | "µs" | "ns" => {
                        "time limits count whole milliseconds: write `1ms` or more"
                    }
                    _ => "the units are `ms`, `s`, `min` and `h`",
                };
                return Err(fail(&format!("unknown unit `{other}`"), help));
            }
        };
        if number == 0 {
            return Err(fail(
                "a zero time limit would stop the package before it starts",
                "leave `time` out for no limit, or give a duration such as `10s`",
            ));
        }
        number
            .checked_mul(millis)
            .and_then(Self::millis)
            .ok_or_else(|| {
                fail(
                    "more than 24 h",
                    "leave `time` out for no limit, or write at most `24h`",
                )
            })
    }
}

/// `"64 MiB"` → `(64, "MiB")`: a whole number, optional spaces, then the unit (maybe empty).
fn split(text: &str) -> Result<(u64, &str), String> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err("expected a whole number followed by a unit".into());
    }
    let (number, rest) = text.split_at(digits);
    let unit = rest.trim_start_matches(' ');
    if unit.starts_with(['.', ',']) {
        return Err("only whole numbers are allowed (use a smaller unit)".into());
    }
    let number = number.parse().map_err(|_| "too large".to_string())?;
    Ok((number, unit))
}

/// The reason part of a `invalid … `X`: reason` message.
fn reason_of(message: &str) -> &str {
    message.split_once("`: ").map_or(message, |(_, r)| r)
}

/// Serde and JSON Schema of the string forms.
macro_rules! string_form {
    ($ty:ident, $name:literal, $description:literal, $pattern:literal, [$($example:literal),*]) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = Cow::<'de, str>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }

            fn schema_id() -> Cow<'static, str> {
                concat!(module_path!(), "::", $name).into()
            }

            fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "description": $description,
                    "type": "string",
                    "pattern": $pattern,
                    "examples": [$($example),*]
                })
            }
        }
    };
}

string_form!(
    MemorySize,
    "MemorySize",
    "A memory size: a whole number and a binary unit (`B`, `KiB`, `MiB`, `GiB`); a multiple of 64 KiB, from 64 KiB to 4 GiB.",
    "^[1-9][0-9]* *(B|KiB|MiB|GiB)$",
    ["64 MiB", "1 GiB", "512 KiB"]
);
string_form!(
    TimeLimit,
    "TimeLimit",
    "A duration: a whole number and a unit (`ms`, `s`, `min`, `h`), from 1 ms to 24 h.",
    "^[1-9][0-9]* *(ms|s|min|h)$",
    ["500ms", "10s", "2min"]
);

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;
