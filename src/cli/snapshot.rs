//! `kplan snapshot`: arguments.

use std::path::PathBuf;

use super::{values, ConnectionArgs, OutputFormat};

#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Write the snapshot here (atomically); stdout when absent.
    #[arg(short = 'o', long = "output-file", value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// How long to sample end offsets to estimate traffic, e.g. 60s.
    #[arg(long, default_value = "30s", value_parser = values::duration)]
    pub sample: std::time::Duration,
    /// Import per-topic bytes in instead of sampling: a Prometheus text dump
    /// (kafka_server_brokertopicmetrics_bytesin…{topic=…}) or a CSV topic,bytes_in_per_sec.
    #[arg(long, value_name = "FILE")]
    pub traffic: Option<PathBuf>,
    /// Broker capacities to merge: JSON [{"broker":1,"disk_bytes":…,"network_in_bytes_per_sec":…,
    /// "network_out_bytes_per_sec":…}].
    #[arg(long, value_name = "FILE")]
    pub capacity: Option<PathBuf>,
    /// Only topics matching this regex (anchored).
    #[arg(long, value_name = "REGEX", value_parser = values::topic_regex)]
    pub topics: Option<regex::Regex>,
    /// Replace topic names and hosts with stable hashes, so the snapshot can be shared.
    #[arg(long)]
    pub anonymize: bool,
    /// Fail when a broker is down or an API fails, instead of recording what is known.
    #[arg(long)]
    pub strict: bool,
    /// Summary format: a table on stderr, or JSON on stdout (then -o is required).
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}
