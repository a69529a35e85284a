//! `leakgate completions SHELL`: tab completion for the shell, generated from the
//! same clap definitions as the parser, so it never falls behind the commands.

use super::common::Status;
use anyhow::{Context, Result};
use std::io::Write;

/// Print a tab-completion script for a shell (bash, zsh, fish, elvish, powershell).
///
/// The script is generated from leakgate's own argument definitions, so every
/// command, option and value (formats, hook kinds, verdicts) completes. Load it
/// from your shell's start-up file or install it where the shell looks.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  leakgate completions bash > ~/.local/share/bash-completion/completions/leakgate
  leakgate completions zsh > \"${fpath[1]}/_leakgate\"
  leakgate completions fish > ~/.config/fish/completions/leakgate.fish
  source <(leakgate completions bash)       this shell only")]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    shell: clap_complete::Shell,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let mut cmd = super::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "leakgate", &mut out);
    out.flush().context("cannot write the completion script")?;
    Ok(Status::Clean)
}
