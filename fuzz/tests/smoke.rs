//! Each fuzz target over its corpus and deterministic mutations of it (truncations and flipped
//! bytes), in the ordinary test suite: the targets cannot rot, and every input a fuzzing run
//! found and that was added to the corpus stays fixed.

use std::path::{Path, PathBuf};

fn corpus(dirs: &[&str]) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in dirs {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("corpus `{dir}`: {e}"))
            .map(|e| e.expect("corpus entry").path())
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        for path in entries {
            let bytes = std::fs::read(&path).expect("corpus file");
            out.push((path, bytes));
        }
    }
    assert!(!out.is_empty(), "empty corpus {dirs:?}");
    out
}

/// The input itself, `cuts` truncations and `flips` single-byte changes spread over it.
fn mutations(bytes: &[u8], cuts: usize, flips: usize) -> Vec<Vec<u8>> {
    let mut out = vec![bytes.to_vec()];
    let len = bytes.len().max(1);
    for i in 0..cuts {
        out.push(bytes[..len * i / cuts.max(1)].to_vec());
    }
    for i in 0..flips {
        let mut m = bytes.to_vec();
        if let Some(b) = m.get_mut((len * i / flips.max(1) + i * 7) % len) {
            *b ^= 0xa5;
        }
        out.push(m);
    }
    out
}

fn smoke(dirs: &[&str], cuts: usize, flips: usize, target: fn(&[u8])) {
    for (path, bytes) in corpus(dirs) {
        for input in mutations(&bytes, cuts, flips) {
            let run = std::panic::catch_unwind(|| target(&input));
            assert!(
                run.is_ok(),
                "{} (a mutation of {} bytes) panics",
                path.display(),
                input.len()
            );
        }
    }
}

#[test]
fn smoke_manifest() {
    smoke(&["corpus/manifest"], 8, 24, nano_fuzz::manifest);
}

#[test]
fn smoke_lockfile() {
    smoke(&["corpus/lockfile"], 8, 24, nano_fuzz::lockfile);
}

#[test]
fn smoke_inspect() {
    smoke(&["../linker/tests/data"], 4, 8, nano_fuzz::inspect);
}

#[test]
fn smoke_verify() {
    smoke(
        &["corpus/verify", "../linker/tests/data"],
        4,
        8,
        nano_fuzz::verify,
    );
}
