//! Before anything is compiled: the linked app proves itself.
//!
//! `cargo nano run --no-build` (and a plan copied to another machine) runs what is on disk, and
//! whoever can write `app.wasm` and `plan.json` could swap two packages' scoped imports, or widen
//! a package's holdings in the plan, and recompute the plan's checksum. So the runtime does not
//! take the linker's word:
//!
//! - [`check_wiring`] re-reads the composed component and proves, for every instantiation, which
//!   plan instance it is (by the SHA-256 of the embedded component, which the plan names per
//!   instance) and that each root interface it is given is *its own* scoped import
//!   (`nano-<instance>:…`), each shared interface the shared import, and each child interface an
//!   export of one of its own children — the proof the linker's `verify` makes after composing,
//!   made again from the bytes that will run;
//! - [`check_holdings`] compares every instance's holdings in the plan with what the manifests
//!   grant (the caller recomputes them from the workspace; a checksum in the plan would prove
//!   nothing, since whoever edits the plan can recompute it).
//!
//! Both refuse with [`IntegrityError`] and a fix.

use std::collections::{BTreeMap, BTreeSet};

use manifest_schema::plan::{GrantedInstance, Holdings, Plan};
use manifest_schema::wasi::{self, InterfaceClass};
use sha2::{Digest, Sha256};
use wasmparser::{
    ComponentAlias, ComponentExternalKind, ComponentInstance, ComponentOuterAliasKind,
    ComponentTypeRef, Parser, Payload,
};

/// What to do about a linked app that does not prove itself.
const REBUILD: &str = "the linked app was changed after `cargo nano build`; run `cargo nano build` again, or `cargo nano run` without `--no-build`";

/// A linked app that is not what its plan and its manifests say.
#[derive(Debug, thiserror::Error)]
pub enum IntegrityError {
    /// The composed component cannot be read.
    #[error("refusing to start: the composed component cannot be parsed: {0} (help: {REBUILD})")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// The composed component is not wired as the plan says.
    #[error("refusing to start: {0} (help: {REBUILD})")]
    Wiring(String),
    /// The plan's tree of instances is not the manifests' tree.
    #[error(
        "refusing to start: the plan lists the instances {plan} but the manifests give {manifests} (help: {REBUILD})"
    )]
    Tree {
        /// The plan's instances (`id` of package, namespace, parent).
        plan: String,
        /// The manifests' instances.
        manifests: String,
    },
    /// An instance holds in the plan what its manifests do not grant it.
    #[error(
        "refusing to start: the plan says instance `{instance}` (package `{package}`) holds {field} {plan}, but its manifests grant {field} {granted} (help: {REBUILD})"
    )]
    Holdings {
        /// The instance.
        instance: String,
        /// Its package.
        package: String,
        /// The holding that differs (`env`, `dirs`, …).
        field: &'static str,
        /// What the plan says.
        plan: String,
        /// What the manifests grant.
        granted: String,
    },
}

fn wiring(msg: impl Into<String>) -> IntegrityError {
    IntegrityError::Wiring(msg.into())
}

/// Where an instance of the top-level index space comes from.
#[derive(Debug, Clone)]
enum Source<'a> {
    Import(&'a str),
    Instantiation {
        component: Option<[u8; 32]>,
        args: Vec<(&'a str, ComponentExternalKind, u32)>,
    },
    Alias {
        instance: u32,
        name: &'a str,
    },
    Other,
}

/// The top-level instance and component index spaces and imports of a component.
#[derive(Default)]
struct Spaces<'a> {
    instances: Vec<Source<'a>>,
    components: Vec<Option<[u8; 32]>>,
    imports: Vec<(&'a str, ComponentTypeRef)>,
    /// Top-level core code or canonical functions: a composition of packages has none, and code
    /// there would belong to no package.
    core: bool,
}

fn read_spaces(bytes: &[u8]) -> Result<Spaces<'_>, IntegrityError> {
    let mut s = Spaces::default();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ModuleSection { .. } => {
                s.core |= depth == 0;
                depth += 1;
            }
            Payload::ComponentSection {
                unchecked_range, ..
            } => {
                if depth == 0 {
                    let nested = bytes
                        .get(unchecked_range.start as usize..unchecked_range.end as usize)
                        .ok_or_else(|| wiring("the composed component is truncated"))?;
                    s.components.push(Some(Sha256::digest(nested).into()));
                }
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            Payload::InstanceSection(_)
            | Payload::CoreTypeSection(_)
            | Payload::ComponentCanonicalSection(_)
            | Payload::ComponentStartSection { .. } => s.core = true,
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    s.imports.push((import.name.name, import.ty));
                    match import.ty {
                        ComponentTypeRef::Instance(_) => {
                            s.instances.push(Source::Import(import.name.name))
                        }
                        ComponentTypeRef::Component(_) => s.components.push(None),
                        _ => {}
                    }
                }
            }
            Payload::ComponentInstanceSection(reader) => {
                for instance in reader {
                    s.instances.push(match instance? {
                        ComponentInstance::Instantiate {
                            component_index,
                            args,
                        } => Source::Instantiation {
                            component: s
                                .components
                                .get(component_index as usize)
                                .copied()
                                .flatten(),
                            args: args.iter().map(|a| (a.name, a.kind, a.index)).collect(),
                        },
                        ComponentInstance::FromExports(_) => Source::Other,
                    });
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    match alias? {
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Instance,
                            instance_index,
                            name,
                        } => s.instances.push(Source::Alias {
                            instance: instance_index,
                            name,
                        }),
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Component,
                            ..
                        }
                        | ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::Component,
                            ..
                        } => s.components.push(None),
                        _ => {}
                    }
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    match export?.kind {
                        ComponentExternalKind::Instance => s.instances.push(Source::Other),
                        ComponentExternalKind::Component => s.components.push(None),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

/// Proves from `wasm` itself that every instance of `plan` is instantiated exactly once, from the
/// component the plan names for it, and is given its own scoped root interfaces, the shared
/// interfaces and its own children's exports, and nothing else.
pub fn check_wiring(wasm: &[u8], plan: &Plan) -> Result<(), IntegrityError> {
    let spaces = read_spaces(wasm)?;
    if spaces.core {
        return Err(wiring(
            "the composed component has code of its own outside every package (core modules, instances or canonical functions at its top level)",
        ));
    }
    check_imports(&spaces, plan)?;
    let mut by_sha: BTreeMap<[u8; 32], usize> = BTreeMap::new();
    for (e, inst) in plan.instances.iter().enumerate() {
        let sha: [u8; 32] = hex::decode(&inst.component_sha256)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| {
                wiring(format!(
                    "the plan names no valid component digest for instance `{}`",
                    inst.id
                ))
            })?;
        if by_sha.insert(sha, e).is_some() {
            return Err(wiring(format!(
                "the plan names the same component for two instances (`{}` and another)",
                inst.id
            )));
        }
    }
    // Which instantiation (index in the instance space) is which plan instance.
    let mut matched: BTreeMap<usize, usize> = BTreeMap::new();
    for (index, source) in spaces.instances.iter().enumerate() {
        let Source::Instantiation { component, .. } = source else {
            continue;
        };
        let e = component
            .and_then(|sha| by_sha.get(&sha).copied())
            .ok_or_else(|| {
                wiring("the composed component instantiates a component that no instance of the plan runs")
            })?;
        if matched.insert(e, index).is_some() {
            return Err(wiring(format!(
                "instance `{}` is instantiated twice",
                plan.instances[e].id
            )));
        }
    }
    for (e, inst) in plan.instances.iter().enumerate() {
        let index = *matched.get(&e).ok_or_else(|| {
            wiring(format!(
                "instance `{}` (package `{}`) is not in the composed component",
                inst.id, inst.package
            ))
        })?;
        check_args(plan, e, index, &spaces, &matched)?;
    }
    Ok(())
}

/// Every import is a shared interface, a type-only root interface of the plan, or a root
/// interface scoped to an instance of the plan that announced it.
fn check_imports(spaces: &Spaces<'_>, plan: &Plan) -> Result<(), IntegrityError> {
    for (name, ty) in &spaces.imports {
        if !matches!(ty, ComponentTypeRef::Instance(_)) {
            return Err(wiring(format!(
                "the composed component imports `{name}`, which is not an interface"
            )));
        }
        let ok = match wasi::classify(name) {
            InterfaceClass::Shared => true,
            InterfaceClass::Root => plan.type_only_imports.iter().any(|t| t == name),
            _ => wasi::unscope(name).is_some_and(|(ns, original)| {
                plan.instances
                    .iter()
                    .any(|i| i.namespace == ns && i.imports.contains(&original))
                    && wasi::classify(&original) == InterfaceClass::Root
            }),
        };
        if !ok {
            return Err(wiring(format!(
                "the composed component imports `{name}`, which no instance of the plan announced"
            )));
        }
    }
    Ok(())
}

/// What instance `e` (instantiation `index`) is given must be its own.
fn check_args(
    plan: &Plan,
    e: usize,
    index: usize,
    spaces: &Spaces<'_>,
    matched: &BTreeMap<usize, usize>,
) -> Result<(), IntegrityError> {
    let inst = &plan.instances[e];
    let Source::Instantiation { args, .. } = &spaces.instances[index] else {
        return Err(wiring("internal: matched a non-instantiation"));
    };
    let children: BTreeSet<u32> = (0..plan.instances.len())
        .filter(|&c| plan.instances[c].parent == Some(e))
        .filter_map(|c| matched.get(&c).map(|&i| i as u32))
        .collect();
    for &(name, kind, source) in args {
        match kind {
            ComponentExternalKind::Instance => {}
            // Types carry no authority.
            ComponentExternalKind::Type => continue,
            _ => {
                return Err(wiring(format!(
                    "instance `{}` (package `{}`) is given `{name}` as a {kind:?}; packages are given interfaces only",
                    inst.id, inst.package
                )));
            }
        }
        let given = spaces.instances.get(source as usize);
        let ok = match (wasi::classify(name), given) {
            (InterfaceClass::Root, Some(Source::Import(import))) => {
                *import == wasi::scoped_name(&inst.namespace, name)
                    && inst.imports.iter().any(|i| i == name)
            }
            (InterfaceClass::Shared, Some(Source::Import(import))) => *import == name,
            (InterfaceClass::NotWasi, Some(Source::Alias { instance, name: n })) => {
                children.contains(instance) && *n == name
            }
            _ => false,
        };
        if !ok {
            let from = match given {
                Some(Source::Import(import)) => format!("the import `{import}`"),
                Some(Source::Alias { instance, .. }) => {
                    match matched.iter().find(|&(_, &i)| i == *instance as usize) {
                        Some((&c, _)) => format!("instance `{}`", plan.instances[c].id),
                        None => "an instance that is not one of its children".into(),
                    }
                }
                _ => "somewhere that is not an import or a child".into(),
            };
            return Err(wiring(format!(
                "instance `{}` (package `{}`) is given `{name}` from {from}, not its own (`{}`)",
                inst.id,
                inst.package,
                own(&inst.namespace, name)
            )));
        }
    }
    Ok(())
}

/// Where an instance should get `name` from, for the message.
fn own(namespace: &str, name: &str) -> String {
    match wasi::classify(name) {
        InterfaceClass::Root => wasi::scoped_name(namespace, name),
        InterfaceClass::Shared => name.to_string(),
        _ => format!("a child's `{name}`"),
    }
}

/// Proves that the plan's tree is the manifests' tree and that every instance holds exactly what
/// its manifests grant it now (`granted`, in plan order, as the linker computes it from the
/// workspace).
pub fn check_holdings(plan: &Plan, granted: &[GrantedInstance]) -> Result<(), IntegrityError> {
    let same_tree = plan.instances.len() == granted.len()
        && plan.instances.iter().zip(granted).all(|(p, g)| {
            p.id == g.id
                && p.package == g.package
                && p.namespace == g.namespace
                && p.parent == g.parent
        });
    if !same_tree {
        let list = |items: Vec<String>| format!("[{}]", items.join(", "));
        return Err(IntegrityError::Tree {
            plan: list(
                plan.instances
                    .iter()
                    .map(|i| format!("`{}`", i.id))
                    .collect(),
            ),
            manifests: list(granted.iter().map(|i| format!("`{}`", i.id)).collect()),
        });
    }
    for (p, g) in plan.instances.iter().zip(granted) {
        if let Some((field, plan_value, granted_value)) = first_difference(&p.holds, &g.holds) {
            return Err(IntegrityError::Holdings {
                instance: p.id.clone(),
                package: p.package.clone(),
                field,
                plan: plan_value,
                granted: granted_value,
            });
        }
    }
    Ok(())
}

/// The first holding that differs, with both values in the plan's JSON syntax.
fn first_difference(plan: &Holdings, granted: &Holdings) -> Option<(&'static str, String, String)> {
    fn json<T: serde::Serialize>(value: &T) -> String {
        serde_json::to_string(value).unwrap_or_else(|_| "?".into())
    }
    macro_rules! compare {
        ($($field:ident => $name:literal),*) => {
            $(if plan.$field != granted.$field {
                return Some(($name, json(&plan.$field), json(&granted.$field)));
            })*
        };
    }
    compare!(dirs => "dirs", env => "env", stdio => "stdio", clocks => "clocks",
        random => "random", network => "network", args => "args", limits => "limits");
    None
}

#[cfg(test)]
#[path = "integrity_tests.rs"]
mod tests;
