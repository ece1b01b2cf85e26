//! A command that prints standard input as hex, one line of 16 bytes at a time.
use std::io::{Read, Write};

fn main() {
    let mut input = Vec::new();
    std::io::stdin().lock().read_to_end(&mut input).expect("reading stdin");
    let mut out = std::io::stdout().lock();
    for chunk in input.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
        writeln!(out, "{}", line.join(" ")).expect("writing stdout");
    }
}
