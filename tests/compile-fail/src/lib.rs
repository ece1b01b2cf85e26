use std::collections::HashMap;

#[nanoprocess::boundary]
pub mod api {
    use super::HashMap;

    pub struct Handle {
        pub id: usize,
    }

    pub fn generic<T: Clone>(value: T) -> T {
        value
    }

    pub fn mutate(buffer: &mut Vec<u8>) {
        buffer.clear();
    }

    pub fn callback(f: fn(u32) -> u32) -> u32 {
        f(1)
    }

    pub fn trait_object(writer: Box<dyn std::io::Write>) {
        drop(writer);
    }

    pub fn foreign(map: HashMap<String, u32>) -> usize {
        map.len()
    }

    pub fn borrowed() -> &'static str {
        "no"
    }
}
