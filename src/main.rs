use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = kplan::cli::Cli::parse();
    match kplan::cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
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
