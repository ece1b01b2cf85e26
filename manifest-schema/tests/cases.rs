//! Data-driven tests: each `tests/cases/<name>/Cargo.toml` is parsed with
//! `parse_cargo_toml` and the outcome compared to `tests/cases/<name>/expected.txt`:
//! the manifest as pretty JSON after an `ok` line, `not a nano package`, or the
//! error exactly as displayed to users.
//!
//! Every problem must also be locatable in its file (see `assert_located`).
//!
//! Run with `BLESS=1` to (re)write every `expected.txt` from the actual output.

use std::fs;
use std::path::{Path, PathBuf};

use manifest_schema::{Part, Problem, parse_cargo_toml, span};

fn render(case: &Path, name: &str) -> String {
    let text = fs::read_to_string(case.join("Cargo.toml")).expect("cannot read Cargo.toml");
    // The package name the CLI would pass; the case name when the TOML is unusable.
    let package = text
        .parse::<toml::Table>()
        .ok()
        .and_then(|doc| doc.get("package")?.get("name")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| name.to_owned());
    // A relative, `/`-separated path keeps the expected output portable.
    let manifest_path = PathBuf::from(format!("tests/cases/{name}/Cargo.toml"));
    match parse_cargo_toml(&text, &package, &manifest_path) {
        Ok(Some(manifest)) => format!(
            "ok\n{}\n",
            serde_json::to_string_pretty(&manifest).expect("the manifest serializes")
        ),
        Ok(None) => "not a nano package\n".to_owned(),
        Err(errors) => {
            for problem in &errors.problems {
                assert!(
                    problem.help.is_some(),
                    "case `{name}`: no help for {problem}"
                );
                assert_located(name, &text, problem);
            }
            format!("{errors}\n")
        }
    }
}

/// Every problem can be shown at its place in the file: its key is found (a missing key: the
/// table that should hold it), or it is a syntax error the parser places.
fn assert_located(name: &str, text: &str, problem: &Problem) {
    if problem.key.is_empty() {
        assert!(
            span::syntax_error(text).is_some(),
            "case `{name}`: {problem} has no place"
        );
        return;
    }
    let located = span::locate(text, &problem.key)
        .unwrap_or_else(|| panic!("case `{name}`: `{}` not found", problem.key));
    let missing = problem.message.starts_with("missing required key");
    assert_eq!(
        located.missing.is_some(),
        missing,
        "case `{name}`: `{}` located at {:?}",
        problem.key,
        &text[located.value.clone()]
    );
    if problem.part == Part::Key {
        let key = located.key.expect("a key");
        let written = text[key].trim_matches('"');
        assert!(
            problem.message.contains(&format!("`{written}`")),
            "case `{name}`: {problem} underlines `{written}`"
        );
    }
}

#[test]
fn cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let bless = std::env::var_os("BLESS").is_some();
    let mut names: Vec<String> = fs::read_dir(&root)
        .expect("cannot list tests/cases")
        .map(|entry| {
            entry
                .expect("cannot list tests/cases")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert!(
        names.len() >= 20,
        "expected the test cases in {}",
        root.display()
    );
    let mut failures = Vec::new();
    for name in &names {
        let case = root.join(name);
        let actual = render(&case, name);
        let expected_path = case.join("expected.txt");
        if bless {
            fs::write(&expected_path, &actual).expect("cannot write expected.txt");
            continue;
        }
        let expected = fs::read_to_string(&expected_path)
            .unwrap_or_default()
            .replace("\r\n", "\n");
        if expected != actual {
            failures.push(format!(
                "--- case `{name}`\n--- expected:\n{expected}--- actual:\n{actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ (run with BLESS=1 to accept the actual output):\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}
