//! `cargo fuzz run lockfile --features libfuzzer`: see [`nano_fuzz::lockfile`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| nano_fuzz::lockfile(data));
