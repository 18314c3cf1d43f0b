//! Subcommands. Each turns parsed arguments into options, calls the `kplan` library (the
//! executor in `kplan::exec`, the planner in `kplan::plan`, capture in `kplan::kafka`), and
//! renders what comes back through [`render`]. No Kafka logic lives here.
mod cancel;
mod completions;
mod connect;
mod describe;
mod elect_leaders;
mod execute;
mod generate;
mod render;
mod report;
mod sandbox;
mod snapshot;
mod status;
mod throttle;
mod verify;

use crate::cli::{Cli, Command};

/// Runs the parsed command line; the result is the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Generate(args) => generate::run(&args).map(|()| 0),
        Command::Describe(args) => describe::run(&args).map(|()| 0),
        Command::Sandbox(args) => sandbox::run(&args).map(|()| 0),
        Command::Snapshot(args) => snapshot::run(&args).map(|()| 0),
        Command::Execute(args) => execute::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Throttle(cmd) => throttle::run(&cmd),
        Command::Cancel(args) => cancel::run(&args),
        Command::ElectLeaders(args) => elect_leaders::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Completions(args) => completions::completions(&args).map(|()| 0),
        Command::Man(args) => completions::man(&args).map(|()| 0),
    }
}
