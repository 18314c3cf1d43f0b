//! Subcommands: each turns parsed arguments into work on the core and the edge.
mod cluster_view;
mod completions;
mod connect;
pub mod execute;
pub mod generate;
mod human;
mod report;
mod runbook_tools;
pub mod sandbox;
pub mod snapshot;
mod throttles;
pub mod verify;

use crate::cli::{Cli, Command};

/// Runs the parsed command line; the result is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Generate(args) => generate::run(&args).map(|()| 0),
        Command::Sandbox(args) => sandbox::run(&args).map(|()| 0),
        Command::Snapshot(args) => snapshot::run(&args).map(|()| 0),
        Command::Execute(args) => execute::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Throttle(cmd) => runbook_tools::throttle(&cmd),
        Command::Cancel(args) => runbook_tools::cancel(&args),
        Command::ElectLeaders(args) => runbook_tools::elect_leaders(&args),
        Command::Status(args) => runbook_tools::status(&args),
        Command::Completions(args) => completions::completions(&args).map(|()| 0),
        Command::Man(args) => completions::man(&args).map(|()| 0),
    }
}
