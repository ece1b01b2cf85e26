//! Limits policy: the memory, table and time limits each instance holds.
//!
//! A limit flows like a capability, with one difference: a package always holds some memory and
//! table limit. Per limit:
//! - the top package holds its request, or the default ([`HeldLimits::default`]);
//! - a grant can only narrow what the granter holds (more is a violation);
//! - a child without a grant for that limit is granted the default, never more than the granter
//!   holds (for time: what the granter holds, since no time limit is the default);
//! - a child holds its request, which must be within what it is granted (more is a violation
//!   naming both packages, so a new version cannot quietly ask for more), or, without a request,
//!   what it is granted.

use std::fmt::Display;

use manifest_schema::limits::{DEFAULT_MEMORY, DEFAULT_TABLE_ELEMENTS};
use manifest_schema::{HeldLimits, Limits};

use crate::policy::{EdgeCtx, Place, Subject, Violation};

/// What the top package holds: its requests, the defaults for the others.
pub fn requested(request: &Limits) -> HeldLimits {
    let default = HeldLimits::default();
    HeldLimits {
        memory: request.memory.unwrap_or(default.memory),
        table_elements: request.table_elements.unwrap_or(default.table_elements),
        time: request.time.or(default.time),
    }
}

/// What a child holds, given what its parent holds, grants it and what it requests.
pub(crate) fn narrow(
    ctx: &EdgeCtx<'_>,
    parent: &HeldLimits,
    grant: &Limits,
    request: &Limits,
    violations: &mut Vec<Violation>,
) -> HeldLimits {
    let mut edge = Edge { ctx, violations };
    let memory = edge.one(
        &MEMORY,
        Some(parent.memory),
        Some(DEFAULT_MEMORY),
        grant.memory,
        request.memory,
    );
    let table_elements = edge.one(
        &TABLES,
        Some(parent.table_elements),
        Some(DEFAULT_TABLE_ELEMENTS),
        grant.table_elements,
        request.table_elements,
    );
    let time = edge.one(&TIME, parent.time, None, grant.time, request.time);
    HeldLimits {
        // A parent always holds a memory and a table limit, so the narrowed ones are set too.
        memory: memory.unwrap_or(parent.memory),
        table_elements: table_elements.unwrap_or(parent.table_elements),
        time,
    }
}

/// How one limit is named in messages and written in manifests.
struct Kind {
    key: &'static str,
    noun: &'static str,
    unit: &'static str,
    quoted: bool,
}

const MEMORY: Kind = Kind {
    key: "memory",
    noun: "a memory limit",
    unit: "",
    quoted: true,
};
const TABLES: Kind = Kind {
    key: "table-elements",
    noun: "a table limit",
    unit: " elements",
    quoted: false,
};
const TIME: Kind = Kind {
    key: "time",
    noun: "a time limit",
    unit: "",
    quoted: true,
};

impl Kind {
    fn shown(&self, value: impl Display) -> String {
        format!("{value}{}", self.unit)
    }

    fn toml(&self, value: impl Display) -> String {
        if self.quoted {
            format!("limits = {{ {} = \"{value}\" }}", self.key)
        } else {
            format!("limits = {{ {} = {value} }}", self.key)
        }
    }
}

struct Edge<'a, 'v> {
    ctx: &'a EdgeCtx<'a>,
    violations: &'v mut Vec<Violation>,
}

impl Edge<'_, '_> {
    /// One limit of the child; `None` is no limit (only time can have none).
    fn one<T: Ord + Copy + Display>(
        &mut self,
        kind: &Kind,
        parent: Option<T>,
        default: Option<T>,
        grant: Option<T>,
        request: Option<T>,
    ) -> Option<T> {
        let granted = match grant {
            Some(g) => {
                if let Some(p) = parent.filter(|p| g > *p) {
                    self.wider(kind, g, p);
                }
                lower(Some(g), parent)
            }
            None => lower(default, parent),
        };
        match (request, granted) {
            (Some(r), Some(g)) if r > g => {
                self.missing(kind, r, g, grant.is_none());
                Some(g)
            }
            (Some(r), _) => Some(r),
            (None, g) => g,
        }
    }

    fn wider(&mut self, kind: &Kind, granted: impl Display + Copy, held: impl Display) {
        let EdgeCtx {
            parent,
            parent_manifest,
            key,
            ..
        } = self.ctx;
        self.violations.push(Violation {
            package: parent.to_string(),
            manifest_path: parent_manifest.to_path_buf(),
            message: format!(
                "package `{parent}` grants `{key}` {} of {} but holds only {}",
                kind.noun,
                kind.shown(granted),
                kind.shown(held)
            ),
            notes: vec!["a grant can only narrow what the granter itself holds".into()],
            help: format!(
                "lower it in `[package.metadata.nano.grants.{key}]`, or raise what `{parent}` holds with `{}` in its `[package.metadata.nano.requests]` (and in its parent's grant)",
                kind.toml(granted)
            ),
            place: Place::grant(key, "limits", Some(kind.key)),
            requested: None,
            subject: Subject::BeyondHoldings {
                key: key.to_string(),
                capability: "limits".into(),
                value: Some(format!("{} {}", kind.key, kind.shown(granted))),
            },
        });
    }

    fn missing(
        &mut self,
        kind: &Kind,
        requested: impl Display + Copy,
        granted: impl Display,
        by_default: bool,
    ) {
        let EdgeCtx {
            parent,
            parent_manifest,
            child,
            key,
            ..
        } = self.ctx;
        let default = if by_default {
            " (by default: its grant sets none)"
        } else {
            ""
        };
        self.violations.push(Violation {
            package: child.to_string(),
            manifest_path: parent_manifest.to_path_buf(),
            message: format!(
                "package `{child}` requests {} of {} but its parent `{parent}` grants it {}{default}",
                kind.noun,
                kind.shown(requested),
                kind.shown(granted)
            ),
            notes: vec![],
            help: format!(
                "if `{child}` should have it, add `{}` to `[package.metadata.nano.grants.{key}]` of `{parent}`; otherwise do not depend on a version that needs it",
                kind.toml(requested)
            ),
            place: Place::grant(key, "limits", Some(kind.key)),
            requested: Some(self.ctx.requested("limits", Some(kind.key))),
            subject: Subject::Ungranted {
                parent: parent.to_string(),
                key: key.to_string(),
                capability: "limits".into(),
                value: Some(format!("{} {}", kind.key, kind.shown(requested))),
            },
        });
    }
}

/// The lower of two limits, `None` being no limit.
fn lower<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
#[path = "limits_tests.rs"]
mod tests;
