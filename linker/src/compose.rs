//! Composition: one component out of the nano tree, with every parent's import of a child's
//! interface wired to that child's instance, and every instance's root system interfaces imported
//! under its own namespace.
//!
//! wac's encoder de-duplicates imports of the same interface type *silently*: importing the
//! original `wasi:filesystem/preopens` type under a new name folds it back into one shared import,
//! and the child would get its parent's files. So every scoped import is a *clone* of the interface
//! type with its own id, and [`crate::verify`] re-parses the output to prove the wiring.

use manifest_schema::wasi::{self, InterfaceClass};
use wac_graph::types::{Interface, ItemKind, Package};
use wac_graph::{CompositionGraph, EncodeOptions, NodeId, PackageId};

use crate::graph::NanoGraph;

/// An error composing the nano tree.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// A component could not be loaded.
    #[error("failed to load the component of package `{package}`")]
    Load {
        /// The package.
        package: String,
        /// What wac said.
        #[source]
        source: BoxError,
    },
    /// A package imports an interface no nano child exports.
    #[error(
        "package `{package}` imports `{import}` but none of its nano dependencies exports it (children: {children})"
    )]
    MissingChildExport {
        /// The importer.
        package: String,
        /// The import.
        import: String,
        /// Its nano children.
        children: String,
    },
    /// Two children export the same interface.
    #[error(
        "package `{package}` imports `{import}`, which several nano dependencies export: {children}"
    )]
    AmbiguousChildExport {
        /// The importer.
        package: String,
        /// The import.
        import: String,
        /// The exporters.
        children: String,
    },
    /// A package imports a WASI interface cargo-nano does not bind.
    #[error("package `{package}` imports `{import}`, which cargo-nano does not support")]
    Unsupported {
        /// The package.
        package: String,
        /// The import.
        import: String,
    },
    /// A package's component cannot run under per-instance limits.
    #[error("cannot limit the memory of package `{package}`: {source}")]
    Tag {
        /// The package.
        package: String,
        /// What is wrong with its component.
        #[source]
        source: crate::tag::TagError,
    },
    /// More instances than the runtime can tell apart.
    #[error("the program has {count} nano package instances; cargo-nano supports at most {max}")]
    TooManyInstances {
        /// Instances in the tree.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// wac refused a step of the composition.
    #[error("failed to compose `{package}`: {message}")]
    Wac {
        /// The package being wired.
        package: String,
        /// What wac said.
        message: String,
    },
}

/// wac reports loading errors as `anyhow` errors; they are kept as boxed sources.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The composed component and what each instance imports.
#[derive(Debug, Clone)]
pub struct Composition {
    /// The encoded component.
    pub bytes: Vec<u8>,
    /// For each instance (same order as [`NanoGraph::instances`]), its WASI imports, unscoped.
    pub system_imports: Vec<Vec<String>>,
    /// For each instance, the SHA-256 of the component it runs: its package's, tagged for it
    /// ([`crate::tag`]).
    pub instance_sha256: Vec<[u8; 32]>,
}

/// Composes `graph`; `components[i]` is the component of `graph.packages[i]`.
///
/// Each instance runs its own copy of its package's component, tagged with its index
/// ([`crate::tag`]), so that the runtime can tell its memories, tables and stack frames apart
/// from those of another instance of the same package.
pub fn compose(graph: &NanoGraph, components: &[Vec<u8>]) -> Result<Composition, ComposeError> {
    use sha2::{Digest, Sha256};

    if graph.instances.len() > manifest_schema::plan::tag::MAX_INSTANCES {
        return Err(ComposeError::TooManyInstances {
            count: graph.instances.len(),
            max: manifest_schema::plan::tag::MAX_INSTANCES,
        });
    }
    let mut wac = CompositionGraph::new();
    // Indexed by instance, like everything below.
    let mut package_ids = Vec::new();
    let mut instance_sha256 = Vec::new();
    for (i, inst) in graph.instances.iter().enumerate() {
        let pkg = &graph.packages[inst.package];
        let tagged = crate::tag::tag_component(&components[inst.package], i, &inst.namespace)
            .map_err(|source| ComposeError::Tag {
                package: pkg.info.name.clone(),
                source,
            })?;
        instance_sha256.push(Sha256::digest(&tagged).into());
        // One wac package per instance, named after its (unique) namespace.
        let name = format!("nano:{}", inst.namespace);
        let loaded = Package::from_bytes(&name, Some(&pkg.info.version), tagged, wac.types_mut())
            .map_err(|e| load_error(&pkg.info.name, e.into()))?;
        let id = wac
            .register_package(loaded)
            .map_err(|e| load_error(&pkg.info.name, Box::new(e)))?;
        package_ids.push(id);
    }
    let nodes: Vec<NodeId> = package_ids.iter().map(|&id| wac.instantiate(id)).collect();
    let mut system_imports = Vec::new();
    for i in 0..graph.instances.len() {
        system_imports.push(wire_instance(&mut wac, graph, &package_ids, &nodes, i)?);
    }
    export_root(&mut wac, graph, &package_ids, nodes[0])?;
    let bytes = wac
        .encode(EncodeOptions::default())
        .map_err(|e| wac_error(&graph.packages[graph.root].info.name, &e))?;
    Ok(Composition {
        bytes,
        system_imports,
        instance_sha256,
    })
}

fn load_error(package: &str, source: BoxError) -> ComposeError {
    ComposeError::Load {
        package: package.to_string(),
        source,
    }
}

fn wac_error(package: &str, e: &dyn std::fmt::Display) -> ComposeError {
    ComposeError::Wac {
        package: package.to_string(),
        message: e.to_string(),
    }
}

/// Sets every argument of instance `i`; returns its WASI imports.
fn wire_instance(
    wac: &mut CompositionGraph,
    graph: &NanoGraph,
    package_ids: &[PackageId],
    nodes: &[NodeId],
    i: usize,
) -> Result<Vec<String>, ComposeError> {
    let inst = &graph.instances[i];
    let pkg_name = graph.packages[inst.package].info.name.clone();
    let world = wac.types()[wac[package_ids[i]].ty()].clone();
    let children: Vec<usize> = (0..graph.instances.len())
        .filter(|&c| graph.instances[c].parent == Some(i))
        .collect();
    let mut system = Vec::new();
    for (import, kind) in &world.imports {
        match wasi::classify(import) {
            InterfaceClass::Root => {
                let ItemKind::Instance(iface) = kind else {
                    return Err(unsupported(&pkg_name, import));
                };
                let original = wac.types()[*iface].clone();
                let scoped = wasi::scoped_name(&inst.namespace, import);
                let clone = Interface {
                    id: Some(scoped.clone()),
                    uses: original.uses,
                    exports: original.exports,
                };
                let clone_id = wac.types_mut().add_interface(clone);
                let node = wac
                    .import(scoped, ItemKind::Instance(clone_id))
                    .map_err(|e| wac_error(&pkg_name, &e))?;
                wac.set_instantiation_argument(nodes[i], import, node)
                    .map_err(|e| wac_error(&pkg_name, &e))?;
                system.push(import.clone());
            }
            // Left unset: wac imports it once for everybody, under its own name.
            InterfaceClass::Shared => system.push(import.clone()),
            InterfaceClass::Unsupported => return Err(unsupported(&pkg_name, import)),
            InterfaceClass::NotWasi => {
                let child = find_exporter(wac, graph, package_ids, &children, import, &pkg_name)?;
                let alias = wac
                    .alias_instance_export(nodes[child], import)
                    .map_err(|e| wac_error(&pkg_name, &e))?;
                wac.set_instantiation_argument(nodes[i], import, alias)
                    .map_err(|e| wac_error(&pkg_name, &e))?;
            }
        }
    }
    Ok(system)
}

fn unsupported(package: &str, import: &str) -> ComposeError {
    ComposeError::Unsupported {
        package: package.to_string(),
        import: import.to_string(),
    }
}

fn find_exporter(
    wac: &CompositionGraph,
    graph: &NanoGraph,
    package_ids: &[PackageId],
    children: &[usize],
    import: &str,
    package: &str,
) -> Result<usize, ComposeError> {
    let exporters: Vec<usize> = children
        .iter()
        .copied()
        .filter(|&c| {
            let pid = package_ids[c];
            wac.types()[wac[pid].ty()].exports.contains_key(import)
        })
        .collect();
    let names = |list: &[usize]| {
        let names: Vec<String> = list
            .iter()
            .map(|&c| format!("`{}`", graph.packages[graph.instances[c].package].info.name))
            .collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    match exporters.as_slice() {
        [one] => Ok(*one),
        [] => Err(ComposeError::MissingChildExport {
            package: package.to_string(),
            import: import.to_string(),
            children: names(children),
        }),
        many => Err(ComposeError::AmbiguousChildExport {
            package: package.to_string(),
            import: import.to_string(),
            children: names(many),
        }),
    }
}

fn export_root(
    wac: &mut CompositionGraph,
    graph: &NanoGraph,
    package_ids: &[PackageId],
    root_node: NodeId,
) -> Result<(), ComposeError> {
    let root = &graph.packages[graph.root];
    let world = wac.types()[wac[package_ids[0]].ty()].clone();
    for export in world.exports.keys() {
        let alias = wac
            .alias_instance_export(root_node, export)
            .map_err(|e| wac_error(&root.info.name, &e))?;
        wac.export(alias, export.clone())
            .map_err(|e| wac_error(&root.info.name, &e))?;
    }
    Ok(())
}

/// A crate name as a component-model label word: `my_crate` → `my-crate`.
pub fn kebab(name: &str) -> String {
    crate::graph::namespace_for(name)
        .strip_prefix("nano-")
        .unwrap_or(name)
        .to_string()
}
