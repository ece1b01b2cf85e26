//! Interface compatibility between each parent and its nano children, checked before composing.
//!
//! A parent's component records, in its imports, the type of each child interface it was
//! compiled against; a child's component records what it exports. When a child changed
//! incompatibly (a function removed, a parameter or a record field changed), the two differ, and
//! the build stops here with both packages named, instead of failing inside composition (or, worse,
//! linking a call to a function with another meaning).

use std::collections::HashMap;

use wac_types::{
    DefinedType, DefinedTypeId, FuncTypeId, InterfaceId, ItemKind, Package, Type, Types, ValueType,
};

use crate::graph::NanoGraph;

/// An error of the compatibility check.
#[derive(Debug, thiserror::Error)]
pub enum CompatError {
    /// Children do not export what their parents were compiled against.
    #[error("{}", render(.0))]
    Mismatches(Vec<Mismatch>),
    /// A component's type could not be read.
    #[error("failed to read the component type of package `{package}`: {message}")]
    Load {
        /// The package.
        package: String,
        /// What wac said.
        message: String,
    },
}

fn render(mismatches: &[Mismatch]) -> String {
    let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

/// Fails when a child does not export what its parent was compiled against ([`check`]).
pub fn ensure(graph: &NanoGraph, components: &[Vec<u8>]) -> Result<(), CompatError> {
    let mismatches = check(graph, components)?;
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(CompatError::Mismatches(mismatches))
    }
}

/// One function a parent expects and a child does not provide as expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "package `{parent}` expects `{interface}` function `{function}: {expected}` but `{child}` {child_version} {found}"
)]
pub struct Mismatch {
    /// The importer.
    pub parent: String,
    /// The child.
    pub child: String,
    /// The child's version.
    pub child_version: String,
    /// The interface, e.g. `nano:extractor/api`.
    pub interface: String,
    /// The function.
    pub function: String,
    /// Its type in the parent's import.
    pub expected: String,
    /// What the child has instead, as a phrase.
    pub found: String,
}

/// Checks every parent's imports of its children's interfaces against the children's exports.
/// `components[i]` is the component of `graph.packages[i]`.
pub fn check(graph: &NanoGraph, components: &[Vec<u8>]) -> Result<Vec<Mismatch>, CompatError> {
    let mut types = Types::default();
    let mut worlds = Vec::new();
    for (pkg, bytes) in graph.packages.iter().zip(components) {
        let loaded =
            Package::from_bytes(&pkg.info.name, None, bytes.clone(), &mut types).map_err(|e| {
                CompatError::Load {
                    package: pkg.info.name.clone(),
                    message: format!("{e:#}"),
                }
            })?;
        worlds.push(loaded.ty());
    }
    let mut mismatches = Vec::new();
    for (p, parent) in graph.packages.iter().enumerate() {
        for c in parent.children.iter().map(|c| c.package) {
            let child = &graph.packages[c];
            for (name, kind) in &types[worlds[p]].imports {
                let ItemKind::Instance(imported) = kind else {
                    continue;
                };
                let Some(ItemKind::Instance(exported)) = types[worlds[c]].exports.get(name) else {
                    continue;
                };
                for (function, found) in compare(&types, *imported, *exported) {
                    mismatches.push(Mismatch {
                        parent: parent.info.name.clone(),
                        child: child.info.name.clone(),
                        child_version: child.info.version.to_string(),
                        interface: name.clone(),
                        function: function.0,
                        expected: function.1,
                        found,
                    });
                }
            }
        }
    }
    Ok(mismatches)
}

/// `((function, expected type), what was found)` for each imported function that differs.
fn compare(
    types: &Types,
    imported: InterfaceId,
    exported: InterfaceId,
) -> Vec<((String, String), String)> {
    let import_names = type_names(types, imported);
    let export_names = type_names(types, exported);
    let mut out = Vec::new();
    for (name, kind) in &types[imported].exports {
        let ItemKind::Func(want) = kind else {
            continue;
        };
        let want_text = func(types, *want, &import_names, false);
        let found = match types[exported].exports.get(name) {
            Some(ItemKind::Func(have)) => {
                let same = func(types, *want, &import_names, true)
                    == func(types, *have, &export_names, true);
                if same {
                    continue;
                }
                let mut have_text = func(types, *have, &export_names, false);
                let mut want_text = want_text.clone();
                if have_text == want_text {
                    // The difference is inside a named type: show the structure.
                    have_text = func(types, *have, &export_names, true);
                    want_text = func(types, *want, &import_names, true);
                    out.push((
                        (name.clone(), want_text),
                        format!("exports `{name}: {have_text}`"),
                    ));
                    continue;
                }
                format!("exports `{name}: {have_text}`")
            }
            Some(_) => format!("exports `{name}` as something other than a function"),
            None => format!("does not export function `{name}`"),
        };
        out.push(((name.clone(), want_text), found));
    }
    out
}

/// Names of the types an interface exports, to show them by name.
fn type_names(types: &Types, iface: InterfaceId) -> HashMap<DefinedTypeId, String> {
    types[iface]
        .exports
        .iter()
        .filter_map(|(name, kind)| match kind {
            ItemKind::Type(Type::Value(ValueType::Defined(id))) => Some((*id, name.clone())),
            _ => None,
        })
        .collect()
}

fn func(
    types: &Types,
    id: FuncTypeId,
    names: &HashMap<DefinedTypeId, String>,
    expand: bool,
) -> String {
    let f = &types[id];
    let params: Vec<String> = f
        .params
        .iter()
        .map(|(name, ty)| format!("{name}: {}", value(types, *ty, names, expand)))
        .collect();
    let result = f
        .result
        .map(|ty| format!(" -> {}", value(types, ty, names, expand)))
        .unwrap_or_default();
    format!("func({}){result}", params.join(", "))
}

/// A value type as WIT text; `expand` spells records and variants out structurally.
fn value(
    types: &Types,
    ty: ValueType,
    names: &HashMap<DefinedTypeId, String>,
    expand: bool,
) -> String {
    let id = match ty {
        ValueType::Primitive(p) => return primitive(p).to_string(),
        ValueType::Borrow(_) => return "borrow<resource>".into(),
        ValueType::Own(_) => return "own<resource>".into(),
        ValueType::Defined(id) => id,
    };
    let v = |t: ValueType| value(types, t, names, expand);
    let named = names.get(&id);
    if let (Some(name), false) = (named, expand) {
        return name.clone();
    }
    match &types[id] {
        DefinedType::Tuple(items) => {
            let items: Vec<String> = items.iter().map(|t| v(*t)).collect();
            format!("tuple<{}>", items.join(", "))
        }
        DefinedType::List(t) => format!("list<{}>", v(*t)),
        DefinedType::FixedSizeList(t, n) => format!("list<{}, {n}>", v(*t)),
        DefinedType::Map(k, t) => format!("map<{}, {}>", v(*k), v(*t)),
        DefinedType::Option(t) => format!("option<{}>", v(*t)),
        DefinedType::Result { ok, err } => {
            let ok = ok.map_or_else(|| "_".into(), v);
            match err {
                Some(e) => format!("result<{ok}, {}>", v(*e)),
                None => format!("result<{ok}>"),
            }
        }
        DefinedType::Variant(variant) => {
            let cases: Vec<String> = variant
                .cases
                .iter()
                .map(|(c, t)| t.map_or_else(|| c.clone(), |t| format!("{c}({})", v(t))))
                .collect();
            format!("{}variant {{ {} }}", label(named), cases.join(", "))
        }
        DefinedType::Record(record) => {
            let fields: Vec<String> = record
                .fields
                .iter()
                .map(|(f, t)| format!("{f}: {}", v(*t)))
                .collect();
            format!("{}record {{ {} }}", label(named), fields.join(", "))
        }
        DefinedType::Flags(flags) => {
            let flags: Vec<&str> = flags.0.iter().map(String::as_str).collect();
            format!("{}flags {{ {} }}", label(named), flags.join(", "))
        }
        DefinedType::Enum(cases) => {
            let cases: Vec<&str> = cases.0.iter().map(String::as_str).collect();
            format!("{}enum {{ {} }}", label(named), cases.join(", "))
        }
        DefinedType::Alias(t) => v(*t),
        DefinedType::Stream(t) => format!("stream<{}>", t.map_or_else(|| "_".into(), v)),
        DefinedType::Future(t) => format!("future<{}>", t.map_or_else(|| "_".into(), v)),
    }
}

fn label(name: Option<&String>) -> String {
    name.map(|n| format!("{n}: ")).unwrap_or_default()
}

fn primitive(p: wac_types::PrimitiveType) -> &'static str {
    use wac_types::PrimitiveType as P;
    match p {
        P::U8 => "u8",
        P::S8 => "s8",
        P::U16 => "u16",
        P::S16 => "s16",
        P::U32 => "u32",
        P::S32 => "s32",
        P::U64 => "u64",
        P::S64 => "s64",
        P::F32 => "f32",
        P::F64 => "f64",
        P::Char => "char",
        P::Bool => "bool",
        P::String => "string",
        P::ErrorContext => "error-context",
    }
}
