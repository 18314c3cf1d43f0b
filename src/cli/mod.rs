//! The command line: clap definitions. Parsing only; `cmd` does the work.

mod connection;
mod copy_time;
mod runbook;
mod sandbox;
mod snapshot;
pub mod values;

pub use connection::ConnectionArgs;
pub use copy_time::ThrottleArgs;
pub use runbook::{
    CancelArgs, ElectLeadersArgs, ExecuteArgs, StatusArgs, ThrottleClearArgs, ThrottleCommand,
    ThrottleSetArgs, ThrottleShowArgs, VerifyArgs,
};
pub use sandbox::SandboxArgs;
pub use snapshot::SnapshotArgs;

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "Exit codes:
  0  success (a plan was written; warnings, if any, are on stderr)
  1  error: bad input, an infeasible request, or a file that could not be written
  2  usage error (unknown flag, bad value)";

/// Plans Kafka partition reassignments: deterministic, rack-aware, minimal-move.
#[derive(Debug, Parser)]
#[command(name = "kplan", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The command line as clap sees it, with the one rule the derive cannot state: `execute --dry-run
/// --snapshot FILE` plans against a snapshot, offline, so it needs no `--bootstrap-server`.
/// `--help`, completions and the man page are built from this too.
pub fn command() -> clap::Command {
    Cli::command().mut_subcommand("execute", |execute| {
        execute.mut_arg("bootstrap_server", |a| {
            a.required(false).required_unless_present("snapshot")
        })
    })
}

/// Parses the process arguments.
pub fn parse() -> Result<Cli, clap::Error> {
    let mut command = command();
    let matches = command.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
}

// Parsed once at start-up and matched once: the size of the largest variant costs nothing, and
// boxing it would only add indirection to every `args.field`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan a reassignment from a snapshot file (offline: no cluster connection).
    #[command(after_help = EXIT_CODES)]
    Generate(GenerateArgs),
    /// Describe a snapshot as generate would judge it: load per broker, rack violations,
    /// under-replicated partitions, each goal's status and proven bound. Plans nothing.
    #[command(after_help = EXIT_CODES_SIMPLE)]
    Describe(DescribeArgs),
    /// Capture a live cluster into a snapshot file: brokers, racks, replicas, sizes, traffic.
    #[command(after_help = SNAPSHOT_EXIT_CODES)]
    Snapshot(SnapshotArgs),
    /// Apply a plan: checks, throttles, waves, progress; resumable (KIP-455).
    #[command(after_help = EXECUTE_EXIT_CODES)]
    Execute(ExecuteArgs),
    /// Check a plan against the cluster: done / in progress / diverged; restores throttles when done.
    #[command(after_help = VERIFY_EXIT_CODES)]
    Verify(VerifyArgs),
    /// Replication throttles: set, clear, show.
    #[command(subcommand, after_help = EXIT_CODES_SIMPLE)]
    Throttle(ThrottleCommand),
    /// Cancel in-flight reassignments (KIP-455) and restore throttles.
    #[command(after_help = EXIT_CODES_SIMPLE)]
    Cancel(CancelArgs),
    /// Elect leaders (preferred or unclean), like kafka-leader-election.sh.
    #[command(after_help = EXIT_CODES_SIMPLE)]
    ElectLeaders(ElectLeadersArgs),
    /// Ongoing reassignments with adding/removing replicas and bytes remaining.
    #[command(after_help = EXIT_CODES_SIMPLE)]
    Status(StatusArgs),
    /// Start a SIMULATED Kafka cluster on 127.0.0.1 to rehearse a runbook (not a real broker).
    #[command(after_help = SANDBOX_EXIT_CODES)]
    Sandbox(SandboxArgs),
    /// Print a shell completion script, e.g. `kplan completions bash > /etc/bash_completion.d/kplan`.
    #[command(after_help = EXIT_CODES_SIMPLE)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) of kplan or of one subcommand, e.g. `kplan man > kplan.1`.
    #[command(after_help = EXIT_CODES_SIMPLE)]
    Man(ManArgs),
}

#[derive(Debug, clap::Args)]
pub struct DescribeArgs {
    /// Snapshot file (format v1; see docs/snapshot-format.md).
    #[arg(long, value_name = "FILE")]
    pub snapshot: PathBuf,
    /// Judge the cluster as if these brokers were to be emptied, e.g. 3,4 or 3-4.
    #[arg(long, value_name = "BROKERS", value_parser = values::broker_list)]
    pub decommission: Option<std::collections::BTreeSet<kplan::model::BrokerId>>,
    /// Judge balance over these brokers only (a resource group), e.g. 0-5,9.
    #[arg(long, alias = "broker-list", value_name = "BROKERS", value_parser = values::broker_list)]
    pub brokers: Option<std::collections::BTreeSet<kplan::model::BrokerId>>,
    /// Do not count partitions spanning fewer than min(#racks, RF) racks as violations.
    #[arg(long)]
    pub disable_rack_aware: bool,
    /// Band around the mean each broker should be in, e.g. 5% (counts use [floor, ceil]).
    #[arg(long, default_value = "5%", value_parser = values::tolerance)]
    pub tolerance: f64,
    /// Goals and weights, as for generate (e.g. disk=2,leaders).
    #[arg(long, value_name = "LIST", value_parser = kplan::plan::GoalWeights::parse)]
    pub goals: Option<kplan::plan::GoalWeights>,
    /// Tables for people, or JSON for machines (both on stdout).
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A subcommand (e.g. execute); the page of kplan itself when absent.
    pub subcommand: Option<String>,
}

const SNAPSHOT_EXIT_CODES: &str = "Exit codes:
  0  snapshot written (warnings, e.g. a broker that is down, are on stderr)
  1  error: cannot connect, an API failed (--strict), a bad --traffic/--capacity file
  2  usage error (unknown flag, bad value)";

const EXECUTE_EXIT_CODES: &str = "Exit codes:
  0  done, or (without --wait) the next wave was submitted; --dry-run printed its plan
  1  error: bad plan file, cannot connect, a dead broker in the plan, a stale plan, a refused move,
     a throttle the produce traffic fills (its copies would never catch up; --force runs it), a
     --target-duration no throttle meets; --dry-run: a throttle execute would refuse
  2  usage error (unknown flag, bad value)
  130 interrupted with Ctrl-C: in-flight moves keep running; run again to resume, or kplan cancel";

const VERIFY_EXIT_CODES: &str = "Exit codes (for runbooks):
  0  every partition of the plan is done (throttles restored unless --preserve-throttles)
  1  error: bad input, cannot connect
  2  still in progress (with --wait: still in progress at --timeout)
  3  diverged or failed: a partition is neither at its target nor moving towards it, or is missing";

const EXIT_CODES_SIMPLE: &str = "Exit codes:
  0  success
  1  error: bad input, cannot connect, or the cluster refused part of the request
  2  usage error (unknown flag, bad value)";

const SANDBOX_EXIT_CODES: &str =
    "Runs until Ctrl-C. The simulator speaks Kafka's wire protocol for the admin APIs kplan uses
(and Metadata for other clients); it stores no records.

Exit codes:
  0  stopped with Ctrl-C
  1  error: bad spec or snapshot file, a port that cannot be bound
  2  usage error (unknown flag, bad value)";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Snapshot file (format v1; see docs/snapshot-format.md).
    #[arg(long, value_name = "FILE")]
    pub snapshot: PathBuf,
    /// Write the plan (kafka-reassign-partitions JSON) here; stdout when absent.
    #[arg(short = 'o', long = "output-file", alias = "plan", value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Write the rollback JSON (current assignment of the changed partitions) here.
    #[arg(long, value_name = "FILE")]
    pub rollback: Option<PathBuf>,
    /// Brokers that must end with no replicas, e.g. 3,4 or 3-4.
    #[arg(long, value_name = "BROKERS", value_parser = values::broker_list)]
    pub decommission: Option<std::collections::BTreeSet<kplan::model::BrokerId>>,
    /// Only these brokers may receive replicas of the partitions being planned, e.g. 0-5,9
    /// (--broker-list is Kafka's name for it).
    #[arg(long, alias = "broker-list", value_name = "BROKERS", value_parser = values::broker_list)]
    pub brokers: Option<std::collections::BTreeSet<kplan::model::BrokerId>>,
    /// Only partitions of topics matching this regex may change (anchored).
    #[arg(long, value_name = "REGEX", value_parser = values::topic_regex)]
    pub topics: Option<regex::Regex>,
    /// Only partitions of the topics this file names may change: Kafka's topics-to-move file,
    /// {"version":1,"topics":[{"topic":"foo1"}]}.
    #[arg(long, value_name = "FILE", conflicts_with = "topics")]
    pub topics_to_move_json_file: Option<PathBuf>,
    /// Partitions of topics matching this regex never change (anchored).
    #[arg(long, value_name = "REGEX", value_parser = values::topic_regex)]
    pub exclude_topics: Option<regex::Regex>,
    /// Change the replication factor of matching topics, e.g. 'orders.*=3' (repeatable).
    #[arg(long = "replication-factor", value_name = "TOPIC_REGEX=N", value_parser = values::replication_factor)]
    pub replication_factor: Vec<(regex::Regex, usize)>,
    /// Replace a broker one for one, e.g. 3:24 (repeatable, or 3:24,5:25): exactly OLD's
    /// replicas go to NEW, in the same position of each replica list (preferred leadership
    /// moves with them), and nothing else changes. Refused when NEW already holds a replica of
    /// one of those partitions, is not in the snapshot, or would break rack spread.
    #[arg(
        long,
        value_name = "OLD:NEW",
        value_delimiter = ',',
        value_parser = values::replacement,
        conflicts_with_all = [
            "decommission", "brokers", "topics", "topics_to_move_json_file", "exclude_topics",
            "replication_factor", "leaders_only", "max_moves", "max_move_bytes",
        ]
    )]
    pub replace: Vec<kplan::plan::BrokerReplacement>,
    /// Do not require partitions to span min(#racks, RF) racks.
    #[arg(long)]
    pub disable_rack_aware: bool,
    /// Band around the mean each broker must end in, e.g. 5% (counts use [floor, ceil]).
    #[arg(long, default_value = "5%", value_parser = values::tolerance)]
    pub tolerance: f64,
    /// Goals and weights: disk, bytes-in, bytes-out, replicas, leaders, topic-spread (e.g. disk=2,leaders).
    #[arg(long, value_name = "LIST", value_parser = kplan::plan::GoalWeights::parse)]
    pub goals: Option<kplan::plan::GoalWeights>,
    /// At most this many replica moves.
    #[arg(long, value_name = "N")]
    pub max_moves: Option<usize>,
    /// At most this much data copied, e.g. 500GiB.
    #[arg(long, value_name = "SIZE", value_parser = values::size)]
    pub max_move_bytes: Option<u64>,
    /// Only reorder replicas (preferred leaders): no data moves.
    #[arg(long)]
    pub leaders_only: bool,
    /// Spread each matching topic's replicas and leaders evenly: every eligible broker ends
    /// within one of the topic's even share where racks allow, copying data for it (anchored
    /// regex; the extra moves are reported). Without it, spread never copies data.
    #[arg(long, value_name = "REGEX", value_parser = values::topic_regex)]
    pub spread_topics: Option<regex::Regex>,
    /// Wall-clock safety net. Every stage is bounded by work, not time, so plans finish far
    /// sooner and are identical whatever the machine's load; if the net fires, the best plan so
    /// far is returned and the report says it may differ from run to run.
    #[arg(long, default_value = "10m", value_parser = values::duration)]
    pub time_limit: std::time::Duration,
    /// Log directories to empty (a failing disk, a disk to replace), e.g. 7:/data/d12,8:/data/d03;
    /// their replicas move to the broker's other directories.
    #[arg(long, value_name = "BROKER:PATH,...", value_parser = values::log_dir_list)]
    pub remove_log_dirs: Option<
        std::collections::BTreeMap<kplan::model::BrokerId, std::collections::BTreeSet<String>>,
    >,
    /// Plan brokers only: every replica's log dir is "any", even when the snapshot knows them.
    #[arg(long, conflicts_with = "remove_log_dirs")]
    pub no_log_dirs: bool,
    /// The copy-time estimate: per wave (as `execute` would plan them with its default limits)
    /// and in total, counting the produce traffic that shares the throttle.
    #[command(flatten)]
    pub copy: ThrottleArgs,
    /// Summary format: a table on stderr, or JSON on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Write a review report for the pull request: plan.html (self-contained, with charts) or
    /// plan.md (Markdown, charts as Unicode bars).
    #[arg(long, value_name = "FILE", value_parser = values::report_file)]
    pub report: Option<(PathBuf, ReportFormat)>,
}

/// The format of `--report`, from the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Html,
    Markdown,
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks (conflicting rules, unknown argument ids) over every
    /// subcommand, including the rule `command()` adds to the derived definitions.
    #[test]
    fn the_command_line_is_consistent() {
        super::command().debug_assert();
    }
}
