//! Rust types that can cross a nanoprocess boundary, and their WIT and Rust renderings.

use std::collections::BTreeSet;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type};

/// A type that can cross, in a form every rendering can use.
#[derive(Clone, Debug)]
pub enum Ty {
    /// A primitive: the WIT name and the Rust name.
    Prim(&'static str, &'static str),
    /// `String`.
    String,
    /// `Vec<T>`.
    List(Box<Ty>),
    /// `Option<T>`.
    Option(Box<Ty>),
    /// `Result<T, E>`; `()` is `None`.
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    /// A record or variant declared in the boundary module: its Rust name.
    Named(String),
}

/// How a parameter is taken by the Rust function.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Passing {
    /// By value.
    Owned,
    /// `&str`.
    Str,
    /// `&[T]`.
    Slice,
    /// `&T`.
    Ref,
}

const PRIMS: &[(&str, &str)] = &[
    ("u8", "u8"),
    ("u16", "u16"),
    ("u32", "u32"),
    ("u64", "u64"),
    ("i8", "s8"),
    ("i16", "s16"),
    ("i32", "s32"),
    ("i64", "s64"),
    ("f32", "f32"),
    ("f64", "f64"),
    ("bool", "bool"),
    ("char", "char"),
];

const CROSSES: &str = "only strings, byte slices, integers, floats, bools, chars, `Option`, \
    `Result`, `Vec`/slices of these, and structs and enums declared in the boundary module can \
    cross a nanoprocess boundary";

fn err(span: &impl Spanned, why: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(span.span(), why)
}

/// Maps a parameter type (which may be a shared reference).
pub fn param(ty: &Type, named: &BTreeSet<String>) -> syn::Result<(Ty, Passing)> {
    if let Type::Reference(r) = ty {
        if r.mutability.is_some() {
            return Err(err(
                ty,
                "`&mut` cannot cross a nanoprocess boundary: the callee runs in another memory \
                 and cannot write into the caller's; return the new value instead",
            ));
        }
        return match &*r.elem {
            Type::Path(p) if p.path.is_ident("str") => Ok((Ty::String, Passing::Str)),
            Type::Slice(s) => Ok((Ty::List(Box::new(value(&s.elem, named)?)), Passing::Slice)),
            other => Ok((value(other, named)?, Passing::Ref)),
        };
    }
    Ok((value(ty, named)?, Passing::Owned))
}

/// Maps a return type; `None` for `()`.
pub fn result(ty: &syn::ReturnType, named: &BTreeSet<String>) -> syn::Result<Option<Ty>> {
    match ty {
        syn::ReturnType::Default => Ok(None),
        syn::ReturnType::Type(_, t) => match &**t {
            Type::Tuple(t) if t.elems.is_empty() => Ok(None),
            Type::Reference(_) => Err(err(
                t,
                "a function that crosses a nanoprocess boundary cannot return a reference: the \
                 value lives in the callee's memory; return an owned `String`/`Vec`/value",
            )),
            t => value(t, named).map(Some),
        },
    }
}

/// Maps an owned value type.
pub fn value(ty: &Type, named: &BTreeSet<String>) -> syn::Result<Ty> {
    match ty {
        Type::Path(p) if p.qself.is_none() => path(ty, &p.path, named),
        Type::Paren(p) => value(&p.elem, named),
        Type::Group(g) => value(&g.elem, named),
        Type::Reference(_) => Err(err(
            ty,
            "references cannot cross a nanoprocess boundary inside another type: only a \
             parameter itself may be `&str`, `&[T]` or `&T`",
        )),
        Type::TraitObject(_) | Type::ImplTrait(_) => Err(err(
            ty,
            "trait objects and `impl Trait` cannot cross a nanoprocess boundary: code cannot \
             move between memories; take or return a concrete struct or enum",
        )),
        Type::BareFn(_) => Err(err(
            ty,
            "callbacks cannot cross a nanoprocess boundary: a function pointer of one \
             nanoprocess means nothing in another",
        )),
        Type::Tuple(t) if t.elems.is_empty() => Err(err(ty, "`()` can only be a return type")),
        Type::Tuple(_) => Err(err(
            ty,
            "tuples cannot cross a nanoprocess boundary; declare a struct in the boundary module",
        )),
        Type::Array(_) => Err(err(
            ty,
            "fixed-size arrays cannot cross a nanoprocess boundary; use a `Vec`",
        )),
        Type::Ptr(_) => Err(err(
            ty,
            "raw pointers cannot cross a nanoprocess boundary: they point into another memory",
        )),
        _ => Err(err(ty, format!("this type cannot cross: {CROSSES}"))),
    }
}

fn path(ty: &Type, path: &syn::Path, named: &BTreeSet<String>) -> syn::Result<Ty> {
    let std_prefix = path.segments.len() > 1
        && path.segments.iter().rev().skip(1).all(|s| {
            ["std", "core", "alloc", "string", "vec", "option", "result"]
                .contains(&s.ident.to_string().as_str())
        });
    let Some(last) = path.segments.last() else {
        return Err(err(ty, format!("this type cannot cross: {CROSSES}")));
    };
    let name = last.ident.to_string();
    if path.segments.len() > 1 && !std_prefix {
        return Err(err(
            ty,
            format!(
                "type `{name}` is not declared in the boundary module: {CROSSES} (a type from \
                 elsewhere has no WIT definition)"
            ),
        ));
    }
    let args: Vec<&Type> = match &last.arguments {
        PathArguments::None => Vec::new(),
        PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .map(|arg| match arg {
                GenericArgument::Type(t) => Ok(t),
                other => Err(err(other, "only type arguments can cross")),
            })
            .collect::<syn::Result<_>>()?,
        PathArguments::Parenthesized(_) => {
            return Err(err(ty, "callbacks cannot cross a nanoprocess boundary"));
        }
    };
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(err(ty, format!("`{name}` takes {n} type argument(s)")))
        }
    };
    if let Some((_, wit)) = PRIMS.iter().find(|(rust, _)| *rust == name) {
        arity(0)?;
        let rust = PRIMS.iter().find(|(r, _)| *r == name).map_or("u8", |p| p.0);
        return Ok(Ty::Prim(wit, rust));
    }
    match name.as_str() {
        "String" => arity(0).map(|()| Ty::String),
        "Vec" => {
            arity(1)?;
            Ok(Ty::List(Box::new(value(args[0], named)?)))
        }
        "Option" => {
            arity(1)?;
            Ok(Ty::Option(Box::new(value(args[0], named)?)))
        }
        "Result" => {
            arity(2)?;
            Ok(Ty::Result(
                unit_or(args[0], named)?,
                unit_or(args[1], named)?,
            ))
        }
        "usize" | "isize" => Err(err(
            ty,
            format!(
                "`{name}` cannot cross a nanoprocess boundary: its size differs between \
                 builds; use `u32`/`u64` (`i32`/`i64`)"
            ),
        )),
        "Box" | "Rc" | "Arc" | "RefCell" | "Cell" | "Mutex" => Err(err(
            ty,
            format!(
                "`{name}` cannot cross a nanoprocess boundary: the two sides share no memory; \
                 pass the value itself"
            ),
        )),
        _ if named.contains(&name) && args.is_empty() => Ok(Ty::Named(name)),
        _ => Err(err(
            ty,
            format!("type `{name}` is not declared in the boundary module: {CROSSES}"),
        )),
    }
}

fn unit_or(ty: &Type, named: &BTreeSet<String>) -> syn::Result<Option<Box<Ty>>> {
    match ty {
        Type::Tuple(t) if t.elems.is_empty() => Ok(None),
        t => value(t, named).map(|t| Some(Box::new(t))),
    }
}

/// A Rust name as a WIT identifier, always `%`-escaped so keywords are fine.
pub fn wit_name(rust: &str) -> String {
    format!("%{}", rust.trim_start_matches("r#").to_kebab_case())
}

/// The name wit-bindgen gives a WIT type.
pub fn binding_type(rust: &str) -> syn::Ident {
    format_ident!(
        "{}",
        rust.trim_start_matches("r#")
            .to_kebab_case()
            .to_upper_camel_case()
    )
}

/// The name wit-bindgen gives a WIT function, field or module.
pub fn binding_value(rust: &str) -> syn::Ident {
    let snake = rust
        .trim_start_matches("r#")
        .to_kebab_case()
        .to_snake_case();
    if syn::parse_str::<syn::Ident>(&snake).is_ok() {
        format_ident!("{snake}")
    } else {
        format_ident!("{snake}_")
    }
}

impl Ty {
    /// The WIT text.
    pub fn wit(&self) -> String {
        match self {
            Ty::Prim(wit, _) => (*wit).to_string(),
            Ty::String => "string".into(),
            Ty::List(t) => format!("list<{}>", t.wit()),
            Ty::Option(t) => format!("option<{}>", t.wit()),
            Ty::Result(None, None) => "result".into(),
            Ty::Result(Some(ok), None) => format!("result<{}>", ok.wit()),
            Ty::Result(ok, Some(e)) => format!(
                "result<{}, {}>",
                ok.as_ref().map_or_else(|| "_".into(), |t| t.wit()),
                e.wit()
            ),
            Ty::Named(n) => wit_name(n),
        }
    }

    /// The Rust type, with named types under `prefix` (the user's module or the bindings').
    /// `binding` selects wit-bindgen's names for named types.
    pub fn rust(&self, prefix: &TokenStream, binding: bool) -> TokenStream {
        match self {
            Ty::Prim(_, rust) => {
                let id = format_ident!("{rust}");
                quote!(#id)
            }
            Ty::String => quote!(::std::string::String),
            Ty::List(t) => {
                let t = t.rust(prefix, binding);
                quote!(::std::vec::Vec<#t>)
            }
            Ty::Option(t) => {
                let t = t.rust(prefix, binding);
                quote!(::std::option::Option<#t>)
            }
            Ty::Result(ok, e) => {
                let ok = ok.as_ref().map_or(quote!(()), |t| t.rust(prefix, binding));
                let e = e.as_ref().map_or(quote!(()), |t| t.rust(prefix, binding));
                quote!(::std::result::Result<#ok, #e>)
            }
            Ty::Named(n) if binding => {
                let id = binding_type(n);
                quote!(#prefix::#id)
            }
            Ty::Named(n) => {
                let id = format_ident!("{n}");
                quote!(#prefix::#id)
            }
        }
    }
}
