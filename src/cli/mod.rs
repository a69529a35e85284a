//! The command line: argument definitions and one module per command. Commands
//! return an exit [`Status`]; `main` prints errors and maps them to exit code 2.

mod audit;
mod baseline;
mod config;
mod init;

mod common;
mod completions;
mod history;
mod install;
mod man;
mod pre_push;
mod pre_receive;
mod push;
mod rules;
mod scan;
mod staged;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
pub use common::Status;

const ABOUT: &str = "Stops secrets and sensitive data from entering git history.";

const LONG_ABOUT: &str = "\
Stops secrets and sensitive data from entering git history.

leakgate reads exactly what is about to be committed or pushed, runs it through its
bundled rules (API keys, cloud credentials, private keys, connection strings with
passwords, card numbers, ...) and blocks the commit or push with a report that says
which line, which rule and what to do. The same engine scans files, directories and
stdin.

Secrets are redacted in every report unless you pass --show-secrets. leakgate makes
no network calls.";

const AFTER_HELP: &str = "\
Exit codes (every command):
  0  nothing that blocks
  1  findings at or above the blocking severity
  2  the scan could not be done (bad arguments, bad config, git error)

Reports: --format human|json|jsonl|sarif|gitlab|junit, --output FILE. Secrets are redacted
(--redact N shows N characters, --show-secrets all of them). `leakgate help COMMAND`
explains each command, with examples; for a SARIF report that never fails CI:
  leakgate scan . --format sarif --output leakgate.sarif --exit-zero

Examples:
  leakgate install                 install the pre-commit hook in this repository
  leakgate staged                  check the staged change by hand
  leakgate scan src/ .env          scan files and directories
  cat notes.txt | leakgate scan -  scan standard input
  leakgate scan . --format json    machine-readable findings
  leakgate history                 every secret in the whole history, once each
  leakgate install --hook pre-receive   judge pushes on a server (bare repository)";

/// The parsed command line.
#[derive(Debug, Parser)]
#[command(name = "leakgate", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Staged(staged::Args),
    Scan(scan::Args),
    Install(install::Args),
    History(history::Args),
    PreReceive(pre_receive::Args),
    PrePush(pre_push::Args),
    Baseline(baseline::Args),
    Config(config::Args),
    Init(init::Args),
    Rules(rules::Args),
    Completions(completions::Args),
    Man(man::Args),
}

/// The command-line definition, for generated completions and manual pages.
fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Parses the command line and runs the command.
pub fn run() -> anyhow::Result<Status> {
    let cli = Cli::parse();
    match cli.command {
        Command::Baseline(args) => baseline::run(args),
        Command::Config(args) => config::run(args),
        Command::Init(args) => init::run(args),
        Command::Staged(args) => staged::run(args).context(
            "cannot check the staged change, so the commit is blocked (fix the cause below, \
             or bypass the check deliberately with `git commit --no-verify`)",
        ),
        Command::Scan(args) => scan::run(args),
        Command::Install(args) => install::run(args),
        Command::History(args) => history::run(args),
        Command::PreReceive(args) => pre_receive::run(args),
        Command::PrePush(args) => pre_push::run(args).context(
            "cannot check the push, so it is stopped (fix the cause below, or bypass the \
             check deliberately with `git push --no-verify`)",
        ),
        Command::Rules(args) => rules::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
