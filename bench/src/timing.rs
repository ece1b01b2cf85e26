//! Repeated batches and their median.

use std::time::Instant;

/// Runs `batch(n)` `batches` times (after one warm-up) and returns the median time per
/// iteration in nanoseconds. `batch` must do `n` iterations of the thing measured.
pub fn per_iter_ns(batches: usize, n: u64, mut batch: impl FnMut(u64)) -> f64 {
    batch(n.clamp(1, 1000));
    let mut samples: Vec<f64> = (0..batches.max(1))
        .map(|_| {
            let t = Instant::now();
            batch(n);
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    median(&mut samples)
}

/// Times each call of `once` separately and returns the median in nanoseconds.
pub fn each_ns(count: usize, mut once: impl FnMut()) -> f64 {
    once();
    let mut samples: Vec<f64> = (0..count.max(1))
        .map(|_| {
            let t = Instant::now();
            once();
            t.elapsed().as_nanos() as f64
        })
        .collect();
    median(&mut samples)
}

/// The median of `samples` (which it sorts).
pub fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    match samples.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => samples[n / 2],
        n => (samples[n / 2 - 1] + samples[n / 2]) / 2.0,
    }
}

/// A duration in nanoseconds with a readable unit.
pub fn fmt_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}
