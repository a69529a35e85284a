//! Installing and removing leakgate's git hooks.
//!
//! The hook is a small `sh` script that runs the `leakgate` binary it was installed
//! with (falling back to `leakgate` on `PATH`). It honours `core.hooksPath`, never
//! overwrites a hook that is not its own unless told to (`--chain` keeps the old one
//! and runs it first; `--force` replaces it and keeps a backup), and uninstalling
//! removes only what leakgate wrote, putting a chained hook back.

use anyhow::{bail, Context, Result};
use git2::Repository;
use std::path::{Path, PathBuf};

/// The line that marks a hook as leakgate's own.
pub const MARKER: &str = "# leakgate-managed-hook";

/// Which git hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Judges the staged change before each commit.
    PreCommit,
    /// Judges the commits being pushed, before they leave the machine.
    PrePush,
    /// Judges pushed commits on a server (bare repository).
    PreReceive,
}

impl Kind {
    /// The hook's file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::PreCommit => "pre-commit",
            Kind::PrePush => "pre-push",
            Kind::PreReceive => "pre-receive",
        }
    }

    /// The leakgate command the hook runs.
    fn command(self) -> &'static str {
        match self {
            Kind::PreCommit => "staged",
            Kind::PrePush => "pre-push",
            Kind::PreReceive => "pre-receive",
        }
    }

    /// Whether git feeds the hook on stdin (which the script must pass on).
    fn reads_stdin(self) -> bool {
        !matches!(self, Kind::PreCommit)
    }
}

/// How to treat a hook that is already there and not leakgate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse (the default).
    Refuse,
    /// Keep it as `<hook>.leakgate-chained` and run it before leakgate.
    Chain,
    /// Replace it, keeping a copy as `<hook>.leakgate-backup`.
    Replace,
}

/// The hooks directory git uses for `repo`: `core.hooksPath` if set (relative to
/// the work tree, or to the git dir of a bare repository), else `$GIT_COMMON_DIR/hooks`.
pub fn hooks_dir(repo: &Repository) -> Result<PathBuf> {
    let config = repo.config().context("cannot read the git config")?;
    if let Ok(path) = config.get_path("core.hooksPath") {
        if path.is_absolute() {
            return Ok(path);
        }
        let base = repo.workdir().unwrap_or_else(|| repo.path());
        return Ok(base.join(path));
    }
    Ok(repo.commondir().join("hooks"))
}

fn chained(hook: &Path) -> PathBuf {
    hook.with_file_name(format!(
        "{}.leakgate-chained",
        hook.file_name().unwrap().to_string_lossy()
    ))
}

fn is_ours(hook: &Path) -> bool {
    std::fs::read_to_string(hook).is_ok_and(|t| t.contains(MARKER))
}

/// Installs the hook; returns its path and what was done with an existing hook.
pub fn install(repo: &Repository, kind: Kind, existing: Existing, exe: &Path) -> Result<String> {
    let dir = hooks_dir(repo)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create hooks directory {}", dir.display()))?;
    let hook = dir.join(kind.file_name());
    let mut note = String::new();
    if hook.exists() && !is_ours(&hook) {
        match existing {
            Existing::Refuse => bail!(
                "a {} hook already exists at {}; rerun with --chain to keep it and run it \
                 before leakgate, or --force to replace it (a backup is kept)",
                kind.file_name(),
                hook.display()
            ),
            Existing::Chain if chained(&hook).exists() => bail!(
                "{} already holds a chained hook, and {} is another one: leakgate runs only \
                 one chained hook, so it will not overwrite either. Merge the two into {} by \
                 hand, then rerun `leakgate install` (or use --force, which keeps a backup)",
                chained(&hook).display(),
                hook.display(),
                chained(&hook).display()
            ),
            Existing::Chain => {
                std::fs::rename(&hook, chained(&hook)).context("cannot move the old hook")?;
                note = format!(
                    "; the old hook runs first from {}",
                    chained(&hook).display()
                );
            }
            Existing::Replace => {
                let backup = free_backup_name(&hook);
                std::fs::rename(&hook, &backup).context("cannot back up the old hook")?;
                note = format!("; the old hook is kept as {}", backup.display());
            }
        }
    }
    write_script(&hook, &script(kind, exe))?;
    Ok(format!("installed {}{note}", hook.display()))
}

/// `<hook>.leakgate-backup`, or, when that is taken by an earlier backup,
/// `<hook>.leakgate-backup.N` with the first free N: no backup is overwritten.
fn free_backup_name(hook: &Path) -> PathBuf {
    let first = hook.with_extension("leakgate-backup");
    let mut n = 1;
    let mut name = first.clone();
    while name.exists() || name.is_symlink() {
        name = PathBuf::from(format!("{}.{n}", first.display()));
        n += 1;
    }
    name
}

/// Removes leakgate's hook and restores a chained one. Refuses to touch a hook that
/// leakgate did not write.
pub fn uninstall(repo: &Repository, kind: Kind) -> Result<String> {
    let hook = hooks_dir(repo)?.join(kind.file_name());
    if !hook.exists() {
        bail!(
            "no {} hook at {}: nothing to remove",
            kind.file_name(),
            hook.display()
        );
    }
    if !is_ours(&hook) {
        bail!(
            "{} was not installed by leakgate; leaving it alone",
            hook.display()
        );
    }
    std::fs::remove_file(&hook).with_context(|| format!("cannot remove {}", hook.display()))?;
    let old = chained(&hook);
    if old.exists() {
        std::fs::rename(&old, &hook).context("cannot restore the chained hook")?;
        return Ok(format!(
            "removed leakgate from {}; the previous hook is back",
            hook.display()
        ));
    }
    Ok(format!("removed {}", hook.display()))
}

fn write_script(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    Ok(())
}

/// Quotes a string for `sh` in single quotes.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script.
pub fn script(kind: Kind, exe: &Path) -> String {
    let name = kind.file_name();
    let bypass = match kind {
        Kind::PreCommit => "git commit --no-verify",
        Kind::PrePush => "git push --no-verify",
        Kind::PreReceive => "an administrator removing the hook",
    };
    let (save, feed) = if kind.reads_stdin() {
        ("input=$(cat)\n", "printf '%s\\n' \"$input\" | ")
    } else {
        ("", "")
    };
    format!(
        r#"#!/bin/sh
{MARKER} ({name})
# Installed by `leakgate install`; remove with `leakgate install --uninstall`.
LEAKGATE={exe}
if [ ! -x "$LEAKGATE" ]; then
  LEAKGATE=$(command -v leakgate) || {{
    echo "leakgate: the leakgate binary is not installed; install it, or bypass this check deliberately with {bypass}" >&2
    exit 2
  }}
fi
{save}chained="$(dirname "$0")/{name}.leakgate-chained"
if [ -x "$chained" ]; then
  {feed}"$chained" "$@" || exit $?
fi
{feed}"$LEAKGATE" {cmd} "$@"
"#,
        exe = sh_quote(&exe.to_string_lossy()),
        cmd = kind.command(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_quotes_paths_and_passes_stdin_on() {
        let s = script(Kind::PrePush, Path::new("/opt/it's/leakgate"));
        assert!(s.contains(r"LEAKGATE='/opt/it'\''s/leakgate'"));
        assert!(s.contains("input=$(cat)"));
        assert!(s.contains(MARKER));
        let s = script(Kind::PreCommit, Path::new("/bin/leakgate"));
        assert!(!s.contains("input=$(cat)"));
        assert!(s.contains("\"$LEAKGATE\" staged \"$@\""));
    }
}
