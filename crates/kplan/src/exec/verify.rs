//! `verify`: where each partition of a plan stands — done, in progress, pending (a later wave of
//! an unfinished execution), diverged or missing — as an exit code a runbook can branch on; and,
//! once every partition is done, the throttles taken back.
//!
//! With the state file of the execution, it also says when the copies will be done: the pace
//! since the wave in flight was submitted (and, with `--wait`, over the last polls), its
//! slowest broker's remaining bytes at that pace, and the model's time for the waves queued
//! (see [`ProgressMeter`]).

use std::collections::BTreeSet;
use std::fmt;
use std::time::{Duration, Instant};

use super::poll_retry::PollRetry;
use super::{
    apply_changes, classify, current_configs, exit_code, restore_ledger, throttle_plan,
    unthrottle_changes, Clock, ClusterView, CopyLeft, DirState, Eta, ExecError, ExecutionState,
    ModelLeft, MoveSpec, PartitionStatus, PlanFile, ProgressMark, ProgressMeter, StateFile,
};
use crate::kafka::KafkaAdmin;
use crate::model::{BrokerId, TopicPartition};
use crate::plan::{PartitionReassignment, Reassignment};

#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Holds the throttle ledger and the waves not submitted yet.
    pub state_file: StateFile,
    /// Poll until nothing is in progress, or `timeout`.
    pub wait: bool,
    pub timeout: Duration,
    /// Leave throttles in place even when everything is done.
    pub preserve_throttles: bool,
    pub poll_interval: Duration,
    /// The clock the pace is measured on (the one `execute` marked the wave's start with).
    pub clock: Clock,
}

/// One partition of the plan in the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionProgress {
    pub tp: TopicPartition,
    pub target: Vec<BrokerId>,
    pub status: PartitionStatus,
    /// Bytes still to copy (in progress only).
    pub bytes_remaining: u64,
    /// In progress, but stalled: the brokers being added that are down or not answering.
    pub stalled_on: Vec<BrokerId>,
}

/// What happened to the throttles once everything was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleRestore {
    /// An earlier run already put the ledger back.
    AlreadyRestored,
    FromLedger,
    /// No ledger: this plan's throttled-replica entries were removed, rates left alone.
    ListEntriesRemoved,
    /// No ledger, and none of this plan's entries were left.
    NothingLeft,
}

impl fmt::Display for ThrottleRestore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ThrottleRestore::AlreadyRestored => "already restored to their previous values",
            ThrottleRestore::FromLedger => "restored from the ledger",
            ThrottleRestore::ListEntriesRemoved => {
                "this plan's throttled-replica entries removed; throttle rates untouched (no ledger)"
            }
            ThrottleRestore::NothingLeft => {
                "no throttled-replica entries of this plan were left; throttle rates untouched (no ledger)"
            }
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// In plan order.
    pub partitions: Vec<PartitionProgress>,
    /// 0 all done, 2 in progress or pending, 3 diverged or missing.
    pub exit_code: u8,
    /// `None` when not everything is done, or with `preserve_throttles`.
    pub throttles: Option<ThrottleRestore>,
    /// When the copies will be done; `None` when nothing is in progress.
    pub eta: Option<Eta>,
}

/// What `verify --wait` reports between polls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyEvent {
    StillMoving {
        in_progress: usize,
        bytes_remaining: u64,
        eta: Option<Eta>,
    },
    /// A look at the cluster failed (a broker or the controller away); verify waits `retry_in`
    /// and looks again, up to [`MAX_POLL_FAILURES`](super::MAX_POLL_FAILURES) failures in a row.
    PollFailed {
        error: String,
        attempt: u32,
        retry_in: Duration,
    },
}

pub async fn verify<A: KafkaAdmin>(
    admin: &A,
    plan: &PlanFile,
    options: &VerifyOptions,
    events: &mut dyn FnMut(VerifyEvent),
) -> Result<VerifyReport, ExecError> {
    let started = Instant::now();
    let mut meter = ProgressMeter::default();
    let (partitions, eta) = loop {
        let state = unfinished_state(&options.state_file, &plan.digest)?;
        let queued: BTreeSet<TopicPartition> = state
            .as_ref()
            .map(|s| s.queued().cloned().collect())
            .unwrap_or_default();
        let view = look(admin, &plan.reassignment, options, started, events).await?;
        let rows = partition_progress(&plan.reassignment, &view, &queued);
        let eta = measure(&rows, &view, state.as_ref(), &mut meter, &options.clock);
        let moving = rows.iter().any(|r| {
            matches!(
                r.status,
                PartitionStatus::InProgress | PartitionStatus::Pending
            )
        });
        if !(options.wait && moving && started.elapsed() < options.timeout) {
            break (rows, eta);
        }
        events(VerifyEvent::StillMoving {
            in_progress: rows
                .iter()
                .filter(|r| r.status == PartitionStatus::InProgress)
                .count(),
            bytes_remaining: rows.iter().map(|r| r.bytes_remaining).sum(),
            eta,
        });
        tokio::time::sleep(options.poll_interval).await;
    };
    let statuses: Vec<PartitionStatus> = partitions.iter().map(|r| r.status.clone()).collect();
    let exit_code = exit_code(&statuses);
    // Throttles come off only when every partition of the plan is done.
    let throttles = if exit_code == 0 && !options.preserve_throttles {
        Some(take_back_throttles(admin, &plan.reassignment, &options.state_file).await?)
    } else {
        None
    };
    Ok(VerifyReport {
        partitions,
        exit_code,
        throttles,
        eta,
    })
}

/// The cluster as the plan sees it. With `--wait`, a look that fails (a broker or the controller
/// away) is reported and retried ([`PollRetry`]) until the timeout.
async fn look<A: KafkaAdmin>(
    admin: &A,
    plan: &Reassignment,
    options: &VerifyOptions,
    started: Instant,
    events: &mut dyn FnMut(VerifyEvent),
) -> Result<ClusterView, ExecError> {
    let mut retry = PollRetry::default();
    loop {
        let error = match ClusterView::fetch(admin, plan, true).await {
            Ok(view) => return Ok(view),
            Err(e) => e,
        };
        let next = options
            .wait
            .then(|| retry.failed(options.poll_interval))
            .flatten()
            .filter(|_| started.elapsed() < options.timeout);
        let Some(next) = next else {
            return Err(error.into());
        };
        events(VerifyEvent::PollFailed {
            error: error.to_string(),
            attempt: next.attempt,
            retry_in: next.pause,
        });
        tokio::time::sleep(next.pause).await;
    }
}

/// The state of an unfinished execution of this very plan.
fn unfinished_state(
    state_file: &StateFile,
    digest: &str,
) -> Result<Option<ExecutionState>, ExecError> {
    Ok(state_file.load_for(digest)?.filter(|s| !s.finished))
}

/// Marks where the copies in progress stand and returns the ETA: the pace since the wave
/// started (from the state file) or over the last polls.
fn measure(
    rows: &[PartitionProgress],
    view: &ClusterView,
    state: Option<&ExecutionState>,
    meter: &mut ProgressMeter,
    clock: &Clock,
) -> Option<Eta> {
    let in_progress: Vec<&TopicPartition> = rows
        .iter()
        .filter(|r| r.status == PartitionStatus::InProgress)
        .map(|r| &r.tp)
        .collect();
    if in_progress.is_empty() {
        return None;
    }
    let wave = state
        .and_then(|s| in_progress.iter().filter_map(|tp| s.wave_of(tp)).max())
        .unwrap_or(0);
    let copies = in_progress
        .iter()
        .flat_map(|tp| {
            view.remaining_by_broker(tp)
                .into_iter()
                .map(|(broker, bytes)| CopyLeft {
                    tp: (*tp).clone(),
                    broker,
                    bytes,
                })
        })
        .collect();
    if meter.latest().is_none() {
        if let Some(start) = state.and_then(|s| s.wave_started.clone()) {
            meter.record(start);
        }
    }
    let mark = ProgressMark {
        at_ms: (clock.now() * 1000.0).round() as i64,
        wave,
        copies,
    };
    meter.record(mark.clone());
    let model = state.and_then(|s| ModelLeft::of(s, &mark, meter.start(), |tp| view.size(tp)));
    Some(match model {
        Some(model) => Eta::blended(&mark, meter.start(), &model),
        None => Eta::at(
            &mark,
            meter.start(),
            state.and_then(|s| s.estimates.get(wave)),
            state.map_or(Some(0.0), |s| s.queued_seconds(Some(wave))),
        ),
    })
}

fn partition_progress(
    plan: &Reassignment,
    view: &ClusterView,
    queued: &BTreeSet<TopicPartition>,
) -> Vec<PartitionProgress> {
    plan.partitions
        .iter()
        .map(|p| {
            let tp = p.topic_partition();
            let (status, bytes_remaining) = match status_of(p, plan, view, queued) {
                PartitionStatus::Done => log_dir_status(p, view),
                PartitionStatus::InProgress => {
                    (PartitionStatus::InProgress, view.bytes_remaining(&tp))
                }
                other => (other, 0),
            };
            let stalled_on = if status == PartitionStatus::InProgress {
                view.stalled_on(&tp)
            } else {
                Vec::new()
            };
            PartitionProgress {
                tp,
                target: p.brokers().to_vec(),
                status,
                bytes_remaining,
                stalled_on,
            }
        })
        .collect()
}

/// A partition whose replicas are at the target, against the log dirs the plan names: in
/// progress while a future replica copies into a named dir (with the bytes it has left), wrong
/// when a replica is elsewhere with nothing moving it, done when each is where the plan says.
fn log_dir_status(p: &PartitionReassignment, view: &ClusterView) -> (PartitionStatus, u64) {
    let tp = p.topic_partition();
    let mut left = None;
    for (broker, dir) in p.brokers().iter().zip(&p.log_dirs) {
        if dir == "any" {
            continue;
        }
        match view.log_dirs.state(&tp, *broker, dir) {
            DirState::InPlace => {}
            // The broker did not report (down, or DescribeLogDirs failed): not known to be done.
            DirState::Absent => {
                left.get_or_insert(0);
            }
            DirState::Moving { bytes_left } => *left.get_or_insert(0) += bytes_left,
            DirState::Elsewhere { dir } => {
                let status = PartitionStatus::WrongLogDir {
                    broker: *broker,
                    dir,
                };
                return (status, 0);
            }
        }
    }
    match left {
        Some(bytes) => (PartitionStatus::InProgress, bytes),
        None => (PartitionStatus::Done, 0),
    }
}

/// [`classify`], except that a partition an unfinished execution still has queued, untouched
/// since planning, is pending rather than diverged.
fn status_of(
    p: &PartitionReassignment,
    plan: &Reassignment,
    view: &ClusterView,
    queued: &BTreeSet<TopicPartition>,
) -> PartitionStatus {
    let tp = p.topic_partition();
    let live = view.partitions.get(&tp).map(|s| s.replicas.as_slice());
    let ongoing = view
        .ongoing
        .get(&tp)
        .map(|o| (o.replicas.as_slice(), o.removing.as_slice()));
    match classify(p.brokers(), live, ongoing) {
        PartitionStatus::Diverged { .. }
            if queued.contains(&tp) && ongoing.is_none() && untouched(&tp, plan, view) =>
        {
            PartitionStatus::Pending
        }
        other => other,
    }
}

/// The partition still has the replicas it was planned from (or the plan does not say).
fn untouched(tp: &TopicPartition, plan: &Reassignment, view: &ClusterView) -> bool {
    view.original(tp).is_some_and(|o| {
        plan.kplan
            .as_ref()
            .and_then(|c| {
                c.current
                    .iter()
                    .find(|c| c.topic == tp.topic && c.partition == tp.partition)
            })
            .is_none_or(|c| c.replicas == o)
    })
}

/// Restores the ledger of the plan's state file; without one, removes only this plan's
/// throttled-replica entries and never touches rates it did not record.
async fn take_back_throttles<A: KafkaAdmin>(
    admin: &A,
    plan: &Reassignment,
    state_file: &StateFile,
) -> Result<ThrottleRestore, ExecError> {
    match state_file.load()? {
        Some(state) if !state.ledger.is_empty() && state.throttles_restored => {
            Ok(ThrottleRestore::AlreadyRestored)
        }
        Some(mut state) if !state.ledger.is_empty() => {
            restore_ledger(admin, &mut state)
                .await
                .map_err(|e| ExecError::RestoringThrottles(Box::new(e)))?;
            state_file.save(&state)?;
            Ok(ThrottleRestore::FromLedger)
        }
        _ => {
            let tplan = throttle_plan(&planned_moves(plan));
            let current = current_configs(admin, &tplan).await?;
            let changes = unthrottle_changes(&tplan, &current);
            apply_changes(admin, &changes).await?;
            Ok(if changes.is_empty() {
                ThrottleRestore::NothingLeft
            } else {
                ThrottleRestore::ListEntriesRemoved
            })
        }
    }
}

/// The moves a kplan plan was made for (from the replicas it carries); none for a plan from
/// another tool, whose starting point is unknown once the moves are done.
fn planned_moves(plan: &Reassignment) -> Vec<MoveSpec> {
    let Some(ctx) = &plan.kplan else {
        return Vec::new();
    };
    ctx.current
        .iter()
        .filter_map(|c| {
            let target = plan
                .partitions
                .iter()
                .find(|p| p.topic == c.topic && p.partition == c.partition)?;
            Some(MoveSpec {
                tp: TopicPartition::new(&c.topic, c.partition),
                current: c.replicas.clone(),
                target: target.brokers().to_vec(),
                size: 0,
            })
        })
        .collect()
}
