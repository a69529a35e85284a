//! `leakgate scan` on files that are not plain readable files (issue 10, item 6):
//! streams named on the command line (`/dev/stdin`, `<(cmd)`, a FIFO) are read,
//! special files met in a walk are listed and never block, and anything that
//! could not be read is exit 2 naming it, never "no secrets found".

mod common;
use common::{fake::*, *};
use std::path::Path;
use std::process::{Command, Output};

fn token_line() -> String {
    format!("TOKEN = \"{GH1}\"\n")
}

/// Makes a FIFO at `path` with the `mkfifo` tool.
fn mkfifo(path: &Path) {
    let out = Command::new("mkfifo").arg(path).output().unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
}

/// Makes `path` unreadable (mode 000) and returns a command runner for which it
/// really is unreadable: a user namespace when the tests run as root (whose
/// capabilities read any file whatever its mode), the plain command otherwise.
fn lock(path: &Path) -> fn(&Path) -> Command {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(path).is_err() && std::fs::read(path).is_err() {
        return leakgate;
    }
    |dir: &Path| {
        let mut c = Command::new("unshare");
        c.arg("--user")
            .arg(leakgate_bin())
            .current_dir(dir)
            .env("NO_COLOR", "1");
        c
    }
}

/// Asserts exit 2 with an error that names `path`, the secret never shown.
fn assert_unreadable(out: &Output, path: &str) {
    let text = all_output(out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        stderr(out).contains("could not read") && stderr(out).contains(path),
        "names {path}: {text}"
    );
    assert!(!text.contains("no secrets found ("), "never clean: {text}");
    assert!(!text.contains(GH1), "{text}");
}

#[test]
fn dev_stdin_is_read_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    let out = with_input(
        leakgate(dir.path()).args(["scan", "/dev/stdin"]),
        token_line().as_bytes(),
    );
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("github-classic-pat"), "{text}");
    assert!(!text.contains(GH1), "redacted: {text}");
}

#[test]
fn a_process_substitution_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("src.txt"), token_line()).unwrap();
    let script = format!("{:?} scan <(cat src.txt)", leakgate_bin());
    let out = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("/dev/fd/"), "{text}");
}

#[test]
fn stdin_and_files_together_are_all_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), format!("K = \"{GH2}\"\n")).unwrap();
    let out = with_input(
        leakgate(dir.path()).args(["scan", "-", "a.txt", "--format", "json"]),
        token_line().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["-", "a.txt"]);
}

#[test]
fn a_fifo_named_on_the_command_line_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, token_line()).unwrap())
    };
    let out = output_within(leakgate(dir.path()).args(["scan", "pipe"]), 60);
    writer.join().unwrap();
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("pipe:1"), "{text}");
}

#[test]
fn a_fifo_met_in_a_walk_is_listed_and_never_blocks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    mkfifo(&dir.path().join("d/pipe"));
    std::fs::write(dir.path().join("d/clean.txt"), "hello\n").unwrap();
    let out = output_within(leakgate(dir.path()).args(["scan", "d"]), 60);
    let text = all_output(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("d/pipe") && text.contains("FIFO"), "{text}");
    std::fs::write(dir.path().join("d/leak.txt"), token_line()).unwrap();
    let out = output_within(
        leakgate(dir.path()).args(["scan", "d", "--format", "json"]),
        60,
    );
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skipped = report["summary"]["skipped"].to_string();
    assert!(skipped.contains("d/pipe"), "{skipped}");
}

#[test]
fn an_unreadable_file_is_exit_2_naming_it_and_the_rest_is_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("leak.txt"), token_line()).unwrap();
    std::fs::write(dir.path().join("locked.txt"), format!("K = \"{GH2}\"\n")).unwrap();
    let run = lock(&dir.path().join("locked.txt"));
    let out = run(dir.path()).args(["scan", "."]).output().unwrap();
    assert_unreadable(&out, "locked.txt");
    assert!(stdout(&out).contains("leak.txt:1"), "{}", all_output(&out));
    let out = run(dir.path())
        .args(["scan", "locked.txt"])
        .output()
        .unwrap();
    assert_unreadable(&out, "locked.txt");
}

#[test]
fn an_unreadable_directory_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("top/secret")).unwrap();
    std::fs::write(dir.path().join("top/secret/k.txt"), token_line()).unwrap();
    std::fs::write(dir.path().join("top/ok.txt"), "fine\n").unwrap();
    let run = lock(&dir.path().join("top/secret"));
    let out = run(dir.path()).args(["scan", "top"]).output().unwrap();
    assert_unreadable(&out, "top/secret");
}

#[test]
fn a_socket_or_a_dangling_link_named_on_the_command_line_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();
    let out = output_within(leakgate(dir.path()).args(["scan", "sock"]), 60);
    assert_unreadable(&out, "sock");
    std::os::unix::fs::symlink("nowhere.txt", dir.path().join("dangling")).unwrap();
    let out = leakgate(dir.path())
        .args(["scan", "dangling"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(stderr(&out).contains("dangling"), "{}", all_output(&out));
}

#[test]
fn a_symlink_named_on_the_command_line_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    std::fs::write(dir.path().join("real/k.txt"), token_line()).unwrap();
    std::os::unix::fs::symlink("real", dir.path().join("dirlink")).unwrap();
    std::os::unix::fs::symlink("real/k.txt", dir.path().join("filelink")).unwrap();
    for name in ["dirlink", "filelink"] {
        let out = leakgate(dir.path()).args(["scan", name]).output().unwrap();
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {text}");
        assert!(text.contains(name), "{text}");
    }
}

#[test]
fn a_worktree_baseline_is_not_made_over_an_unreadable_file() {
    let repo = Repo::new();
    repo.write("a.txt", token_line());
    repo.write("locked.txt", format!("K = \"{GH2}\"\n"));
    let run = lock(&repo.path().join("locked.txt"));
    let out = run(repo.path())
        .args(["baseline", "create"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert_unreadable(&out, "locked.txt");
    assert!(
        !repo.path().join(".leakgate-baseline.json").exists(),
        "no baseline written from a partial scan"
    );
}
