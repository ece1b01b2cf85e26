//! One export reads variables with constant names, one a variable whose name is computed, one
//! the whole environment.
wit_bindgen::generate!({ path: "wit", world: "envnames" });

struct EnvNames;

impl exports::nano_test::envnames::api::Guest for EnvNames {
    fn constant() -> bool {
        colors_wanted()
    }
    fn computed(suffix: String) -> bool {
        read_computed(&suffix)
    }
    fn count_all() -> u32 {
        count_variables()
    }
}

#[inline(never)]
fn colors_wanted() -> bool {
    std::env::var("TERM").is_ok_and(|t| t != "dumb") && std::env::var_os("NO_COLOR").is_none()
}

#[inline(never)]
fn read_computed(suffix: &str) -> bool {
    std::env::var(format!("APP_{suffix}")).is_ok()
}

#[inline(never)]
fn count_variables() -> u32 {
    std::env::vars_os().count() as u32
}

export!(EnvNames);
