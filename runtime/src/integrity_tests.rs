//! The holdings comparison, and the wiring proof on small hand-made compositions (end to end on
//! real composed components in `tests/integrity.rs`).

use std::collections::BTreeSet;

use manifest_schema::plan::{GrantedInstance, Holdings, PLAN_FORMAT, Plan, PlanInstance};

use super::*;

fn plan(child_env: &[&str]) -> Plan {
    let instance = |id: &str, parent, env: &[&str]| PlanInstance {
        id: id.into(),
        package: id.rsplit('/').next().unwrap().into(),
        version: "0.1.0".into(),
        namespace: format!("nano-{}", id.replace('/', "-")),
        parent,
        component_sha256: "00".repeat(32),
        holds: Holdings {
            env: env.iter().map(|e| e.to_string()).collect(),
            ..Holdings::default()
        },
        imports: vec![],
    };
    Plan {
        format: PLAN_FORMAT,
        component: "app.wasm".into(),
        component_sha256: String::new(),
        type_only_imports: vec![],
        instances: vec![
            instance("app", None, &["HOME", "TOKEN"]),
            instance("app/child", Some(0), child_env),
        ],
    }
}

fn granted(plan: &Plan) -> Vec<GrantedInstance> {
    plan.instances
        .iter()
        .map(|i| GrantedInstance {
            id: i.id.clone(),
            package: i.package.clone(),
            namespace: i.namespace.clone(),
            parent: i.parent,
            holds: i.holds.clone(),
        })
        .collect()
}

#[test]
fn a_plan_equal_to_the_manifests_passes() {
    let p = plan(&["HOME"]);
    check_holdings(&p, &granted(&p)).unwrap();
}

#[test]
fn a_widened_holding_is_named_with_both_values() {
    let manifests = granted(&plan(&["HOME"]));
    let tampered = plan(&["HOME", "TOKEN"]);
    let err = check_holdings(&tampered, &manifests).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("instance `app/child` (package `child`) holds env [\"HOME\",\"TOKEN\"]"),
        "{text}"
    );
    assert!(text.contains("grant env [\"HOME\"]"), "{text}");
    assert!(text.contains("help: "), "{text}");
}

#[test]
fn a_narrowed_or_moved_instance_is_refused_too() {
    // Narrower is not what was linked either: the plan must be the manifests' exactly.
    let manifests = granted(&plan(&["HOME"]));
    assert!(check_holdings(&plan(&[]), &manifests).is_err());
    let mut moved = plan(&["HOME"]);
    moved.instances[1].namespace = "nano-app".into();
    let err = check_holdings(&moved, &manifests).unwrap_err();
    assert!(matches!(err, IntegrityError::Tree { .. }), "{err}");
    let mut fewer = plan(&["HOME"]);
    fewer.instances.pop();
    assert!(check_holdings(&fewer, &manifests).is_err());
}

#[test]
fn every_holding_is_compared() {
    let manifests = granted(&plan(&["HOME"]));
    let mut p = plan(&["HOME"]);
    p.instances[1].holds.random = true;
    let err = check_holdings(&p, &manifests).unwrap_err().to_string();
    assert!(err.contains("holds random true"), "{err}");
    let mut p = plan(&["HOME"]);
    p.instances[1].holds.stdio = BTreeSet::from([manifest_schema::Stream::Stdout]);
    assert!(check_holdings(&p, &manifests).is_err());
    let mut p = plan(&["HOME"]);
    p.instances[1].holds.limits.memory = manifest_schema::MemorySize::mib(1024).unwrap();
    let err = check_holdings(&p, &manifests).unwrap_err().to_string();
    assert!(err.contains("holds limits"), "{err}");
}

#[test]
fn a_component_that_is_not_one_is_refused() {
    let p = plan(&["HOME"]);
    assert!(matches!(
        check_wiring(b"\0asm\x01\0\0\0", &p),
        Err(IntegrityError::Wiring(_))
    ));
    assert!(matches!(
        check_wiring(b"not wasm", &p),
        Err(IntegrityError::Parse(_))
    ));
}

/// A small composition: `app` and its child `child` (two nested components told apart by a custom
/// section), each importing `wasi:cli/environment`, instantiated with the imports `wiring` names
/// (`(instance, import index)`), plus extra top-level sections from `extra`.
mod composed {
    use sha2::{Digest, Sha256};
    use wasm_encoder::{
        Component, ComponentExportKind, ComponentImportSection, ComponentInstanceSection,
        ComponentTypeRef, ComponentTypeSection, CustomSection, InstanceType, ModuleSection,
        NestedComponentSection,
    };

    pub const ENV: &str = "wasi:cli/environment@0.2.6";
    pub const IMPORTS: [&str; 2] = [
        "nano-app:cli/environment@0.2.6",
        "nano-app-child:cli/environment@0.2.6",
    ];

    pub fn nested(name: &str) -> Component {
        let mut c = Component::new();
        c.section(&CustomSection {
            name: name.into(),
            data: b"".as_slice().into(),
        });
        let mut types = ComponentTypeSection::new();
        types.instance(&InstanceType::new());
        c.section(&types);
        let mut imports = ComponentImportSection::new();
        imports.import(ENV, ComponentTypeRef::Instance(0));
        c.section(&imports);
        c
    }

    pub fn sha(name: &str) -> String {
        hex::encode(Sha256::digest(nested(name).finish()))
    }

    /// `app_import` and `child_import` are indexes into [`IMPORTS`].
    pub fn build(app_import: u32, child_import: u32, core: bool) -> Vec<u8> {
        let mut top = Component::new();
        let mut types = ComponentTypeSection::new();
        types.instance(&InstanceType::new());
        top.section(&types);
        let mut imports = ComponentImportSection::new();
        for name in IMPORTS {
            imports.import(name, ComponentTypeRef::Instance(0));
        }
        top.section(&imports);
        top.section(&NestedComponentSection(&nested("app")));
        top.section(&NestedComponentSection(&nested("child")));
        if core {
            top.section(&ModuleSection(&wasm_encoder::Module::new()));
        }
        let mut instances = ComponentInstanceSection::new();
        instances.instantiate(1, [(ENV, ComponentExportKind::Instance, child_import)]);
        instances.instantiate(0, [(ENV, ComponentExportKind::Instance, app_import)]);
        top.section(&instances);
        top.finish()
    }
}

fn composed_plan() -> Plan {
    let mut p = plan(&[]);
    for (inst, name) in p.instances.iter_mut().zip(["app", "child"]) {
        inst.component_sha256 = composed::sha(name);
        inst.imports = vec![composed::ENV.into()];
    }
    p
}

#[test]
fn each_instance_given_its_own_scoped_imports_passes() {
    check_wiring(&composed::build(0, 1, false), &composed_plan()).unwrap();
}

#[test]
fn swapped_scoped_imports_are_refused_naming_the_instance() {
    let err = check_wiring(&composed::build(1, 0, false), &composed_plan()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("is given `wasi:cli/environment@0.2.6` from the import `nano-app"),
        "{text}"
    );
    assert!(text.contains("not its own"), "{text}");
    // Both given the parent's.
    assert!(check_wiring(&composed::build(0, 0, false), &composed_plan()).is_err());
}

#[test]
fn an_unannounced_root_import_or_top_level_code_is_refused() {
    let mut p = composed_plan();
    p.instances[1].imports.clear();
    let err = check_wiring(&composed::build(0, 1, false), &p).unwrap_err();
    assert!(
        err.to_string()
            .contains("no instance of the plan announced"),
        "{err}"
    );
    let err = check_wiring(&composed::build(0, 1, true), &composed_plan()).unwrap_err();
    assert!(err.to_string().contains("code of its own"), "{err}");
}

#[test]
fn an_instance_the_plan_does_not_name_is_refused() {
    let mut p = composed_plan();
    p.instances[1].component_sha256 = composed::sha("other");
    let err = check_wiring(&composed::build(0, 1, false), &p).unwrap_err();
    assert!(
        err.to_string().contains("no instance of the plan runs"),
        "{err}"
    );
}
