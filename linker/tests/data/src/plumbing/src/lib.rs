//! Uses std functions whose fatal-error paths print to stderr before aborting:
//! `thread::current` (after thread-local destruction), formatting, and allocation (the
//! out-of-memory hook). None of them is the package writing to stderr.
wit_bindgen::generate!({ path: "wit", world: "plumbing" });

struct Plumbing;

impl exports::nano_test::plumbing::api::Guest for Plumbing {
    fn thread_name() -> String {
        current_thread_name()
    }
    fn describe(n: u64) -> String {
        format!("{n} items")
    }
    fn reserve(n: u64) -> u64 {
        let v: Vec<u8> = Vec::with_capacity(n as usize);
        v.capacity() as u64
    }
}

#[inline(never)]
fn current_thread_name() -> String {
    std::thread::current().name().unwrap_or("main").to_owned()
}

export!(Plumbing);
