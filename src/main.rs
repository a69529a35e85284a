//! The `leakgate` binary: parses the command line, runs the command, and maps the
//! result to the documented exit codes (0 clean, 1 findings, 2 could not scan).

use std::process::ExitCode;

fn main() -> ExitCode {
    match leakgate::cli::run() {
        Ok(status) => ExitCode::from(status.code()),
        // A reader that stopped reading (`leakgate rules | head`) is no error:
        // exit quietly, as other Unix tools do.
        Err(err) if broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("leakgate: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `err` comes from writing to a pipe whose reader has gone.
fn broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
