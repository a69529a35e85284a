//! leakgate through the real pre-commit framework (the `pre-commit` package from
//! PyPI): `pre-commit install` in a temporary repository, then real `git commit`s.
//! The framework is installed by the tests themselves, once, into a virtual
//! environment under `target/tmp/` (see [`provision`]): a fresh machine needs only
//! Python 3 and access to PyPI for the first run.
//!
//! Two ways in, as users write them:
//! - this repository's own `.pre-commit-hooks.yaml`, referenced with `repo:` and
//!   `rev:` as a remote repository would be. The framework would build leakgate with
//!   cargo (`language: rust`), which takes minutes, so the manifest is copied into a
//!   hook repository with only the language changed to `system` and the binary under
//!   test on PATH: ids, entries, stages and the other settings are the real ones.
//!   The full build is `manifest_builds_with_cargo_and_blocks`, ignored by default
//!   (`cargo test --test precommit_framework -- --ignored`);
//! - a `repo: local` hook with `language: system`, the way to use an installed binary.

mod common;
use common::{fake::*, *};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The pre-commit release the tests install (pinned, so a new release cannot change
/// what the tests see; bump it deliberately).
const PRE_COMMIT: &str = "pre-commit==4.7.0";

/// The pre-commit command: the framework installed in a virtual environment under
/// `target/` (created on first use, reused after). Nothing installed globally is
/// used, so `cargo test` works on a machine where nobody ran `pip install`.
fn pre_commit() -> Vec<String> {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    let python = PYTHON.get_or_init(provision);
    vec![
        python.display().to_string(),
        "-m".into(),
        "pre_commit".into(),
    ]
}

/// Where the environment lives: `target/tmp/precommit-venv`, kept between runs.
fn venv_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("precommit-venv")
}

/// Makes sure the virtual environment holds [`PRE_COMMIT`] and returns its Python.
/// Test threads of this binary wait on the caller's `OnceLock`; other processes (a
/// second `cargo test`) wait on a lock directory, so two never build it at once.
fn provision() -> PathBuf {
    let venv = venv_dir();
    let python = venv.join("bin/python");
    let ready = venv.join(".leakgate-ready");
    let is_ready = || std::fs::read_to_string(&ready).is_ok_and(|v| v == PRE_COMMIT);
    if is_ready() {
        return python;
    }
    let _lock = DirLock::acquire(&venv.with_extension("lock"));
    if is_ready() {
        return python;
    }
    say(&format!(
        "installing {PRE_COMMIT} into {} (once; later runs reuse it)",
        venv.display()
    ));
    if venv.exists() {
        std::fs::remove_dir_all(&venv).expect("remove a half-made virtual environment");
    }
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| {
            panic!("{what}: cannot run it ({e}); the pre-commit tests need Python 3 with venv")
        });
        assert!(
            out.status.success(),
            "{what} failed (the pre-commit tests need Python 3 with venv and access to PyPI \
             for the first run; this test does not skip):\n{}",
            all_output(&out)
        );
    };
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(PRE_COMMIT)
            .env("PIP_REQUIRE_VIRTUALENV", "1")
            .env_remove("PYTHONPATH")
            .env_remove("PIP_USER"),
        &format!("pip install {PRE_COMMIT}"),
    );
    std::fs::write(&ready, PRE_COMMIT).unwrap();
    say(&format!("{PRE_COMMIT} ready"));
    python
}

/// Tells the person running `cargo test` what is going on, on the real stderr (the
/// test harness captures `eprintln!`, and a silent minute-long install looks hung).
fn say(what: &str) {
    let _ = writeln!(std::io::stderr(), "precommit_framework: {what}");
}

/// A lock between processes: a directory that exists while one holds it (creating
/// a directory is atomic). A lock left by a process that died is taken over.
struct DirLock(PathBuf);

impl DirLock {
    fn acquire(path: &Path) -> DirLock {
        let started = Instant::now();
        loop {
            match std::fs::create_dir(path) {
                Ok(()) => {
                    std::fs::write(path.join("pid"), std::process::id().to_string()).unwrap();
                    return DirLock(path.to_path_buf());
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = std::fs::read_to_string(path.join("pid")).unwrap_or_default();
                    let alive =
                        !holder.is_empty() && Path::new("/proc").join(holder.trim()).exists();
                    if !alive && started.elapsed() > Duration::from_secs(2) {
                        say(&format!("taking over a stale lock {}", path.display()));
                        let _ = std::fs::remove_dir_all(path);
                        continue;
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(900),
                        "waited 15 minutes for {} (remove it if no test is running)",
                        path.display()
                    );
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("cannot create the lock {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A user's repository using pre-commit, with leakgate on PATH and a private cache.
struct Setup {
    repo: Repo,
    cache: tempfile::TempDir,
    bin: tempfile::TempDir,
}

impl Setup {
    fn new(config: &str) -> Setup {
        let bin = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(leakgate_bin(), bin.path().join("leakgate")).unwrap();
        let setup = Setup {
            repo: Repo::new(),
            cache: tempfile::tempdir().unwrap(),
            bin,
        };
        setup.repo.stage(".pre-commit-config.yaml", config);
        setup.repo.commit_unchecked("use pre-commit");
        let out = setup.pre_commit(&["install"]);
        assert!(
            out.status.success(),
            "pre-commit install: {}",
            all_output(&out)
        );
        setup
    }

    fn path(&self) -> String {
        format!(
            "{}:{}",
            self.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    fn env(&self, c: &mut Command) {
        c.env("PATH", self.path())
            .env("PRE_COMMIT_HOME", self.cache.path())
            .env("PRE_COMMIT_COLOR", "never")
            .env_remove("LEAKGATE");
        // For the `language: rust` build: a target dir kept between runs, and a
        // cheaper release profile (the framework always builds release).
        let target = leakgate_bin()
            .parent()
            .unwrap()
            .parent()
            .unwrap()
            .join("precommit-rust");
        c.env("CARGO_TARGET_DIR", target)
            .env("CARGO_PROFILE_RELEASE_LTO", "off")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "0");
    }

    fn pre_commit(&self, args: &[&str]) -> Output {
        let cmd = pre_commit();
        let mut p = Command::new(&cmd[0]);
        p.args(&cmd[1..]).args(args).current_dir(self.repo.path());
        // The same clean environment as the tests' git commands.
        for (k, v) in git_cmd(self.repo.path()).get_envs() {
            match v {
                Some(v) => p.env(k, v),
                None => p.env_remove(k),
            };
        }
        self.env(&mut p);
        p.output().unwrap()
    }

    fn commit(&self) -> Output {
        let mut c = git_cmd(self.repo.path());
        self.env(&mut c);
        c.args(["commit", "-q", "-m", "change"]).output().unwrap()
    }

    /// A secret is blocked, then a clean change passes.
    fn blocks_then_passes(&self) {
        let repo = &self.repo;
        let before = repo.commit_count();
        repo.stage("app/settings.py", format!("TOKEN = \"{GH1}\"\n"));
        let out = self.commit();
        let text = all_output(&out);
        assert!(!out.status.success(), "blocked: {text}");
        assert_eq!(repo.commit_count(), before, "{text}");
        assert!(text.contains("github-classic-pat"), "{text}");
        assert!(text.contains("app/settings.py:1:10"), "{text}");
        assert!(!text.contains(GH1), "redacted: {text}");

        repo.git(&["rm", "-q", "--cached", "app/settings.py"]);
        std::fs::remove_file(repo.path().join("app/settings.py")).unwrap();
        repo.stage("README.md", "nothing secret\n");
        let out = self.commit();
        assert!(out.status.success(), "{}", all_output(&out));
        assert_eq!(repo.commit_count(), before + 1);
    }
}

/// The repository's real `.pre-commit-hooks.yaml`.
fn manifest() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    std::fs::read_to_string(path).expect(".pre-commit-hooks.yaml at the repository root")
}

/// A git repository holding `manifest` (and whatever else `extra` writes) at one
/// commit; returns it and the commit id, for a `repo:`/`rev:` reference.
fn hook_repo(manifest: &str, extra: impl FnOnce(&Path)) -> (Repo, String) {
    let r = Repo::new();
    r.write(".pre-commit-hooks.yaml", manifest);
    extra(r.path());
    r.git(&["add", "-A"]);
    let rev = r.commit_unchecked("hooks");
    (r, rev)
}

fn remote_config(repo: &Path, rev: &str, hooks: &str) -> String {
    format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks: [{hooks}]\n",
        repo.display()
    )
}

#[test]
fn manifest_hook_blocks_a_secret_and_passes_a_clean_commit() {
    let system = manifest().replace("language: rust", "language: system");
    assert_ne!(
        system,
        manifest(),
        "the manifest's hooks use language: rust"
    );
    let (hooks, rev) = hook_repo(&system, |_| {});
    let setup = Setup::new(&remote_config(hooks.path(), &rev, "{id: leakgate}"));
    setup.blocks_then_passes();
}

#[test]
fn manifest_full_scan_hook_finds_a_committed_secret() {
    let system = manifest().replace("language: rust", "language: system");
    let (hooks, rev) = hook_repo(&system, |_| {});
    let setup = Setup::new(&remote_config(hooks.path(), &rev, "{id: leakgate-scan}"));
    setup.repo.stage("README.md", "clean\n");
    setup.repo.commit_unchecked("clean");
    let out = setup.pre_commit(&[
        "run",
        "leakgate-scan",
        "--hook-stage",
        "manual",
        "--all-files",
    ]);
    assert!(
        out.status.success(),
        "clean tree passes: {}",
        all_output(&out)
    );
    setup.repo.stage("old/creds.txt", format!("gh {GH2}\n"));
    setup
        .repo
        .commit_unchecked("an old secret, committed without the hook");
    let out = setup.pre_commit(&[
        "run",
        "leakgate-scan",
        "--hook-stage",
        "manual",
        "--all-files",
    ]);
    assert!(!out.status.success(), "{}", all_output(&out));
    assert!(
        all_output(&out).contains("old/creds.txt"),
        "{}",
        all_output(&out)
    );
    // The full scan is manual: an ordinary commit does not run it.
    setup.repo.stage("b.txt", "more\n");
    let out = setup.commit();
    assert!(out.status.success(), "{}", all_output(&out));
}

#[test]
fn local_system_hook_blocks_a_secret_and_passes_a_clean_commit() {
    let config = format!(
        "repos:\n  - repo: local\n    hooks:\n      - id: leakgate\n        name: leakgate\n        \
         entry: {} staged\n        language: system\n        pass_filenames: false\n        \
         always_run: true\n",
        leakgate_bin().display()
    );
    Setup::new(&config).blocks_then_passes();
}

#[test]
#[ignore = "builds leakgate in release mode through the framework's cargo install (minutes)"]
fn manifest_builds_with_cargo_and_blocks() {
    // The checkout's sources at a commit, as the framework would clone them.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (hooks, rev) = hook_repo(&manifest(), |dir| {
        for item in ["Cargo.toml", "Cargo.lock", "build.rs", "src", "rules"] {
            let out = Command::new("cp")
                .arg("-R")
                .arg(root.join(item))
                .arg(dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
        }
    });
    let setup = Setup::new(&remote_config(hooks.path(), &rev, "{id: leakgate}"));
    std::fs::remove_file(setup.bin.path().join("leakgate")).unwrap();
    setup.blocks_then_passes();
}
