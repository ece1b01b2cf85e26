//! The examples of `docs/manifest.md` stay true.

use std::path::Path;

use manifest_schema::parse_cargo_toml;

fn doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/manifest.md");
    std::fs::read_to_string(&path).expect("cannot read docs/manifest.md")
}

/// The contents of the fenced blocks of `lang`.
fn blocks(doc: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match &mut current {
            None if line.trim() == format!("```{lang}") => current = Some(String::new()),
            Some(_) if line.trim() == "```" => out.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn toml_examples_are_valid() {
    let doc = doc();
    let examples = blocks(&doc, "toml");
    assert!(examples.len() >= 5);
    for example in examples {
        // Fragments show only some tables; give them the required header.
        let text = if example.contains("format = ") {
            example.clone()
        } else {
            format!("[package.metadata.nano]\nformat = 1\n{example}")
        };
        match parse_cargo_toml(&text, "doc", Path::new("docs/manifest.md")) {
            Ok(Some(_)) => {}
            Ok(None) => panic!("not a nano manifest:\n{example}"),
            Err(errors) => panic!("{errors}\nin:\n{example}"),
        }
    }
}

// The error example is drawn by cargo-nano's diagnostics; its test is there
// (`cargo-nano/src/diagnostic_tests.rs`).
