//! An execution as the operator sees it: lines on stderr and a progress bar in bytes (`table`),
//! or one JSON event per line on stdout (`json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use serde_json::json;

use super::{copy_time, human, progress, tables};
use kplan::exec::{
    describe_broker, list_summary, DryRun, ExecuteEvent, ExecuteOutcome, Progress, SlowBroker,
};
use kplan::model::{BrokerId, TopicPartition};

pub struct ExecuteOutput {
    json: bool,
    /// Following the moves (a bar), as opposed to submitting one wave.
    wait: bool,
    plan: PathBuf,
    state_file: PathBuf,
    bar: Option<ProgressBar>,
    /// The target duration an automatic throttle was chosen for.
    target: Option<std::time::Duration>,
}

impl ExecuteOutput {
    pub fn new(json: bool, wait: bool, plan: &Path, state_file: &Path) -> Self {
        ExecuteOutput {
            json,
            wait,
            plan: plan.to_owned(),
            state_file: state_file.to_owned(),
            bar: None,
            target: None,
        }
    }

    fn say(&self, line: impl AsRef<str>) {
        if !self.json {
            eprintln!("{}", line.as_ref());
        }
    }

    fn emit(&self, value: serde_json::Value) {
        if self.json {
            println!("{value}");
        }
    }

    /// Every executor event, to the group that renders it: what happens before the copies
    /// start, the throttles, the wave loop, the copy-time model.
    pub fn event(&mut self, event: &ExecuteEvent) {
        match event {
            ExecuteEvent::Resuming
            | ExecuteEvent::SkippingDrifted(_)
            | ExecuteEvent::RollbackWritten { .. }
            | ExecuteEvent::LeadersElected { .. }
            | ExecuteEvent::ThrottlesRestored => self.run_event(event),
            ExecuteEvent::Throttled { .. }
            | ExecuteEvent::LogDirThrottled { .. }
            | ExecuteEvent::LogDirsRequested { .. } => self.throttle_event(event),
            ExecuteEvent::Watching { .. }
            | ExecuteEvent::SubmittingWave { .. }
            | ExecuteEvent::PollFailed { .. }
            | ExecuteEvent::NoAnswer { .. }
            | ExecuteEvent::MovesComplete => self.wave_event(event),
            ExecuteEvent::Progress(p) => self.progress(p),
            ExecuteEvent::Stalled(stalled) => self.stalled(stalled),
            ExecuteEvent::SlowCopies(slow) => self.slow(slow),
            ExecuteEvent::SamplingTraffic { .. }
            | ExecuteEvent::ThrottleChosen { .. }
            | ExecuteEvent::ThinHeadroom(_)
            | ExecuteEvent::RunningUnconverging(_)
            | ExecuteEvent::WavesPlanned { .. } => self.copy_event(event),
        }
    }

    /// The run around the copies: resuming, drifted partitions skipped, the rollback, the
    /// leader election and the throttles restored at the end.
    fn run_event(&mut self, event: &ExecuteEvent) {
        match event {
            ExecuteEvent::Resuming => {
                self.say(format!("resuming from {}", self.state_file.display()))
            }
            ExecuteEvent::SkippingDrifted(drifted) => self.say(format!(
                "warning: skipping {} drifted partition(s) (--force):\n  {}",
                drifted.len(),
                lines(drifted)
            )),
            ExecuteEvent::RollbackWritten { file, rollback } => {
                self.say(format!(
                    "Current partition replica assignment\n\n{}\nSave this to use as the --reassignment-json-file option during rollback (written to {})",
                    rollback.to_json(),
                    file.display()
                ));
                self.emit(json!({"event": "rollback", "file": file.display().to_string()}));
            }
            ExecuteEvent::LeadersElected { partitions, failed } => {
                self.say(format!(
                    "preferred leader election: {partitions} partition(s), {} failed",
                    failed.len()
                ));
                for f in failed {
                    self.say(format!("  warning: {f}"));
                }
            }
            ExecuteEvent::ThrottlesRestored => {
                self.say("throttles restored to their previous values")
            }
            _ => {}
        }
    }

    /// Replication and log-dir throttles set, and the log-dir moves requested.
    fn throttle_event(&mut self, event: &ExecuteEvent) {
        match event {
            ExecuteEvent::Throttled {
                rate,
                plan,
                changes,
            } => {
                for line in list_summary(plan) {
                    self.say(format!("throttle: {line}"));
                }
                self.say(format!(
                    "throttle: {} on {} sending and {} receiving broker(s)",
                    human::rate(*rate as f64),
                    plan.senders.len(),
                    plan.receivers.len()
                ));
                self.emit(json!({"event": "throttled", "rate": rate, "changes": changes}));
            }
            ExecuteEvent::LogDirThrottled { rate, changes } => {
                self.say(format!(
                    "log dir throttle: {} (replica.alter.log.dirs.io.max.bytes.per.second) on {} broker(s)",
                    human::rate(*rate as f64),
                    changes.len()
                ));
                self.emit(json!({"event": "log_dir_throttled", "rate": rate, "changes": changes}));
            }
            ExecuteEvent::LogDirsRequested { moves, accepted } => {
                self.say(format!(
                    "log dirs: {moves} replica(s) to place (AlterReplicaLogDirs); {accepted} started now, the rest as their replicas are created"
                ));
                self.emit(
                    json!({"event": "log_dirs_requested", "moves": moves, "accepted": accepted}),
                );
            }
            _ => {}
        }
    }

    /// The wave loop: waves submitted, the progress bar, polls that failed or went unanswered.
    fn wave_event(&mut self, event: &ExecuteEvent) {
        match event {
            ExecuteEvent::Watching { bytes_total } if !self.json && self.wait => {
                self.bar = Some(progress::bytes_bar(*bytes_total));
            }
            ExecuteEvent::SubmittingWave {
                wave,
                waves,
                partitions,
            } => {
                self.say(format!(
                    "submitting wave {wave}/{waves}: {partitions} partition(s)"
                ));
                self.emit(json!({"event": "wave", "wave": wave, "waves": waves, "partitions": partitions}));
            }
            ExecuteEvent::PollFailed {
                error,
                attempt,
                max_attempts,
                retry_in,
            } => {
                self.say(format!(
                    "warning: polling the cluster failed ({attempt}/{max_attempts}): {error}; moves keep running, retrying in {}",
                    human::duration(retry_in.as_secs_f64())
                ));
                self.emit(json!({"event": "poll_failed", "error": error, "attempt": attempt, "max_attempts": max_attempts, "retry_in_ms": retry_in.as_millis() as u64}));
            }
            ExecuteEvent::NoAnswer { error } => {
                self.say(format!("warning: {error}; reconciling with the controller"))
            }
            ExecuteEvent::MovesComplete => {
                if let Some(b) = &self.bar {
                    b.finish_and_clear();
                }
            }
            _ => {}
        }
    }

    /// Moves that wait for a broker that is down: which broker, which moves.
    fn stalled(&self, stalled: &BTreeMap<BrokerId, Vec<TopicPartition>>) {
        if stalled.is_empty() {
            self.say("the stalled moves are running again");
        }
        for (broker, tps) in stalled {
            let list = tps
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            self.say(format!(
                "warning: broker {broker} is down or not answering: {} move(s) to it ({list}) cannot finish until it is back",
                tps.len()
            ));
        }
        let by_broker: BTreeMap<String, Vec<String>> = stalled
            .iter()
            .map(|(b, tps)| (b.to_string(), tps.iter().map(ToString::to_string).collect()))
            .collect();
        self.emit(json!({"event": "stalled", "brokers": by_broker}));
    }

    /// The copy-time events: traffic measured, a throttle chosen, the waves and their estimate,
    /// and the warnings of a throttle with thin (or no) headroom.
    fn copy_event(&mut self, event: &ExecuteEvent) {
        match event {
            ExecuteEvent::SamplingTraffic { window, partitions } => {
                self.say(format!(
                    "measuring the produce traffic of the {partitions} partition(s) to copy for {} (--traffic-sample)…",
                    human::duration(window.as_secs_f64())
                ));
                self.emit(json!({"event": "sampling_traffic", "window_seconds": window.as_secs_f64(), "partitions": partitions}));
            }
            ExecuteEvent::ThrottleChosen {
                rate,
                target,
                seconds,
            } => {
                self.target = Some(*target);
                self.say(format!(
                    "throttle auto: {} is the smallest throttle that copies the plan within {} (estimate {})",
                    human::rate(*rate as f64),
                    human::duration(target.as_secs_f64()),
                    copy_time::seconds(*seconds)
                ));
                self.emit(json!({"event": "throttle_chosen", "rate": rate, "target_seconds": target.as_secs_f64(), "seconds": seconds}));
            }
            ExecuteEvent::ThinHeadroom(brokers) => {
                for (w, b) in brokers {
                    self.say(format!(
                        "warning: thin headroom ({} of {} left for the backlog): {}",
                        human::rate(b.headroom),
                        human::rate(b.limit),
                        describe_broker(*w, b)
                    ));
                }
                self.emit(json!({"event": "thin_headroom", "brokers": brokers.iter().map(|(w, b)| json!({"wave": w + 1, "broker": b.broker, "side": b.side, "headroom": b.headroom, "limit": b.limit})).collect::<Vec<_>>()}));
            }
            ExecuteEvent::RunningUnconverging(short) => {
                self.say(format!("warning (--force): {short}"));
                self.emit(json!({"event": "not_converging", "shortfall": copy_time::shortfall_json(short)}));
            }
            ExecuteEvent::WavesPlanned {
                waves,
                moves,
                copy_time: estimate,
            } => {
                self.say(tables::wave_table(waves, moves, estimate).to_string());
                self.say(copy_time::estimate_line(estimate, self.target));
                self.emit(json!({"event": "waves", "copy_time": copy_time::estimate_json(estimate, waves, self.target)}));
            }
            _ => {}
        }
    }

    fn progress(&self, p: &Progress) {
        if let Some(b) = &self.bar {
            b.set_position(p.bytes_total.saturating_sub(p.bytes_remaining));
            let dirs = if p.log_dirs_left > 0 {
                format!(
                    ", {} log dir move(s) ({} left)",
                    p.log_dirs_left,
                    human::bytes(p.log_dir_bytes_remaining as f64)
                )
            } else {
                String::new()
            };
            b.set_message(format!(
                "{} done, {} in flight, {} left{}{dirs}",
                p.done,
                p.in_flight,
                p.left,
                p.eta
                    .map(|e| format!(", {}", copy_time::eta(&e)))
                    .unwrap_or_default()
            ));
        }
        self.emit(json!({"event": "progress", "done": p.done, "in_flight": p.in_flight, "left": p.left, "bytes_remaining": p.bytes_remaining, "bytes_total": p.bytes_total,
            "eta_seconds": p.eta.and_then(|e| e.seconds), "pace": p.eta.map(|e| e.pace), "pace_measured": p.eta.map(|e| e.measured),
            "log_dirs_left": p.log_dirs_left, "log_dir_bytes_remaining": p.log_dir_bytes_remaining}));
    }

    /// Copies running well below the throttle: said once per broker and wave.
    fn slow(&self, slow: &[SlowBroker]) {
        for s in slow {
            self.say(format!("warning: {}", copy_time::slow_line(s)));
        }
        self.emit(json!({"event": "slow_copies", "brokers": slow}));
    }

    /// The last words of a run; returns the exit code.
    pub fn outcome(&self, outcome: &ExecuteOutcome) -> u8 {
        match *outcome {
            ExecuteOutcome::Done { partitions } => {
                self.say(format!("done: {partitions} partition(s) at their targets"));
                self.emit(json!({"event": "done", "partitions": partitions}));
            }
            ExecuteOutcome::AlreadyFinished => self.say(format!(
                "{} says this plan already finished; kplan verify checks it",
                self.state_file.display()
            )),
            ExecuteOutcome::WaveSubmitted { wave } => self.say(format!(
                "wave {wave} submitted. Run kplan execute again to continue with the next wave, kplan verify --plan {} to check.",
                self.plan.display()
            )),
            ExecuteOutcome::StillInFlight { in_flight } => self.say(format!(
                "{in_flight} move(s) still in flight; run again when they finish to submit the next wave"
            )),
            ExecuteOutcome::Interrupted { in_flight } => {
                if let Some(b) = &self.bar {
                    b.abandon();
                }
                self.say(format!(
                    "\ninterrupted: no new waves are submitted; {in_flight} move(s) in flight keep running (that is safe).\n  resume:  kplan execute --plan {} (same flags)\n  cancel:  kplan cancel --plan {}\n  state:   {}",
                    self.plan.display(),
                    self.plan.display(),
                    self.state_file.display()
                ));
                self.emit(json!({"event": "interrupted", "in_flight": in_flight}));
                return 130;
            }
        }
        0
    }

    /// `--dry-run`: every config change and wave, nothing changed.
    pub fn dry_run(&self, dry: &DryRun) {
        if self.json {
            self.emit(json!({"event": "dry_run", "throttle": dry.throttle, "config_changes": dry.config_changes, "waves": dry.waves,
                "copy_time": copy_time::estimate_json(&dry.copy_time, &dry.waves, self.target),
                "refused": dry.shortfall.as_ref().map(copy_time::shortfall_json)}));
            return;
        }
        eprintln!("dry run: nothing is changed.");
        eprintln!(
            "Current assignment (save it to roll back):\n{}",
            dry.rollback.to_json()
        );
        if dry.config_changes.is_empty() {
            eprintln!("no throttle (--throttle not given)");
        } else {
            eprintln!("IncrementalAlterConfigs it would send:");
            for c in &dry.config_changes {
                match &c.value {
                    Some(v) => eprintln!("  {}: SET {}={v}", c.resource, c.key),
                    None => eprintln!("  {}: DELETE {}", c.resource, c.key),
                }
            }
        }
        eprintln!(
            "{}",
            tables::wave_table(&dry.waves, &dry.moves, &dry.copy_time)
        );
        eprintln!("{}", copy_time::estimate_line(&dry.copy_time, self.target));
    }
}

fn lines<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}
