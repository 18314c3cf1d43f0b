//! How to reach the cluster, named as Kafka's own tools name it.

use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionArgs {
    /// Brokers to bootstrap from, HOST:PORT[,HOST:PORT].
    ///
    /// Required (clap enforces it) except by `execute --dry-run --snapshot`, which plans offline:
    /// see `cli::command`. Hence an `Option` that is `Some` wherever a cluster is reached.
    #[arg(
        long = "bootstrap-server",
        env = "KPLAN_BOOTSTRAP_SERVER",
        value_name = "HOST:PORT",
        required = true
    )]
    pub bootstrap_server: Option<String>,
    /// Java client.properties: security.protocol, sasl.mechanism, sasl.jaas.config,
    /// ssl.truststore.* (PEM), ssl.keystore.* (PEM), client.id, request.timeout.ms.
    #[arg(
        long = "command-config",
        env = "KPLAN_COMMAND_CONFIG",
        value_name = "FILE"
    )]
    pub command_config: Option<PathBuf>,
}
