//! A private output directory for a confined rustc.
//!
//! rustc's `--out-dir` is `target/<triple>/release/deps`, shared by every crate of that target: a
//! proc macro allowed to write there could alter another crate's artifacts. So a confined rustc
//! writes into a directory of its own inside it (`deps/.nano-CRATE-HASH`), and the wrapper puts
//! each artifact into `deps/` itself: the metadata as soon as rustc announces it on its error
//! output (Cargo starts the crates that depend on it at that moment, "pipelining"; a hard link,
//! as rustc reads it again), everything else when rustc has succeeded.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::rustc_args::RustcArgs;

/// Where a confined rustc writes, and where its artifacts belong.
#[derive(Debug)]
pub struct Relay {
    /// The private directory rustc writes.
    pub private: PathBuf,
    /// Cargo's `--out-dir`.
    pub out_dir: PathBuf,
}

impl Relay {
    /// The relay for `parsed`, and the arguments with `--out-dir` pointing into it; `None` when
    /// the command line names its outputs otherwise (`-o`, `--emit KIND=PATH`, an `@FILE`).
    pub fn new(args: &[OsString], parsed: &RustcArgs) -> Option<(Relay, Vec<OsString>)> {
        let out_dir = parsed.out_dir.clone()?;
        let name = parsed.crate_name.as_deref()?;
        if parsed.output.is_some() || !parsed.emit_paths.is_empty() || !parsed.arg_files.is_empty()
        {
            return None;
        }
        let private = out_dir.join(format!(".nano-{name}{}", parsed.extra_filename));
        let mut rewritten = Vec::with_capacity(args.len());
        let mut replaced = false;
        let mut next_is_dir = false;
        for arg in args {
            if next_is_dir {
                rewritten.push(private.clone().into_os_string());
                next_is_dir = false;
                replaced = true;
            } else if arg == "--out-dir" {
                rewritten.push(arg.clone());
                next_is_dir = true;
            } else if arg.to_string_lossy().starts_with("--out-dir=") {
                let mut a = OsString::from("--out-dir=");
                a.push(&private);
                rewritten.push(a);
                replaced = true;
            } else {
                rewritten.push(arg.clone());
            }
        }
        if !replaced {
            return None;
        }
        let _ = std::fs::remove_dir_all(&private);
        std::fs::create_dir_all(&private).ok()?;
        Some((Relay { private, out_dir }, rewritten))
    }

    /// Handles one line of rustc's error output before it is forwarded: an artifact notification
    /// (`{"$message_type":"artifact","artifact":PATH,…}`) has its file moved to `out_dir` and its
    /// path rewritten.
    pub fn line(&self, line: &str) -> Option<String> {
        if !line.contains("\"$message_type\":\"artifact\"") {
            return None;
        }
        let json: serde_json::Value = serde_json::from_str(line).ok()?;
        let path = PathBuf::from(json.get("artifact")?.as_str()?);
        let name = path.strip_prefix(&self.private).ok()?;
        // Linked, not moved: rustc reads the metadata file again to put it into the `.rlib`.
        // A failure leaves the file for `finish`, and Cargo's dependents then fail loudly.
        let dest = self.out_dir.join(name);
        let _ = std::fs::remove_file(&dest);
        let _ = std::fs::hard_link(&path, &dest);
        let private = self.private.display().to_string();
        Some(line.replace(&private, &self.out_dir.display().to_string()))
    }

    /// Moves the remaining artifacts into `out_dir` when rustc succeeded, and removes the private
    /// directory.
    pub fn finish(&self, success: bool) -> std::io::Result<()> {
        if success {
            for entry in std::fs::read_dir(&self.private)? {
                let entry = entry?;
                if entry.file_type()?.is_file() {
                    std::fs::rename(entry.path(), self.out_dir.join(entry.file_name()))?;
                }
            }
        }
        std::fs::remove_dir_all(&self.private)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifacts_are_moved_into_the_shared_directory() {
        let dir = tempfile::tempdir().unwrap();
        let deps = dir.path().join("deps");
        std::fs::create_dir(&deps).unwrap();
        let args: Vec<OsString> = [
            "--crate-name",
            "app",
            "-C",
            "extra-filename=-9f",
            "--out-dir",
        ]
        .iter()
        .map(OsString::from)
        .chain([deps.clone().into_os_string()])
        .collect();
        let parsed = RustcArgs::parse(&args);
        let (relay, rewritten) = Relay::new(&args, &parsed).unwrap();
        assert_eq!(relay.private, deps.join(".nano-app-9f"));
        assert_eq!(rewritten.last().unwrap(), relay.private.as_os_str());
        let rmeta = relay.private.join("libapp-9f.rmeta");
        std::fs::write(&rmeta, "meta").unwrap();
        let line = format!(
            "{{\"$message_type\":\"artifact\",\"artifact\":\"{}\",\"emit\":\"metadata\"}}",
            rmeta.display()
        );
        let forwarded = relay.line(&line).unwrap();
        assert!(forwarded.contains(&deps.join("libapp-9f.rmeta").display().to_string()));
        assert!(deps.join("libapp-9f.rmeta").exists());
        assert!(rmeta.exists(), "rustc reads its metadata again");
        std::fs::write(relay.private.join("libapp-9f.rlib"), "lib").unwrap();
        relay.finish(true).unwrap();
        assert!(deps.join("libapp-9f.rlib").exists());
        assert!(!relay.private.exists());
        assert_eq!(relay.line("{\"$message_type\":\"diagnostic\"}"), None);
    }
}
