//! Calls wasi-libc's internals itself, as a crate binding C functions would: fills the preopen
//! table, opens a file relative to the first preopen's descriptor number, writes to fd 2.
use std::ffi::{c_char, c_int};

wit_bindgen::generate!({ path: "wit", world: "libc" });

unsafe extern "C" {
    fn __wasilibc_populate_preopens();
    fn __wasilibc_nocwd_openat_nomode(fd: c_int, path: *const c_char, oflag: c_int) -> c_int;
    fn write(fd: c_int, buf: *const u8, len: usize) -> isize;
}

struct Libc;

impl exports::nano_test::libc::api::Guest for Libc {
    fn populate() {
        unsafe { __wasilibc_populate_preopens() }
    }
    fn open_preopen() -> i32 {
        unsafe { __wasilibc_nocwd_openat_nomode(3, c"data.txt".as_ptr(), 0) }
    }
    fn warn() -> i32 {
        let message = b"warning\n";
        unsafe { write(2, message.as_ptr(), message.len()) as i32 }
    }
}

export!(Libc);
