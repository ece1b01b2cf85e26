//! Where a violation is in a manifest: a key path, for diagnostics to show the line.

/// A place in a nano manifest, for diagnostics to show ([`manifest_schema::span`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The key path, e.g. `package.metadata.nano.grants.notifier.env`. It may not be written
    /// (a grant that lacks the capability): the nearest table that would hold it is meant.
    pub key: String,
    /// The entry of the list at `key` that is meant, e.g. the variable's name.
    pub item: Option<String>,
}

impl Place {
    /// The place of `capability` with `value` in `table` (`package.metadata.nano.requests`, or
    /// `package.metadata.nano.grants.CHILD`): a list's entry, a slot (`dirs.SLOT`), a limit
    /// (`value` `memory 16 MiB`: `limits.memory`), a flag.
    pub(crate) fn of(table: &str, capability: &str, value: Option<&str>) -> Place {
        use manifest_schema::span::child_key;
        let key = child_key(table, capability);
        match (capability, value) {
            ("dirs", Some(slot)) => Place {
                key: child_key(&key, slot),
                item: None,
            },
            ("limits", Some(limit)) => Place {
                key: child_key(&key, limit.split(' ').next().unwrap_or(limit)),
                item: None,
            },
            ("random" | "args", _) => Place { key, item: None },
            (_, value) => Place {
                key,
                item: value.map(str::to_owned),
            },
        }
    }

    /// The place of `capability` with `value` in the grant to `child`.
    pub(crate) fn grant(child: &str, capability: &str, value: Option<&str>) -> Place {
        let grant = manifest_schema::span::child_key(GRANTS, child);
        Place::of(&grant, capability, value)
    }
}

impl Place {
    /// Narrows the place of the last of `violations` to `field` of its entry (`from`, `access`
    /// of a directory grant): a missing field still finds the entry.
    pub(crate) fn narrow_last(violations: &mut [super::Violation], field: &str) {
        if let Some(v) = violations.last_mut() {
            v.place.key = manifest_schema::span::child_key(&v.place.key, field);
        }
    }
}

impl super::EdgeCtx<'_> {
    /// Where the child requests `capability` with `value`.
    pub(crate) fn requested(
        &self,
        capability: &str,
        value: Option<&str>,
    ) -> (std::path::PathBuf, Place) {
        let place = Place::of(REQUESTS, capability, value);
        (self.child_manifest.clone(), place)
    }
}

/// Key path of a manifest's requests.
pub(crate) const REQUESTS: &str = "package.metadata.nano.requests";
/// Key path of a manifest's grants.
const GRANTS: &str = "package.metadata.nano.grants";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_of_capabilities_in_requests_and_grants() {
        let place = |key: &str, item: Option<&str>| Place {
            key: key.into(),
            item: item.map(str::to_owned),
        };
        let nano = "package.metadata.nano";
        assert_eq!(
            Place::grant("notifier", "env", Some("HOME")),
            place(&format!("{nano}.grants.notifier.env"), Some("HOME"))
        );
        assert_eq!(
            Place::grant("x", "dirs", Some("out")),
            place(&format!("{nano}.grants.x.dirs.out"), None)
        );
        assert_eq!(
            Place::grant("x", "limits", Some("memory 16 MiB")),
            place(&format!("{nano}.grants.x.limits.memory"), None)
        );
        assert_eq!(
            Place::of(REQUESTS, "random", None),
            place(&format!("{nano}.requests.random"), None)
        );
        assert_eq!(
            Place::grant("serde.json", "network", Some("a:1")),
            place(
                &format!("{nano}.grants.\"serde.json\".network"),
                Some("a:1")
            )
        );
    }
}
