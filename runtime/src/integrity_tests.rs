//! The holdings comparison; the wiring proof is tested end to end (`tests/integrity.rs`) on real
//! composed components.

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
