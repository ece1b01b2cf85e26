//! What the view reads off items, attributes and tokens.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::{Attribute, Item, UseTree, Visibility};

/// Attributes that link an item into whatever crate links this one, even a private one.
const LINKING: &[&str] = &[
    "no_mangle",
    "export_name",
    "link_section",
    "used",
    "global_allocator",
    "panic_handler",
];

/// Whether `tokens` use the crate `name`: `name::…`, `use name;` or `extern crate name`.
pub(super) fn names_crate(tokens: &TokenStream, name: &str) -> bool {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let ident = |i: usize, s: &str| matches!(trees.get(i), Some(TokenTree::Ident(id)) if id == s);
    trees.iter().enumerate().any(|(i, t)| match t {
        TokenTree::Group(g) => names_crate(&g.stream(), name),
        TokenTree::Ident(id) if id == name => {
            let path = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':');
            let used = i > 0 && (ident(i - 1, "use") || ident(i - 1, "crate"));
            path || used
        }
        _ => false,
    })
}

pub(super) fn attrs_of(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The visibility and keyword (`fn`, `struct`…) of a declaration a parent could name.
pub(super) fn declaration(item: &Item) -> Option<(&Visibility, &'static str)> {
    Some(match item {
        Item::Fn(i) => (&i.vis, "fn"),
        Item::Struct(i) => (&i.vis, "struct"),
        Item::Enum(i) => (&i.vis, "enum"),
        Item::Const(i) => (&i.vis, "const"),
        Item::Static(i) => (&i.vis, "static"),
        Item::Trait(i) => (&i.vis, "trait"),
        Item::Type(i) => (&i.vis, "type"),
        Item::Union(i) => (&i.vis, "union"),
        _ => return None,
    })
}

/// `#[cfg(test)]` and `#[nanoprocess::local]` items: never in a parent's build.
pub(super) fn skipped(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        let cfg_test = a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string() == "test");
        cfg_test || is_nanoprocess(a, "local")
    })
}

/// Whether `attr` is `#[nanoprocess::NAME]`, or `#[NAME]` (after `use nanoprocess::NAME;`).
fn is_nanoprocess(attr: &Attribute, name: &str) -> bool {
    let path: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    path == ["nanoprocess", name] || path == [name]
}

pub(super) fn linking(attr: &Attribute) -> bool {
    let tokens = attr.to_token_stream();
    LINKING
        .iter()
        .any(|name| attr.path().is_ident(name) || mentions(&tokens, name))
}

pub(super) fn is_boundary(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| is_nanoprocess(a, "boundary"))
}

pub(super) fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The file of `mod name;` declared in a module whose submodule files are in `dir`.
pub(super) fn module_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let flat = dir.join(format!("{name}.rs"));
    let nested = dir.join(name).join("mod.rs");
    [flat, nested].into_iter().find(|p| p.is_file())
}

/// The names of the types declared here that no one outside the crate sees.
pub(super) fn private_types(items: &[Item]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if !is_pub(&s.vis) => Some(s.ident.to_string()),
            Item::Enum(e) if !is_pub(&e.vis) => Some(e.ident.to_string()),
            Item::Union(u) if !is_pub(&u.vis) => Some(u.ident.to_string()),
            _ => None,
        })
        .collect()
}

pub(super) fn impl_of_private(ty: &syn::Type, private: &BTreeSet<String>) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.len() == 1
        && private.contains(&p.path.segments[0].ident.to_string()))
}

/// Whether every path a `use` tree names starts at one of `modules` (kept modules of this level).
pub(super) fn reexports_only(tree: &UseTree, modules: &BTreeSet<String>) -> bool {
    match tree {
        UseTree::Path(p) if p.ident == "self" || p.ident == "crate" => {
            reexports_only(&p.tree, modules)
        }
        UseTree::Path(p) => modules.contains(&p.ident.to_string()),
        UseTree::Group(g) => g.items.iter().all(|t| reexports_only(t, modules)),
        UseTree::Name(n) => modules.contains(&n.ident.to_string()),
        UseTree::Rename(r) => modules.contains(&r.ident.to_string()),
        UseTree::Glob(_) => false,
    }
}

pub(super) fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == name,
        TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

/// Whether `tokens` hold a path through `super::` or `crate::`, or an `include*!` macro: what
/// the view cannot carry, since it holds only the boundary modules.
pub(super) fn reaches_out(tokens: &TokenStream) -> bool {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    trees.iter().enumerate().any(|(i, t)| match t {
        TokenTree::Group(g) => reaches_out(&g.stream()),
        TokenTree::Ident(id) if id == "super" || id == "crate" => {
            matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == ':')
        }
        TokenTree::Ident(id) if id.to_string().starts_with("include") => {
            matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
        }
        _ => false,
    })
}
