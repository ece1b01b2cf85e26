//! Reading a nano child's crate and keeping what its parents' import-only build compiles.
//!
//! In a parent's build the child is compiled with `nano-import` and without `nano-export`, where
//! `#[nanoprocess::boundary]` keeps of each boundary module only its public functions' signatures
//! (calls to the child's component), its `pub struct`s and `pub enum`s, and its `use`, `impl`
//! and macro items (`nanoprocess-macros`, `expand.rs`). The view keeps exactly that, the modules
//! that hold boundary modules, and the re-exports of them. Anything else a parent could see or
//! link (a `pub fn` outside a boundary, a trait impl on a public type, a `#[no_mangle]` item, a
//! macro invocation that may define items) makes the view [`FullSource`]: the parent is then
//! built from the child's whole source, as before.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Attribute, Item, ItemMod, Visibility};

use super::predicates::{
    attrs_of, declaration, impl_of_private, is_boundary, is_pub, linking, mentions, module_file,
    names_crate, private_types, reaches_out, reexports_only, skipped,
};

/// Why a child's parents are built from its full source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullSource {
    /// The file of the item that prevents the view.
    pub file: PathBuf,
    /// Its line (1-based), or 0 for the whole file.
    pub line: usize,
    /// What it is, as a phrase (``a `pub fn` outside a boundary module``).
    pub reason: String,
}

impl std::fmt::Display for FullSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file.display(), self.reason),
            line => write!(f, "{}:{line}: {}", self.file.display(), self.reason),
        }
    }
}

/// The view of the crate whose root is `root` and whose nano children are the crates named
/// `children` (Rust crate names, `_` for `-`): the source of a crate with the same import-only
/// build, or why there is none.
///
/// A view never names a nano child: a parent's build then links nothing of its grandchildren,
/// which is what lets their native compiles be placeholders ([`super::plan`]).
pub fn view(root: &Path, children: &[String]) -> Result<String, FullSource> {
    let file = parse(root)?;
    let dir = root.parent().unwrap_or(Path::new(".")).to_path_buf();
    let items = Module {
        file: root,
        dir,
        exported: true,
    }
    .items(&file.items)?;
    let mut attrs: Vec<Attribute> = file
        .attrs
        .into_iter()
        .filter(|a| {
            let tokens = a.to_token_stream().to_string();
            a.path().is_ident("no_std")
                || a.path().is_ident("no_implicit_prelude")
                || (a.path().is_ident("cfg_attr") && tokens.contains("no_std"))
        })
        .collect();
    // The view holds the child's code as written; its lints are the child's business.
    attrs.push(syn::parse_quote!(#![allow(warnings)]));
    let view = syn::File {
        shebang: None,
        attrs,
        items,
    };
    if let Some(child) = children
        .iter()
        .find(|c| names_crate(&view.to_token_stream(), c))
    {
        return Err(FullSource {
            file: root.to_path_buf(),
            line: 0,
            reason: format!("its boundary names its nano child `{child}`"),
        });
    }
    Ok(prettyplease::unparse(&view))
}

fn parse(path: &Path) -> Result<syn::File, FullSource> {
    let text = std::fs::read_to_string(path).map_err(|e| FullSource {
        file: path.to_path_buf(),
        line: 0,
        reason: format!("cannot be read ({e})"),
    })?;
    syn::parse_file(&text).map_err(|e| FullSource {
        file: path.to_path_buf(),
        line: e.span().start().line,
        reason: format!("does not parse as cargo-nano reads it ({e})"),
    })
}

/// One module being read.
struct Module<'a> {
    /// Its file.
    file: &'a Path,
    /// Where the files of its out-of-line submodules are.
    dir: PathBuf,
    /// Whether its public items are visible from outside the crate.
    exported: bool,
}

impl Module<'_> {
    fn refuse<T>(&self, at: &dyn Spanned, reason: impl Into<String>) -> Result<T, FullSource> {
        Err(FullSource {
            file: self.file.to_path_buf(),
            line: at.span().start().line,
            reason: reason.into(),
        })
    }

    /// The kept items of a module, in their order.
    fn items(&self, items: &[Item]) -> Result<Vec<Item>, FullSource> {
        let private_types = private_types(items);
        let mut kept = Vec::new();
        let mut modules = BTreeSet::new();
        // Modules first: a re-export may come before the module it names.
        let mut out: Vec<Option<Item>> = Vec::new();
        for item in items {
            if skipped(attrs_of(item)) {
                out.push(None);
                continue;
            }
            if let Some(attr) = attrs_of(item).iter().find(|a| linking(a)) {
                return self.refuse(attr, "an item the linker keeps even when unused");
            }
            let item = match item {
                Item::Mod(m) => self.module(m)?.inspect(|m| {
                    if let Item::Mod(m) = m {
                        modules.insert(m.ident.to_string());
                    }
                }),
                other => Some(other.clone()),
            };
            out.push(item);
        }
        for item in out.into_iter().flatten() {
            if let Some(item) = self.other(item, &modules, &private_types)? {
                kept.push(item);
            }
        }
        Ok(kept)
    }

    /// A module: kept (boundary, or holding one), dropped, or refused.
    fn module(&self, m: &ItemMod) -> Result<Option<Item>, FullSource> {
        if is_boundary(&m.attrs) {
            return boundary(m).map(|m| Some(Item::Mod(m))).or_else(|at| {
                self.refuse(
                    &at,
                    "a boundary module that names items outside it or includes a file",
                )
            });
        }
        let name = m.ident.to_string();
        let inner = Module {
            file: self.file,
            dir: self.dir.join(&name),
            exported: self.exported && is_pub(&m.vis),
        };
        let items = match &m.content {
            Some((_, items)) => inner.items(items)?,
            None => {
                if m.attrs.iter().any(|a| a.path().is_ident("path")) {
                    return self.refuse(m, "a module with a `#[path]` attribute");
                }
                let Some(file) = module_file(&self.dir, &name) else {
                    return self.refuse(m, format!("module `{name}`, whose file is not found"));
                };
                let parsed = parse(&file)?;
                let inner = Module {
                    file: &file,
                    ..inner
                };
                inner.items(&parsed.items)?
            }
        };
        if items.is_empty() {
            return Ok(None);
        }
        let mut kept = m.clone();
        kept.attrs.retain(|a| !a.path().is_ident("doc"));
        kept.content = Some((Default::default(), items));
        kept.semi = None;
        Ok(Some(Item::Mod(kept)))
    }

    /// Any other item: kept, dropped, or refused.
    fn other(
        &self,
        item: Item,
        modules: &BTreeSet<String>,
        private_types: &BTreeSet<String>,
    ) -> Result<Option<Item>, FullSource> {
        let visible = |vis: &Visibility| self.exported && is_pub(vis);
        match &item {
            // Only kept modules get here.
            Item::Mod(_) => Ok(Some(item)),
            Item::ExternCrate(e) if visible(&e.vis) => self.refuse(e, "a `pub extern crate`"),
            Item::ExternCrate(_) => Ok(Some(item)),
            Item::Use(u) if visible(&u.vis) => {
                if reexports_only(&u.tree, modules) {
                    Ok(Some(item))
                } else {
                    self.refuse(u, "a `pub use` of something outside the boundary modules")
                }
            }
            // `use nanoprocess::boundary;` makes `#[boundary]` mean the attribute.
            Item::Use(u) => Ok(mentions(&u.tree.to_token_stream(), "nanoprocess").then_some(item)),
            Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                if m.attrs.iter().any(|a| a.path().is_ident("macro_export")) {
                    self.refuse(m, "an exported `macro_rules!`")
                } else {
                    Ok(Some(item))
                }
            }
            Item::Macro(m) => self.refuse(m, "a macro invocation, which may define items"),
            // Methods and trait impls of a type no one outside sees.
            Item::Impl(i) if impl_of_private(&i.self_ty, private_types) => Ok(None),
            Item::Impl(i) => self.refuse(i, "an `impl` outside a boundary module"),
            Item::ForeignMod(_) => Ok(None),
            // Private declarations are invisible to parents; public ones are refused.
            other => match declaration(other) {
                Some((vis, keyword)) if visible(vis) => self.refuse(
                    other,
                    format!("a `pub {keyword}` outside a boundary module"),
                ),
                Some(_) => Ok(None),
                None if matches!(other, Item::TraitAlias(_)) => Ok(None),
                None => self.refuse(other, "an item cargo-nano does not read"),
            },
        }
    }
}

/// The boundary module as an import-only build compiles it: public function signatures (with an
/// empty body), public structs and enums, `use`, `impl` and macro items. Errs at an item that
/// names something outside the module or includes a file.
fn boundary(m: &ItemMod) -> Result<ItemMod, proc_macro2::Span> {
    let Some((brace, items)) = &m.content else {
        // The attribute itself refuses an out-of-line module.
        return Err(m.span());
    };
    let mut kept = Vec::new();
    for item in items {
        let item = match item {
            Item::Fn(f) if is_pub(&f.vis) => {
                let mut f = f.clone();
                f.block = Box::new(syn::parse_quote!({ ::core::unreachable!() }));
                Item::Fn(f)
            }
            Item::Struct(s) if is_pub(&s.vis) => item.clone(),
            Item::Enum(e) if is_pub(&e.vis) => item.clone(),
            Item::Use(_) | Item::Impl(_) | Item::Macro(_) => item.clone(),
            _ => continue,
        };
        if reaches_out(&item.to_token_stream()) {
            return Err(item.span());
        }
        kept.push(item);
    }
    let mut out = m.clone();
    out.content = Some((*brace, kept));
    for attr in &out.attrs {
        if reaches_out(&attr.to_token_stream()) {
            return Err(attr.span());
        }
    }
    Ok(out)
}
