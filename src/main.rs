//! The `kplan` command line: parses arguments ([`cli`]), runs a subcommand ([`cmd`]) on the
//! `kplan` library, and turns the result into an exit code.
use std::process::ExitCode;

mod cli;
mod cmd;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `verify` gives exit code 2 to "still in progress"; a usage error there must not
            // look like it to a runbook, so it is an error (1) like any bad input.
            let verify = std::env::args().nth(1).as_deref() == Some("verify");
            if verify && e.use_stderr() {
                let _ = e.print();
                return ExitCode::from(1);
            }
            e.exit();
        }
    };
    match cmd::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // One line per cause, the way operators read it: what failed, then why.
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}
