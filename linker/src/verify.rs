//! Proof of a composition: re-parse the encoded component and check, for every instance, that each
//! root system interface comes from that instance's own scoped import, each shared interface from
//! the shared import, and each child interface from an instance of one of its own children.
//!
//! The encoder is not trusted (see [`crate::compose`]): whatever it wrote is read back here. The
//! runtime makes the same proof again from the bytes it runs (`runtime::integrity`), against the
//! holdings [`granted_instances`] recomputes from the manifests.

use std::collections::{BTreeMap, BTreeSet};

use manifest_schema::plan::GrantedInstance;
use manifest_schema::wasi::{self, InterfaceClass};
use sha2::{Digest, Sha256};
use wasmparser::{
    ComponentAlias, ComponentExternalKind, ComponentInstance, ComponentOuterAliasKind,
    ComponentTypeRef, Parser, Payload,
};

/// What an instance of the composition is expected to be.
#[derive(Debug, Clone)]
pub struct ExpectedInstance {
    /// Instance path (for messages).
    pub id: String,
    /// Namespace of its scoped imports.
    pub namespace: String,
    /// SHA-256 of its package's component.
    pub component_sha256: [u8; 32],
    /// Index of its parent.
    pub parent: Option<usize>,
    /// Every import of its package's component.
    pub imports: Vec<String>,
}

/// The composition does not match the plan.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The bytes are not a valid component.
    #[error("failed to parse the composed component")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// A check failed.
    #[error("composed component failed verification: {0}")]
    Wiring(String),
}

#[derive(Debug, Clone)]
enum InstanceSource<'a> {
    Import(&'a str),
    Instantiation {
        component: Option<[u8; 32]>,
        args: Vec<(&'a str, u32)>,
    },
    Alias {
        instance: u32,
        name: &'a str,
    },
    Other,
}

/// The top-level instance and component index spaces of a component.
struct Spaces<'a> {
    instances: Vec<InstanceSource<'a>>,
    components: Vec<Option<[u8; 32]>>,
    imports: Vec<&'a str>,
}

fn read_spaces(bytes: &[u8]) -> Result<Spaces<'_>, VerifyError> {
    let mut s = Spaces {
        instances: Vec::new(),
        components: Vec::new(),
        imports: Vec::new(),
    };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload?;
        match payload {
            Payload::ModuleSection { .. } => depth += 1,
            Payload::ComponentSection {
                unchecked_range, ..
            } => {
                if depth == 0 {
                    let range = unchecked_range.start as usize..unchecked_range.end as usize;
                    let nested = bytes
                        .get(range)
                        .ok_or_else(|| wiring("truncated component"))?;
                    s.components.push(Some(Sha256::digest(nested).into()));
                }
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    s.imports.push(import.name.name);
                    match import.ty {
                        ComponentTypeRef::Instance(_) => {
                            s.instances.push(InstanceSource::Import(import.name.name))
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
                        } => InstanceSource::Instantiation {
                            component: s
                                .components
                                .get(component_index as usize)
                                .copied()
                                .flatten(),
                            args: args
                                .iter()
                                .filter(|a| a.kind == ComponentExternalKind::Instance)
                                .map(|a| (a.name, a.index))
                                .collect(),
                        },
                        ComponentInstance::FromExports(_) => InstanceSource::Other,
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
                        } => s.instances.push(InstanceSource::Alias {
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
                    let export = export?;
                    match export.kind {
                        ComponentExternalKind::Instance => s.instances.push(InstanceSource::Other),
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

fn wiring(msg: impl Into<String>) -> VerifyError {
    VerifyError::Wiring(msg.into())
}

/// What a verified composition imports.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    /// Root interfaces imported under their plain name only because a shared interface uses one
    /// of their types (e.g. `wasi:filesystem/types` uses `datetime` of `wasi:clocks/wall-clock`).
    /// No instance is wired to them; the runtime binds their functions to traps.
    pub type_only: Vec<String>,
}

/// Checks `bytes` against the expected instances.
pub fn verify(bytes: &[u8], expected: &[ExpectedInstance]) -> Result<Verified, VerifyError> {
    let spaces = read_spaces(bytes)?;
    let by_ns: BTreeMap<&str, usize> = expected
        .iter()
        .enumerate()
        .map(|(i, e)| (e.namespace.as_str(), i))
        .collect();
    let type_only = check_top_imports(&spaces.imports, &by_ns)?;
    // Which instantiation (index in the instance space) is which expected instance.
    let mut matched: BTreeMap<usize, u32> = BTreeMap::new();
    for (index, source) in spaces.instances.iter().enumerate() {
        let InstanceSource::Instantiation { component, args } = source else {
            continue;
        };
        let e = identify(component, args, &spaces, expected, &by_ns, &matched)?;
        if matched.insert(e, index as u32).is_some() {
            return Err(wiring(format!(
                "instance `{}` is instantiated twice",
                expected[e].id
            )));
        }
    }
    for (e, exp) in expected.iter().enumerate() {
        let index = *matched
            .get(&e)
            .ok_or_else(|| wiring(format!("instance `{}` is missing", exp.id)))?;
        let InstanceSource::Instantiation { args, .. } = &spaces.instances[index as usize] else {
            return Err(wiring("internal: matched a non-instantiation"));
        };
        check_args(exp, args, &spaces, &matched, expected)?;
    }
    Ok(Verified { type_only })
}

/// Every scoped import must belong to a known instance. A root interface imported under its
/// plain name is returned: [`check_args`] proves no instance is given it, so it is there only for
/// its types.
fn check_top_imports(
    imports: &[&str],
    by_ns: &BTreeMap<&str, usize>,
) -> Result<Vec<String>, VerifyError> {
    let mut type_only = Vec::new();
    for name in imports {
        match wasi::classify(name) {
            InterfaceClass::Shared => {}
            InterfaceClass::Root => type_only.push(name.to_string()),
            _ => match wasi::unscope(name) {
                Some((ns, orig))
                    if by_ns.contains_key(ns) && wasi::classify(&orig) == InterfaceClass::Root => {}
                _ => return Err(wiring(format!("unexpected import `{name}`"))),
            },
        }
    }
    Ok(type_only)
}

fn identify(
    component: &Option<[u8; 32]>,
    args: &[(&str, u32)],
    spaces: &Spaces<'_>,
    expected: &[ExpectedInstance],
    by_ns: &BTreeMap<&str, usize>,
    matched: &BTreeMap<usize, u32>,
) -> Result<usize, VerifyError> {
    let hash = component.ok_or_else(|| wiring("an instantiation of an unknown component"))?;
    let candidates: Vec<usize> = (0..expected.len())
        .filter(|&i| expected[i].component_sha256 == hash)
        .collect();
    if candidates.len() == 1 {
        return Ok(candidates[0]);
    }
    // The same package runs as several instances: its scoped imports say which one this is.
    for (name, index) in args {
        if wasi::classify(name) != InterfaceClass::Root {
            continue;
        }
        if let Some(InstanceSource::Import(import)) = spaces.instances.get(*index as usize) {
            let e = wasi::unscope(import).and_then(|(ns, _)| by_ns.get(ns).copied());
            return e
                .filter(|e| candidates.contains(e))
                .ok_or_else(|| wiring(format!("an instance is given `{import}`, not its own")));
        }
    }
    // No root imports at all: such instances hold nothing and are interchangeable.
    candidates
        .into_iter()
        .find(|c| !matched.contains_key(c))
        .ok_or_else(|| wiring("an instantiation of a component that is not in the plan"))
}

fn check_args(
    exp: &ExpectedInstance,
    args: &[(&str, u32)],
    spaces: &Spaces<'_>,
    matched: &BTreeMap<usize, u32>,
    expected: &[ExpectedInstance],
) -> Result<(), VerifyError> {
    let given: BTreeMap<&str, u32> = args.iter().copied().collect();
    let children: BTreeSet<u32> = (0..expected.len())
        .filter(|&c| expected[c].parent.is_some_and(|p| expected[p].id == exp.id))
        .filter_map(|c| matched.get(&c).copied())
        .collect();
    for import in &exp.imports {
        let index = *given
            .get(import.as_str())
            .ok_or_else(|| wiring(format!("`{}` gets no `{import}`", exp.id)))?;
        let source = spaces.instances.get(index as usize);
        let ok = match (wasi::classify(import), source) {
            (InterfaceClass::Root, Some(InstanceSource::Import(name))) => {
                *name == wasi::scoped_name(&exp.namespace, import)
            }
            (InterfaceClass::Shared, Some(InstanceSource::Import(name))) => {
                *name == import.as_str()
            }
            (InterfaceClass::NotWasi, Some(InstanceSource::Alias { instance, name })) => {
                children.contains(instance) && *name == import.as_str()
            }
            _ => false,
        };
        if !ok {
            return Err(wiring(format!(
                "`{}` gets `{import}` from the wrong place ({source:?})",
                exp.id
            )));
        }
    }
    Ok(())
}

/// Every instance of the nano tree at `options` with what its manifests grant it now, in plan
/// order, without building anything: what a linked app found on disk must agree with before
/// `cargo nano run --no-build` runs it (a digest in the plan would prove nothing, since whoever
/// edits the plan can recompute it).
pub fn granted_instances(
    options: &crate::pipeline::BuildOptions,
) -> Result<Vec<GrantedInstance>, crate::pipeline::BuildError> {
    let (_, graph) = crate::pipeline::load(options)?;
    let holdings = crate::policy::resolve_holdings(&graph)?;
    Ok(graph
        .instances
        .iter()
        .zip(holdings)
        .map(|(inst, holds)| GrantedInstance {
            id: inst.id.clone(),
            package: graph.packages[inst.package].info.name.clone(),
            namespace: inst.namespace.clone(),
            parent: inst.parent,
            holds,
        })
        .collect())
}
