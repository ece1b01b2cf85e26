//! The callee of the call benchmarks. Natively and in its own component it runs `imp`; with
//! `nano-import` its public functions call the `nano:callee/api` component instead.

/// `x + 1`, wrapping.
#[cfg(not(feature = "nano-import"))]
pub fn add_one(x: u32) -> u32 {
    imp::add_one(x)
}

/// Returns its argument.
#[cfg(not(feature = "nano-import"))]
pub fn echo(s: &str) -> String {
    imp::echo(s)
}

/// Returns its argument.
#[cfg(not(feature = "nano-import"))]
pub fn echo_bytes(b: &[u8]) -> Vec<u8> {
    imp::echo_bytes(b)
}

/// `x + 1`, wrapping, in the `callee` nanoprocess.
#[cfg(feature = "nano-import")]
pub fn add_one(x: u32) -> u32 {
    import::nano::callee::api::add_one(x)
}

/// Returns its argument, from the `callee` nanoprocess.
#[cfg(feature = "nano-import")]
pub fn echo(s: &str) -> String {
    import::nano::callee::api::echo(s)
}

/// Returns its argument, from the `callee` nanoprocess.
#[cfg(feature = "nano-import")]
pub fn echo_bytes(b: &[u8]) -> Vec<u8> {
    import::nano::callee::api::echo_bytes(b)
}

#[cfg(any(feature = "nano-export", not(feature = "nano-import")))]
mod imp {
    pub fn add_one(x: u32) -> u32 {
        x.wrapping_add(1)
    }

    pub fn echo(s: &str) -> String {
        s.to_string()
    }

    pub fn echo_bytes(b: &[u8]) -> Vec<u8> {
        b.to_vec()
    }
}

#[cfg(feature = "nano-export")]
mod export {
    wit_bindgen::generate!({ path: "wit", world: "exports" });

    struct Callee;

    impl exports::nano::callee::api::Guest for Callee {
        fn add_one(x: u32) -> u32 {
            crate::imp::add_one(x)
        }

        fn echo(s: String) -> String {
            // The argument is already this instance's own copy: hand it back.
            s
        }

        fn echo_bytes(b: Vec<u8>) -> Vec<u8> {
            b
        }
    }

    export!(Callee);
}

#[cfg(feature = "nano-import")]
mod import {
    wit_bindgen::generate!({ path: "wit", world: "imports" });
}
