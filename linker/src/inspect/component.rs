//! Walks the top level of a component: its import and export names, its core modules, and which
//! of those modules is the package's own code (the "main" module).
//!
//! A component made by `wit-component` (which is what `cargo build --target wasm32-wasip2`
//! runs) holds the main module plus small helper modules: `wit-component:shim` (indirect-call
//! trampolines for imports that need `realloc`), `wit-component:fixups` (fills the shim's table)
//! and possibly `wit-component:adapter:wasi_snapshot_preview1`. Only the main module holds code
//! the package's author wrote, so only its call graph tells which imports the package reaches.
//!
//! How the main module is picked, most trusted rule first:
//! 1. `wit-component` names its core modules in the `component-name` section; the package's
//!    module is named `main`. If exactly one module carries that name, it wins.
//! 2. Otherwise helper modules are set aside: those whose name (in the component's names or the
//!    module's own `name` section) starts with `wit-component` (versions of wit-component name
//!    them `wit-component:shim`, `wit-component-shim-module`, `wit-component-fixup`,
//!    `wit-component:adapter:<name>`...) or is an adapter's (`wasi_snapshot_preview1`), and among the rest the one that the most lifted component
//!    functions come from (`canon lift` of a core function aliased from an instance of that
//!    module) wins: the exports are the package's API, so they come from its code.
//! 3. Ties (e.g. no lifts at all) go to the module with the biggest code section.
//!
//! If every module is a helper, rule 2 and 3 run over all modules.

use wasmparser::{
    CanonicalFunction, Chunk, ComponentAlias, ComponentExternalKind, ComponentName,
    ComponentNameSectionReader, ComponentOuterAliasKind, ComponentTypeRef, Encoding, ExternalKind,
    Instance, KnownCustom, Name, NameSectionReader, Parser, Payload,
};

use super::InspectError;

/// What the top level of a component says.
#[derive(Debug)]
pub(crate) struct ComponentInfo<'a> {
    /// Component-level import names, in order.
    pub imports: Vec<String>,
    /// Component-level export names, in order.
    pub exports: Vec<String>,
    /// Every core module defined at the top level, in index order.
    pub modules: Vec<CoreModule<'a>>,
}

/// One core module defined at the top level of a component.
#[derive(Debug)]
pub(crate) struct CoreModule<'a> {
    /// The module's bytes.
    pub bytes: &'a [u8],
    /// Its name in the component's `component-name` section, if any.
    pub component_name: Option<String>,
    /// Its own name (`name` section, module subsection), if any.
    pub own_name: Option<String>,
    /// How many lifted component functions come from instances of this module.
    pub lifted: usize,
    /// Size of its code section in bytes.
    pub code_size: u64,
}

impl CoreModule<'_> {
    /// Whether `wit-component` made this module (shim, fixups, adapter) rather than the compiler.
    fn is_helper(&self) -> bool {
        let helper = |name: &Option<String>| {
            name.as_deref().is_some_and(|n| {
                n.starts_with("wit-component") || n.starts_with("wasi_snapshot_preview1")
            })
        };
        helper(&self.component_name) || helper(&self.own_name)
    }
}

/// The core function index space of the component, as far as finding lifts' origins needs.
#[derive(Clone, Copy)]
enum CoreFunc {
    /// Aliased from an export of this core instance.
    FromInstance(u32),
    /// Made by a `canon` built-in (`lower`, `resource.drop`...): no module code.
    Builtin,
}

/// Parses the top level of a component. Nested components are skipped: a package built by
/// `cargo build --target wasm32-wasip2` has none, and a composition's inner components are
/// inspected one by one before composing.
pub(crate) fn parse(bytes: &[u8]) -> Result<ComponentInfo<'_>, InspectError> {
    let mut info = ComponentInfo {
        imports: Vec::new(),
        exports: Vec::new(),
        modules: Vec::new(),
    };
    // Index spaces: core modules (to our `modules`, `None` for imported/aliased ones), core
    // instances (to the core module index they instantiate) and core functions.
    let mut module_space: Vec<Option<usize>> = Vec::new();
    let mut instances: Vec<Option<u32>> = Vec::new();
    let mut core_funcs: Vec<CoreFunc> = Vec::new();
    let mut lifted: Vec<u32> = Vec::new();
    let mut module_names: Vec<(u32, String)> = Vec::new();

    let mut parser = Parser::new(0);
    let mut data = bytes;
    loop {
        let (payload, consumed) = match parser.parse(data, true).map_err(InspectError::Parse)? {
            Chunk::Parsed { consumed, payload } => (payload, consumed),
            // With `eof = true` the parser reports missing bytes as errors, but stay total.
            Chunk::NeedMoreData(_) => return Err(InspectError::Truncated),
        };
        data = data.get(consumed..).ok_or(InspectError::Truncated)?;
        match payload {
            Payload::Version { encoding, .. } if encoding != Encoding::Component => {
                return Err(InspectError::NotAComponent);
            }
            Payload::ModuleSection {
                unchecked_range, ..
            } => {
                // The outer parser only consumed the section header: skip the body ourselves,
                // checking the (unvalidated) range against the input.
                let module = usize::try_from(unchecked_range.start)
                    .ok()
                    .zip(usize::try_from(unchecked_range.end).ok())
                    .and_then(|(start, end)| bytes.get(start..end))
                    .ok_or(InspectError::Truncated)?;
                data = data.get(module.len()..).ok_or(InspectError::Truncated)?;
                module_space.push(Some(info.modules.len()));
                info.modules.push(CoreModule {
                    bytes: module,
                    component_name: None,
                    own_name: None,
                    lifted: 0,
                    code_size: 0,
                });
            }
            Payload::ComponentSection {
                unchecked_range, ..
            } => {
                let len = unchecked_range.end.saturating_sub(unchecked_range.start);
                let len = usize::try_from(len).map_err(|_| InspectError::Truncated)?;
                data = data.get(len..).ok_or(InspectError::Truncated)?;
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(InspectError::Parse)?;
                    if let ComponentTypeRef::Module(_) = import.ty {
                        module_space.push(None);
                    }
                    info.imports.push(import.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    info.exports
                        .push(export.map_err(InspectError::Parse)?.name.name.to_owned());
                }
            }
            Payload::InstanceSection(reader) => {
                for instance in reader {
                    instances.push(match instance.map_err(InspectError::Parse)? {
                        Instance::Instantiate { module_index, .. } => Some(module_index),
                        Instance::FromExports(_) => None,
                    });
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    match alias.map_err(InspectError::Parse)? {
                        ComponentAlias::CoreInstanceExport {
                            kind: ExternalKind::Func | ExternalKind::FuncExact,
                            instance_index,
                            ..
                        } => core_funcs.push(CoreFunc::FromInstance(instance_index)),
                        ComponentAlias::InstanceExport {
                            kind: ComponentExternalKind::Module,
                            ..
                        }
                        | ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::CoreModule,
                            ..
                        } => module_space.push(None),
                        _ => {}
                    }
                }
            }
            Payload::ComponentCanonicalSection(reader) => {
                for canon in reader {
                    match canon.map_err(InspectError::Parse)? {
                        CanonicalFunction::Lift {
                            core_func_index, ..
                        } => lifted.push(core_func_index),
                        // Every other canonical built-in defines a core function.
                        _ => core_funcs.push(CoreFunc::Builtin),
                    }
                }
            }
            Payload::CustomSection(section) => {
                if let KnownCustom::ComponentName(reader) = section.as_known() {
                    module_names.extend(component_module_names(reader));
                }
            }
            Payload::End(_) => break,
            _ => {}
        }
    }

    for func in lifted {
        let module = match core_funcs.get(func as usize) {
            Some(CoreFunc::FromInstance(instance)) => instances
                .get(*instance as usize)
                .copied()
                .flatten()
                .and_then(|module| module_space.get(module as usize).copied().flatten()),
            _ => None,
        };
        if let Some(module) = module.and_then(|m| info.modules.get_mut(m)) {
            module.lifted += 1;
        }
    }
    for (index, name) in module_names {
        let module = module_space.get(index as usize).copied().flatten();
        if let Some(module) = module.and_then(|m| info.modules.get_mut(m)) {
            module.component_name = Some(name);
        }
    }
    for module in &mut info.modules {
        scan_module_header(module);
    }
    Ok(info)
}

/// The `core module` names of a `component-name` section. A malformed names section is only
/// debugging information: it is ignored rather than failing the inspection.
fn component_module_names(reader: ComponentNameSectionReader<'_>) -> Vec<(u32, String)> {
    let mut names = Vec::new();
    for subsection in reader.into_iter().flatten() {
        if let ComponentName::CoreModules(map) = subsection {
            for naming in map.into_iter().flatten() {
                names.push((naming.index, naming.name.to_owned()));
            }
        }
    }
    names
}

/// Fills in a module's own name and code size. Errors are left for the call-graph pass, which
/// parses the main module fully; a helper module that fails here just stays unnamed.
fn scan_module_header(module: &mut CoreModule<'_>) {
    for payload in Parser::new(0).parse_all(module.bytes) {
        match payload {
            Ok(Payload::CodeSectionStart { size, .. }) => module.code_size = u64::from(size),
            Ok(Payload::CustomSection(section)) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    module.own_name = own_module_name(reader);
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
}

/// The module subsection of a core `name` section.
fn own_module_name(reader: NameSectionReader<'_>) -> Option<String> {
    reader.into_iter().flatten().find_map(|name| match name {
        Name::Module { name, .. } => Some(name.to_owned()),
        _ => None,
    })
}

/// Picks the main module (see the module documentation for the rules).
pub(crate) fn main_module(modules: &[CoreModule<'_>]) -> Option<usize> {
    let named_main: Vec<usize> = (0..modules.len())
        .filter(|&i| modules[i].component_name.as_deref() == Some("main"))
        .collect();
    if let [only] = named_main[..] {
        return Some(only);
    }
    let candidates: Vec<usize> = (0..modules.len())
        .filter(|&i| !modules[i].is_helper())
        .collect();
    let candidates = if candidates.is_empty() {
        (0..modules.len()).collect()
    } else {
        candidates
    };
    // `max_by_key` keeps the last of equal keys; the reversed iteration makes the earliest
    // module win a full tie, so the choice is stable.
    candidates
        .into_iter()
        .rev()
        .max_by_key(|&i| (modules[i].lifted, modules[i].code_size))
}
