//! A package that computes and touches nothing outside itself.
wit_bindgen::generate!({ path: "wit", world: "pure" });

struct Pure;

impl exports::nano_test::pure::api::Guest for Pure {
    fn add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }
}

export!(Pure);
