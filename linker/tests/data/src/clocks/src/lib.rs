//! One export reads the wall clock, the other the monotonic clock.
wit_bindgen::generate!({ path: "wit", world: "clocks" });

struct Clocks;

impl exports::nano_test::clocks::api::Guest for Clocks {
    fn wall() -> u64 {
        seconds_since_epoch()
    }
    fn monotonic() -> u64 {
        elapsed_nanos()
    }
}

#[inline(never)]
fn seconds_since_epoch() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[inline(never)]
fn elapsed_nanos() -> u64 {
    let start = std::time::Instant::now();
    start.elapsed().as_nanos() as u64
}

export!(Clocks);
