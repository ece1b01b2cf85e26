//! `limits = { memory = "64 MiB", table-elements = 5000, time = "10s" }`, in requests and grants.

use std::str::FromStr;

use serde_json::{Map, Value};

use super::{Walker, child_key, kind};
use crate::limits::{MAX_TABLE_ELEMENTS, ParseLimitError};
use crate::{Limits, MemorySize, TimeLimit};

const LIMIT_KEYS: &[&str] = &["memory", "table-elements", "time"];

impl Walker {
    /// The `limits` table of requests or of a grant.
    pub(super) fn limits(&mut self, value: &Value, key: &str) -> Limits {
        let help = "write it as `limits = { memory = \"64 MiB\", time = \"10s\" }`".to_owned();
        let Some(map) = self.table(value, key, help) else {
            return Limits::default();
        };
        self.unknown_keys(map, key, LIMIT_KEYS);
        Limits {
            memory: self.limit_text::<MemorySize>(map, key, "memory", "memory = \"64 MiB\""),
            table_elements: self.table_elements(map, key),
            time: self.limit_text::<TimeLimit>(map, key, "time", "time = \"10s\""),
        }
    }

    /// A limit written as a string with a unit.
    fn limit_text<T: FromStr<Err = ParseLimitError>>(
        &mut self,
        map: &Map<String, Value>,
        key: &str,
        name: &str,
        example: &str,
    ) -> Option<T> {
        let value = map.get(name)?;
        let key = child_key(key, name);
        let Value::String(text) = value else {
            self.report(
                &key,
                format!("expected a string with a unit, found {}", kind(value)),
                Some(format!("write it as `{example}`")),
            );
            return None;
        };
        match text.parse() {
            Ok(limit) => Some(limit),
            Err(ParseLimitError { message, help }) => {
                self.report(&key, message, Some(help));
                None
            }
        }
    }

    fn table_elements(&mut self, map: &Map<String, Value>, key: &str) -> Option<u32> {
        let value = map.get("table-elements")?;
        let key = child_key(key, "table-elements");
        let range = format!("a number of elements from 1 to {MAX_TABLE_ELEMENTS}");
        let Value::Number(number) = value else {
            self.report(
                &key,
                format!("expected an integer, found {}", kind(value)),
                Some(format!("write {range}, e.g. `table-elements = 5000`")),
            );
            return None;
        };
        match number.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if (1..=MAX_TABLE_ELEMENTS).contains(&n) => Some(n),
            Some(0) => {
                self.report(
                    &key,
                    "a zero table limit would stop every package that calls through a function pointer",
                    Some(format!("write {range}")),
                );
                None
            }
            _ => {
                self.report(
                    &key,
                    format!("`{number}` is out of range"),
                    Some(format!("write {range}")),
                );
                None
            }
        }
    }
}
