//! A command that prints one line to stdout.
fn main() {
    println!("hello");
}
