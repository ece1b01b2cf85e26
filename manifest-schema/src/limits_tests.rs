use super::*;

fn size(text: &str) -> String {
    match text.parse::<MemorySize>() {
        Ok(size) => size.to_string(),
        Err(e) => panic!("`{text}` should parse: {e}"),
    }
}

fn size_error(text: &str) -> ParseLimitError {
    match text.parse::<MemorySize>() {
        Ok(size) => panic!("`{text}` should not parse, got {size}"),
        Err(e) => e,
    }
}

fn time(text: &str) -> String {
    match text.parse::<TimeLimit>() {
        Ok(t) => t.to_string(),
        Err(e) => panic!("`{text}` should parse: {e}"),
    }
}

fn time_error(text: &str) -> ParseLimitError {
    match text.parse::<TimeLimit>() {
        Ok(t) => panic!("`{text}` should not parse, got {t}"),
        Err(e) => e,
    }
}

#[test]
fn memory_sizes_parse_and_display_in_the_largest_exact_unit() {
    assert_eq!(size("64 MiB"), "64 MiB");
    assert_eq!(size("64MiB"), "64 MiB");
    assert_eq!(size("1024 MiB"), "1 GiB");
    assert_eq!(size("4 GiB"), "4 GiB");
    assert_eq!(size("64 KiB"), "64 KiB");
    assert_eq!(size("1536 KiB"), "1536 KiB");
    assert_eq!(size("131072 B"), "128 KiB");
    assert_eq!(MemorySize::mib(16).unwrap().bytes(), 16 << 20);
    assert_eq!(DEFAULT_MEMORY.to_string(), "256 MiB");
}

#[test]
fn bad_memory_sizes_say_why_and_how_to_fix_it() {
    let e = size_error("64 MB");
    assert_eq!(e.message, "invalid memory size `64 MB`: unknown unit `MB`");
    assert!(e.help.contains("did you mean `MiB`?"), "{}", e.help);
    assert!(size_error("1gb").help.contains("`GiB`"));
    assert!(size_error("64").message.ends_with("missing unit"));
    assert!(size_error("MiB").message.contains("whole number"));
    assert!(size_error("1.5 GiB").message.contains("whole numbers"));
    assert!(size_error("-1 MiB").message.contains("whole number"));
    assert!(size_error("0 MiB").message.contains("needs some memory"));
    let e = size_error("5 GiB");
    assert!(e.message.contains("more than 4 GiB"), "{}", e.message);
    assert!(
        size_error("99999999999999999999 GiB")
            .message
            .contains("too large")
    );
    assert!(size_error("17179869184 GiB").message.contains("too large"));
    let e = size_error("100 KiB");
    assert!(
        e.message.contains("64 KiB WebAssembly pages"),
        "{}",
        e.message
    );
    assert!(e.help.contains("`128 KiB`"), "{}", e.help);
}

#[test]
fn durations_parse_and_display_in_the_largest_exact_unit() {
    assert_eq!(time("10s"), "10s");
    assert_eq!(time("10 s"), "10s");
    assert_eq!(time("1500ms"), "1500ms");
    assert_eq!(time("2000ms"), "2s");
    assert_eq!(time("120s"), "2min");
    assert_eq!(time("24h"), "24h");
    assert_eq!(TimeLimit::millis(250).unwrap().duration().as_millis(), 250);
    assert_eq!(TimeLimit::millis(0), None);
}

#[test]
fn bad_durations_say_why_and_how_to_fix_it() {
    assert!(time_error("10").message.ends_with("missing unit"));
    assert!(time_error("10 sec").help.contains("`s`"));
    assert!(time_error("2m").help.contains("`min`"));
    assert!(time_error("5us").help.contains("milliseconds"));
    assert!(time_error("0s").message.contains("zero"));
    assert!(time_error("25h").message.contains("more than 24 h"));
    assert!(time_error("1.5s").message.contains("whole numbers"));
}

#[test]
fn serde_uses_the_string_forms() {
    let limits: Limits =
        serde_json::from_str(r#"{ "memory": "16 MiB", "table-elements": 10, "time": "1s" }"#)
            .unwrap();
    assert_eq!(limits.memory, MemorySize::mib(16));
    assert_eq!(limits.table_elements, Some(10));
    assert_eq!(limits.time, TimeLimit::millis(1000));
    assert_eq!(
        serde_json::to_string(&limits).unwrap(),
        r#"{"memory":"16 MiB","table-elements":10,"time":"1s"}"#
    );
    assert!(serde_json::from_str::<Limits>(r#"{ "memory": "16 MB" }"#).is_err());
    assert!(serde_json::from_str::<Limits>(r#"{ "memroy": "16 MiB" }"#).is_err());
    assert!(Limits::default().is_empty());
    assert_eq!(
        serde_json::to_string(&HeldLimits::default()).unwrap(),
        r#"{"memory":"256 MiB","table-elements":100000}"#
    );
}
