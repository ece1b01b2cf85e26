//! Checks of individual strings: names, paths, keywords, and spelling hints.

/// A failed check: the message and an optional fix hint.
pub(crate) type Invalid = (String, Option<String>);

/// What a name names, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// A directory slot.
    Slot,
    /// A nano child (a Cargo dependency name).
    Child,
}

impl NameKind {
    fn noun(self) -> &'static str {
        match self {
            Self::Slot => "slot name",
            Self::Child => "child name",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Self::Slot => "slot names look like `out` or `cache-dir`",
            Self::Child => {
                "child names are Cargo dependency names, made of lowercase letters, digits, `_` and `-`"
            }
        }
    }
}

/// Checks a slot or child name: non-empty, `[a-z0-9_-]`, starting with a letter.
pub(crate) fn check_name(kind: NameKind, name: &str) -> Result<(), Invalid> {
    let noun = kind.noun();
    let help = |fallback: &str| {
        let lower = name.to_ascii_lowercase();
        if lower != name && is_valid_name(&lower) {
            format!("did you mean `{lower}`?")
        } else {
            fallback.to_owned()
        }
    };
    if name.is_empty() {
        return Err((
            format!("the {noun} is empty"),
            Some(kind.example().to_owned()),
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err((
            format!("invalid {noun} `{name}`: {noun}s must start with a lowercase letter"),
            Some(kind.example().to_owned()),
        ));
    }
    if !is_valid_name(name) {
        return Err((
            format!(
                "invalid {noun} `{name}`: {noun}s may only contain lowercase letters, digits, `_` and `-`"
            ),
            Some(help(kind.example())),
        ));
    }
    Ok(())
}

fn is_valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Checks an environment variable name: non-empty, no `=`, no NUL.
pub(crate) fn check_env_name(name: &str) -> Result<(), Invalid> {
    let help = || Some("list variables by name only, e.g. `LANG`".to_owned());
    if name.is_empty() {
        return Err(("the environment variable name is empty".to_owned(), help()));
    }
    if name.contains('=') {
        return Err((
            format!("invalid environment variable name `{name}`: names cannot contain `=`"),
            Some(
                "list the variable by name only, e.g. `LANG`; its value comes from the environment"
                    .to_owned(),
            ),
        ));
    }
    if name.contains('\0') {
        return Err((
            format!(
                "invalid environment variable name `{}`: names cannot contain NUL",
                printable(name)
            ),
            help(),
        ));
    }
    Ok(())
}

/// Checks the `path` of a directory grant: relative, `/`-separated plain names.
pub(crate) fn check_sub_path(path: &str) -> Result<(), Invalid> {
    let shown = printable(path);
    let plain = "give a path relative to the slot made of plain names separated by `/`, e.g. `extracted/images`";
    let fail = |reason: &str, help: &str| {
        Err((
            format!("invalid path `{shown}`: {reason}"),
            Some(help.to_owned()),
        ))
    };
    if path.is_empty() {
        return Err((
            "the path is empty".to_owned(),
            Some("leave `path` out to grant the slot itself".to_owned()),
        ));
    }
    if path.contains('\\') {
        return fail("`\\` is not allowed", "separate components with `/`");
    }
    if path.contains('\0') {
        return fail("NUL is not allowed", plain);
    }
    if path.starts_with('/') {
        return fail("the path must be relative to the slot", plain);
    }
    for component in path.split('/') {
        match component {
            "" => return fail("empty components are not allowed", plain),
            "." => return fail("`.` components are not allowed", plain),
            ".." => {
                return fail(
                    "`..` is not allowed: a grant cannot reach outside the granter's slot",
                    plain,
                );
            }
            _ => {}
        }
    }
    Ok(())
}

/// The entry of `choices` closest to `word`, if it is close enough to be a likely typo.
pub(crate) fn suggest<'a>(word: &str, choices: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(1);
    choices
        .iter()
        .map(|choice| (distance(&word, choice), *choice))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, choice)| choice)
}

/// Edit distance counting insertions, deletions, substitutions and adjacent
/// transpositions (optimal string alignment).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

/// `text` with control characters (NUL, newlines...) escaped, for messages.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `` `a`, `b`, `c` ``.
pub(crate) fn backticked(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(check_name(NameKind::Slot, "out").is_ok());
        assert!(check_name(NameKind::Slot, "cache_dir-2").is_ok());
        assert!(check_name(NameKind::Slot, "").is_err());
        assert!(
            check_name(NameKind::Slot, "1out")
                .unwrap_err()
                .0
                .contains("start with")
        );
        assert!(
            check_name(NameKind::Slot, "_out")
                .unwrap_err()
                .0
                .contains("start with")
        );
        assert_eq!(
            check_name(NameKind::Child, "Extractor")
                .unwrap_err()
                .1
                .as_deref(),
            Some("did you mean `extractor`?")
        );
        assert!(check_name(NameKind::Slot, "a.b").is_err());
        assert!(check_name(NameKind::Slot, "é").is_err());
    }

    #[test]
    fn env_names() {
        assert!(check_env_name("LANG").is_ok());
        assert!(check_env_name("lower_case ok").is_ok());
        assert!(check_env_name("").is_err());
        assert!(check_env_name("A=B").is_err());
        assert!(check_env_name("A\0").is_err());
    }

    #[test]
    fn sub_paths() {
        for good in ["a", "a/b", "a.b/c..d", "...", ".hidden"] {
            assert!(check_sub_path(good).is_ok(), "{good}");
        }
        for bad in [
            "", "/a", "a/", "a//b", ".", "./a", "a/..", "../a", "a\\b", "a\0",
        ] {
            assert!(check_sub_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn suggestions() {
        let keys = [
            "dirs", "env", "stdio", "clocks", "random", "network", "args",
        ];
        assert_eq!(suggest("dris", &keys), Some("dirs"));
        assert_eq!(suggest("arg", &keys), Some("args"));
        assert_eq!(suggest("Network", &keys), Some("network"));
        assert_eq!(suggest("clock", &keys), Some("clocks"));
        assert_eq!(suggest("filesystem", &keys), None);
        assert_eq!(distance("", "abc"), 3);
    }
}
