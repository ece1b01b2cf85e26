//! Before anything starts: every import of the composed component must be announced by the
//! instance that owns it, and is then bound to that instance's context.

use manifest_schema::plan::Plan;
use manifest_schema::wasi::{self, InterfaceClass};
use wasmtime::Engine;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};

use crate::RunError;
use crate::scoped;
use crate::state::NanoState;

/// Builds the linker for `component`: the shared interfaces, and each scoped import bound to its
/// instance. Refuses any import that is not a shared interface or a root interface announced by
/// the instance whose namespace it carries.
pub fn linker_for(
    engine: &Engine,
    component: &Component,
    plan: &Plan,
) -> Result<Linker<NanoState>, RunError> {
    let mut linker = Linker::new(engine);
    crate::shared::add_shared(&mut linker).map_err(|e| RunError::Engine(format!("{e:#}")))?;
    crate::names::check_lookups(&mut linker).map_err(|e| RunError::Engine(format!("{e:#}")))?;
    for (name, item) in component.component_type().imports(engine) {
        if wasi::classify(name) == InterfaceClass::Shared {
            continue;
        }
        if plan.type_only_imports.iter().any(|t| t == name) {
            define_traps(&mut linker, engine, name, &item.ty)?;
            continue;
        }
        let (index, path) = owner(name, plan)?;
        let ComponentItem::ComponentInstance(ty) = item.ty else {
            return Err(unannounced(name, None));
        };
        let mut inst = linker
            .instance(name)
            .map_err(|e| RunError::Engine(format!("{e:#}")))?;
        for (function, item) in ty.exports(engine) {
            if !matches!(item.ty, ComponentItem::ComponentFunc(_)) {
                continue; // types used from shared interfaces
            }
            let defined = scoped::define(&mut inst, &path, function, index)
                .map_err(|e| RunError::Engine(format!("{e:#}")))?;
            if !defined {
                return Err(RunError::UnsupportedFunction {
                    import: name.to_string(),
                    function: function.to_string(),
                });
            }
        }
    }
    Ok(linker)
}

/// Binds every function of a type-only import to a trap: the linker proved no package is wired
/// to it, so a call can only mean the proof is wrong.
fn define_traps(
    linker: &mut Linker<NanoState>,
    engine: &Engine,
    name: &str,
    item: &ComponentItem,
) -> Result<(), RunError> {
    let ComponentItem::ComponentInstance(ty) = item else {
        return Err(unannounced(name, None));
    };
    let mut inst = linker
        .instance(name)
        .map_err(|e| RunError::Engine(format!("{e:#}")))?;
    for (function, export) in ty.exports(engine) {
        if !matches!(export.ty, ComponentItem::ComponentFunc(_)) {
            continue;
        }
        let what = format!("{name}#{function}");
        inst.func_new(function, move |_, _, _, _| {
            Err(wasmtime::Error::msg(format!(
                "`{what}` is imported only for its types and no package holds it"
            )))
        })
        .map_err(|e| RunError::Engine(format!("{e:#}")))?;
    }
    Ok(())
}

/// The instance owning a scoped import, and the versionless root interface it stands for.
fn owner(name: &str, plan: &Plan) -> Result<(usize, String), RunError> {
    let Some((namespace, original)) = wasi::unscope(name) else {
        return Err(unannounced(name, None));
    };
    let Some(index) = plan.instances.iter().position(|i| i.namespace == namespace) else {
        return Err(unannounced(name, None));
    };
    let inst = &plan.instances[index];
    if wasi::classify(&original) != InterfaceClass::Root || !inst.imports.contains(&original) {
        return Err(unannounced(name, Some(inst.package.clone())));
    }
    Ok((index, wasi::split_version(&original).0.to_string()))
}

fn unannounced(import: &str, package: Option<String>) -> RunError {
    RunError::Unannounced {
        import: import.to_string(),
        package,
    }
}
