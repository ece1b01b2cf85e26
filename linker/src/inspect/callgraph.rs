//! The call graph of one core module, and which imported functions its exports reach.
//!
//! Nodes are functions (imports first, as in the wasm function index space). Edges:
//! - `call f` / `return_call f`: an edge to `f`.
//! - `call_indirect (type t)` / `call_ref t` and their `return_` forms: an edge to every
//!   *address-taken* function whose type equals `t`. Address-taken means listed in any element
//!   segment (active, passive or declared, whatever the table) or named by a `ref.func` anywhere
//!   (code, global initialisers, element expressions). That over-approximates what a table can
//!   hold at run time, so the result is conservative: nothing reachable is missed, but a
//!   function may be reported that the program never calls in practice.
//!
//! Types are compared structurally (equal parameter and result lists), so two identical type
//! entries count as one. GC subtyping (a function of a subtype being callable through its
//! supertype) is not modelled: compilers of Rust and C emit no such types.
//!
//! Roots are every exported function and the start function: the component lifts some exports,
//! and the canonical ABI calls others (`cabi_realloc`, `cabi_post_*`, `_initialize`), so all
//! of them can run.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};

use wasmparser::{
    ElementItems, ExternalKind, FuncType, KnownCustom, Name, Parser, Payload, TypeRef,
};

use super::operands::{self, CallSite, Constants, Fault};
use super::{InspectError, dispatch, model};

/// What a root of the graph is called in paths.
pub(super) struct Root {
    pub(super) func: u32,
    pub(super) label: String,
}

/// The parsed call graph of a core module.
pub(crate) struct CallGraph {
    /// `(module, field)` of each imported function, indexed by function index.
    pub(super) imports: Vec<(String, String)>,
    /// Structural type id of every function (imports then defined ones).
    pub(super) func_types: Vec<usize>,
    /// Direct callees of each defined function (index = function index - imports), then of
    /// each node the model adds (see [`dispatch`]).
    pub(super) direct: Vec<Vec<u32>>,
    /// The direct calls of each defined function, in order, with their constant arguments.
    pub(super) sites: Vec<Vec<CallSite>>,
    /// Immutable globals and initial memory, to read constant arguments.
    pub(super) constants: Constants,
    /// Names of globals from the `name` section.
    pub(super) global_names: HashMap<u32, String>,
    /// Type ids each defined function calls indirectly.
    pub(super) indirect: Vec<Vec<usize>>,
    /// Address-taken functions, grouped by type id.
    pub(super) address_taken: HashMap<usize, Vec<u32>>,
    pub(super) roots: Vec<Root>,
    /// Names from the `name` section.
    pub(super) names: HashMap<u32, String>,
}

/// Interns function types so that equal types share one id.
#[derive(Default)]
struct TypeIds {
    ids: HashMap<FuncType, usize>,
    /// Id of each type index; `None` for non-function (GC) types.
    by_index: Vec<Option<usize>>,
    /// Parameter and result counts of each id.
    arity: Vec<(usize, usize)>,
}

impl TypeIds {
    fn push(&mut self, ty: Option<FuncType>) {
        let next = self.ids.len();
        let id = ty.map(|ty| {
            let arity = (ty.params().len(), ty.results().len());
            *self.ids.entry(ty).or_insert_with(|| {
                self.arity.push(arity);
                next
            })
        });
        self.by_index.push(id);
    }

    fn get(&self, index: u32, what: &str) -> Result<usize, String> {
        self.by_index
            .get(index as usize)
            .copied()
            .flatten()
            .ok_or_else(|| format!("{what} uses type {index}, which is not a function type"))
    }
}

impl operands::Types for TypeIds {
    fn id(&self, index: u32, what: &str) -> Result<usize, String> {
        self.get(index, what)
    }

    fn arity(&self, id: usize) -> (usize, usize) {
        self.arity.get(id).copied().unwrap_or((0, 0))
    }
}

impl CallGraph {
    /// Parses `bytes`, a core module (`index` is its place in the component, for errors).
    pub(crate) fn parse(index: usize, bytes: &[u8]) -> Result<Self, InspectError> {
        let parse_err = |source| InspectError::ParseModule { index, source };
        let malformed = |reason: String| InspectError::MalformedModule { index, reason };
        let mut types = TypeIds::default();
        let mut graph = CallGraph {
            imports: Vec::new(),
            func_types: Vec::new(),
            direct: Vec::new(),
            sites: Vec::new(),
            constants: Constants {
                data: operands::data_segments(bytes).map_err(parse_err)?,
                ..Constants::default()
            },
            global_names: HashMap::new(),
            indirect: Vec::new(),
            address_taken: HashMap::new(),
            roots: Vec::new(),
            names: HashMap::new(),
        };
        let mut taken: Vec<u32> = Vec::new();
        let mut start = None;
        let mut globals = 0u32;
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(parse_err)? {
                Payload::Version { encoding, .. } if encoding != wasmparser::Encoding::Module => {
                    return Err(malformed("not a core module".to_owned()));
                }
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(parse_err)?.into_types() {
                            types.push(match sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(ty) => Some(ty),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(parse_err)?;
                        if let TypeRef::Global(_) = import.ty {
                            globals += 1;
                        }
                        if let TypeRef::Func(ty) | TypeRef::FuncExact(ty) = import.ty {
                            graph
                                .func_types
                                .push(types.get(ty, "an import").map_err(malformed)?);
                            graph
                                .imports
                                .push((import.module.to_owned(), import.name.to_owned()));
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        let ty = ty.map_err(parse_err)?;
                        graph
                            .func_types
                            .push(types.get(ty, "a function").map_err(malformed)?);
                    }
                }
                Payload::GlobalSection(reader) => {
                    for global in reader {
                        let global = global.map_err(parse_err)?;
                        let expr = global.init_expr;
                        operands::ref_funcs(expr.get_operators_reader(), &mut taken)
                            .map_err(parse_err)?;
                        if let Some(value) = operands::const_i32(&expr)
                            && !global.ty.mutable
                        {
                            graph.constants.globals.insert(globals, value);
                        }
                        globals += 1;
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(parse_err)?;
                        if let ExternalKind::Func | ExternalKind::FuncExact = export.kind {
                            graph.roots.push(Root {
                                func: export.index,
                                label: export.name.to_owned(),
                            });
                        }
                    }
                }
                Payload::StartSection { func, .. } => start = Some(func),
                Payload::ElementSection(reader) => {
                    for element in reader {
                        match element.map_err(parse_err)?.items {
                            ElementItems::Functions(funcs) => {
                                for func in funcs {
                                    taken.push(func.map_err(parse_err)?);
                                }
                            }
                            ElementItems::Expressions(_, exprs) => {
                                for expr in exprs {
                                    let ops = expr.map_err(parse_err)?.get_operators_reader();
                                    operands::ref_funcs(ops, &mut taken).map_err(parse_err)?;
                                }
                            }
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let body = operands::scan_body(
                        &body,
                        &types,
                        &graph.func_types,
                        &graph.constants,
                        &mut taken,
                    )
                    .map_err(|fault| match fault {
                        Fault::Parse(source) => parse_err(source),
                        Fault::Malformed(reason) => malformed(reason),
                    })?;
                    let mut direct: Vec<u32> = body.sites.iter().map(|s| s.callee).collect();
                    direct.sort_unstable();
                    direct.dedup();
                    graph.direct.push(direct);
                    graph.sites.push(body.sites);
                    graph.indirect.push(body.indirect);
                }
                Payload::CustomSection(section) => {
                    if let KnownCustom::Name(reader) = section.as_known() {
                        // Names are only for display: a malformed name section is ignored.
                        for name in reader.into_iter().flatten() {
                            let (map, names) = match name {
                                Name::Function(map) => (map, &mut graph.names),
                                Name::Global(map) => (map, &mut graph.global_names),
                                _ => continue,
                            };
                            for naming in map.into_iter().flatten() {
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
                _ => {}
            }
        }

        let count = graph.func_types.len();
        if graph.imports.len() + graph.direct.len() != count {
            return Err(malformed(
                "function and code section have inconsistent lengths".to_owned(),
            ));
        }
        let check = |func: u32, what: &str| {
            if (func as usize) < count {
                Ok(())
            } else {
                Err(malformed(format!(
                    "{what} refers to function {func}, which does not exist"
                )))
            }
        };
        for &func in graph.direct.iter().flatten() {
            check(func, "a call")?;
        }
        for &func in &taken {
            check(func, "a table element or `ref.func`")?;
        }
        for root in &graph.roots {
            check(root.func, "an export")?;
        }
        if let Some(func) = start {
            check(func, "the start section")?;
            let label = graph.name(func);
            graph.roots.push(Root { func, label });
        }
        // std calls a binary's `main` through a function pointer; making it a root keeps the
        // program's own calls direct (see `model::is_entry_point`).
        let mut entries: Vec<u32> = graph
            .names
            .keys()
            .copied()
            .filter(|&f| model::is_entry_point(&graph.name(f)))
            .collect();
        entries.sort_unstable();
        for func in entries {
            let label = graph.name(func);
            graph.roots.push(Root { func, label });
        }
        taken.sort_unstable();
        taken.dedup();
        for func in taken {
            let ty = graph.func_types[func as usize];
            graph.address_taken.entry(ty).or_default().push(func);
        }
        dispatch::resolve(&mut graph);
        Ok(graph)
    }

    /// Display name of a function: its demangled name without the hash, or `func[N]`.
    pub(super) fn name(&self, func: u32) -> String {
        match self.names.get(&func) {
            Some(name) => format!("{:#}", rustc_demangle::demangle(name)),
            None => format!("func[{func}]"),
        }
    }

    /// The callees of `func`: direct ones, then those an indirect call may reach.
    fn callees<'a>(&'a self, func: u32, indirect: Indirect<'a>) -> impl Iterator<Item = u32> + 'a {
        let defined = (func as usize).checked_sub(self.imports.len());
        let direct = defined
            .and_then(|d| self.direct.get(d))
            .into_iter()
            .flatten();
        let targets = defined
            .filter(|_| !matches!(indirect, Indirect::None))
            .and_then(|d| self.indirect.get(d))
            .into_iter()
            .flatten()
            .filter_map(|ty| self.address_taken.get(ty))
            .flatten()
            .filter(move |f| match indirect {
                Indirect::Only(allowed) => allowed.contains(f),
                _ => true,
            });
        direct.chain(targets).copied()
    }

    /// Breadth-first search from the roots (so paths are shortest); returns how each reached
    /// function was reached, following the indirect calls `indirect` says.
    pub(super) fn search(&self, indirect: Indirect<'_>, cuts: &HashSet<u32>) -> HashMap<u32, Step> {
        let mut seen: HashMap<u32, Step> = HashMap::new();
        let mut queue = VecDeque::new();
        for (index, root) in self.roots.iter().enumerate() {
            if let Entry::Vacant(entry) = seen.entry(root.func) {
                entry.insert(Step::Root(index));
                queue.push_back(root.func);
            }
        }
        while let Some(func) = queue.pop_front() {
            if cuts.contains(&func) {
                continue;
            }
            for callee in self.callees(func, indirect) {
                if let Entry::Vacant(entry) = seen.entry(callee) {
                    entry.insert(Step::From(func));
                    queue.push_back(callee);
                }
            }
        }
        seen
    }

    /// The path from a root to `func` in a search result, as display names.
    pub(super) fn path(&self, seen: &HashMap<u32, Step>, func: u32) -> Vec<String> {
        let mut path = Vec::new();
        let mut current = func;
        // A search result is a tree, so this walk ends; the bound only guards against bugs.
        for _ in 0..=seen.len() {
            match seen.get(&current) {
                Some(Step::From(caller)) => {
                    path.push(self.name(current));
                    current = *caller;
                }
                Some(Step::Root(index)) => {
                    path.push(self.roots[*index].label.clone());
                    break;
                }
                None => break,
            }
        }
        path.reverse();
        path
    }
}

/// Which indirect calls a search follows.
#[derive(Clone, Copy)]
pub(super) enum Indirect<'a> {
    /// None: direct calls only.
    None,
    /// Every one, to every address-taken function of its type.
    All,
    /// Only to these address-taken functions.
    Only(&'a HashSet<u32>),
}

/// How a function was reached in a search.
#[derive(Clone, Copy)]
pub(super) enum Step {
    /// It is the root with this index.
    Root(usize),
    /// It is called by this function.
    From(u32),
}
