//! A package that only writes to stderr.
wit_bindgen::generate!({ path: "wit", world: "stderr" });

struct Stderr;

impl exports::nano_test::stderr::api::Guest for Stderr {
    fn warn(msg: String) {
        print_warning(&msg)
    }
}

#[inline(never)]
fn print_warning(msg: &str) {
    eprintln!("warning: {msg}");
}

export!(Stderr);
