//! `leakgate install`: hooks land where git looks for them and never clobber a
//! hook leakgate did not write.

mod common;
use common::{fake::*, *};
use std::path::Path;

fn write_hook(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn honours_core_hooks_path() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", "githooks"]);
    repo.install();
    assert!(repo.path().join("githooks/pre-commit").is_file());
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    repo.stage("a.txt", format!("t = {GH1}\n"));
    assert_eq!(
        repo.commit("x").status.code(),
        Some(1),
        "the hook runs from hooksPath"
    );
}

#[test]
fn refuses_a_foreign_hook_then_chains_it_and_uninstalls_cleanly() {
    let repo = Repo::new();
    let hook = repo.path().join(".git/hooks/pre-commit");
    let marker = repo.path().join("old-hook-ran");
    let old = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    write_hook(&hook, &old);

    let out = repo.leakgate(&["install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--chain"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), old, "untouched");

    assert!(repo.leakgate(&["install", "--chain"]).status.success());
    repo.stage("a.txt", "clean\n");
    assert!(repo.commit("clean").status.success());
    assert!(marker.exists(), "the chained hook ran");
    repo.stage("b.txt", format!("t = {GH1}\n"));
    assert_eq!(repo.commit("secret").status.code(), Some(1));

    assert!(repo.leakgate(&["install", "--uninstall"]).status.success());
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        old,
        "old hook restored"
    );
    let out = repo.leakgate(&["install", "--uninstall"]);
    assert_eq!(out.status.code(), Some(2), "will not remove a foreign hook");
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), old);
}

#[test]
fn force_replaces_with_a_backup_and_reinstall_is_idempotent() {
    let repo = Repo::new();
    let hook = repo.path().join(".git/hooks/pre-commit");
    write_hook(&hook, "#!/bin/sh\nexit 0\n");
    assert!(repo.leakgate(&["install", "--force"]).status.success());
    assert!(repo
        .path()
        .join(".git/hooks/pre-commit.leakgate-backup")
        .is_file());
    assert!(
        repo.leakgate(&["install"]).status.success(),
        "reinstall over our own hook"
    );
    assert!(repo.leakgate(&["install", "--uninstall"]).status.success());
    assert!(!hook.exists());
}

#[test]
fn hook_reports_a_missing_binary_and_blocks() {
    let repo = Repo::new();
    repo.install();
    let hook = repo.path().join(".git/hooks/pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    let moved = text.replace(
        &leakgate_bin().display().to_string(),
        "/nonexistent/leakgate",
    );
    std::fs::write(&hook, moved).unwrap();
    repo.stage("a.txt", "hello\n");
    let out = git_cmd(repo.path())
        .env("PATH", "/usr/bin:/bin")
        .args(["commit", "-q", "-m", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--no-verify"), "{}", stderr(&out));
}
