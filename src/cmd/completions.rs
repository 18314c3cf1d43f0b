//! `kplan completions` and `kplan man`: generated from the same clap definitions as `--help`, so
//! they never drift from the flags kplan accepts.

use std::io::Write;

use crate::cli::{command, CompletionsArgs, ManArgs};
use anyhow::{anyhow, Context};

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<()> {
    let mut cmd = command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "kplan", &mut out);
    write_stdout(&out)
}

pub fn man(args: &ManArgs) -> anyhow::Result<()> {
    let kplan = command();
    let page = match &args.subcommand {
        None => kplan,
        Some(name) => {
            let sub = kplan.find_subcommand(name).cloned().ok_or_else(|| {
                let known: Vec<&str> = kplan.get_subcommands().map(|c| c.get_name()).collect();
                anyhow!("no subcommand '{name}' (one of: {})", known.join(", "))
            })?;
            // The page is titled `kplan-execute`, as git and cargo name theirs.
            let title = format!("kplan-{}", sub.get_name());
            sub.name(title)
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .context("rendering the man page")?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        // `kplan man | head` closes the pipe early; that is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout"),
    }
}
