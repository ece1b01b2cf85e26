//! Environment variable names read with constant names (`linker/tests/data/src/envnames`).

use super::*;

#[test]
fn constant_names_are_read_from_the_data_segment() {
    let inspection = inspect_package(&data("envnames"), "nano-test-envnames").unwrap();
    let krate = Some("nano_test_envnames".to_owned());
    // `std::env::var("TERM")` and `std::env::var_os("NO_COLOR")`.
    assert_eq!(
        inspection.env.names,
        BTreeMap::from([(
            krate.clone(),
            BTreeSet::from(["NO_COLOR".to_owned(), "TERM".to_owned()])
        )])
    );
    assert_eq!(
        inspection.env.all_names(),
        BTreeSet::from(["NO_COLOR", "TERM"])
    );
    // `std::env::var(format!("APP_{suffix}"))`: a name the analysis cannot see.
    assert!(!inspection.env.all_named());
    let unnamed = &inspection.env.unnamed[&krate];
    assert_eq!(
        unnamed,
        &[
            "nano-test:envnames/api#computed",
            "nano_test_envnames::read_computed",
            "std::env::_var",
            "wasi:cli/environment#get-environment"
        ]
    );
}

/// The variables read from the export `export` of `envnames` alone.
fn env_from(export: &str) -> EnvReads {
    let bytes = data("envnames");
    let info = component::parse(&bytes).unwrap();
    let main = component::main_module(&info.modules).unwrap();
    let mut graph = callgraph::CallGraph::parse(main, info.modules[main].bytes).unwrap();
    graph.roots.retain(|root| root.label == export);
    let own = crate::attribution::rust_name("nano-test-envnames");
    let owner = |frame: &str| crate::attribution::owner(frame, &own).map(str::to_string);
    graph.crate_reaches(&owner).env
}

#[test]
fn each_way_of_reading_is_told_apart() {
    let krate = || Some("nano_test_envnames".to_owned());
    let constant = env_from("nano-test:envnames/api#constant");
    assert!(constant.all_named());
    assert_eq!(constant.all_names(), BTreeSet::from(["NO_COLOR", "TERM"]));
    let computed = env_from("nano-test:envnames/api#computed");
    assert!(computed.names.is_empty());
    assert!(computed.unnamed[&krate()].contains(&"std::env::_var".to_owned()));
    // `std::env::vars_os()`: the whole environment, through no reader.
    let all = env_from("nano-test:envnames/api#count-all");
    assert!(all.names.is_empty());
    let path = &all.unnamed[&krate()];
    assert!(
        path.contains(&"nano_test_envnames::count_variables".to_owned())
            && path
                .last()
                .is_some_and(|s| s == "wasi:cli/environment#get-environment"),
        "{path:?}"
    );
}

#[test]
fn a_name_passed_in_is_not_a_name_the_analysis_sees() {
    // `std::env::var(name)` with the export's argument.
    let inspection = inspect_package(&data("env"), "nano-test-env").unwrap();
    assert!(inspection.env.names.is_empty());
    assert_eq!(
        inspection.env.unnamed.keys().collect::<Vec<_>>(),
        [&Some("nano_test_env".to_owned())]
    );
    // Packages that read no variable: nothing, named or not.
    for name in [
        "clocks", "stdin", "plumbing", "fswrite", "tcp", "stderr", "cmd",
    ] {
        assert_eq!(inspect(name).env, EnvReads::default(), "{name}");
    }
}
