//! Helpers for end-to-end tests: real git repositories in temp dirs, driven with the
//! real `git` CLI, and the real `leakgate` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The leakgate binary under test.
pub fn leakgate_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_leakgate"))
}

/// A throwaway git repository (work tree in a temp dir).
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    /// `git init` in a fresh temp dir, with an identity and no global hooks/config.
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test User"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository; panics if it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs git in the repository and returns whatever happened.
    pub fn git_output(&self, args: &[&str]) -> Output {
        git_cmd(self.path()).args(args).output().unwrap()
    }

    /// Writes a file (creating directories).
    pub fn write(&self, path: &str, content: impl AsRef<[u8]>) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    /// Writes and stages a file.
    pub fn stage(&self, path: &str, content: impl AsRef<[u8]>) {
        self.write(path, content);
        self.git(&["add", "--", path]);
    }

    /// Commits what is staged, bypassing hooks; returns the commit id.
    pub fn commit_unchecked(&self, message: &str) -> String {
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
        self.head()
    }

    /// `git commit` through the installed hooks.
    pub fn commit(&self, message: &str) -> Output {
        self.git_output(&["commit", "-q", "-m", message])
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Installs the pre-commit hook with the binary under test.
    pub fn install(&self) {
        let out = self.leakgate(&["install"]);
        assert!(out.status.success(), "install failed: {}", stderr(&out));
    }

    /// Runs leakgate in the repository.
    pub fn leakgate(&self, args: &[&str]) -> Output {
        leakgate(self.path()).args(args).output().unwrap()
    }

    /// The number of commits on HEAD (0 on an unborn branch).
    pub fn commit_count(&self) -> usize {
        let out = self.git_output(&["rev-list", "--count", "HEAD"]);
        if !out.status.success() {
            return 0;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }
}

/// A `git` command in `dir` with a clean environment (no user config, no colour).
pub fn git_cmd(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .env("GIT_AUTHOR_NAME", "Test User")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test User")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .stdin(Stdio::null());
    c
}

/// The leakgate binary run in `dir`, with no colour.
pub fn leakgate(dir: &Path) -> Command {
    let mut c = Command::new(leakgate_bin());
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Everything a command printed, stdout then stderr.
pub fn all_output(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// Format-valid fake credentials, generated the way the vendors build them.
pub mod fake {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// A GitHub classic PAT with a valid CRC32 checksum, from a 30-char body.
    pub fn github_pat(body: &str) -> String {
        assert_eq!(body.len(), 30);
        let mut n = crc32(body.as_bytes());
        let mut check = [b'0'; 6];
        for slot in check.iter_mut().rev() {
            *slot = BASE62[(n % 62) as usize];
            n /= 62;
        }
        format!("ghp_{body}{}", std::str::from_utf8(&check).unwrap())
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// Distinct valid GitHub tokens for tests.
    pub const GH1: &str = "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";
    pub const GH2: &str = "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";
    pub const GH3: &str = "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";
    pub const GH4: &str = "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";
}

/// A bare repository in a temp dir: the server side of a push.
pub struct Bare {
    pub dir: tempfile::TempDir,
}

impl Bare {
    /// `git init --bare` with `main` as its default branch.
    pub fn new() -> Bare {
        let dir = tempfile::tempdir().unwrap();
        let out = git_cmd(dir.path())
            .args(["init", "-q", "--bare", "-b", "main"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        Bare { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The file URL a clone pushes to.
    pub fn url(&self) -> String {
        self.path().to_string_lossy().into_owned()
    }

    /// Runs git in the bare repository; panics if it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = git_cmd(self.path()).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Installs leakgate as the pre-receive hook, from inside the bare repository,
    /// with extra arguments appended to the hook's command line if any.
    pub fn install_pre_receive(&self, extra: &str) {
        let out = leakgate(self.path())
            .args(["install", "--hook", "pre-receive"])
            .output()
            .unwrap();
        assert!(out.status.success(), "install failed: {}", stderr(&out));
        if !extra.is_empty() {
            let hook = self.path().join("hooks/pre-receive");
            let text = std::fs::read_to_string(&hook).unwrap();
            let text = text.replace(
                " pre-receive \"$@\"",
                &format!(" pre-receive {extra} \"$@\""),
            );
            std::fs::write(&hook, text).unwrap();
        }
    }

    /// Every ref and what it points at (`git show-ref` output; empty if none).
    pub fn refs(&self) -> String {
        let out = git_cmd(self.path()).args(["show-ref"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Repo {
    /// A work tree whose `origin` is `bare` (the bare repository may be empty).
    pub fn with_origin(bare: &Bare) -> Repo {
        let repo = Repo::new();
        repo.git(&["remote", "add", "origin", &bare.url()]);
        repo
    }

    /// `git push` with the given arguments, through the server's hooks.
    pub fn push(&self, args: &[&str]) -> Output {
        let mut all = vec!["push", "-q"];
        all.extend_from_slice(args);
        self.git_output(&all)
    }

    /// Commits one file with the given content, bypassing hooks; returns the id.
    pub fn commit_file(&self, path: &str, content: impl AsRef<[u8]>, message: &str) -> String {
        self.stage(path, content);
        self.commit_unchecked(message)
    }
}

/// Runs `cmd`, killing it if it has not finished after `secs` seconds (a hang is
/// the bug some of these tests guard against: the test must fail, not hang).
pub fn output_within(cmd: &mut Command, secs: u64) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!("hung for {secs} s: {}", all_output(&out));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Runs `cmd` with `input` on its stdin and its stdout and stderr captured.
pub fn with_input(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input)
        .expect("the command reads its stdin");
    child.wait_with_output().unwrap()
}

/// A bare server with leakgate as its pre-receive hook and a clone of it with one
/// clean commit already pushed.
pub fn pre_receive_setup() -> (Bare, Repo) {
    let server = Bare::new();
    server.install_pre_receive("");
    let client = Repo::with_origin(&server);
    push_first_commit(&client);
    (server, client)
}

/// A bare remote and a clone with leakgate as its pre-push hook, one clean commit
/// already pushed.
pub fn pre_push_setup() -> (Bare, Repo) {
    let server = Bare::new();
    let client = Repo::with_origin(&server);
    let out = client.leakgate(&["install", "--hook", "pre-push"]);
    assert!(out.status.success(), "{}", all_output(&out));
    push_first_commit(&client);
    (server, client)
}

/// Commits a clean README and pushes it to `origin`.
fn push_first_commit(client: &Repo) {
    client.commit_file("README.md", "hello\n", "readme");
    let out = client.push(&["origin", "main"]);
    assert!(out.status.success(), "{}", all_output(&out));
}

/// `leakgate scan . --format json` in `dir`: asserts the exit code and returns the
/// parsed report.
pub fn scan_json(dir: &Path, code: i32) -> serde_json::Value {
    let out = leakgate(dir)
        .args(["scan", ".", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(code), "{}", all_output(&out));
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}
