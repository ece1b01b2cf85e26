//! `cargo fuzz run inspect --features libfuzzer`: see [`nano_fuzz::inspect`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| nano_fuzz::inspect(data));
