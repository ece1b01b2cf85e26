//! Directory slots: `dirs` in requests and in grants.

use std::collections::BTreeMap;

use serde_json::Value;

use super::leaves::keyword;
use super::{
    ACCESS, ACCESS_HELP, DIR_GRANT_KEYS, GRANT_DIR_EXAMPLE, Walker, child_key, kind, sorted_keys,
};
use crate::checks::{NameKind, check_name, check_sub_path};
use crate::{Access, DirGrant};

impl Walker {
    pub(super) fn request_dirs(&mut self, value: &Value, key: &str) -> BTreeMap<String, Access> {
        let help = format!(
            "write `[{key}]` followed by `SLOT = \"read-only\"` or `SLOT = \"read-write\"` lines"
        );
        let mut dirs = BTreeMap::new();
        let Some(map) = self.table(value, key, help) else {
            return dirs;
        };
        for name in sorted_keys(map) {
            let slot = child_key(key, name);
            if let Err(invalid) = check_name(NameKind::Slot, name) {
                self.invalid_key(&slot, invalid);
            }
            if let Some(access) = self.access(&map[name], &slot) {
                dirs.insert(name.to_owned(), access);
            }
        }
        dirs
    }

    fn access(&mut self, value: &Value, key: &str) -> Option<Access> {
        match value {
            Value::String(text) => match keyword(text, "access", ACCESS, ACCESS_HELP) {
                Ok(access) => Some(access),
                Err((message, help)) => {
                    // The capability tables abbreviate the access (`data(rw)`): say what the
                    // manifest spells out rather than accepting a second spelling of a permission.
                    let help = match text.as_str() {
                        "rw" => {
                            Some("`rw` is the tables' short form: write `\"read-write\"`".into())
                        }
                        "ro" => {
                            Some("`ro` is the tables' short form: write `\"read-only\"`".into())
                        }
                        _ => help,
                    };
                    self.invalid(key, (message, help));
                    None
                }
            },
            other => {
                self.report(
                    key,
                    format!("expected a string, found {}", kind(other)),
                    Some("write `\"read-only\"` or `\"read-write\"`".to_owned()),
                );
                None
            }
        }
    }

    pub(super) fn grant_dirs(&mut self, value: &Value, key: &str) -> BTreeMap<String, DirGrant> {
        let mut dirs = BTreeMap::new();
        let Some(map) = self.table(
            value,
            key,
            format!("write `[{key}]` followed by lines like {GRANT_DIR_EXAMPLE}"),
        ) else {
            return dirs;
        };
        for name in sorted_keys(map) {
            let slot = child_key(key, name);
            if let Err(invalid) = check_name(NameKind::Slot, name) {
                self.invalid_key(&slot, invalid);
            }
            if let Some(grant) = self.dir_grant(&map[name], &slot) {
                dirs.insert(name.to_owned(), grant);
            }
        }
        dirs
    }

    fn dir_grant(&mut self, value: &Value, key: &str) -> Option<DirGrant> {
        let map = match value {
            Value::String(from) => {
                return match check_name(NameKind::Slot, from) {
                    Ok(()) => Some(DirGrant::slot(from.as_str())),
                    Err(invalid) => {
                        self.invalid(key, invalid);
                        None
                    }
                };
            }
            Value::Object(map) => map,
            other => {
                self.report(
                    key,
                    format!("expected a slot name or a table, found {}", kind(other)),
                    Some(GRANT_DIR_EXAMPLE.to_owned()),
                );
                return None;
            }
        };
        self.unknown_keys(map, key, DIR_GRANT_KEYS);
        let from_key = child_key(key, "from");
        let from = match map.get("from") {
            None => {
                self.report(
                    &from_key,
                    "missing required key `from`",
                    Some("name the slot of yours to share, e.g. `from = \"data\"`".to_owned()),
                );
                None
            }
            Some(Value::String(from)) => match check_name(NameKind::Slot, from) {
                Ok(()) => Some(from.clone()),
                Err(invalid) => {
                    self.invalid(&from_key, invalid);
                    None
                }
            },
            Some(other) => {
                self.report(
                    &from_key,
                    format!("expected a string, found {}", kind(other)),
                    Some("write `from = \"SLOT\"`".to_owned()),
                );
                None
            }
        };
        let path_key = child_key(key, "path");
        let path = match map.get("path") {
            None => Some(None),
            Some(Value::String(path)) => match check_sub_path(path) {
                Ok(()) => Some(Some(path.clone())),
                Err(invalid) => {
                    self.invalid(&path_key, invalid);
                    None
                }
            },
            Some(other) => {
                self.report(
                    &path_key,
                    format!("expected a string, found {}", kind(other)),
                    Some("write `path = \"sub/dir\"`".to_owned()),
                );
                None
            }
        };
        let access = match map.get("access") {
            None => Some(None),
            Some(value) => self.access(value, &child_key(key, "access")).map(Some),
        };
        Some(DirGrant {
            from: from?,
            path: path?,
            access: access?,
        })
    }
}
