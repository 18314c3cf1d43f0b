//! Subcommands: each turns parsed arguments into work on the core and the edge.
mod connect;
pub mod generate;
mod human;
mod report;
pub mod sandbox;
pub mod snapshot;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Generate(args) => generate::run(&args),
        Command::Sandbox(args) => sandbox::run(&args),
        Command::Snapshot(args) => snapshot::run(&args),
    }
}
