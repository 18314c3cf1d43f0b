//! Connecting to a cluster from the command line: settings, warnings, a runtime, a client.

use anyhow::Context;

use crate::cli::ConnectionArgs;
use kplan::kafka::{settings_from, ConnectionSettings, KrafkaAdmin};

/// Connection settings from the flags; warnings go to stderr.
pub fn settings(args: &ConnectionArgs) -> anyhow::Result<ConnectionSettings> {
    let bootstrap = args
        .bootstrap_server
        .as_deref()
        .context("--bootstrap-server (or KPLAN_BOOTSTRAP_SERVER) is required to reach a cluster")?;
    Ok(settings_from(
        bootstrap,
        args.command_config.as_deref(),
        &mut |w| eprintln!("warning: {w}"),
    )?)
}

/// A runtime for one command's cluster calls.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Runs `work` with a client connected as the flags say, and closes the client after.
pub fn with_admin<T>(
    args: &ConnectionArgs,
    work: impl AsyncFnOnce(&KrafkaAdmin) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let settings = settings(args)?;
    runtime()?.block_on(async {
        let admin = KrafkaAdmin::connect(&settings).await?;
        let result = work(&admin).await;
        admin.close().await;
        result
    })
}
