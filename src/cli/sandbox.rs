//! `kplan sandbox`: arguments.

use std::path::PathBuf;

use super::values;

/// Starts a SIMULATED Kafka cluster on 127.0.0.1 for rehearsals (not a real Kafka broker).
#[derive(Debug, clap::Args)]
pub struct SandboxArgs {
    /// Cluster spec file (JSON: brokers, racks, topics, traffic, sasl users; see README).
    #[arg(long, value_name = "FILE", conflicts_with = "from_snapshot")]
    pub config: Option<PathBuf>,
    /// Start a cluster shaped like this snapshot (format v1): brokers, racks, replicas, sizes, rates.
    #[arg(long, value_name = "FILE")]
    pub from_snapshot: Option<PathBuf>,
    /// Brokers of the built-in demo cluster (ids 1..N), when neither --config nor --from-snapshot.
    #[arg(long, default_value_t = 6)]
    pub brokers: usize,
    /// Racks the demo brokers are spread over (0 = no racks).
    #[arg(long, default_value_t = 3)]
    pub racks: usize,
    /// Extra brokers with no replicas (the "new brokers" of an expansion rehearsal).
    #[arg(long, default_value_t = 0)]
    pub empty_brokers: usize,
    /// Demo topic NAME:PARTITIONS:RF[:SIZE[:RATE]], e.g. orders:12:3:2GiB:1MiB/s (repeatable;
    /// replaces the demo topics).
    #[arg(long = "topic", value_name = "SPEC", value_parser = values::sandbox_topic)]
    pub topics: Vec<values::SandboxTopic>,
    /// Kafka release to imitate: 2.4, 2.8, 3.9 or latest.
    #[arg(long = "kafka-version", default_value = "latest")]
    pub kafka_version: kplan_sim::KafkaVersion,
    /// Simulated seconds per real second (100 = a 10-minute copy takes 6 s).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// First port (broker i listens on PORT+i); free ports when 0.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Add a SASL_PLAINTEXT listener per broker with this user (PLAIN, SCRAM-SHA-256/512),
    /// USER:PASSWORD (repeatable).
    #[arg(long = "sasl-user", value_name = "USER:PASSWORD", value_parser = values::user_password)]
    pub sasl_users: Vec<(String, String)>,
    /// Copy speed of an unthrottled replica move, e.g. 200MiB/s.
    #[arg(long, value_parser = values::rate)]
    pub line_rate: Option<u64>,
    /// Write the bootstrap servers to this file once listening (for scripts).
    #[arg(long, value_name = "FILE")]
    pub bootstrap_file: Option<PathBuf>,
    /// Write each topic's configured produce rate here (CSV `topic,bytes_in_per_sec`, what
    /// `kplan snapshot --traffic` imports): at `--speed N` traffic sampled against the sandbox
    /// comes out N× these rates, because sampling reads the wall clock.
    #[arg(long, value_name = "FILE")]
    pub traffic_file: Option<PathBuf>,
}
