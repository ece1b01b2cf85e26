//! A package that writes one file under a relative path.
wit_bindgen::generate!({ path: "wit", world: "fswrite" });

struct FsWrite;

impl exports::nano_test::fswrite::api::Guest for FsWrite {
    fn save(data: Vec<u8>) -> bool {
        write_output(&data)
    }
}

#[inline(never)]
fn write_output(data: &[u8]) -> bool {
    std::fs::write("out/x", data).is_ok()
}

export!(FsWrite);
