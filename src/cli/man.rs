//! `leakgate man`: manual pages in roff, generated from the same clap definitions
//! as the parser and `--help`, so the three never disagree.

use super::common::Status;
use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// Print the manual page (roff), or write one page per command into a directory.
///
/// `leakgate man` is leakgate(1); `leakgate man scan` is leakgate-scan(1), and so
/// on for every command. `--dir DIR` writes them all (leakgate.1,
/// leakgate-scan.1, ...) for packaging or for MANPATH.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  leakgate man | man -l -                   read it now
  leakgate man history | man -l -           one command's page
  leakgate man --dir ~/.local/share/man/man1   install every page")]
pub struct Args {
    /// The command whose page to print (default: the top-level page).
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    command: Option<String>,
    /// Write every page into this directory instead of printing one.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> Result<Status> {
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for page in std::iter::once(&cmd).chain(cmd.get_subcommands()) {
            let path = dir.join(page_of(page).get_filename());
            let mut file = std::fs::File::create(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            render(page, &mut file).with_context(|| format!("cannot write {}", path.display()))?;
        }
        eprintln!("leakgate: wrote the manual pages into {}", dir.display());
        return Ok(Status::Clean);
    }
    let page = match &args.command {
        None => &cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub,
            None => bail!("there is no command `{name}` (see `leakgate --help`)"),
        },
    };
    let mut out = std::io::stdout().lock();
    match render(page, &mut out).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Status::Clean),
        other => other
            .map(|_| Status::Clean)
            .context("cannot write the manual page"),
    }
}

/// Writes a command's page: clap_mangen's sections, then the examples of `--help`
/// kept as written (clap_mangen would refill them into one paragraph).
fn render(cmd: &clap::Command, w: &mut dyn Write) -> std::io::Result<()> {
    let man = page_of(cmd);
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    if cmd.get_subcommands().next().is_some() {
        man.render_subcommands_section(w)?;
    }
    if let Some(after) = cmd.get_after_help() {
        let text = after.to_string();
        let (title, body) = match text.strip_prefix("Examples:\n") {
            Some(rest) => ("EXAMPLES", rest.to_string()),
            None => ("NOTES", text.clone()),
        };
        writeln!(w, ".SH {title}\n.nf")?;
        for line in body.lines() {
            writeln!(w, "{}", roff_line(line))?;
        }
        writeln!(w, ".fi")?;
    }
    match cmd.get_version() {
        Some(_) => man.render_version_section(w),
        None => Ok(()),
    }
}

/// A line of text that roff prints as is: backslashes escaped, and a leading `.`
/// or `'` (a roff request) defused.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    match escaped.starts_with(['.', '\'']) {
        true => format!("\\&{escaped}"),
        false => escaped,
    }
}

/// The page of a built command (a subcommand's is named `leakgate-NAME`).
fn page_of(cmd: &clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd.clone())
        .source(format!("leakgate {}", env!("CARGO_PKG_VERSION")))
        .manual("leakgate manual")
}
