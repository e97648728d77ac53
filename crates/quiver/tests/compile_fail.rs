//! Common mistakes fail to compile with messages that say what to do (snapshots in `ui/`).

#[test]
fn mistakes_read_well() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
