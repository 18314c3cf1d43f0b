//! Connecting to a cluster from the command line: settings, warnings, a runtime.

use crate::cli::ConnectionArgs;
use kplan::kafka::{settings_from, ConnectionSettings, KrafkaAdmin};

/// Connection settings from the flags; warnings go to stderr.
pub fn settings(args: &ConnectionArgs) -> anyhow::Result<ConnectionSettings> {
    Ok(settings_from(
        &args.bootstrap_server,
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

pub async fn admin(settings: &ConnectionSettings) -> anyhow::Result<KrafkaAdmin> {
    Ok(KrafkaAdmin::connect(settings).await?)
}
