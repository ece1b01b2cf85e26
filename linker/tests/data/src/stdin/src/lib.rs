//! Each export reads standard input through a different std path.
use std::io::{BufRead, Read};

wit_bindgen::generate!({ path: "wit", world: "stdin" });

struct Stdin;

impl exports::nano_test::stdin::api::Guest for Stdin {
    fn lock_read_to_end() -> u64 {
        read_all_locked()
    }
    fn read_line() -> String {
        first_line()
    }
    fn buf_reader() -> u64 {
        count_lines()
    }
    fn read_to_string() -> String {
        whole_input()
    }
}

#[inline(never)]
fn read_all_locked() -> u64 {
    let mut bytes = Vec::new();
    let _ = std::io::stdin().lock().read_to_end(&mut bytes);
    bytes.len() as u64
}

#[inline(never)]
fn first_line() -> String {
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    line
}

#[inline(never)]
fn count_lines() -> u64 {
    std::io::BufReader::new(std::io::stdin()).lines().count() as u64
}

#[inline(never)]
fn whole_input() -> String {
    std::io::read_to_string(std::io::stdin()).unwrap_or_default()
}

export!(Stdin);
