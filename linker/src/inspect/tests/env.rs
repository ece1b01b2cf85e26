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
