//! Arguments of the runbook commands: execute, verify, throttle, cancel, elect-leaders, status.

use std::path::PathBuf;

use super::{values, ConnectionArgs, OutputFormat, ThrottleArgs};
use kplan::kafka::ElectionKind;

#[derive(Debug, clap::Args)]
pub struct ExecuteArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The plan: any kafka-reassign-partitions JSON (kplan's carries a staleness check).
    #[arg(long, alias = "reassignment-json-file", value_name = "FILE")]
    pub plan: PathBuf,
    #[command(flatten)]
    pub copy: ThrottleArgs,
    /// Measure the produce traffic of the partitions to copy for this long before anything
    /// changes (end offsets read twice), for the estimate and the convergence check. Default:
    /// 5s with a throttle (the check needs it), none without; 0s skips it.
    #[arg(long, value_name = "DURATION", value_parser = values::duration)]
    pub traffic_sample: Option<std::time::Duration>,
    /// Take the produce traffic from this snapshot instead of measuring it.
    #[arg(long, value_name = "FILE", conflicts_with = "snapshot")]
    pub traffic_from: Option<PathBuf>,
    /// Throttle for copies between the log dirs of one broker (JBOD), e.g. 100MB/s: sets
    /// replica.alter.log.dirs.io.max.bytes.per.second on the brokers with such moves, restored
    /// at the end like --throttle (--replica-alter-log-dirs-throttle is Kafka's name for it).
    #[arg(long, alias = "replica-alter-log-dirs-throttle", value_parser = values::rate)]
    pub log_dir_throttle: Option<u64>,
    /// At most this many replicas coming into, and going out of, any broker per wave.
    #[arg(long, default_value_t = 5)]
    pub max_moves_per_broker: usize,
    /// At most this many bytes being copied per wave, e.g. 500GiB.
    #[arg(long, value_parser = values::size)]
    pub max_inflight_bytes: Option<u64>,
    /// Follow progress until every wave is done (default when stdout is a terminal).
    #[arg(long, overrides_with = "no_wait")]
    pub wait: bool,
    /// Submit the next wave and exit; run again (or --resume) to continue.
    #[arg(long)]
    pub no_wait: bool,
    /// Continue from the state file (running again does the same).
    #[arg(long)]
    pub resume: bool,
    /// Allow partitions that are already being reassigned (their target is replaced).
    #[arg(long)]
    pub additional: bool,
    /// Proceed with the partitions that did not drift since planning (the rest are skipped), and
    /// run a throttle the live traffic fills (its copies never catch up until it is raised).
    #[arg(long)]
    pub force: bool,
    /// After the last wave, do not elect the preferred leaders of the moved partitions.
    #[arg(long)]
    pub no_elect_leaders: bool,
    /// Print every config change and every wave, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: plan against this snapshot instead of the live cluster (offline).
    #[arg(long, value_name = "FILE", requires = "dry_run")]
    pub snapshot: Option<PathBuf>,
    /// State file (submitted waves, throttle ledger); default PLAN.state.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Write the rollback JSON here; default PLAN.rollback.json.
    #[arg(long, value_name = "FILE")]
    pub rollback: Option<PathBuf>,
    /// How often to poll progress.
    #[arg(long, default_value = "2s", value_parser = values::duration)]
    pub poll_interval: std::time::Duration,
    /// table: a progress bar and tables; json: one JSON event per line on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[arg(long, alias = "reassignment-json-file", value_name = "FILE")]
    pub plan: PathBuf,
    /// State file holding the throttle ledger; default PLAN.state.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Wait until nothing is in progress (or --timeout).
    #[arg(long)]
    pub wait: bool,
    #[arg(long, default_value = "2h", value_parser = values::duration)]
    pub timeout: std::time::Duration,
    /// Leave throttles in place even when everything is done.
    #[arg(long)]
    pub preserve_throttles: bool,
    #[arg(long, default_value = "2s", value_parser = values::duration)]
    pub poll_interval: std::time::Duration,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, clap::Subcommand)]
pub enum ThrottleCommand {
    /// Set the replication throttle: for a plan's moves (lists and rates), or rates on brokers.
    Set(ThrottleSetArgs),
    /// Remove throttles: a plan's (restoring prior values from its ledger), or all of them.
    Clear(ThrottleClearArgs),
    /// Every broker and topic throttle in the cluster, flagging leftovers.
    Show(ThrottleShowArgs),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["plan", "brokers"])))]
pub struct ThrottleSetArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[arg(long, value_parser = values::rate)]
    pub rate: u64,
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    #[arg(long, value_parser = values::broker_list)]
    pub brokers: Option<std::collections::BTreeSet<kplan::model::BrokerId>>,
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["plan", "all"])))]
pub struct ThrottleClearArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Delete every throttle rate and throttled-replicas list in the cluster.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ThrottleShowArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["plan", "all"])))]
pub struct CancelArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Cancel every reassignment in flight.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The rollback file `execute` wrote (default PLAN.rollback.json, when it exists): the
    /// replica order put back after cancelling, since KRaft restores the original replicas in
    /// in-flight order (a reorder, no data copied). Without it, a kplan plan's own record.
    #[arg(long, value_name = "FILE", requires = "plan")]
    pub rollback: Option<PathBuf>,
    /// Leave throttles in place.
    #[arg(long)]
    pub preserve_throttles: bool,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["plan", "all_topic_partitions", "path_to_json_file"])))]
pub struct ElectLeadersArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    #[arg(long)]
    pub all_topic_partitions: bool,
    /// kafka-leader-election.sh's file: {"partitions":[{"topic":"foo","partition":1}]}.
    #[arg(long, value_name = "FILE")]
    pub path_to_json_file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ElectionType::Preferred)]
    pub election_type: ElectionType,
}

/// `--election-type`, spelled as Kafka's tool spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ElectionType {
    Preferred,
    Unclean,
}

impl From<ElectionType> for ElectionKind {
    fn from(t: ElectionType) -> Self {
        match t {
            ElectionType::Preferred => ElectionKind::Preferred,
            ElectionType::Unclean => ElectionKind::Unclean,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Read the log dirs twice this far apart, for each move's pace and ETA; 0s reads once.
    #[arg(long, value_name = "DURATION", default_value = "3s", value_parser = values::duration)]
    pub sample: std::time::Duration,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}
