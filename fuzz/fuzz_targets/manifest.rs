//! `cargo fuzz run manifest --features libfuzzer`: see [`nano_fuzz::manifest`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| nano_fuzz::manifest(data));
