//! The constant arguments the operand tracker sees at a call.

use crate::inspect::operands::{Constants, Tracker};
use std::collections::HashMap;
use wasmparser::Operator;

fn constants() -> Constants {
    Constants {
        globals: HashMap::from([(3, 1024)]),
        // A `static` at 1024 holding 2048, then "TERM" and "NO_COLOR\0".
        data: vec![(
            1024,
            [&2048i32.to_le_bytes()[..], b"TERMNO_COLOR\0"].concat(),
        )],
    }
}

/// Runs `ops` then a call with `params` parameters; its arguments.
fn args(ops: &[Operator<'static>], params: usize) -> Vec<Option<i32>> {
    let constants = constants();
    let mut tracker = Tracker::new(&constants);
    for op in ops {
        tracker.step(op);
    }
    tracker.call(params, 1).into_vec()
}

#[test]
fn constants_reach_the_call_through_globals_loads_locals_and_sums() {
    use Operator::*;
    let memarg = wasmparser::MemArg {
        align: 2,
        max_align: 2,
        offset: 0,
        memory: 0,
    };
    let ops = [
        GlobalGet { global_index: 3 },
        I32Load { memarg },
        I32Const { value: 7 },
        LocalSet { local_index: 0 },
        LocalGet { local_index: 0 },
        GlobalGet { global_index: 3 },
        I32Const { value: 4 },
        I32Add,
        LocalGet { local_index: 1 },
    ];
    assert_eq!(args(&ops, 4), [Some(2048), Some(7), Some(1028), None]);
    assert_eq!(constants().bytes(1028, 4), Some(&b"TERM"[..]));
    assert_eq!(constants().c_string(1032), Some(&b"NO_COLOR"[..]));
    assert_eq!(constants().bytes(1040, 8), None, "past the segment");
}

#[test]
fn what_is_not_followed_is_unknown() {
    use Operator::*;
    // A global that is not constant, and a constant set before a loop.
    let ops = [
        I32Const { value: 1 },
        LocalSet { local_index: 0 },
        Loop {
            blockty: wasmparser::BlockType::Empty,
        },
        GlobalGet { global_index: 9 },
        LocalGet { local_index: 0 },
    ];
    assert_eq!(args(&ops, 2), [None, None]);
    // An instruction whose effect is not modelled forgets the stack: the argument below it
    // is not taken for another.
    let ops = [
        I32Const { value: 1 },
        I32Const { value: 2 },
        F32Abs,
        I32Const { value: 3 },
    ];
    assert_eq!(args(&ops, 3), [None, None, Some(3)]);
    // Values taken by a call are gone, its result is unknown.
    assert_eq!(
        args(&[I32Const { value: 1 }, I32Const { value: 2 }], 1),
        [Some(2)]
    );
}
