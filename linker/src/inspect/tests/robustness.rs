//! Malformed input gives errors, never panics.

use super::*;

#[test]
fn garbage_is_an_error() {
    assert!(matches!(
        inspect_component(b""),
        Err(InspectError::Parse(_))
    ));
    assert!(matches!(
        inspect_component(b"not wasm at all"),
        Err(InspectError::Parse(_))
    ));
    // A core module header: not a component.
    let module = b"\0asm\x01\0\0\0";
    assert!(matches!(
        inspect_component(module),
        Err(InspectError::NotAComponent)
    ));
    // A component header and nothing else.
    let component = b"\0asm\x0d\0\x01\0";
    let err = inspect_component(component).unwrap_err();
    assert!(matches!(err, InspectError::NoCoreModule));
    assert_eq!(err.to_string(), "component has no core module");
    let err = inspect_component(b"").unwrap_err();
    assert_eq!(err.to_string(), "failed to parse component");
}

#[test]
fn truncated_components_are_errors() {
    for name in ["pure", "env"] {
        let bytes = data(name);
        let info = component::parse(&bytes).unwrap();
        // Where the main module lies in `bytes`: a cut inside it must be an error. A cut at a
        // section boundary after it is a valid (smaller) component, so elsewhere only "no
        // panic" is asserted.
        let start = info.modules[0].bytes.as_ptr() as usize - bytes.as_ptr() as usize;
        let main = start..start + info.modules[0].bytes.len();
        // Every prefix of the small one; a sample of the bigger one's.
        let step = if bytes.len() < 20_000 { 1 } else { 97 };
        for len in (0..bytes.len()).step_by(step) {
            let result = inspect_component(&bytes[..len]);
            if len < main.end {
                assert!(result.is_err(), "{name} cut at {len}");
            }
        }
    }
}

#[test]
fn corrupted_components_do_not_panic() {
    let original = data("env");
    // A fixed linear congruential generator: reproducible without a dependency.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        (state >> 33) as usize
    };
    for _ in 0..300 {
        let mut bytes = original.clone();
        for _ in 0..1 + next() % 8 {
            let at = next() % bytes.len();
            bytes[at] = next() as u8;
        }
        // Any outcome but a panic is fine.
        let _ = inspect_component(&bytes);
    }
}
