//! The top package of the call benchmarks. `main` does nothing: the host calls the exported
//! `nano:driver/bench` functions directly, each of which loops inside wasm.

use std::hint::black_box;

wit_bindgen::generate!({ path: "wit", world: "driver" });

struct Driver;

#[inline(never)]
fn local_add_one(x: u32) -> u32 {
    x.wrapping_add(1)
}

impl exports::nano::driver::bench::Guest for Driver {
    fn run_loop(n: u32) -> u64 {
        let mut acc = 0u64;
        for i in 0..n {
            acc += u64::from(callee::add_one(black_box(i)));
        }
        acc
    }

    fn local_loop(n: u32) -> u64 {
        let mut acc = 0u64;
        for i in 0..n {
            acc += u64::from(local_add_one(black_box(i)));
        }
        acc
    }

    fn echo_loop(n: u32, len: u32) -> u64 {
        let s = "x".repeat(len as usize);
        let mut acc = 0u64;
        for _ in 0..n {
            acc += callee::echo(black_box(&s)).len() as u64;
        }
        acc
    }

    fn bytes_loop(n: u32, len: u32) -> u64 {
        let b = vec![b'x'; len as usize];
        let mut acc = 0u64;
        for _ in 0..n {
            acc += callee::echo_bytes(black_box(&b)).len() as u64;
        }
        acc
    }

    fn copy_loop(n: u32, len: u32) -> u64 {
        let s = vec![b'x'; len as usize];
        let mut acc = 0u64;
        for _ in 0..n {
            // What a string argument costs without a boundary: one allocation and one copy.
            let copy = black_box(&s[..]).to_vec();
            acc += black_box(copy).len() as u64;
        }
        acc
    }
}

export!(Driver);

fn main() {}
