//! Shell manners: completion scripts the shells accept, manual pages roff accepts,
//! and `--quiet` for hooks that should print findings and nothing else.

mod common;
use common::{fake::*, *};
use std::io::Write;
use std::process::Command;

/// Tells the person running the tests what was not checked, on the real stderr.
fn say(what: &str) {
    let _ = writeln!(std::io::stderr(), "shell tests: {what}");
}

fn installed(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn completions(shell: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path())
        .args(["completions", shell])
        .output()
        .unwrap();
    assert!(out.status.success(), "{shell}: {}", all_output(&out));
    let script = stdout(&out);
    assert!(script.contains("leakgate"), "{shell}: {script}");
    script
}

/// Runs `shell` on `script` with `args`; returns what it printed.
fn run_shell(shell: &str, args: &[&str], script: &str) -> std::process::Output {
    with_input(Command::new(shell).args(args), script.as_bytes())
}

#[test]
fn bash_accepts_the_completion_script_and_completes_commands_and_values() {
    let script = completions("bash");
    let out = run_shell("bash", &["-n"], &script);
    assert!(out.status.success(), "bash -n: {}", all_output(&out));
    // Load it and ask for completions the way bash's readline does: the words, the
    // index of the one being completed, and the function called with (command,
    // current word, previous word).
    let ask = |words: &str, cword: usize| {
        let probe = format!(
            "{script}\nCOMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE=\"{words}\"; \
             COMP_POINT=${{#COMP_LINE}}; _leakgate leakgate \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
        );
        let out = run_shell("bash", &[], &probe);
        assert!(out.status.success(), "{}", all_output(&out));
        stdout(&out)
    };
    let commands = ask("leakgate sc", 1);
    assert!(commands.lines().any(|l| l == "scan"), "{commands}");
    let formats = ask("leakgate scan --format ''", 3);
    for f in ["human", "json", "sarif", "junit"] {
        assert!(formats.lines().any(|l| l == f), "{f}: {formats}");
    }
}

#[test]
fn zsh_and_fish_get_a_script_and_parse_it_where_installed() {
    for (shell, check) in [("zsh", ["-n"]), ("fish", ["--no-execute"])] {
        let script = completions(shell);
        if !installed(shell) {
            say(&format!(
                "{shell} is not installed: its completion script was generated but not parsed"
            ));
            continue;
        }
        let out = run_shell(shell, &check, &script);
        assert!(out.status.success(), "{shell}: {}", all_output(&out));
    }
}

#[test]
fn an_unknown_shell_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path())
        .args(["completions", "cmd.exe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bash"), "{}", stderr(&out));
}

#[test]
fn man_pages_render_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = leakgate(dir.path()).arg("man").output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let page = stdout(&out);
    assert!(page.contains(".TH leakgate 1"), "{page}");
    for cmd in ["staged", "scan", "history", "pre-receive", "completions"] {
        let roff = cmd.replace('-', "\\-");
        assert!(
            page.contains(&format!("leakgate\\-{roff}(1)")),
            "{cmd}: {page}"
        );
    }
    let out = leakgate(dir.path()).args(["man", "scan"]).output().unwrap();
    let scan = stdout(&out);
    assert!(scan.contains(".TH leakgate-scan 1"), "{scan}");
    assert!(scan.contains("\\-\\-quiet"), "{scan}");
    assert!(scan.contains(".SH EXAMPLES\n.nf\n"), "{scan}");

    let pages = dir.path().join("man1");
    let out = leakgate(dir.path())
        .args(["man", "--dir"])
        .arg(&pages)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let mut names: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.contains(&"leakgate.1".to_string()), "{names:?}");
    assert!(
        names.contains(&"leakgate-history.1".to_string()),
        "{names:?}"
    );
    if !installed("groff") {
        say("groff is not installed: the pages were generated but not checked by roff");
        return;
    }
    for name in &names {
        // -ww: every warning; -z: no output, only the check.
        let out = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(pages.join(name))
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{name}: {}",
            all_output(&out)
        );
    }
    let out = leakgate(dir.path())
        .args(["man", "no-such-command"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn quiet_prints_findings_and_nothing_else() {
    let repo = Repo::new();
    repo.write("clean.txt", "nothing here\n");
    let loud = repo.leakgate(&["scan", "clean.txt"]);
    assert!(stdout(&loud).contains("no secrets found"));
    let quiet = repo.leakgate(&["scan", "--quiet", "clean.txt"]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(all_output(&quiet), "", "a clean quiet scan prints nothing");

    repo.write("app.py", format!("TOKEN = \"{GH1}\"\n"));
    let out = repo.leakgate(&["scan", "-q", "app.py"]);
    assert_eq!(out.status.code(), Some(1));
    let text = all_output(&out);
    assert!(text.contains("app.py:1:10"), "{text}");
    assert!(!text.contains("leakgate: 1 secret"), "no summary: {text}");
    assert!(!text.contains("rotate each secret"), "no advice: {text}");

    // The hook's command, with a finding: the diagnostic, no summary or advice.
    repo.stage("app.py", format!("TOKEN = \"{GH1}\"\n"));
    let out = repo.leakgate(&["staged", "--quiet"]);
    assert_eq!(out.status.code(), Some(1));
    let text = all_output(&out);
    assert!(text.contains("github-classic-pat"), "{text}");
    assert!(!text.contains("the commit is blocked"), "{text}");

    // History: no summary either, and no progress bar.
    repo.commit_unchecked("a token");
    let out = repo.leakgate(&["history", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    let text = all_output(&out);
    assert!(text.contains("app.py:1:10"), "{text}");
    assert!(!text.contains("scanned in"), "{text}");
}

#[test]
fn quiet_push_hooks_print_nothing_for_a_clean_push() {
    let bare = Bare::new();
    bare.install_pre_receive("--quiet");
    let repo = Repo::with_origin(&bare);
    repo.commit_file("a.txt", "clean\n", "clean");
    let out = repo.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(
        !all_output(&out).contains("leakgate"),
        "{}",
        all_output(&out)
    );
    repo.commit_file("b.txt", format!("t = {GH2}\n"), "secret");
    let out = repo.push(&["origin", "main"]);
    assert!(!out.status.success());
    let text = all_output(&out);
    assert!(text.contains("b.txt:1:5"), "{text}");
    assert!(!text.contains("the push is rejected"), "{text}");
}
