//! The ready-made scripts in `hooks/`, installed by hand (copied into a hooks folder,
//! as a user would) and driven by real `git commit` and `git push`.
//!
//! The pre-commit script runs the real binary. The `pre-push` and `pre-receive`
//! commands belong to another change (issue 3): until they are there, the pre-push
//! and pre-receive scripts are checked with a stand-in that records what the script
//! handed it (arguments, stdin) and answers with a chosen exit code, which is what
//! a pass-through script promises; the real-binary tests are marked ignored.

mod common;
use common::{fake::*, *};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("hooks")
        .join(name)
}

/// Copies a script from hooks/ into `hooks_dir` and makes it executable.
fn install_by_hand(name: &str, hooks_dir: &Path) {
    std::fs::create_dir_all(hooks_dir).unwrap();
    let to = hooks_dir.join(name);
    std::fs::copy(script(name), &to).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// PATH without any directory that holds a `leakgate`, so only LEAKGATE or what a
/// test puts first can be found.
fn path_without_leakgate() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("leakgate").exists())
        .collect();
    std::env::join_paths(dirs).unwrap().into_string().unwrap()
}

fn git_with(repo: &Repo, leakgate: Option<&Path>, path: &str) -> Command {
    let mut c = git_cmd(repo.path());
    c.env("PATH", path);
    match leakgate {
        Some(p) => c.env("LEAKGATE", p),
        None => c.env_remove("LEAKGATE"),
    };
    c
}

fn commit(repo: &Repo, leakgate: Option<&Path>, path: &str) -> Output {
    git_with(repo, leakgate, path)
        .args(["commit", "-q", "-m", "change"])
        .output()
        .unwrap()
}

#[test]
fn pre_commit_script_blocks_a_secret_with_leakgate_from_the_env() {
    let repo = Repo::new();
    install_by_hand("pre-commit", &repo.path().join(".git/hooks"));
    repo.stage("src/settings.py", format!("TOKEN = \"{GH1}\"\n"));
    let out = commit(&repo, Some(&leakgate_bin()), &path_without_leakgate());
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert_eq!(repo.commit_count(), 0);
    let text = all_output(&out);
    assert!(
        text.contains("github-classic-pat") && text.contains("src/settings.py:1:10"),
        "{text}"
    );
    assert!(!text.contains(GH1));

    repo.git(&["rm", "-q", "--cached", "src/settings.py"]);
    repo.stage("README.md", "clean\n");
    let out = commit(&repo, Some(&leakgate_bin()), &path_without_leakgate());
    assert!(out.status.success(), "{}", all_output(&out));
    assert_eq!(repo.commit_count(), 1);
}

#[test]
fn pre_commit_script_finds_leakgate_on_path() {
    let repo = Repo::new();
    install_by_hand("pre-commit", &repo.path().join(".git/hooks"));
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(leakgate_bin(), bin.path().join("leakgate")).unwrap();
    let path = format!("{}:{}", bin.path().display(), path_without_leakgate());
    repo.stage("a.env", format!("GH={GH2}\n"));
    let out = commit(&repo, None, &path);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(all_output(&out).contains("github-classic-pat"));
    assert_eq!(repo.commit_count(), 0);
}

#[test]
fn a_missing_binary_blocks_with_what_to_do() {
    let repo = Repo::new();
    install_by_hand("pre-commit", &repo.path().join(".git/hooks"));
    repo.stage("README.md", "clean\n");
    let out = commit(&repo, None, &path_without_leakgate());
    assert!(!out.status.success(), "{}", all_output(&out));
    assert_eq!(repo.commit_count(), 0, "fails closed");
    let text = stderr(&out);
    assert!(
        text.contains("not on PATH") && text.contains("LEAKGATE="),
        "{text}"
    );
    assert!(text.contains("git commit --no-verify"), "{text}");

    let out = commit(
        &repo,
        Some(Path::new("/no/such/leakgate")),
        &path_without_leakgate(),
    );
    assert!(!out.status.success());
    assert_eq!(repo.commit_count(), 0);
    assert!(
        stderr(&out).contains("'/no/such/leakgate', which is not an executable"),
        "{}",
        stderr(&out)
    );
}

/// A stand-in that records its arguments and stdin in `dir` and exits with the code
/// in `dir/exit` (0 if absent).
fn recorder(dir: &Path) -> PathBuf {
    let p = dir.join("record-leakgate");
    let d = dir.display();
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{d}/args'\ncat > '{d}/stdin'\n\
             exit $(cat '{d}/exit' 2>/dev/null || echo 0)\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

/// A bare repository, and a clone-like work repository with it as `origin`.
fn remote_and_work() -> (tempfile::TempDir, Repo) {
    let bare = tempfile::tempdir().unwrap();
    let out = git_cmd(bare.path())
        .args(["init", "-q", "--bare", "-b", "main"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let work = Repo::new();
    work.git(&["remote", "add", "origin", bare.path().to_str().unwrap()]);
    (bare, work)
}

fn remote_has_main(bare: &Path) -> bool {
    git_cmd(bare)
        .args(["rev-parse", "--verify", "-q", "refs/heads/main"])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn pre_push_script_passes_arguments_stdin_and_verdict_through() {
    let (bare, work) = remote_and_work();
    install_by_hand("pre-push", &work.path().join(".git/hooks"));
    let rec = tempfile::tempdir().unwrap();
    let stand_in = recorder(rec.path());
    work.stage("a.txt", "one\n");
    let head = work.commit_unchecked("one");
    std::fs::write(rec.path().join("exit"), "1").unwrap();
    let push = |work: &Repo| {
        git_with(work, Some(&stand_in), &path_without_leakgate())
            .args(["push", "-q", "origin", "main"])
            .output()
            .unwrap()
    };
    let out = push(&work);
    assert!(!out.status.success(), "the hook's 1 rejects the push");
    assert!(!remote_has_main(bare.path()));
    let url = bare.path().to_str().unwrap();
    assert_eq!(
        read(rec.path(), "args"),
        format!("pre-push\norigin\n{url}\n")
    );
    let zero = "0".repeat(40);
    assert_eq!(
        read(rec.path(), "stdin"),
        format!("refs/heads/main {head} refs/heads/main {zero}\n")
    );
    std::fs::write(rec.path().join("exit"), "0").unwrap();
    let out = push(&work);
    assert!(out.status.success(), "{}", all_output(&out));
    assert!(remote_has_main(bare.path()));
}

#[test]
fn pre_receive_script_passes_stdin_and_verdict_through() {
    let (bare, work) = remote_and_work();
    install_by_hand("pre-receive", &bare.path().join("hooks"));
    let rec = tempfile::tempdir().unwrap();
    let stand_in = recorder(rec.path());
    work.stage("a.txt", "one\n");
    let head = work.commit_unchecked("one");
    std::fs::write(rec.path().join("exit"), "1").unwrap();
    let push = |work: &Repo| {
        git_with(work, Some(&stand_in), &path_without_leakgate())
            .args(["push", "origin", "main"])
            .output()
            .unwrap()
    };
    let out = push(&work);
    assert!(!out.status.success());
    assert!(
        all_output(&out).contains("pre-receive hook declined"),
        "{}",
        all_output(&out)
    );
    assert!(!remote_has_main(bare.path()));
    assert_eq!(read(rec.path(), "args"), "pre-receive\n");
    let zero = "0".repeat(40);
    assert_eq!(
        read(rec.path(), "stdin"),
        format!("{zero} {head} refs/heads/main\n")
    );
    std::fs::write(rec.path().join("exit"), "0").unwrap();
    assert!(push(&work).status.success());
    assert!(remote_has_main(bare.path()));
}

#[test]
fn pre_receive_script_without_a_binary_rejects_the_push() {
    let (bare, work) = remote_and_work();
    install_by_hand("pre-receive", &bare.path().join("hooks"));
    work.stage("a.txt", "one\n");
    work.commit_unchecked("one");
    let out = git_with(&work, None, &path_without_leakgate())
        .args(["push", "origin", "main"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("tell the administrator"),
        "{}",
        stderr(&out)
    );
    assert!(!remote_has_main(bare.path()));
}

/// Installs a push hook script by hand (on the client for pre-push, on the server
/// for pre-receive) and pushes a commit holding `token` with the real binary.
fn push_script_with_the_real_binary_stops(hook: &str, token: &str) {
    let (bare, work) = remote_and_work();
    let hooks = match hook {
        "pre-push" => work.path().join(".git/hooks"),
        _ => bare.path().join("hooks"),
    };
    install_by_hand(hook, &hooks);
    work.stage("cfg.py", format!("T = \"{token}\"\n"));
    work.commit_unchecked("secret");
    let out = git_with(&work, Some(&leakgate_bin()), &path_without_leakgate())
        .args(["push", "origin", "main"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", all_output(&out));
    assert!(
        all_output(&out).contains("github-classic-pat"),
        "{}",
        all_output(&out)
    );
    assert!(!remote_has_main(bare.path()));
}

#[test]
fn pre_push_script_with_the_real_binary_blocks_a_secret() {
    push_script_with_the_real_binary_stops("pre-push", GH3);
}

#[test]
fn pre_receive_script_with_the_real_binary_rejects_a_secret() {
    push_script_with_the_real_binary_stops("pre-receive", GH4);
}

#[test]
fn scripts_are_executable_posix_sh() {
    for name in ["pre-commit", "pre-push", "pre-receive"] {
        let path = script(name);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert!(mode & 0o111 != 0, "{name} is executable in the checkout");
        let out = Command::new("sh").arg("-n").arg(&path).output().unwrap();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
    }
}
