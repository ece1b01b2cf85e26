//! End-to-end test of `fixtures/real-crates`: an application whose nano packages use popular
//! crates.io crates for real (serde, serde_json, toml, csv, regex, semver, png, tar, flate2,
//! walkdir, sha2, base64, chrono, uuid), built by the real binary into four components and run
//! on wasmtime, each package holding only what its parent granted.

mod support;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use support::{cargo_nano, fixture};

/// What `app` prints before the lines that depend on the clock and the random numbers: every
/// value is computed by the crates inside the children (`parser`: toml, csv, semver, regex, png;
/// `report`: chrono; `archive`: flate2, tar, walkdir, sha2, base64).
const EXPECTED: &str = "\
release nano-demo 1.4.2: 4 of 8 changelog rows match >=1.2.0, <=1.4.2
  1.2.0 2025-05-20 ada: Add tar support; fixes NANO-7, NANO-9
  1.2.1 2025-06-01 linus: Fix a typo in the docs
  1.3.0 2025-08-30 grace: PNG logos (NANO-15)
  1.4.2 2025-11-04 ada: Security: confine the archive step (SEC-3)
tickets: NANO-7, NANO-9, NANO-15, SEC-3
span: 168 days, last on a Tue
logo: 4x3 Rgba, 9 opaque pixels
asset: README.txt (72 bytes, sha256 3hOXjfIxhDSwum9KgZpvsMO7C7lcorQBzW4jO9WpgMo=)
asset: docs/CHANGES.md (45 bytes, sha256 1BVmhNWxFMpnn0twznGGmNF5zeF7R6JJZnNqiWu7/78=)
asset: docs/licence.txt (31 bytes, sha256 6JOGmqQpCBzdeP7K/FFl1vlhE8vcO6K+0bcCpd8U74g=)
";

#[test]
fn real_crates_bundle_a_release_with_each_child_confined_to_its_grant() {
    let out_dir = tempfile::tempdir().unwrap();
    let out_path = out_dir.path();
    // Something of the app's own that no child was granted: `archive` holds `out/assets` only.
    std::fs::create_dir(out_path.join("private")).unwrap();
    std::fs::write(out_path.join("private/secret.txt"), "app only\n").unwrap();
    let input = fixture("real-crates").join("input");
    let out = cargo_nano(
        "real-crates",
        &[
            "run",
            "--dir",
            &format!("input={}", input.display()),
            "--dir",
            &format!("out={}", out_path.display()),
        ],
    );
    assert_eq!(out.status, 0, "{}", out.render());

    // The capability table: `parser` holds random numbers only (std's HashMap seeds, from
    // regex), `archive` only its slot, `report` only clocks and random numbers.
    for row in [
        "app        app 0.6.0      dirs: input(ro) out(rw); stdio: stdout stderr; clocks: wall monotonic; random",
        "  archive  archive 0.6.0  dirs: out(rw)=out/assets",
        "  parser   parser 0.6.0   random",
        "  report   report 0.6.0   clocks: wall monotonic; random",
    ] {
        assert!(
            out.stderr.lines().any(|line| line == row),
            "missing `{row}`\n{}",
            out.render()
        );
    }

    // The values computed inside the children. The asset listing is `archive` walking its whole
    // `out` slot after unpacking: it sees the three files it wrote and nothing of the app's
    // `out` (natively, where `out` is the app's directory, the same walk lists `private/`).
    let rest = out
        .stdout
        .strip_prefix(EXPECTED)
        .unwrap_or_else(|| panic!("unexpected output\n{}", out.render()));
    let mut lines = rest.lines();
    let stamp = lines.next().and_then(|l| l.strip_prefix("report "));
    let (id, generated_at) = stamp
        .and_then(|s| s.split_once(" at "))
        .unwrap_or_else(|| panic!("no report line\n{}", out.render()));
    assert_eq!(lines.next(), Some("wrote out/release.json"));
    assert_eq!(lines.next(), None);
    assert_uuid_v4(id);
    // `report` read the host's real wall clock.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let stamped = rfc3339_utc_seconds(generated_at);
    assert!(
        (now - 600..=now + 5).contains(&stamped),
        "{generated_at} is not now"
    );

    // The JSON the app wrote (serde_json), holding what the children returned.
    let release: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_path.join("release.json")).unwrap())
            .unwrap();
    assert_eq!(release["id"], id);
    assert_eq!(release["generated-at"], generated_at);
    assert_eq!(
        release["notes"]["tickets"],
        serde_json::json!(["NANO-7", "NANO-9", "NANO-15", "SEC-3"])
    );
    assert_eq!(release["notes"]["changes"].as_array().unwrap().len(), 4);
    assert_eq!(
        release["notes"]["changes"][3]["summary"],
        "Security: confine the archive step (SEC-3)"
    );
    assert_eq!(release["notes"]["maintainer"]["email"], "ada@example.org");
    assert_eq!(
        release["logo"],
        serde_json::json!({ "width": 4, "height": 3, "color": "Rgba" })
    );
    assert_eq!(
        release["assets"][2],
        serde_json::json!({
            "path": "docs/licence.txt",
            "size": 31,
            "sha256": "6JOGmqQpCBzdeP7K/FFl1vlhE8vcO6K+0bcCpd8U74g=",
        })
    );

    // The files `archive` extracted, with the archive's contents, all under `out/assets`; the
    // app's own files are untouched and nothing else appeared.
    let assets = out_path.join("assets");
    assert_eq!(
        std::fs::read_to_string(assets.join("README.txt")).unwrap(),
        "nano-demo 1.4.2\nEverything in this archive is unpacked into out/assets.\n"
    );
    assert_eq!(
        std::fs::read_to_string(assets.join("docs/licence.txt")).unwrap(),
        "Apache-2.0 WITH LLVM-exception\n"
    );
    assert_eq!(
        tree(out_path),
        [
            "assets/",
            "assets/README.txt",
            "assets/docs/",
            "assets/docs/CHANGES.md",
            "assets/docs/licence.txt",
            "private/",
            "private/secret.txt",
            "release.json",
        ]
    );
    assert_eq!(
        std::fs::read_to_string(out_path.join("private/secret.txt")).unwrap(),
        "app only\n"
    );
}

/// Every path under `dir`, sorted, directories with a trailing `/`.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.push(format!("{name}/"));
                walk(root, &path, out);
            } else {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A hyphenated version-4, RFC 4122 variant UUID.
fn assert_uuid_v4(id: &str) {
    let groups: Vec<_> = id.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "`{id}` is not a hyphenated UUID");
    assert!(
        id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(&id[14..15], "4", "`{id}` is not version 4");
    assert!("89ab".contains(&id[19..20]), "`{id}` is not RFC 4122");
}

/// Seconds since the Unix epoch of `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339_utc_seconds(text: &str) -> i64 {
    let bad = || panic!("`{text}` is not YYYY-MM-DDTHH:MM:SSZ");
    let digits = |range: std::ops::Range<usize>| -> i64 {
        text.get(range)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(bad)
    };
    if text.len() != 20 || !text.ends_with('Z') || &text[10..11] != "T" {
        bad();
    }
    let (y, m, d) = (digits(0..4), digits(5..7), digits(8..10));
    // Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + digits(11..13) * 3600 + digits(14..16) * 60 + digits(17..19)
}
