//! `cargo nano new --lib NAME [--parent APP] [--nanoprocess-path DIR]`: scaffolds a nano package
//! with a `#[nanoprocess::boundary]`, adds it to the enclosing Cargo workspace and, with
//! `--parent`, to its parent's dependencies with an empty grant.
//!
//! Everything is checked and every new text is computed before the first byte is written; a
//! failed write puts back what was already written.

use std::path::{Component, Path, PathBuf};

use clap::Args;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

/// Create a new nano package: manifest, boundary module and a native test.
#[derive(Args, Debug)]
pub struct NewCommand {
    /// Create a library nano package (the only kind `new` makes).
    #[arg(long, required = true)]
    lib: bool,
    /// Make the new package a nano child of APP: a path dependency and an empty grant (everything
    /// denied) in APP's Cargo.toml. APP is a package of the enclosing workspace, or the path to
    /// its directory or Cargo.toml.
    #[arg(long, value_name = "APP")]
    parent: Option<String>,
    /// Depend on the `nanoprocess` crate in DIR (a local checkout), written as a path relative
    /// to the new package, instead of on crates.io.
    #[arg(long, value_name = "DIR")]
    nanoprocess_path: Option<PathBuf>,
    /// The directory to create; its last component is the package name.
    path: PathBuf,
}

impl NewCommand {
    /// Runs the command; returns the exit code.
    pub fn exec(self) -> u8 {
        let _ = self.lib;
        let plan = match plan(
            &self.path,
            self.parent.as_deref(),
            self.nanoprocess_path.as_deref(),
        ) {
            Ok(plan) => plan,
            Err(message) => {
                eprintln!("error: {message}");
                return 2;
            }
        };
        match apply(&plan) {
            Ok(()) => {
                println!(
                    "created nano library `{}` in `{}`",
                    plan.name,
                    self.path.display()
                );
                for edit in &plan.edits {
                    for note in &edit.notes {
                        println!("{note}");
                    }
                }
                0
            }
            Err(message) => {
                eprintln!("error: {message}");
                2
            }
        }
    }
}

/// What `new` will write.
struct Plan {
    /// The package name.
    name: String,
    /// The package directory (absolute), created with its parents.
    dir: PathBuf,
    /// New files, absolute paths.
    files: Vec<(PathBuf, String)>,
    /// Edited manifests: whole new texts, at most one per file.
    edits: Vec<Edit>,
}

/// One manifest to rewrite.
struct Edit {
    path: PathBuf,
    before: String,
    doc: DocumentMut,
    /// One line per change, printed on success.
    notes: Vec<String>,
}

/// The `[workspace]` manifest that encloses a directory.
struct Workspace {
    manifest: PathBuf,
    root: PathBuf,
}

/// Checks everything and computes every text; writes nothing.
fn plan(
    path: &Path,
    parent: Option<&str>,
    nanoprocess_path: Option<&Path>,
) -> Result<Plan, String> {
    let name = package_name(path)?;
    let dir = absolute(path).map_err(|e| format!("cannot resolve `{}`: {e}", path.display()))?;
    if path.exists() || dir.exists() {
        return Err(format!(
            "`{}` already exists; choose a new directory for the package",
            path.display()
        ));
    }
    let mut edits: Vec<Edit> = Vec::new();

    // The enclosing workspace: the first `[workspace]` manifest above the new directory.
    let workspace = find_workspace(dir.parent().unwrap_or(&dir))?;
    let mut member = false;
    if let Some(ws) = &workspace {
        let rel = relative(&ws.root, &dir);
        let edit = edit_for(&mut edits, &ws.manifest)?;
        match membership(&edit.doc, &rel) {
            Membership::Covered => member = true,
            Membership::Excluded(entry) => edit.notes.push(format!(
                "not added to the workspace `{}`: its `exclude` lists `{entry}`",
                shown(&ws.manifest)
            )),
            Membership::Add => {
                add_member(&mut edit.doc, &rel, &ws.manifest)?;
                edit.notes.push(format!(
                    "added `{rel}` to the members of the workspace `{}`",
                    shown(&ws.manifest)
                ));
                member = true;
            }
        }
    }

    // The `nanoprocess` dependency line.
    let dependency = match nanoprocess_path {
        Some(nanoprocess) => {
            let manifest = nanoprocess_manifest(nanoprocess)?;
            let crate_dir = manifest.parent().unwrap_or(&manifest);
            format!(
                "nanoprocess = {{ version = \"{}\", path = {} }}",
                env!("CARGO_PKG_VERSION"),
                toml_string(&relative(&dir, crate_dir))
            )
        }
        None if member && workspace_declares_nanoprocess(&edits, workspace.as_ref()) => {
            "nanoprocess = { workspace = true }".to_string()
        }
        None => format!("nanoprocess = \"{}\"", env!("CARGO_PKG_VERSION")),
    };

    // The parent: a path dependency and an empty grant.
    if let Some(parent) = parent {
        let manifest = find_parent(parent, workspace.as_ref())?;
        let rel = relative(manifest.parent().unwrap_or(&manifest), &dir);
        let edit = edit_for(&mut edits, &manifest)?;
        let app = add_child(&mut edit.doc, &manifest, &name, &rel)?;
        edit.notes.push(format!(
            "added `{name}` to the dependencies of `{app}` in `{}`, with an empty grant: `{name}` \
             gets nothing until `[package.metadata.nano.grants.{name}]` there grants it",
            shown(&manifest)
        ));
    }

    Ok(Plan {
        files: vec![
            (dir.join("Cargo.toml"), manifest(&name, &dependency)),
            (dir.join("src").join("lib.rs"), LIB.replace("{name}", &name)),
        ],
        name,
        dir,
        edits,
    })
}

/// Writes the plan; on a failed write, puts back what was written before it.
fn apply(plan: &Plan) -> Result<(), String> {
    let created = first_missing(&plan.dir);
    let undo = |edited: &[&Edit]| {
        for edit in edited {
            let _ = std::fs::write(&edit.path, &edit.before);
        }
        if let Some(top) = &created {
            let _ = std::fs::remove_dir_all(top);
        }
    };
    for (path, text) in &plan.files {
        let written = std::fs::create_dir_all(path.parent().unwrap_or(&plan.dir))
            .and_then(|()| std::fs::write(path, text));
        if let Err(e) = written {
            undo(&[]);
            return Err(format!("failed to write `{}`: {e}", shown(path)));
        }
    }
    let mut done: Vec<&Edit> = Vec::new();
    for edit in &plan.edits {
        let text = edit.doc.to_string();
        if text == edit.before {
            continue;
        }
        if let Err(e) = std::fs::write(&edit.path, text) {
            undo(&done);
            return Err(format!(
                "failed to write `{}`: {e}; nothing was changed",
                shown(&edit.path)
            ));
        }
        done.push(edit);
    }
    Ok(())
}

/// The outermost ancestor of `dir` (or `dir` itself) that does not exist yet.
fn first_missing(dir: &Path) -> Option<PathBuf> {
    let mut top = None;
    for ancestor in dir.ancestors() {
        if ancestor.exists() {
            break;
        }
        top = Some(ancestor.to_path_buf());
    }
    top
}

/// The package name: the last component of `path`, checked as Cargo and rustc would.
fn package_name(path: &Path) -> Result<String, String> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| {
            n.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
        .ok_or_else(|| {
            format!(
                "`{}` is not a valid package name: use lowercase letters, digits, `-` and `_`, \
                 starting with a letter",
                path.display()
            )
        })?;
    let ident = name.replace('-', "_");
    if RESERVED.contains(&ident.as_str()) {
        return Err(format!(
            "`{name}` cannot be a package name: it is a Rust keyword or the name of a crate every \
             nano package uses; choose another name"
        ));
    }
    Ok(name.to_string())
}

/// Names a nano package cannot have: keywords, the sysroot crates, and its own dependencies.
const RESERVED: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "alloc",
    "core",
    "proc_macro",
    "std",
    "test",
    "nanoprocess",
    "nanoprocess_macros",
    "wit_bindgen",
];

/// `path` made absolute without resolving what does not exist yet: the longest existing
/// ancestor is canonicalized, the rest is appended with `.` and `..` applied.
fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let full = std::env::current_dir()?.join(path);
    let mut rest = Vec::new();
    let mut base = full.as_path();
    let existing = loop {
        match base.canonicalize() {
            Ok(existing) => break existing,
            Err(e) => match (base.parent(), base.file_name()) {
                (Some(up), Some(name)) => {
                    rest.push(name.to_os_string());
                    base = up;
                }
                // `..` or `.` at the end of a missing path, or nothing left.
                _ => return Err(e),
            },
        }
    };
    let mut out = existing;
    for name in rest.into_iter().rev() {
        match Path::new(&name).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            _ => out.push(name),
        }
    }
    Ok(out)
}

/// `to` relative to the directory `from` (both absolute, normalized), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// A path for messages: relative to the current directory when below it.
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| cwd.canonicalize().ok())
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn toml_string(text: &str) -> String {
    Value::from(text).to_string().trim().to_string()
}

fn read_manifest(path: &Path) -> Result<(String, DocumentMut), String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", shown(path)))?;
    let doc = text
        .parse::<DocumentMut>()
        .map_err(|e| format!("`{}` is not valid TOML; fix it first:\n{e}", shown(path)))?;
    Ok((text, doc))
}

/// The pending edit of `path`, read on first use.
fn edit_for<'a>(edits: &'a mut Vec<Edit>, path: &Path) -> Result<&'a mut Edit, String> {
    if let Some(i) = edits.iter().position(|e| e.path == path) {
        return Ok(&mut edits[i]);
    }
    let (before, doc) = read_manifest(path)?;
    edits.push(Edit {
        path: path.to_path_buf(),
        before,
        doc,
        notes: Vec::new(),
    });
    Ok(edits.last_mut().expect("just pushed"))
}

/// The first manifest with a `[workspace]` table in `start` or above it.
fn find_workspace(start: &Path) -> Result<Option<Workspace>, String> {
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let (_, doc) = read_manifest(&manifest)?;
        if doc.get("workspace").is_some_and(Item::is_table_like) {
            return Ok(Some(Workspace {
                manifest,
                root: dir.to_path_buf(),
            }));
        }
    }
    Ok(None)
}

/// Whether the workspace already has the new package.
enum Membership {
    /// A `members` entry (or glob) already matches it.
    Covered,
    /// The workspace's `exclude` leaves it out: it stays a workspace of its own.
    Excluded(String),
    /// It must be added to `members`.
    Add,
}

fn workspace_table(doc: &DocumentMut) -> Option<&dyn toml_edit::TableLike> {
    doc.get("workspace").and_then(Item::as_table_like)
}

fn string_list(table: &dyn toml_edit::TableLike, key: &str) -> Vec<String> {
    table
        .get(key)
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str()).map(clean).collect())
        .unwrap_or_default()
}

/// A workspace path entry without `./` and trailing `/`.
fn clean(entry: &str) -> String {
    let mut e = entry.trim_end_matches('/');
    while let Some(rest) = e.strip_prefix("./") {
        e = rest;
    }
    e.to_string()
}

/// Cargo's rule: a path listed (or under a path listed) in `members` is in, even when
/// `exclude` lists it; otherwise a path under an `exclude` entry is out.
fn membership(doc: &DocumentMut, rel: &str) -> Membership {
    let Some(ws) = workspace_table(doc) else {
        return Membership::Add;
    };
    let members = string_list(ws, "members");
    if members.iter().any(|m| glob_match(m, rel)) {
        return Membership::Covered;
    }
    let under = |entry: &str| rel == entry || rel.starts_with(&format!("{entry}/"));
    if members.iter().any(|m| under(m)) {
        return Membership::Add;
    }
    match string_list(ws, "exclude").into_iter().find(|e| under(e)) {
        Some(entry) => Membership::Excluded(entry),
        None => Membership::Add,
    }
}

/// Glob matching as Cargo's `members` use it: `*` and `?` within a path segment, `**` for
/// any number of segments, `[...]` character classes.
fn glob_match(pattern: &str, path: &str) -> bool {
    fn segments(pattern: &[&str], path: &[&str]) -> bool {
        match pattern.split_first() {
            None => path.is_empty(),
            Some((&"**", rest)) => (0..=path.len()).any(|skip| segments(rest, &path[skip..])),
            Some((first, rest)) => path.split_first().is_some_and(|(p, tail)| {
                segment(first.as_bytes(), p.as_bytes()) && segments(rest, tail)
            }),
        }
    }
    fn segment(pattern: &[u8], text: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len()).any(|skip| segment(rest, &text[skip..])),
            Some((b'?', rest)) => !text.is_empty() && segment(rest, &text[1..]),
            Some((b'[', rest)) => {
                let Some(end) = rest.iter().skip(1).position(|&b| b == b']').map(|i| i + 1) else {
                    return text.first() == Some(&b'[') && segment(rest, &text[1..]);
                };
                let Some((&c, tail)) = text.split_first() else {
                    return false;
                };
                let (negated, class) = match rest[..end].split_first() {
                    Some((b'!', class)) => (true, class),
                    _ => (false, &rest[..end]),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == b'-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != negated && segment(&rest[end + 1..], tail)
            }
            Some((&b, rest)) => text.first() == Some(&b) && segment(rest, &text[1..]),
        }
    }
    let pattern = clean(pattern);
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    segments(&pattern, &path)
}

/// Appends `rel` to `workspace.members`, in the array's own style.
fn add_member(doc: &mut DocumentMut, rel: &str, manifest: &Path) -> Result<(), String> {
    let ws = doc
        .get_mut("workspace")
        .and_then(Item::as_table_like_mut)
        .expect("checked by find_workspace");
    let members = ws
        .entry("members")
        .or_insert_with(|| Item::Value(Value::Array(Array::new())));
    let Some(members) = members.as_array_mut() else {
        return Err(format!(
            "`workspace.members` in `{}` is not an array; make it a list of paths",
            shown(manifest)
        ));
    };
    // In a multi-line array the new entry goes on its own line, indented like the last one (its
    // prefix may also hold the previous line's comment, which stays where it is).
    let indent = members
        .iter()
        .last()
        .and_then(|last| last.decor().prefix()?.as_str()?.rsplit_once('\n'))
        .map(|(_, indent)| indent.to_string());
    match indent {
        Some(indent) => {
            let mut value = Value::from(rel);
            value.decor_mut().set_prefix(format!("\n{indent}"));
            members.push_formatted(value);
        }
        None => members.push(rel),
    }
    Ok(())
}

/// The workspace declares `nanoprocess` in `[workspace.dependencies]`.
fn workspace_declares_nanoprocess(edits: &[Edit], workspace: Option<&Workspace>) -> bool {
    let Some(ws) = workspace else {
        return false;
    };
    edits
        .iter()
        .find(|e| e.path == ws.manifest)
        .and_then(|e| workspace_table(&e.doc))
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table_like)
        .is_some_and(|deps| deps.contains_key("nanoprocess"))
}

/// The manifest of the `nanoprocess` crate in `dir` (or `dir` itself when it is a Cargo.toml).
fn nanoprocess_manifest(dir: &Path) -> Result<PathBuf, String> {
    let given = if dir.file_name().is_some_and(|n| n == "Cargo.toml") {
        dir.to_path_buf()
    } else {
        dir.join("Cargo.toml")
    };
    let manifest = given.canonicalize().map_err(|_| {
        format!(
            "`--nanoprocess-path {}`: there is no `{}`; pass the directory of the `nanoprocess` \
             crate (the one holding its Cargo.toml)",
            dir.display(),
            given.display()
        )
    })?;
    let (_, doc) = read_manifest(&manifest)?;
    let name = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str);
    if name != Some("nanoprocess") {
        return Err(format!(
            "`--nanoprocess-path {}`: `{}` is not the manifest of the `nanoprocess` crate; pass \
             the directory of the `nanoprocess` crate",
            dir.display(),
            shown(&manifest)
        ));
    }
    Ok(manifest)
}

/// The manifest of the parent package: a path when `parent` looks like one, else a package
/// of the enclosing workspace.
fn find_parent(parent: &str, workspace: Option<&Workspace>) -> Result<PathBuf, String> {
    let looks_like_path = parent.contains('/')
        || parent.contains(std::path::MAIN_SEPARATOR)
        || parent.ends_with(".toml")
        || parent == "."
        || parent == "..";
    if !looks_like_path && let Some(ws) = workspace {
        let packages = workspace_packages(&ws.manifest)?;
        if let Some((_, manifest)) = packages.iter().find(|(name, _)| name == parent) {
            return manifest
                .canonicalize()
                .map_err(|e| format!("cannot resolve `{}`: {e}", manifest.display()));
        }
        let names: Vec<String> = packages.iter().map(|(n, _)| format!("`{n}`")).collect();
        return Err(format!(
            "`--parent {parent}`: the workspace `{}` has no package named `{parent}` (it has \
             {}); pass one of those names or the path to the parent's Cargo.toml",
            shown(&ws.manifest),
            names.join(", ")
        ));
    }
    let given = Path::new(parent);
    let manifest = if parent.ends_with(".toml") {
        given.to_path_buf()
    } else {
        given.join("Cargo.toml")
    };
    match manifest.canonicalize() {
        Ok(manifest) if manifest.is_file() => Ok(manifest),
        _ if looks_like_path => Err(format!(
            "`--parent {parent}`: there is no `{}`; pass the parent package's directory or \
             Cargo.toml",
            manifest.display()
        )),
        _ => Err(format!(
            "`--parent {parent}`: no Cargo workspace encloses the new package to look `{parent}` \
             up in; pass the path to the parent's directory or Cargo.toml"
        )),
    }
}

/// Name and manifest of every package of a workspace (`cargo metadata --no-deps`).
fn workspace_packages(manifest: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(manifest)
        .no_deps()
        .exec()
        .map_err(|e| {
            format!(
                "cannot list the packages of the workspace `{}` (`cargo metadata` failed); fix \
                 the workspace first or pass the path to the parent's Cargo.toml:\n{e}",
                shown(manifest)
            )
        })?;
    Ok(metadata
        .workspace_packages()
        .into_iter()
        .map(|p| {
            (
                p.name.to_string(),
                p.manifest_path.clone().into_std_path_buf(),
            )
        })
        .collect())
}

/// Adds `name = { path = rel }` to the parent's `[dependencies]` and an empty
/// `[package.metadata.nano.grants.NAME]`; returns the parent's package name.
fn add_child(
    doc: &mut DocumentMut,
    manifest: &Path,
    name: &str,
    rel: &str,
) -> Result<String, String> {
    let file = shown(manifest);
    let app = doc
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(Item::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            format!(
                "`{file}` has no `[package]` with a `name`; pass a package's manifest to `--parent`"
            )
        })?;
    if app == name {
        return Err(format!(
            "`--parent {app}` is the package being created; choose another parent or name"
        ));
    }
    let nano = doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("nano"));
    if !nano.is_some_and(Item::is_table_like) {
        return Err(format!(
            "`{app}` is not a nano package: `{file}` has no `[package.metadata.nano]` table; add \
             one with `format = 1` (and the `[package.metadata.nano.requests]` it needs) first"
        ));
    }
    let already = doc
        .get("dependencies")
        .and_then(Item::as_table_like)
        .and_then(|deps| {
            deps.iter().find_map(|(key, dep)| {
                let package = dep.get("package").and_then(Item::as_str).unwrap_or(key);
                (key == name || package == name).then(|| key.to_string())
            })
        });
    if let Some(key) = already {
        return Err(format!(
            "`{app}` already depends on `{name}` (`dependencies.{key}` in `{file}`); remove that \
             dependency or choose another name for the new package"
        ));
    }
    if !doc.get("dependencies").is_none_or(Item::is_table_like) {
        return Err(format!(
            "`dependencies` in `{file}` is not a table; fix it first"
        ));
    }

    let grants_present = nano
        .and_then(|n| n.get("grants"))
        .map(|g| g.as_table_like().map(|t| t.contains_key(name)));
    match grants_present {
        Some(None) => {
            return Err(format!(
                "`package.metadata.nano.grants` in `{file}` is not a table; fix it first"
            ));
        }
        Some(Some(true)) => {
            return Err(format!(
                "`{file}` already has `[package.metadata.nano.grants.{name}]`; remove it or choose \
                 another name for the new package"
            ));
        }
        _ => {}
    }

    // The dependency.
    // A new `[dependencies]` goes right after `[package]`, before its metadata tables.
    let package_position = doc
        .get("package")
        .and_then(Item::as_table)
        .and_then(Table::position);
    let deps = doc.entry("dependencies").or_insert_with(|| {
        let mut table = Table::new();
        if let Some(position) = package_position {
            table.set_position(position);
        }
        Item::Table(table)
    });
    let mut dependency = InlineTable::new();
    dependency.insert("path", Value::from(rel));
    let deps = deps.as_table_like_mut().expect("checked above");
    deps.insert(name, Item::Value(Value::InlineTable(dependency)));

    // The grant: an empty table, so everything is denied until someone writes a key.
    let nano = doc["package"]["metadata"]["nano"]
        .as_table_like_mut()
        .expect("checked above");
    let grants = nano.entry("grants").or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    let comment = format!(
        "\n# What `{app}` passes to its nano child `{name}`. Absent keys are denied: `{name}` gets\n\
         # nothing until a key here grants it, and only from what `{app}` holds itself.\n"
    );
    match grants {
        Item::Table(grants) => {
            let mut grant = Table::new();
            grant.decor_mut().set_prefix(comment);
            grants.insert(name, Item::Table(grant));
        }
        Item::Value(Value::InlineTable(grants)) => {
            grants.insert(name, Value::InlineTable(InlineTable::new()));
        }
        _ => unreachable!("checked above"),
    }
    Ok(app)
}

fn manifest(name: &str, dependency: &str) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"

[dependencies]
{dependency}

[features]
# `cargo nano build` turns these on: `nano-export` when this package is built as its own
# nanoprocess, `nano-import` when its parent calls it across the boundary.
nano-export = ["nanoprocess/bindings"]
nano-import = ["nanoprocess/bindings"]

[package.metadata.nano]
format = 1
# What this package needs from its parent. Absent keys are denied: with none, it can compute
# but reach no file, stream, clock, randomness, environment or network.
[package.metadata.nano.requests]
"#
    )
}

const LIB: &str = r#"//! `{name}`: a nano package. Its boundary is the `api` module: natively these are ordinary
//! functions; under `cargo nano` they run in their own nanoprocess and a parent's calls cross
//! into it with the same Rust signatures.

#[nanoprocess::boundary]
pub mod api {
    /// A greeting.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Greeting {
        /// The text.
        pub text: String,
        /// How many characters the name had.
        pub length: u32,
    }

    /// Greets `name`; an empty name is an error.
    pub fn greet(name: &str) -> Result<Greeting, String> {
        if name.is_empty() {
            return Err("empty name".into());
        }
        Ok(Greeting {
            text: format!("hello, {}", name),
            length: name.chars().count() as u32,
        })
    }
}

pub use api::{Greeting, greet};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets() {
        let greeting = greet("nano").unwrap();
        assert_eq!(greeting.text, "hello, nano");
        assert_eq!(greeting.length, 4);
        assert!(greet("").is_err());
    }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_cargo_members() {
        assert!(glob_match("crates/*", "crates/x"));
        assert!(glob_match("./crates/*/", "crates/x"));
        assert!(!glob_match("crates/*", "crates/x/y"));
        assert!(glob_match("crates/**", "crates/x/y"));
        assert!(glob_match("**/x", "a/b/x"));
        assert!(glob_match("lib-?", "lib-a"));
        assert!(glob_match("lib-[a-c]", "lib-b"));
        assert!(!glob_match("lib-[!a-c]", "lib-b"));
        assert!(!glob_match("app", "x"));
        assert!(glob_match("x", "x"));
    }

    #[test]
    fn relative_paths_use_slashes_and_dot_dot() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(relative(&p("/w/app"), &p("/w/x")), "../x");
        assert_eq!(relative(&p("/w"), &p("/w/crates/x")), "crates/x");
        assert_eq!(
            relative(&p("/tmp/a/x"), &p("/src/nanoprocess")),
            "../../../src/nanoprocess"
        );
        assert_eq!(relative(&p("/w"), &p("/w")), ".");
    }

    fn doc(text: &str) -> DocumentMut {
        text.parse().unwrap()
    }

    #[test]
    fn membership_follows_members_and_exclude() {
        let ws =
            doc("[workspace]\nmembers = [\"crates/*\", \"tools/a\"]\nexclude = [\"fixtures\"]\n");
        assert!(matches!(membership(&ws, "crates/x"), Membership::Covered));
        assert!(matches!(membership(&ws, "x"), Membership::Add));
        assert!(
            matches!(membership(&ws, "fixtures/x"), Membership::Excluded(e) if e == "fixtures")
        );
        let ws = doc("[workspace]\nmembers = [\"fixtures/keep\"]\nexclude = [\"fixtures\"]\n");
        assert!(matches!(
            membership(&ws, "fixtures/keep/x"),
            Membership::Add
        ));
    }

    #[test]
    fn members_keep_their_layout_and_comments() {
        let mut ws = doc(
            "[workspace]\n# The crates.\nmembers = [\n    \"app\", # the binary\n    \"lib\",\n]\n",
        );
        add_member(&mut ws, "x", Path::new("Cargo.toml")).unwrap();
        assert_eq!(
            ws.to_string(),
            "[workspace]\n# The crates.\nmembers = [\n    \"app\", # the binary\n    \"lib\",\n    \"x\",\n]\n"
        );
        let mut ws = doc("[workspace]\nmembers = [\"app\"]\n");
        add_member(&mut ws, "x", Path::new("Cargo.toml")).unwrap();
        assert_eq!(ws.to_string(), "[workspace]\nmembers = [\"app\", \"x\"]\n");
        let mut ws = doc("[workspace]\nresolver = \"3\"\n");
        add_member(&mut ws, "x", Path::new("Cargo.toml")).unwrap();
        assert_eq!(
            ws.to_string(),
            "[workspace]\nresolver = \"3\"\nmembers = [\"x\"]\n"
        );
    }

    #[test]
    fn a_child_gets_a_path_dependency_and_an_empty_grant() {
        let mut app = doc(
            "[package]\nname = \"app\"\n\n[dependencies]\nanyhow = \"1\" # errors\n\n\
             [package.metadata.nano]\nformat = 1\n\n[package.metadata.nano.requests]\nstdio = [\"stdout\"]\n",
        );
        assert_eq!(
            add_child(&mut app, Path::new("app/Cargo.toml"), "x", "../x").unwrap(),
            "app"
        );
        assert_eq!(
            app.to_string(),
            "[package]\nname = \"app\"\n\n[dependencies]\nanyhow = \"1\" # errors\nx = { path = \"../x\" }\n\n\
             [package.metadata.nano]\nformat = 1\n\n[package.metadata.nano.requests]\nstdio = [\"stdout\"]\n\n\
             # What `app` passes to its nano child `x`. Absent keys are denied: `x` gets\n\
             # nothing until a key here grants it, and only from what `app` holds itself.\n\
             [package.metadata.nano.grants.x]\n"
        );
        // Once more: already a dependency.
        let err = add_child(&mut app, Path::new("app/Cargo.toml"), "x", "../x").unwrap_err();
        assert!(err.contains("already depends on `x`"), "{err}");
    }

    #[test]
    fn a_new_dependencies_table_follows_the_package_table() {
        let mut app = doc(
            "[package]\nname = \"app\"\n\n[package.metadata.nano]\nformat = 1\n\n\
             [package.metadata.nano.requests]\n",
        );
        add_child(&mut app, Path::new("app/Cargo.toml"), "x", "x").unwrap();
        assert_eq!(
            app.to_string(),
            "[package]\nname = \"app\"\n\n[dependencies]\nx = { path = \"x\" }\n\n\
             [package.metadata.nano]\nformat = 1\n\n[package.metadata.nano.requests]\n\n\
             # What `app` passes to its nano child `x`. Absent keys are denied: `x` gets\n\
             # nothing until a key here grants it, and only from what `app` holds itself.\n\
             [package.metadata.nano.grants.x]\n"
        );
    }

    #[test]
    fn a_parent_must_be_a_nano_package() {
        let mut plain = doc("[package]\nname = \"plain\"\n");
        let err = add_child(&mut plain, Path::new("Cargo.toml"), "x", "x").unwrap_err();
        assert!(err.contains("not a nano package"), "{err}");
    }

    #[test]
    fn names_are_checked() {
        assert!(package_name(Path::new("a/hello-nano")).is_ok());
        assert!(package_name(Path::new("Hello")).is_err());
        assert!(package_name(Path::new("fn")).is_err());
        assert!(package_name(Path::new("nanoprocess")).is_err());
    }
}
