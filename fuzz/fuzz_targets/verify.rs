//! `cargo fuzz run verify --features libfuzzer`: see [`nano_fuzz::verify`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| nano_fuzz::verify(data));
