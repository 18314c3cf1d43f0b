//! What [`execute`](super::execute) reports as it goes, and how it ends. The command renders
//! these (text on stderr and a progress bar, or JSON lines); tests assert on them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::{
    BrokerCopy, CopyTime, Drift, Eta, MoveSpec, PlannedChange, SlowBroker, ThrottlePlan,
    ThrottleShortfall, Wave,
};
use crate::model::{BrokerId, TopicPartition};
use crate::plan::Reassignment;

/// One step of an execution, in the order they happen.
#[derive(Clone, Debug, PartialEq)]
pub enum ExecuteEvent {
    /// An unfinished state file of this very plan was found: the run continues it.
    Resuming,
    /// Partitions that drifted since planning are skipped (`--force`).
    SkippingDrifted(Vec<Drift>),
    /// The produce traffic of the partitions to copy is being measured (end offsets read
    /// `window` apart) before anything changes.
    SamplingTraffic { window: Duration, partitions: usize },
    /// `--throttle auto`: the smallest throttle that copies the plan within `target`.
    ThrottleChosen {
        rate: u64,
        target: Duration,
        seconds: Option<f64>,
    },
    /// Brokers left with little of the throttle for the backlog (wave index, broker): a little
    /// more traffic and their copies stop catching up.
    ThinHeadroom(Vec<(usize, BrokerCopy)>),
    /// `--force` runs a throttle the live traffic fills: these copies will not catch up unless
    /// the throttle is raised (`kplan throttle set`) or traffic falls.
    RunningUnconverging(Box<ThrottleShortfall>),
    /// The current assignment of the partitions to move was saved, for a rollback.
    RollbackWritten {
        file: PathBuf,
        rollback: Reassignment,
    },
    /// The moves, split into waves (leader-only changes first), with the copy-time estimate.
    WavesPlanned {
        waves: Vec<Wave>,
        moves: BTreeMap<TopicPartition, MoveSpec>,
        copy_time: CopyTime,
    },
    /// Throttles were set (their prior values are in the state file's ledger).
    Throttled {
        rate: u64,
        plan: ThrottlePlan,
        changes: Vec<PlannedChange>,
    },
    /// `--log-dir-throttle` was set on the brokers that copy between their log dirs (prior
    /// values are in the ledger).
    LogDirThrottled {
        rate: u64,
        changes: Vec<PlannedChange>,
    },
    /// AlterReplicaLogDirs went out for the plan's log-dir moves; `accepted` started at once
    /// (within a broker), the rest wait for their replica to exist.
    LogDirsRequested { moves: usize, accepted: usize },
    /// The waves start (or resume); from here, a stop request stops new waves.
    Watching { bytes_total: u64 },
    /// Where the moves stand after a poll of the cluster.
    Progress(Progress),
    /// Moves in flight that cannot finish now, by the broker being added that is down or not
    /// answering (reported when this changes; empty once every such broker is back).
    Stalled(BTreeMap<BrokerId, Vec<TopicPartition>>),
    /// A poll of the cluster failed (a broker or the controller away, a connection lost); the
    /// run waits `retry_in` and polls again, through any broker that answers.
    PollFailed {
        error: String,
        /// Consecutive failures so far, counting from 1.
        attempt: u32,
        /// Failures in a row after which the run gives up (re-running it resumes).
        max_attempts: u32,
        retry_in: Duration,
    },
    /// A wave is being submitted (`wave` counts from 1).
    SubmittingWave {
        wave: usize,
        waves: usize,
        partitions: usize,
    },
    /// The controller did not answer a submission; the next poll reconciles from
    /// ListPartitionReassignments, so nothing is submitted twice.
    NoAnswer { error: String },
    /// Every move of the plan is done.
    MovesComplete,
    /// Preferred leaders were elected for the moved partitions whose leader is not first.
    LeadersElected {
        partitions: usize,
        /// `partition: error` of the elections that failed.
        failed: Vec<String>,
    },
    /// The ledger was restored: throttles are back to what they were before.
    ThrottlesRestored,
    /// Receiving brokers whose copies run well below what the throttle allows (or not at all).
    SlowCopies(Vec<SlowBroker>),
}

/// Where the moves of a plan stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Submitted and no longer moving.
    pub done: usize,
    /// Submitted and still moving.
    pub in_flight: usize,
    /// Not submitted yet.
    pub left: usize,
    /// Bytes still to copy: in-flight copies plus the waves not submitted yet.
    pub bytes_remaining: u64,
    /// Bytes the whole run copies.
    pub bytes_total: u64,
    /// Time left, from the measured pace of the wave in flight and the model's estimate of the
    /// waves queued; `None` with nothing in flight.
    pub eta: Option<Eta>,
    /// Log-dir moves (JBOD) not in their directory yet, and what their future replicas still
    /// have to copy.
    pub log_dirs_left: usize,
    pub log_dir_bytes_remaining: u64,
}

/// How an `execute` call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExecuteOutcome {
    /// Every partition is at its target; throttles are restored.
    Done { partitions: usize },
    /// The state file says this plan already finished; nothing was done.
    AlreadyFinished,
    /// Without waiting: wave `wave` (counting from 1) was submitted; run again to continue.
    WaveSubmitted { wave: usize },
    /// Without waiting: moves are still in flight, so no new wave was submitted.
    StillInFlight { in_flight: usize },
    /// Stopped on request: no new waves; the moves in flight keep running.
    Interrupted { in_flight: usize },
}
