//! The `leakgate` binary: parses the command line, runs the command, and maps the
//! result to the documented exit codes (0 clean, 1 findings, 2 could not scan).

use std::process::ExitCode;

fn main() -> ExitCode {
    match leakgate::cli::run() {
        Ok(status) => ExitCode::from(status.code()),
        Err(err) => {
            eprintln!("leakgate: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
