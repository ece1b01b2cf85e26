//! What `#[nanoprocess::boundary]` expands to: the user's items (cfg'd per mode), the export glue
//! and the import functions.

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Item, ItemMod, Visibility};

use crate::types::{self, Passing, Ty};
use crate::{Boundary, Function, TypeDef};

const IMPORT_ONLY: &str = "all(feature = \"nano-import\", not(feature = \"nano-export\"))";

/// The expanded module.
pub fn expand(module: &ItemMod, boundary: &Boundary) -> TokenStream {
    let items = module
        .content
        .as_ref()
        .map(|(_, i)| i.as_slice())
        .unwrap_or(&[]);
    let import_only: TokenStream = IMPORT_ONLY.parse().unwrap_or_default();
    let mut body = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if let Some(f) = boundary.functions.iter().find(|f| f.item == index) {
            if let Item::Fn(func) = item {
                body.push(local_fn(func));
                body.push(import_fn(func, f, boundary));
            }
            continue;
        }
        let always = match item {
            Item::Struct(s) => matches!(s.vis, Visibility::Public(_)),
            Item::Enum(e) => matches!(e.vis, Visibility::Public(_)),
            Item::Use(_) | Item::Impl(_) | Item::Macro(_) => true,
            _ => false,
        };
        if always {
            body.push(quote!(#item));
        } else {
            body.push(quote!(#[cfg(not(#import_only))] #item));
        }
    }
    let wit = boundary.wit();
    let doc = format!(
        "The WIT of this boundary, `nano:{}/{}`, generated from its Rust signatures.",
        boundary.package, boundary.interface
    );
    let export = export_module(boundary, &wit);
    let import = import_module(boundary, &wit);
    let attrs = &module.attrs;
    let vis = &module.vis;
    let ident = &module.ident;
    quote! {
        #(#attrs)*
        #vis mod #ident {
            #(#body)*
            #[doc = #doc]
            pub const WIT: &str = #wit;
            #export
            #import
        }
    }
}

/// The function as written, when this crate runs its own code; under both features it is kept
/// private under another name, for the export glue.
fn local_fn(func: &syn::ItemFn) -> TokenStream {
    let mut renamed = func.clone();
    renamed.sig.ident = format_ident!("__nano_local_{}", func.sig.ident);
    renamed.vis = Visibility::Inherited;
    quote! {
        #[cfg(not(feature = "nano-import"))]
        #func
        #[cfg(all(feature = "nano-import", feature = "nano-export"))]
        #[allow(dead_code)]
        #renamed
    }
}

fn paths(boundary: &Boundary) -> (syn::Ident, syn::Ident) {
    (
        format_ident!("{}", boundary.package.to_snake_case()),
        types::binding_value(&boundary.interface),
    )
}

/// The same signature, calling the child's component.
fn import_fn(func: &syn::ItemFn, f: &Function, boundary: &Boundary) -> TokenStream {
    let (pkg, iface) = paths(boundary);
    let bindings = quote!(self::__nano_import::nano::#pkg::#iface);
    let attrs = &func.attrs;
    let vis = &func.vis;
    let mut sig = func.sig.clone();
    for input in &mut sig.inputs {
        if let syn::FnArg::Typed(t) = input
            && let syn::Pat::Ident(p) = &mut *t.pat
        {
            p.mutability = None;
        }
    }
    let mut lets = Vec::new();
    let mut args = Vec::new();
    for (name, ty, passing) in &f.params {
        // Without a record or variant inside, the bindings' type is the user's type (borrowed
        // where the bindings borrow): pass the argument itself, with no copy and no conversion.
        if !contains_named(ty) {
            args.push(match passing {
                Passing::Str | Passing::Slice => quote!(#name),
                Passing::Ref => quote!(::nanoprocess::Pass::pass(#name)),
                Passing::Owned => quote!(::nanoprocess::Pass::pass(&#name)),
            });
            continue;
        }
        let owned = match passing {
            Passing::Owned => quote!(#name),
            Passing::Str => quote!(::std::string::ToString::to_string(#name)),
            Passing::Slice => quote!(<[_]>::to_vec(#name)),
            Passing::Ref => quote!(::core::clone::Clone::clone(#name)),
        };
        let bty = ty.rust(&bindings, true);
        lets.push(quote!(let #name: #bty = ::nanoprocess::Convert::convert(#owned);));
        args.push(quote!(::nanoprocess::Pass::pass(&#name)));
    }
    let call = types::binding_value(&f.name);
    let call = quote!(#bindings::#call(#(#args),*));
    let result = converted(f.result.as_ref(), call);
    quote! {
        #[cfg(feature = "nano-import")]
        #(#attrs)*
        #vis #sig {
            #(#lets)*
            #result
        }
    }
}

/// `value` of boundary type `ty` in the other side's types: `value` itself when `ty` holds no
/// record or variant (the two sides' types are then the same, and `Convert`'s identity would
/// still rebuild every `Vec` element by element), else its `Convert::convert`.
fn converted(ty: Option<&Ty>, value: TokenStream) -> TokenStream {
    match ty {
        Some(ty) if contains_named(ty) => quote!(::nanoprocess::Convert::convert(#value)),
        _ => value,
    }
}

fn contains_named(ty: &Ty) -> bool {
    match ty {
        Ty::Named(_) => true,
        Ty::Prim(..) | Ty::String => false,
        Ty::List(t) | Ty::Option(t) => contains_named(t),
        Ty::Result(a, b) => [a, b].into_iter().flatten().any(|t| contains_named(t)),
    }
}

fn generate(wit: &str, world: &str) -> TokenStream {
    quote! {
        ::nanoprocess::wit_bindgen::generate!({
            inline: #wit,
            world: #world,
            runtime_path: "::nanoprocess::wit_bindgen::rt",
        });
    }
}

fn export_module(boundary: &Boundary, wit: &str) -> TokenStream {
    let (pkg, iface) = paths(boundary);
    let bindings = quote!(self::exports::nano::#pkg::#iface);
    let generate = generate(wit, "exports");
    let user = quote!(super);
    let mut methods = Vec::new();
    for f in &boundary.functions {
        let name = types::binding_value(&f.name);
        let local = format_ident!("{}", f.name);
        let renamed = format_ident!("__nano_local_{}", f.name);
        let params = f.params.iter().map(|(n, ty, _)| {
            let t = ty.rust(&bindings, true);
            quote!(#n: #t)
        });
        let lets = f.params.iter().map(|(n, ty, _)| {
            let t = ty.rust(&user, false);
            let value = converted(Some(ty), quote!(#n));
            quote!(let #n: #t = #value;)
        });
        let args = f.params.iter().map(|(n, _, passing)| match passing {
            Passing::Owned => quote!(#n),
            _ => quote!(&#n),
        });
        let result = f.result.as_ref().map(|t| {
            let t = t.rust(&bindings, true);
            quote!(-> #t)
        });
        let call = converted(f.result.as_ref(), quote!(__nano_target(#(#args),*)));
        methods.push(quote! {
            #[allow(unused_variables)]
            fn #name(#(#params),*) #result {
                #[cfg(not(feature = "nano-import"))]
                use super::#local as __nano_target;
                #[cfg(feature = "nano-import")]
                use super::#renamed as __nano_target;
                #(#lets)*
                #call
            }
        });
    }
    let conversions = conversions(boundary, &bindings);
    quote! {
        #[cfg(feature = "nano-export")]
        #[doc(hidden)]
        #[allow(clippy::all, unused_imports, unused_qualifications)]
        mod __nano_export {
            #generate
            struct __NanoGuest;
            impl #bindings::Guest for __NanoGuest {
                #(#methods)*
            }
            export!(__NanoGuest);
            #conversions
        }
    }
}

fn import_module(boundary: &Boundary, wit: &str) -> TokenStream {
    let (pkg, iface) = paths(boundary);
    let bindings = quote!(self::nano::#pkg::#iface);
    let generate = generate(wit, "imports");
    let conversions = conversions(boundary, &bindings);
    quote! {
        #[cfg(feature = "nano-import")]
        #[doc(hidden)]
        #[allow(clippy::all, unused_imports, unused_qualifications, dead_code)]
        mod __nano_import {
            #generate
            #conversions
        }
    }
}

/// `Convert` both ways between each declared type and its binding, and `Pass` by value.
fn conversions(boundary: &Boundary, bindings: &TokenStream) -> TokenStream {
    let mut out = Vec::new();
    for def in &boundary.types {
        let (name, to_b, to_u) = match def {
            TypeDef::Record { name, fields } => {
                let b = types::binding_type(name);
                let u = format_ident!("{name}");
                let uf: Vec<_> = fields.iter().map(|(f, _)| format_ident!("{f}")).collect();
                let bf: Vec<_> = fields
                    .iter()
                    .map(|(f, _)| types::binding_value(f))
                    .collect();
                (
                    name,
                    quote!(#bindings::#b { #(#bf: ::nanoprocess::Convert::convert(self.#uf)),* }),
                    quote!(super::#u { #(#uf: ::nanoprocess::Convert::convert(self.#bf)),* }),
                )
            }
            TypeDef::Variant { name, cases } => {
                let b = types::binding_type(name);
                let u = format_ident!("{name}");
                let (mut to_b, mut to_u) = (Vec::new(), Vec::new());
                for (case, ty) in cases {
                    let uc = format_ident!("{case}");
                    let bc = types::binding_type(case);
                    if ty.is_some() {
                        to_b.push(quote!(super::#u::#uc(v) => #bindings::#b::#bc(::nanoprocess::Convert::convert(v))));
                        to_u.push(quote!(#bindings::#b::#bc(v) => super::#u::#uc(::nanoprocess::Convert::convert(v))));
                    } else {
                        to_b.push(quote!(super::#u::#uc => #bindings::#b::#bc));
                        to_u.push(quote!(#bindings::#b::#bc => super::#u::#uc));
                    }
                }
                (
                    name,
                    quote!(match self { #(#to_b),* }),
                    quote!(match self { #(#to_u),* }),
                )
            }
        };
        let b = types::binding_type(name);
        let u = format_ident!("{name}");
        out.push(quote! {
            impl ::nanoprocess::Convert<#bindings::#b> for super::#u {
                fn convert(self) -> #bindings::#b { #to_b }
            }
            impl ::nanoprocess::Convert<super::#u> for #bindings::#b {
                fn convert(self) -> super::#u { #to_u }
            }
            impl<'a> ::nanoprocess::Pass<'a, #bindings::#b> for #bindings::#b {
                fn pass(&'a self) -> #bindings::#b { ::core::clone::Clone::clone(self) }
            }
        });
    }
    quote!(#(#out)*)
}
