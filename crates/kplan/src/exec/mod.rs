//! The executor: applying a plan to a cluster, following it, and taking it back.
//!
//! Everything here talks to Kafka through the [`KafkaAdmin`](crate::kafka::KafkaAdmin) trait
//! (never a client library) and knows nothing of the terminal: the commands build options,
//! call one entry point, and render the typed events and results it returns. A test drives the
//! same entry points against the simulator.
//!
//! # Entry points
//! - [`execute`] (and [`dry_run`], [`dry_run_offline`]): a plan in waves, with throttles and a
//!   resumable state file; progress as [`ExecuteEvent`]s, the end as an [`ExecuteOutcome`];
//!   a [`StopSignal`] (Ctrl-C) stops new waves.
//! - [`verify`]: where each partition stands, as an exit code; throttles taken back when done.
//! - [`cancel`]: KIP-455 cancellation and the plan's throttles restored.
//! - [`set_throttle`], [`clear_throttle`], [`show_throttles`]: throttles outside an execution.
//! - [`elect_leaders`], [`status`].
//!
//! Before `execute`, `throttle set --plan` and `cancel` change anything they check the
//! principal's ACLs ([`check_permissions`]): a run refused halfway would leave throttles without
//! moves, or moves without their throttles restored.
//!
//! # The model
//! A plan is a list of target replica lists ([`PlanFile`]). Against the live cluster
//! ([`ClusterView`]) each partition becomes a [`MoveSpec`] — original replicas, target, size —
//! and the moves are split into [`Wave`]s ([`plan_waves`]): leader-only changes first, then data
//! moves bounded per broker, by bytes and by each destination's free disk, under-replicated
//! partitions last. A wave goes out only when the previous one is done.
//!
//! Throttles follow KIP-73 ([`ThrottlePlan`]): the sources of each moving partition in its
//! topic's leader list, the added replicas in its follower list, the rates on the brokers that
//! send and receive. Every value a throttle replaces is written to the ledger of the
//! [`ExecutionState`] *before* it changes, and the ledger is what `verify`, `cancel` and
//! `throttle clear` put back — exactly, so an operator's own throttle survives.
//!
//! The [`StateFile`] (`plan.json.state`) records the waves, what the controller accepted and the
//! ledger, rewritten atomically after every step: a second run resumes, a dropped response is
//! reconciled from ListPartitionReassignments, and nothing is submitted twice.
//!
//! Parsers of outside input here take text and name the file and JSON path in their errors:
//! [`parse_plan`] / [`PlanFile::parse`], [`parse_election_file`], [`ExecutionState::parse`].

mod cancel;
mod clock;
mod cluster_view;
mod copy_schedule;
mod copy_time;
mod dry_run;
mod elect_leaders;
mod election_file;
mod exec_error;
mod execute;
mod execute_event;
mod execution_state;
mod live_eta;
mod live_log_dirs;
mod log_dir_execution;
mod log_dir_move;
mod move_spec;
mod partition_status;
mod partition_traffic;
mod permissions;
mod plan_file;
mod poll_retry;
mod preflight;
mod state_file;
mod status;
mod stop_signal;
mod throttle_changes;
mod throttle_commands;
mod throttle_configs;
mod throttle_plan;
mod throttle_shortfall;
mod verify;
mod wave_loop;
mod waves;

pub use cancel::{cancel, CancelEvent, CancelOptions, CancelReport, CancelScope, OrderChanged};
pub use clock::Clock;
pub use cluster_view::ClusterView;
pub use copy_schedule::{CopySchedule, ThrottleRequest};
pub use copy_time::{
    BrokerCopy, CopyLimits, CopySide, CopyTime, InFlight, WaveCopyTime, THIN_HEADROOM,
};
pub use dry_run::{dry_run, dry_run_offline, DryRun};
pub use elect_leaders::{elect_leaders, ElectionScope};
pub use election_file::parse_election_file;
pub use exec_error::ExecError;
pub use execute::{by_partition, execute, ExecuteOptions};
pub use execute_event::{ExecuteEvent, ExecuteOutcome, Progress};
pub use execution_state::{
    digest, CopyInputs, ExecutionState, LedgerEntry, LedgerTarget, ModelMove, ThrottleLedger,
    WaveEstimate,
};
pub use live_eta::{
    CopyLeft, Eta, ModelLeft, Pace, ProgressMark, ProgressMeter, SlowBroker, PACE_WINDOW,
    SLOW_SHARE,
};
pub use live_log_dirs::{DirState, LiveLogDirs, ReplicaOnDisk};
pub use log_dir_execution::{log_dir_throttle_changes, LogDirCounts, LogDirProgress, LOG_DIR_RATE};
pub use log_dir_move::{log_dir_moves, LogDirMove};
pub use move_spec::{MoveSpec, Wave};
pub use partition_status::{classify, exit_code, PartitionStatus};
pub use partition_traffic::{
    live_traffic, measure_traffic, snapshot_traffic, PartitionTraffic, TrafficMap, TrafficSource,
};
pub use permissions::{cancel_needs, check_permissions, execute_needs, throttle_needs, Need};
pub use plan_file::{parse_plan, read_plan, PlanFile, PlanFileError};
pub use poll_retry::{MAX_POLL_FAILURES, MAX_RETRY_PAUSE};
pub use preflight::{preflight, Drift, PreflightRules, Refusal};
pub use state_file::{StateFile, StateFileError};
pub use status::{status, ReassignmentStatus};
pub use stop_signal::StopSignal;
pub use throttle_changes::{
    list_summary, missing_changes, planned_changes, restore_changes, throttle_changes,
    unthrottle_changes, ConfigChanges, CurrentConfigs, PlannedChange,
};
pub use throttle_commands::{
    clear_throttle, set_throttle, show_throttles, ClearScope, ThrottleCleared, ThrottleListing,
    ThrottleScope, ThrottleSetting,
};
pub use throttle_configs::{apply_changes, broker_configs, current_configs, restore_ledger};
pub use throttle_plan::{
    format_list, merge_list, remove_entries, throttle_plan, ThrottlePlan, FOLLOWER_RATE,
    FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS,
};
pub use throttle_shortfall::{describe_broker, ThrottleShortfall};
pub use verify::{
    verify, PartitionProgress, ThrottleRestore, VerifyEvent, VerifyOptions, VerifyReport,
};
pub use waves::{plan_waves, WaveLimits, INGEST_SHARE};
