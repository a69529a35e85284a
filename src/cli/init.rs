//! `leakgate init`: write a commented starter `.leakgate.yaml`.

use super::common::Status;
use crate::config::{FILE_NAME, STARTER};
use anyhow::{bail, Context, Result};
use std::io::Write;

/// Write a commented starter .leakgate.yaml at the repository root.
///
/// Every setting is shown with its default and a commented example, so the file
/// changes nothing until you edit it. An existing file is never overwritten.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  leakgate init && leakgate config check")]
pub struct Args {}

/// Runs the command.
pub fn run(_args: Args) -> Result<Status> {
    let path = super::baseline::root()?.join(FILE_NAME);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut file = match file {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} exists; leakgate init never overwrites it (check it with `leakgate config check`)", path.display())
        }
        other => other.with_context(|| format!("cannot create {}", path.display()))?,
    };
    file.write_all(STARTER.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "leakgate: wrote {}; edit it, check it with `leakgate config check`, and commit it",
        path.display()
    );
    Ok(Status::Clean)
}
