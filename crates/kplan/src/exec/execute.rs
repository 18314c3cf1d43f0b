//! `execute`: a plan applied in waves, with throttles and a resumable state file.
//!
//! A run checks that its principal holds the ACLs it needs, reads the cluster, then either
//! resumes the plan's unfinished state file or starts: preflight checks, the produce traffic of
//! the moving partitions, the throttle (given, or the smallest that meets `--target-duration`),
//! waves and their copy-time estimate — a throttle the live traffic would fill is refused here,
//! before anything changes — then the rollback file and throttles (their prior values saved in
//! the ledger *before* they change). Then the [`WaveLoop`] polls, submits wave after wave and,
//! at the end, elects the preferred leaders and restores the ledger.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::wave_loop::WaveLoop;
use super::{
    apply_changes, broker_configs, check_permissions, current_configs, execute_needs,
    log_dir_moves, log_dir_throttle_changes, measure_traffic, missing_changes, planned_changes,
    preflight, throttle_changes, throttle_plan, Clock, ClusterView, ConfigChanges, CopyInputs,
    CopySchedule, ExecError, ExecuteEvent, ExecuteOutcome, ExecutionState, LogDirProgress,
    MoveSpec, PlanFile, PreflightRules, StateFile, StopSignal, ThrottleRequest, TrafficMap,
    TrafficSource, WaveEstimate, WaveLimits, LOG_DIR_RATE,
};
use crate::files::write_atomic;
use crate::kafka::KafkaAdmin;
use crate::model::{BrokerId, TopicPartition};
use crate::plan::Reassignment;

/// How to run a plan (the command builds this from its flags).
#[derive(Clone, Debug)]
pub struct ExecuteOptions {
    /// Replication throttle for the moves, bytes/s; `None` leaves throttles alone.
    pub throttle: Option<u64>,
    /// Instead of `throttle`, the smallest throttle that copies the plan within this duration
    /// (`--throttle auto --target-duration 2h`).
    pub target_duration: Option<Duration>,
    /// What unthrottled copies into one broker run at (network or disk), bytes/s.
    pub line_rate: f64,
    /// Where the produce rates of the moving partitions come from.
    pub traffic: TrafficSource,
    /// Cap on the copy between a broker's log dirs (`replica.alter.log.dirs.io.max.bytes.per.second`)
    /// on the brokers with intra-broker moves, bytes/s; `None` leaves it alone.
    pub log_dir_throttle: Option<u64>,
    /// At most this many replicas coming into, and going out of, any broker per wave.
    pub max_moves_per_broker: usize,
    /// At most this many bytes copied per wave.
    pub max_inflight_bytes: Option<u64>,
    /// Follow the moves to the end; otherwise submit the next wave and return.
    pub wait: bool,
    pub preflight: PreflightRules,
    /// After the last wave, elect the preferred leaders of the moved partitions.
    pub elect_leaders: bool,
    pub state_file: StateFile,
    pub rollback_file: PathBuf,
    pub poll_interval: Duration,
    /// The clock progress (and the live ETA) is measured on.
    pub clock: Clock,
}

impl ExecuteOptions {
    /// The wave limits on this cluster: the options' bounds, the brokers' free disk, and the
    /// under-replicated partitions (scheduled last).
    pub fn wave_limits(&self, view: &ClusterView) -> WaveLimits {
        WaveLimits {
            max_moves_per_broker: self.max_moves_per_broker,
            max_inflight_bytes: self.max_inflight_bytes,
            free_disk: view.free_disk.clone(),
            last: view.under_min_isr(),
            ..WaveLimits::default()
        }
    }

    /// The throttle the options ask for.
    pub fn throttle_request(&self) -> ThrottleRequest {
        match (self.target_duration, self.throttle) {
            (Some(d), _) => ThrottleRequest::Within(d),
            (None, Some(r)) => ThrottleRequest::Rate(r),
            (None, None) => ThrottleRequest::Unthrottled,
        }
    }

    /// The throttle, the waves shaped at it and their estimate, announced: a chosen throttle,
    /// and thin headroom as a warning. Whether the throttle converges is the caller's to check.
    pub fn schedule(
        &self,
        moves: &[MoveSpec],
        traffic: &TrafficMap,
        view: &ClusterView,
        events: &mut dyn FnMut(ExecuteEvent),
    ) -> Result<CopySchedule, ExecError> {
        let schedule = CopySchedule::plan(
            moves,
            traffic,
            self.throttle_request(),
            self.line_rate,
            &self.wave_limits(view),
        )?;
        if let (Some(rate), Some(target)) = (schedule.throttle, schedule.target) {
            events(ExecuteEvent::ThrottleChosen {
                rate,
                target,
                seconds: schedule.copy_time.total_seconds,
            });
        }
        if schedule.throttle.is_some() {
            let thin: Vec<_> = schedule
                .copy_time
                .thin()
                .into_iter()
                .map(|(w, b)| (w, b.clone()))
                .collect();
            if !thin.is_empty() {
                events(ExecuteEvent::ThinHeadroom(thin));
            }
        }
        Ok(schedule)
    }
}

/// Runs `plan` on the cluster behind `admin` until it is done, or — without
/// [`ExecuteOptions::wait`] — until the next wave is submitted; `stop` ends it after the next
/// poll. Progress goes to `events`; a second run of the same plan resumes from the state file.
pub async fn execute<A: KafkaAdmin>(
    admin: &A,
    plan: &PlanFile,
    options: &ExecuteOptions,
    stop: &StopSignal,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<ExecuteOutcome, ExecError> {
    check_permissions(
        admin,
        &execute_needs(
            &plan.reassignment,
            options.throttle.is_some()
                || options.target_duration.is_some()
                || options.log_dir_throttle.is_some(),
        ),
    )
    .await?;
    let mut view = ClusterView::fetch(admin, &plan.reassignment, true).await?;
    let (running, state) = match options.state_file.load_for(&plan.digest)? {
        Some(state) if state.finished => return Ok(ExecuteOutcome::AlreadyFinished),
        Some(mut state) => {
            events(ExecuteEvent::Resuming);
            let running = scheduled_part(&plan.reassignment, &state);
            rethrottle(admin, &view, &running, options, &mut state, events).await?;
            (running, state)
        }
        None => start(admin, plan, &mut view, options, events).await?,
    };
    WaveLoop::new(admin, options, state, view, running)
        .run(stop, events)
        .await
}

/// The partitions of the plan that a resumed execution runs: those in its waves (a partition
/// skipped at the start stays skipped).
fn scheduled_part(plan: &Reassignment, state: &ExecutionState) -> Reassignment {
    let mut kept = plan.clone();
    kept.partitions
        .retain(|p| state.is_scheduled(&p.topic_partition()));
    kept
}

/// A fresh start: checks, traffic, the throttle and waves (refused when the throttle cannot
/// finish them), rollback file, throttles, the first state file. Returns the partitions to run
/// and their state.
async fn start<A: KafkaAdmin>(
    admin: &A,
    plan: &PlanFile,
    view: &mut ClusterView,
    options: &ExecuteOptions,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<(Reassignment, ExecutionState), ExecError> {
    let runnable = preflight(&plan.reassignment, view, options.preflight, events)?;
    let mut moves = view.moves(&runnable);
    let traffic = measure_traffic(admin, view, &moves, &options.traffic, events).await?;
    if matches!(options.traffic, TrafficSource::Sample(_)) {
        // The logs grew by the traffic while it was sampled: the copies start from the sizes
        // now (measured on real Kafka: a 5 s sample of 1 MB/s had left the estimate 5 MB short).
        view.refresh_sizes(admin).await?;
        moves = view.moves(&runnable);
    }
    let schedule = options.schedule(&moves, &traffic, view, events)?;
    if let Some(shortfall) = schedule.shortfall() {
        if !options.preflight.run_unconverging {
            return Err(ExecError::ThrottleTooLow(Box::new(shortfall)));
        }
        events(ExecuteEvent::RunningUnconverging(Box::new(shortfall)));
    }
    let rollback = view.rollback(&runnable);
    write_atomic(&options.rollback_file, rollback.to_json().as_bytes())?;
    events(ExecuteEvent::RollbackWritten {
        file: options.rollback_file.clone(),
        rollback,
    });
    events(ExecuteEvent::WavesPlanned {
        waves: schedule.waves.clone(),
        moves: by_partition(&moves),
        copy_time: schedule.copy_time.clone(),
    });
    let mut state = ExecutionState::new(
        plan.digest.clone(),
        view.cluster_id.clone(),
        schedule.waves,
        schedule.throttle,
    );
    state.estimates = schedule
        .copy_time
        .waves
        .iter()
        .map(WaveEstimate::from)
        .collect();
    state.copy_inputs = Some(CopyInputs::new(&moves, &traffic, options.line_rate));
    // The directory moves and their throttle are in the state before its first save (the
    // ledger's, in `throttle`): a run killed after that save resumes them too.
    state.log_dirs = LogDirProgress::new(log_dir_moves(&runnable, view));
    state.log_dir_throttle = options
        .log_dir_throttle
        .filter(|_| !state.log_dirs.is_empty());
    if let Some(rate) = schedule.throttle {
        throttle(admin, &moves, rate, &mut state, &options.state_file, events).await?;
    }
    start_log_dir_moves(admin, &options.state_file, &mut state, events).await?;
    options.state_file.save(&state)?;
    Ok((runnable, state))
}

/// Throttles the copies between log dirs, then asks each broker for each directory: moves
/// within a broker start; arrivals are remembered until their replica exists (see
/// [`LogDirProgress`]).
async fn start_log_dir_moves<A: KafkaAdmin>(
    admin: &A,
    state_file: &StateFile,
    state: &mut ExecutionState,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<(), ExecError> {
    if state.log_dirs.is_empty() {
        return Ok(());
    }
    if let Some(rate) = state.log_dir_throttle {
        let brokers = state.log_dirs.intra_broker_brokers();
        let current = broker_configs(admin, &brokers).await?;
        let changes = log_dir_throttle_changes(&brokers, rate, &current, &mut state.ledger);
        if !changes.is_empty() {
            let event = ExecuteEvent::LogDirThrottled {
                rate,
                changes: planned_changes(&changes),
            };
            apply_recorded(admin, &changes, state, state_file, event, events).await?;
        }
    }
    let accepted = state.log_dirs.request(admin).await?;
    events(ExecuteEvent::LogDirsRequested {
        moves: state.log_dirs.moves.len(),
        accepted,
    });
    Ok(())
}

/// Throttles the moves at `rate`, recording every value it replaces in the state's ledger.
async fn throttle<A: KafkaAdmin>(
    admin: &A,
    moves: &[MoveSpec],
    rate: u64,
    state: &mut ExecutionState,
    state_file: &StateFile,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<(), ExecError> {
    let plan = throttle_plan(moves);
    let current = current_configs(admin, &plan).await?;
    let changes = throttle_changes(&plan, rate, &current, &mut state.ledger);
    let event = ExecuteEvent::Throttled {
        rate,
        plan,
        changes: planned_changes(&changes),
    };
    apply_recorded(admin, &changes, state, state_file, event, events).await
}

/// Saves the state, whose ledger holds the prior of every value `changes` replace, then sends
/// them and announces `event`. In that order: a run killed in between leaves a state file
/// that still restores every value, and whose resumed run sets what is missing
/// ([`rethrottle`]).
async fn apply_recorded<A: KafkaAdmin>(
    admin: &A,
    changes: &ConfigChanges,
    state: &ExecutionState,
    state_file: &StateFile,
    event: ExecuteEvent,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<(), ExecError> {
    state_file.save(state)?;
    apply_changes(admin, changes).await?;
    events(event);
    Ok(())
}

/// A resumed run sets again, at the rates of record, any throttle of the moves left that is
/// not in place — replication throttles and `--log-dir-throttle` alike: the interrupted run may
/// have been killed after saving the ledger and before its last IncrementalAlterConfigs, and
/// its moves would then copy unthrottled. Values already in place are not sent again; the
/// ledger keeps the first prior of each key, so the operator's values still come back exactly.
/// Throttles the operator took back (`throttle clear`, or `verify` once done) stay off. A
/// broker that is down or not answering is left out (its configs cannot be read, and it copies
/// nothing while it is down); the run after it is back sets what it misses.
async fn rethrottle<A: KafkaAdmin>(
    admin: &A,
    view: &ClusterView,
    running: &Reassignment,
    options: &ExecuteOptions,
    state: &mut ExecutionState,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<(), ExecError> {
    if state.throttles_restored {
        return Ok(());
    }
    rethrottle_replication(admin, view, running, state, &options.state_file, events).await?;
    rethrottle_log_dirs(admin, view, options, state, events).await
}

/// A broker whose configs can be read now.
fn answering(view: &ClusterView, b: &BrokerId) -> bool {
    view.alive.contains(b) && !view.unanswered.contains(b)
}

/// [`rethrottle`] for the replication throttles: the leader and follower lists of the moves
/// left and the rates of their senders and receivers.
async fn rethrottle_replication<A: KafkaAdmin>(
    admin: &A,
    view: &ClusterView,
    running: &Reassignment,
    state: &mut ExecutionState,
    state_file: &StateFile,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<(), ExecError> {
    let Some(rate) = state.throttle else {
        return Ok(());
    };
    let mut plan = throttle_plan(&view.moves(running));
    plan.senders.retain(|b| answering(view, b));
    plan.receivers.retain(|b| answering(view, b));
    let current = current_configs(admin, &plan).await?;
    let wanted = throttle_changes(&plan, rate, &current, &mut state.ledger);
    let changes = missing_changes(wanted, &current);
    if changes.is_empty() {
        return Ok(());
    }
    let event = ExecuteEvent::Throttled {
        rate,
        plan,
        changes: planned_changes(&changes),
    };
    apply_recorded(admin, &changes, state, state_file, event, events).await
}

/// [`rethrottle`] for `--log-dir-throttle`, on the brokers that copy between their own
/// directories. A state file written before kplan kept the rate of record has none; when its
/// ledger shows the first run set the throttle, this run's `--log-dir-throttle` stands in.
async fn rethrottle_log_dirs<A: KafkaAdmin>(
    admin: &A,
    view: &ClusterView,
    options: &ExecuteOptions,
    state: &mut ExecutionState,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<(), ExecError> {
    let recorded_without_rate = state.ledger.entries.iter().any(|e| e.key == LOG_DIR_RATE);
    let rate = state
        .log_dir_throttle
        .or(options.log_dir_throttle.filter(|_| recorded_without_rate));
    let Some(rate) = rate else {
        return Ok(());
    };
    let mut brokers = state.log_dirs.intra_broker_brokers();
    brokers.retain(|b| answering(view, b));
    let current = broker_configs(admin, &brokers).await?;
    let wanted = log_dir_throttle_changes(&brokers, rate, &current, &mut state.ledger);
    let changes = missing_changes(wanted, &current);
    if changes.is_empty() {
        return Ok(());
    }
    let event = ExecuteEvent::LogDirThrottled {
        rate,
        changes: planned_changes(&changes),
    };
    apply_recorded(admin, &changes, state, &options.state_file, event, events).await
}

/// Moves by partition, as a wave table looks them up.
pub fn by_partition(moves: &[MoveSpec]) -> BTreeMap<TopicPartition, MoveSpec> {
    moves.iter().map(|m| (m.tp.clone(), m.clone())).collect()
}
