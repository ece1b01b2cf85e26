//! Every key of `[package.metadata.nano.grants]` must name a nano child of the granter: a typo,
//! a package name where the dependency is renamed, or an ordinary crate would otherwise be a
//! grant that silently does nothing.

use std::collections::BTreeMap;

use manifest_schema::NanoManifest;

use crate::graph::{Child, GraphError, PackageInfo};

/// Checks the grant keys of `pkg` against its nano `children` (names as in its
/// `[dependencies]`). `by_id` resolves package ids, to tell ordinary crates and renames apart.
pub(crate) fn check_grant_keys(
    pkg: &PackageInfo,
    manifest: &NanoManifest,
    children: &[Child],
    by_id: &BTreeMap<&str, &PackageInfo>,
) -> Result<(), GraphError> {
    let child_names: Vec<&str> = children.iter().map(|c| c.name.as_str()).collect();
    for key in manifest.grants.keys() {
        if child_names.contains(&key.as_str()) {
            continue;
        }
        return Err(GraphError::UnknownGrant {
            package: pkg.name.clone(),
            name: key.clone(),
            manifest: pkg.manifest_path.clone(),
            help: help(pkg, key, &child_names, by_id),
        });
    }
    Ok(())
}

fn help(
    pkg: &PackageInfo,
    key: &str,
    child_names: &[&str],
    by_id: &BTreeMap<&str, &PackageInfo>,
) -> String {
    let remove = format!("remove `[package.metadata.nano.grants.{key}]`");
    // The dependency exists under this name (or is this package, renamed).
    for (id, name) in &pkg.dep_names {
        let Some(dep) = by_id.get(id.as_str()) else {
            continue;
        };
        if name == key && dep.manifest.is_none() {
            return format!(
                "`{key}` is an ordinary crate, not a nano package: it runs inside `{}`'s nanoprocess with `{}`'s capabilities; {remove}",
                pkg.name, pkg.name
            );
        }
        if dep.name == key && name != key && child_names.contains(&name.as_str()) {
            return format!(
                "`{}` depends on `{key}` under the name `{name}`: write `[package.metadata.nano.grants.{name}]`",
                pkg.name
            );
        }
    }
    match closest(key, child_names) {
        Some(near) => {
            format!("did you mean `{near}`? (write `[package.metadata.nano.grants.{near}]`)")
        }
        None if child_names.is_empty() => {
            format!("`{}` has no nano dependencies; {remove}", pkg.name)
        }
        None => format!(
            "its nano dependencies are {}; {remove} or rename it to one of them",
            child_names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The child name closest to `key`, if it is close enough to be a typo.
fn closest<'a>(key: &str, names: &[&'a str]) -> Option<&'a str> {
    names
        .iter()
        .map(|n| (strsim::levenshtein(key, n), *n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min()
        .map(|(_, n)| n)
}
