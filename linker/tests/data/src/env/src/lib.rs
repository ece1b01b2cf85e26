//! A package that reads one environment variable.
wit_bindgen::generate!({ path: "wit", world: "env" });

struct Env;

impl exports::nano_test::env::api::Guest for Env {
    fn lookup(name: String) -> Option<String> {
        read_variable(&name)
    }
}

#[inline(never)]
fn read_variable(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

export!(Env);
