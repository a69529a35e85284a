//! The help reads like a manual page: every command, including ones added later,
//! explains itself and shows examples.

mod common;
use common::*;

/// The subcommands `leakgate --help` lists (without `help` itself).
fn commands() -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    let list = text
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands section")
        .split("\n\n")
        .next()
        .unwrap();
    list.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

#[test]
fn top_level_help_has_exit_codes_formats_and_examples() {
    let dir = tempfile::tempdir().unwrap();
    let text = stdout(&leakgate(dir.path()).arg("--help").output().unwrap());
    for part in ["Exit codes", "Examples:", "sarif", "--show-secrets"] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }
}

#[test]
fn every_command_has_a_description_and_examples() {
    let commands = commands();
    assert!(commands.len() >= 3, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    for cmd in commands {
        let out = leakgate(dir.path())
            .args([&cmd, "--help"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{cmd}: {}", all_output(&out));
        let text = stdout(&out);
        assert!(
            text.contains("Examples:\n  leakgate"),
            "`{cmd} --help` has no examples:\n{text}"
        );
        let about = text.lines().next().unwrap_or("");
        assert!(
            about.len() > 20,
            "`{cmd} --help` starts with a description: {about}"
        );
    }
}
