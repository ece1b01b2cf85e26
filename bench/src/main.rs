//! cargo-nano's benchmark suite. Every measurement is printed next to its baseline, measured in
//! the same process and run, with their ratio: absolute times on a shared machine are noise.
//!
//! ```text
//! cargo run --release -p nano-bench -- [--quick]
//!     [--only calls|start|memory|build|build-sandbox|inspect] [--markdown docs/performance.md]
//! ```
//!
//! `--quick` is the CI smoke mode: few iterations, small sizes, no assertions on timings.
//! `--markdown FILE` replaces the results section of `FILE` (between the `results` markers).

mod buildtime;
mod calls;
mod engines;
mod generate;
mod guests;
mod inspect;
mod memory;
mod profile;
mod report;
mod sandbox;
mod start;
mod timing;

use std::path::PathBuf;

use report::Row;

/// What to run, from the command line.
pub struct Options {
    /// Few iterations and small sizes.
    pub quick: bool,
    /// Only this group.
    pub only: Option<String>,
    /// Where to write the markdown results.
    pub markdown: Option<PathBuf>,
}

const GROUPS: [&str; 6] = [
    "calls",
    "start",
    "memory",
    "build",
    "build-sandbox",
    "inspect",
];

fn main() {
    // `linker` builds with confinement, naming this binary as rustc's wrapper and the runner of
    // build scripts (`build_sandbox::cargo_env`): answer those calls before anything else.
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(code) = build_sandbox::wrapper::dispatch(&raw) {
        std::process::exit(i32::from(code));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The other end of the pipe baseline runs as a child process of this very binary.
    if args.first().map(String::as_str) == Some(calls::PIPE_CHILD_ARG) {
        calls::pipe_child();
        return;
    }
    // A hidden mode for profilers: one operation, many times (`profile.rs`).
    if args.first().map(String::as_str) == Some(profile::ARG) {
        let what = args.get(1).map_or("", String::as_str);
        let count = args
            .get(2)
            .map(|c| c.parse().expect("COUNT must be a number"));
        profile::run(what, count);
        return;
    }
    let options = parse(&args);
    let mut rows: Vec<Row> = Vec::new();
    for group in GROUPS {
        if options.only.as_deref().is_some_and(|o| o != group) {
            continue;
        }
        eprintln!("== {group}");
        let started = std::time::Instant::now();
        let new = match group {
            "calls" => calls::run(&options),
            "start" => start::run(&options),
            "memory" => memory::run(&options),
            "build" => buildtime::run(&options),
            "build-sandbox" => sandbox::run(&options),
            _ => inspect::run(&options),
        };
        eprintln!("   ({group}: {:.1} s)", started.elapsed().as_secs_f64());
        report::print(&new);
        rows.extend(new);
    }
    if let Some(path) = &options.markdown {
        report::write_markdown(path, &rows, &options).expect("cannot write the markdown results");
        eprintln!("wrote {}", path.display());
    }
}

fn parse(args: &[String]) -> Options {
    let mut options = Options {
        quick: false,
        only: None,
        markdown: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--only" => {
                let group = it.next().cloned().unwrap_or_default();
                if !GROUPS.contains(&group.as_str()) {
                    usage(&format!("--only takes one of {}", GROUPS.join("|")));
                }
                options.only = Some(group);
            }
            "--markdown" => match it.next() {
                Some(path) => options.markdown = Some(PathBuf::from(path)),
                None => usage("--markdown takes a file"),
            },
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    options
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!(
        "usage: nano-bench [--quick] [--only {}] [--markdown FILE]",
        GROUPS.join("|")
    );
    std::process::exit(2);
}

/// The repository root (this package's parent directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ has a parent")
        .to_path_buf()
}
