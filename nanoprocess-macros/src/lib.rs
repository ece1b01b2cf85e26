//! The `#[nanoprocess::boundary]` and `#[nanoprocess::local]` attributes. Use them through the
//! `nanoprocess` crate.

#![deny(missing_docs)]

use std::collections::BTreeSet;

use proc_macro::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{Fields, Item, ItemMod, Visibility};

mod expand;
mod types;

use types::{Passing, Ty};

/// Declares a nanoprocess boundary: the module's `pub fn`s are the functions a parent can call,
/// its `pub struct`s and `pub enum`s the records and variants they exchange.
///
/// The WIT interface `nano:<crate>/<module>` is generated from the signatures. With the crate's
/// `nano-export` feature the component exports it; with `nano-import` the functions keep their
/// signatures but call the child component. A signature that cannot cross is a compile error
/// at the offending type.
#[proc_macro_attribute]
pub fn boundary(attr: TokenStream, item: TokenStream) -> TokenStream {
    let attr = proc_macro2::TokenStream::from(attr);
    if !attr.is_empty() {
        return syn::Error::new(attr.span(), "`#[nanoprocess::boundary]` takes no arguments")
            .to_compile_error()
            .into();
    }
    let module = syn::parse_macro_input!(item as ItemMod);
    match Boundary::parse(&module) {
        Ok(boundary) => expand::expand(&module, &boundary).into(),
        Err(err) => err.to_compile_error().into(),
    }
}

/// Marks an item as part of the implementation only: it is left out of a parent's
/// import-only build (`nano-import` without `nano-export`), where the child's code never runs.
#[proc_macro_attribute]
pub fn local(_attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    quote!(#[cfg(any(feature = "nano-export", not(feature = "nano-import")))] #item).into()
}

/// What a boundary module declares.
pub(crate) struct Boundary {
    /// `nano:<package>`, kebab-case.
    pub package: String,
    /// The interface name (the module's), kebab-case.
    pub interface: String,
    /// Records and variants.
    pub types: Vec<TypeDef>,
    /// Functions, by index of the module's items.
    pub functions: Vec<Function>,
}

/// A record or variant.
pub(crate) enum TypeDef {
    /// A struct with named fields.
    Record {
        /// Rust name.
        name: String,
        /// Fields: Rust name and type.
        fields: Vec<(String, Ty)>,
    },
    /// An enum whose variants are units or carry one value.
    Variant {
        /// Rust name.
        name: String,
        /// Cases: Rust name and payload.
        cases: Vec<(String, Option<Ty>)>,
    },
}

/// A boundary function.
pub(crate) struct Function {
    /// Index in the module's items.
    pub item: usize,
    /// Rust name.
    pub name: String,
    /// Parameters: Rust name, type, how it is passed.
    pub params: Vec<(syn::Ident, Ty, Passing)>,
    /// Result type.
    pub result: Option<Ty>,
}

impl Boundary {
    fn parse(module: &ItemMod) -> syn::Result<Boundary> {
        let Some((_, items)) = &module.content else {
            return Err(syn::Error::new(
                module.span(),
                "`#[nanoprocess::boundary]` needs an inline module (`mod api { ... }`)",
            ));
        };
        let package = std::env::var("CARGO_PKG_NAME")
            .map_err(|_| syn::Error::new(module.span(), "`CARGO_PKG_NAME` is not set"))?
            .replace('_', "-");
        let is_pub = |vis: &Visibility| matches!(vis, Visibility::Public(_));
        let named: BTreeSet<String> = items
            .iter()
            .filter_map(|item| match item {
                Item::Struct(s) if is_pub(&s.vis) => Some(s.ident.to_string()),
                Item::Enum(e) if is_pub(&e.vis) => Some(e.ident.to_string()),
                _ => None,
            })
            .collect();
        let mut errors: Option<syn::Error> = None;
        let mut push = |err: syn::Error| match &mut errors {
            Some(all) => all.combine(err),
            None => errors = Some(err),
        };
        let mut types = Vec::new();
        let mut functions = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let parsed = match item {
                Item::Struct(s) if is_pub(&s.vis) => record(s, &named).map(|t| types.push(t)),
                Item::Enum(e) if is_pub(&e.vis) => variant(e, &named).map(|t| types.push(t)),
                Item::Fn(f) if is_pub(&f.vis) => {
                    function(index, &f.sig, &named).map(|f| functions.push(f))
                }
                _ => Ok(()),
            };
            if let Err(err) = parsed {
                push(err);
            }
        }
        if let Some(err) = errors {
            return Err(err);
        }
        Ok(Boundary {
            package,
            interface: types::wit_name(&module.ident.to_string())
                .trim_start_matches('%')
                .to_string(),
            types,
            functions,
        })
    }

    /// The WIT document: the interface and the worlds `exports` and `imports`.
    pub fn wit(&self) -> String {
        let mut out = format!(
            "package nano:{};\n\ninterface {} {{\n",
            self.package, self.interface
        );
        for def in &self.types {
            match def {
                TypeDef::Record { name, fields } => {
                    out += &format!("  record {} {{\n", types::wit_name(name));
                    for (field, ty) in fields {
                        out += &format!("    {}: {},\n", types::wit_name(field), ty.wit());
                    }
                }
                TypeDef::Variant { name, cases } => {
                    out += &format!("  variant {} {{\n", types::wit_name(name));
                    for (case, ty) in cases {
                        match ty {
                            Some(ty) => {
                                out += &format!("    {}({}),\n", types::wit_name(case), ty.wit())
                            }
                            None => out += &format!("    {},\n", types::wit_name(case)),
                        }
                    }
                }
            }
            out += "  }\n";
        }
        for f in &self.functions {
            let params: Vec<String> = f
                .params
                .iter()
                .map(|(name, ty, _)| {
                    format!("{}: {}", types::wit_name(&name.to_string()), ty.wit())
                })
                .collect();
            let result = f.result.as_ref().map(|t| format!(" -> {}", t.wit()));
            out += &format!(
                "  {}: func({}){};\n",
                types::wit_name(&f.name),
                params.join(", "),
                result.unwrap_or_default()
            );
        }
        out += &format!(
            "}}\n\nworld exports {{\n  export {0};\n}}\n\nworld imports {{\n  import {0};\n}}\n",
            self.interface
        );
        out
    }
}

fn no_generics(generics: &syn::Generics, what: &str) -> syn::Result<()> {
    if generics.params.is_empty() && generics.where_clause.is_none() {
        return Ok(());
    }
    Err(syn::Error::new(
        generics.span(),
        format!(
            "generic {what} cannot cross a nanoprocess boundary: WIT has one concrete type for \
             each value; use concrete types"
        ),
    ))
}

fn record(s: &syn::ItemStruct, named: &BTreeSet<String>) -> syn::Result<TypeDef> {
    no_generics(&s.generics, "structs")?;
    let Fields::Named(fields) = &s.fields else {
        return Err(syn::Error::new(
            s.ident.span(),
            "a struct that crosses a nanoprocess boundary needs named fields (it becomes a WIT \
             record)",
        ));
    };
    let fields = fields
        .named
        .iter()
        .map(|f| {
            let name = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
            if !matches!(f.vis, Visibility::Public(_)) {
                return Err(syn::Error::new(
                    f.span(),
                    "every field of a boundary struct must be `pub`: the other side builds it",
                ));
            }
            Ok((name, types::value(&f.ty, named)?))
        })
        .collect::<syn::Result<_>>()?;
    Ok(TypeDef::Record {
        name: s.ident.to_string(),
        fields,
    })
}

fn variant(e: &syn::ItemEnum, named: &BTreeSet<String>) -> syn::Result<TypeDef> {
    no_generics(&e.generics, "enums")?;
    if e.variants.is_empty() {
        return Err(syn::Error::new(
            e.ident.span(),
            "an empty enum cannot cross",
        ));
    }
    let cases = e
        .variants
        .iter()
        .map(|v| {
            let ty = match &v.fields {
                Fields::Unit => None,
                Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                    Some(types::value(&f.unnamed[0].ty, named)?)
                }
                _ => {
                    return Err(syn::Error::new(
                        v.span(),
                        "an enum variant that crosses a nanoprocess boundary is a unit or carries \
                         exactly one value (`Name(T)`); put several values in a struct",
                    ));
                }
            };
            Ok((v.ident.to_string(), ty))
        })
        .collect::<syn::Result<_>>()?;
    Ok(TypeDef::Variant {
        name: e.ident.to_string(),
        cases,
    })
}

fn function(item: usize, sig: &syn::Signature, named: &BTreeSet<String>) -> syn::Result<Function> {
    let refuse = |span: proc_macro2::Span, why: &str| Err(syn::Error::new(span, why.to_string()));
    no_generics(&sig.generics, "functions")?;
    if let Some(t) = &sig.asyncness {
        return refuse(
            t.span,
            "`async fn` cannot cross a nanoprocess boundary (yet)",
        );
    }
    if let Some(t) = &sig.constness {
        return refuse(
            t.span,
            "a `const fn` cannot cross: the call happens at run time",
        );
    }
    if let Some(t) = &sig.unsafety {
        return refuse(t.span, "an `unsafe fn` cannot cross a nanoprocess boundary");
    }
    if sig.abi.is_some() || sig.variadic.is_some() {
        return refuse(sig.span(), "`extern` and variadic functions cannot cross");
    }
    let mut params = Vec::new();
    for input in &sig.inputs {
        let typed = match input {
            syn::FnArg::Receiver(r) => {
                return refuse(
                    r.span(),
                    "methods cannot cross a nanoprocess boundary: `self` lives in one memory; \
                     use a free function",
                );
            }
            syn::FnArg::Typed(t) => t,
        };
        let syn::Pat::Ident(pat) = &*typed.pat else {
            return refuse(typed.pat.span(), "boundary parameters must be plain names");
        };
        let (ty, passing) = types::param(&typed.ty, named)?;
        params.push((pat.ident.clone(), ty, passing));
    }
    Ok(Function {
        item,
        name: sig.ident.to_string(),
        params,
        result: types::result(&sig.output, named)?,
    })
}
