use std::path::Path;

use manifest_schema::plan::{Holdings, PLAN_FORMAT, Plan, PlanInstance};

use super::link::{self, Inputs};
use super::{inspection, sha256_hex};
use crate::inspect::{Inspection, inspect_package};

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}.wasm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn cached(dir: &Path, name: &str, bytes: &[u8]) -> (Inspection, bool) {
    inspection::inspect(dir, name, "1.0.0", bytes, &sha256_hex(bytes)).unwrap()
}

#[test]
fn an_inspection_reads_back_as_it_was_computed() {
    // `envnames` reads variables by name and not, so its maps keyed by `Option` are not empty.
    for name in ["envnames", "hexdump", "tcp"] {
        let bytes = data(name);
        let computed = inspect_package(&bytes, name).unwrap();
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(cached(dir.path(), name, &bytes), (computed.clone(), false));
        assert_eq!(cached(dir.path(), name, &bytes), (computed, true), "{name}");
    }
}

#[test]
fn an_entry_that_does_not_check_out_is_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let (env, hexdump) = (data("envnames"), data("hexdump"));
    let expected = cached(dir.path(), "p", &env).0;
    let entry = dir.path().join("inspect/p-1.0.0.json");
    let good = std::fs::read_to_string(&entry).unwrap();
    // Other bytes under the same package: their own inspection, not the cached one.
    let other = cached(dir.path(), "p", &hexdump);
    assert_eq!(other, (inspect_package(&hexdump, "p").unwrap(), false));
    let tampered = [
        "{ not json".to_string(),
        good.replacen("\"format\":1", "\"format\":2", 1),
        good.replacen("\"tool\":\"", "\"tool\":\"another ", 1),
        good.replacen("\"package\":\"p\"", "\"package\":\"q\"", 1),
    ];
    for text in tampered {
        assert_ne!(text, good);
        std::fs::write(&entry, &text).unwrap();
        assert_eq!(
            cached(dir.path(), "p", &env),
            (expected.clone(), false),
            "{text:.80}"
        );
    }
    assert_eq!(cached(dir.path(), "p", &env), (expected, true));
}

/// A linked app in `dir` as the pipeline writes it, recorded as the output of `inputs`.
fn linked(dir: &Path, inputs: &Inputs, holds: Holdings) -> Plan {
    let wasm = b"\0asm composed".to_vec();
    let plan = Plan {
        format: PLAN_FORMAT,
        component: "app.wasm".into(),
        component_sha256: sha256_hex(&wasm),
        type_only_imports: Vec::new(),
        instances: vec![PlanInstance {
            id: "app".into(),
            package: "app".into(),
            version: "1.0.0".into(),
            namespace: "nano-app".into(),
            parent: None,
            component_sha256: sha256_hex(b"tagged"),
            holds,
            imports: Vec::new(),
        }],
    };
    let json = serde_json::to_vec_pretty(&plan).unwrap();
    std::fs::write(dir.join("app.wasm"), wasm).unwrap();
    std::fs::write(dir.join("plan.json"), &json).unwrap();
    link::record(dir, inputs.clone(), &json);
    plan
}

fn inputs(component: &str, holds: &Holdings) -> Inputs {
    Inputs::for_test(component, holds)
}

#[test]
fn the_last_link_is_reused_only_for_the_same_inputs_and_intact_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let holds = Holdings {
        random: true,
        ..Holdings::default()
    };
    let same = inputs(&sha256_hex(b"app"), &holds);
    let plan = linked(d, &same, holds.clone());
    assert_eq!(link::reuse(d, &same), Some(plan.clone()));
    // Another component, other holdings: composed again.
    assert_eq!(link::reuse(d, &inputs(&sha256_hex(b"new"), &holds)), None);
    assert_eq!(
        link::reuse(d, &inputs(&sha256_hex(b"app"), &Holdings::default())),
        None
    );
    // A composed component or plan changed since: composed again.
    std::fs::write(d.join("app.wasm"), b"\0asm other").unwrap();
    assert_eq!(link::reuse(d, &same), None);
    linked(d, &same, holds.clone());
    let mut wider = plan.clone();
    wider.instances[0].holds.args = true;
    std::fs::write(d.join("plan.json"), serde_json::to_vec(&wider).unwrap()).unwrap();
    assert_eq!(link::reuse(d, &same), None);
    // A record whose plan holds other than what the inputs say is not trusted either.
    linked(d, &same, Holdings::default());
    assert_eq!(link::reuse(d, &same), None);
    linked(d, &same, holds);
    assert_eq!(link::reuse(d, &same), Some(plan));
}
