//! The waves of one execution, from the first poll to the end.
//!
//! Each pass polls the cluster and reconciles with the controller: a move it runs, or that
//! already finished, counts as submitted — this is what makes a dropped response and a second
//! run harmless. With nothing in flight the next wave goes out; when every wave is done the
//! preferred leaders are elected and the throttle ledger is restored.
//!
//! A poll that fails (the broker the client talks to dies, the controller moves) does not end a
//! run that follows its moves ([`PollRetry`]): it is reported and retried. Moves keep running in
//! the cluster meanwhile; nothing is submitted until a poll succeeds and reconciles.
//!
//! Every poll also marks where the in-flight copies stand, per receiving broker: the
//! [`ProgressMeter`] turns the marks into a measured pace and a report of brokers whose copies
//! run well below what the throttle allows; the copy-time model, run again on what is left and
//! corrected by the measured pace ([`ModelLeft`], [`Eta::blended`]), gives the ETA of each
//! progress event.

use std::collections::BTreeMap;
use std::time::Duration;

use super::poll_retry::{PollRetry, MAX_POLL_FAILURES};
use super::{
    restore_ledger, ClusterView, CopyLeft, Eta, ExecError, ExecuteEvent, ExecuteOptions,
    ExecuteOutcome, ExecutionState, LogDirCounts, ModelLeft, Progress, ProgressMark, ProgressMeter,
    StopSignal,
};
use crate::kafka::{ElectionKind, KafkaAdmin};
use crate::model::{BrokerId, TopicPartition};
use crate::plan::Reassignment;

pub(super) struct WaveLoop<'a, A> {
    admin: &'a A,
    options: &'a ExecuteOptions,
    state: ExecutionState,
    view: ClusterView,
    /// The partitions this execution runs.
    running: Reassignment,
    /// Each partition's target replicas.
    targets: BTreeMap<TopicPartition, Vec<BrokerId>>,
    /// Bytes the whole run copies.
    bytes_total: u64,
    /// The stalled moves last reported.
    stalled: BTreeMap<BrokerId, Vec<TopicPartition>>,
    /// Marks of the wave in flight, for its measured pace.
    meter: ProgressMeter,
}

impl<'a, A: KafkaAdmin> WaveLoop<'a, A> {
    pub fn new(
        admin: &'a A,
        options: &'a ExecuteOptions,
        state: ExecutionState,
        view: ClusterView,
        running: Reassignment,
    ) -> Self {
        let targets = running
            .partitions
            .iter()
            .map(|p| (p.topic_partition(), p.brokers().to_vec()))
            .collect();
        let bytes_total = view.moves(&running).iter().map(|m| m.bytes_to_copy()).sum();
        let mut meter = ProgressMeter::default();
        if let Some(mark) = &state.wave_started {
            meter.record(mark.clone()); // a resumed run measures from the wave's start
        }
        WaveLoop {
            admin,
            options,
            state,
            view,
            running,
            targets,
            bytes_total,
            stalled: BTreeMap::new(),
            meter,
        }
    }

    pub async fn run(
        mut self,
        stop: &StopSignal,
        events: &mut dyn FnMut(ExecuteEvent),
    ) -> Result<ExecuteOutcome, ExecError> {
        events(ExecuteEvent::Watching {
            bytes_total: self.bytes_total,
        });
        let mut retry = PollRetry::default();
        let mut last = Progress::default();
        loop {
            let progress = match self.poll().await {
                Ok(p) => {
                    retry.succeeded();
                    last = p;
                    p
                }
                Err(e) => {
                    let pause = self.retry_or_give_up(e, &mut retry, events)?;
                    if stop.is_stopped() {
                        return Ok(ExecuteOutcome::Interrupted {
                            in_flight: last.in_flight,
                        });
                    }
                    tokio::time::sleep(pause).await;
                    continue;
                }
            };
            events(ExecuteEvent::Progress(progress));
            self.report_stalled(events);
            self.report_slow(events);
            self.options.state_file.save(&self.state)?;
            if stop.is_stopped() {
                return Ok(ExecuteOutcome::Interrupted {
                    in_flight: progress.in_flight,
                });
            }
            if progress.in_flight == 0 {
                match self.state.next_wave() {
                    Some(wave) => {
                        self.submit(wave, events).await?;
                        if !self.options.wait {
                            return Ok(ExecuteOutcome::WaveSubmitted { wave: wave + 1 });
                        }
                        continue;
                    }
                    None if progress.left == 0 && progress.log_dirs_left == 0 => break,
                    None if !self.options.wait => {
                        return Ok(ExecuteOutcome::StillInFlight {
                            in_flight: progress.log_dirs_left,
                        });
                    }
                    None => {}
                }
            } else if !self.options.wait {
                return Ok(ExecuteOutcome::StillInFlight {
                    in_flight: progress.in_flight,
                });
            }
            tokio::time::sleep(self.options.poll_interval).await;
        }
        events(ExecuteEvent::MovesComplete);
        self.finish(events).await
    }

    /// Reads where the moves stand, reconciling what counts as submitted with the controller.
    async fn poll(&mut self) -> Result<Progress, ExecError> {
        self.view.refresh_partitions(self.admin).await?;
        self.reconcile();
        let in_flight: Vec<TopicPartition> = self
            .state
            .submitted
            .iter()
            .filter(|tp| self.view.ongoing.contains_key(*tp))
            .cloned()
            .collect();
        let submitted = self.state.submitted.len();
        self.view.refresh_sizes(self.admin).await?;
        let eta = self.measure(&in_flight);
        let dirs = self.log_dirs().await?;
        Ok(Progress {
            done: submitted - in_flight.len(),
            in_flight: in_flight.len(),
            left: self.targets.len() - submitted,
            bytes_remaining: self.bytes_remaining(&in_flight),
            bytes_total: self.bytes_total,
            eta,
            log_dirs_left: dirs.left,
            log_dir_bytes_remaining: dirs.bytes_remaining,
        })
    }

    /// After a failed poll: the pause before the next one (reported), or — without `--wait`, or
    /// after too many failures in a row — the error.
    fn retry_or_give_up(
        &self,
        error: ExecError,
        retry: &mut PollRetry,
        events: &mut dyn FnMut(ExecuteEvent),
    ) -> Result<Duration, ExecError> {
        if !self.options.wait {
            return Err(error);
        }
        let Some(next) = retry.failed(self.options.poll_interval) else {
            return Err(error);
        };
        events(ExecuteEvent::PollFailed {
            error: error.to_string(),
            attempt: next.attempt,
            max_attempts: MAX_POLL_FAILURES,
            retry_in: next.pause,
        });
        Ok(next.pause)
    }

    /// Reports the moves of this run that wait for a broker that is down, when that changes.
    fn report_stalled(&mut self, events: &mut dyn FnMut(ExecuteEvent)) {
        let mut stalled = self.view.stalled();
        for tps in stalled.values_mut() {
            tps.retain(|tp| self.targets.contains_key(tp));
        }
        stalled.retain(|_, tps| !tps.is_empty());
        if stalled != self.stalled {
            self.stalled = stalled.clone();
            events(ExecuteEvent::Stalled(stalled));
        }
    }

    /// Marks where the in-flight copies stand, and the ETA from there.
    fn measure(&mut self, in_flight: &[TopicPartition]) -> Option<Eta> {
        let wave = in_flight
            .iter()
            .filter_map(|tp| self.state.wave_of(tp))
            .max()?;
        let copies = in_flight
            .iter()
            .flat_map(|tp| {
                self.view
                    .remaining_by_broker(tp)
                    .into_iter()
                    .map(|(broker, bytes)| CopyLeft {
                        tp: tp.clone(),
                        broker,
                        bytes,
                    })
            })
            .collect();
        let mark = ProgressMark {
            at_ms: (self.options.clock.now() * 1000.0).round() as i64,
            wave,
            copies,
        };
        self.meter.record(mark.clone());
        let view = &self.view;
        let model = ModelLeft::of(&self.state, &mark, self.meter.start(), |tp| view.size(tp));
        Some(match model {
            Some(model) => Eta::blended(&mark, self.meter.start(), &model),
            None => Eta::at(
                &mark,
                self.meter.start(),
                self.state.estimates.get(wave),
                self.state.queued_seconds(Some(wave)),
            ),
        })
    }

    /// Brokers of the wave in flight newly found slow: told once per wave.
    fn report_slow(&mut self, events: &mut dyn FnMut(ExecuteEvent)) {
        let Some(wave) = self.meter.latest().map(|m| m.wave) else {
            return;
        };
        let slow = self.meter.newly_slow(
            self.state.estimates.get(wave),
            self.state.throttle.is_some(),
        );
        if !slow.is_empty() {
            events(ExecuteEvent::SlowCopies(slow));
        }
    }

    /// Where the log-dir moves stand; those not accepted yet (their replica did not exist) are
    /// asked again, as Kafka's tool retries until the replica exists.
    async fn log_dirs(&mut self) -> Result<LogDirCounts, ExecError> {
        if self.state.log_dirs.is_empty() {
            return Ok(LogDirCounts::default());
        }
        let counts = self.state.log_dirs.counts(&self.view);
        if counts.left > 0 {
            self.state.log_dirs.request(self.admin).await?;
        }
        Ok(counts)
    }

    /// A scheduled partition that is at its target, or moving towards it, was submitted —
    /// whether or not this run heard the controller's answer.
    fn reconcile(&mut self) {
        for (tp, target) in &self.targets {
            let at_target = self
                .view
                .partitions
                .get(tp)
                .is_some_and(|p| &p.replicas == target)
                && !self.view.ongoing.contains_key(tp);
            let towards = self.view.ongoing.get(tp).is_some_and(|o| {
                o.replicas
                    .iter()
                    .copied()
                    .filter(|b| !o.removing.contains(b))
                    .collect::<Vec<_>>()
                    == *target
            });
            if (at_target || towards) && self.state.is_scheduled(tp) {
                self.state.submitted.insert(tp.clone());
            }
        }
    }

    /// What the in-flight copies still have to copy, plus the whole of the queued waves.
    fn bytes_remaining(&self, in_flight: &[TopicPartition]) -> u64 {
        let adding: BTreeMap<TopicPartition, u64> = self
            .view
            .moves(&self.running)
            .into_iter()
            .map(|m| (m.tp.clone(), m.adding().len() as u64))
            .collect();
        let copying: u64 = in_flight
            .iter()
            .map(|tp| self.view.bytes_remaining(tp))
            .sum();
        let queued: u64 = self
            .state
            .queued()
            .map(|tp| self.view.size(tp) * adding.get(tp).copied().unwrap_or(0))
            .sum();
        copying + queued
    }

    /// Submits what is left of wave `wave`. A refusal is an error (after the accepted moves
    /// are saved); no answer at all is not: the next poll reconciles.
    async fn submit(
        &mut self,
        wave: usize,
        events: &mut dyn FnMut(ExecuteEvent),
    ) -> Result<(), ExecError> {
        let batch: Vec<(TopicPartition, Option<Vec<BrokerId>>)> = self.state.waves[wave]
            .iter()
            .filter(|tp| !self.state.submitted.contains(*tp))
            .map(|tp| (tp.clone(), Some(self.targets[tp].clone())))
            .collect();
        events(ExecuteEvent::SubmittingWave {
            wave: wave + 1,
            waves: self.state.waves.len(),
            partitions: batch.len(),
        });
        let results = match self.admin.alter_reassignments(&batch).await {
            Ok(results) => results,
            Err(e) => {
                events(ExecuteEvent::NoAnswer {
                    error: e.to_string(),
                });
                return Ok(());
            }
        };
        let mut refused = Vec::new();
        for (tp, r) in results {
            match r {
                Ok(()) => {
                    self.state.submitted.insert(tp);
                }
                Err(e) => refused.push((tp, e)),
            }
        }
        self.mark_start(wave);
        self.options.state_file.save(&self.state)?;
        if refused.is_empty() {
            Ok(())
        } else {
            Err(ExecError::MovesRefused(refused))
        }
    }

    /// The first mark of wave `wave`: each added replica lacks its partition's whole log.
    fn mark_start(&mut self, wave: usize) {
        let mut copies = Vec::new();
        for m in self.view.moves(&self.running) {
            if self.state.wave_of(&m.tp) == Some(wave) && self.state.submitted.contains(&m.tp) {
                for broker in m.adding() {
                    copies.push(CopyLeft {
                        tp: m.tp.clone(),
                        broker,
                        bytes: self.view.size(&m.tp),
                    });
                }
            }
        }
        let mark = ProgressMark {
            at_ms: (self.options.clock.now() * 1000.0).round() as i64,
            wave,
            copies,
        };
        self.meter.record(mark.clone());
        self.state.wave_started = Some(mark);
    }

    /// Every move is done: preferred leaders, throttles back, the state marked finished.
    async fn finish(
        mut self,
        events: &mut dyn FnMut(ExecuteEvent),
    ) -> Result<ExecuteOutcome, ExecError> {
        if self.options.elect_leaders {
            self.elect_preferred_leaders(events).await?;
        }
        if self.state.has_throttles_to_restore() {
            restore_ledger(self.admin, &mut self.state).await?;
            events(ExecuteEvent::ThrottlesRestored);
        }
        self.state.finished = true;
        self.options.state_file.save(&self.state)?;
        Ok(ExecuteOutcome::Done {
            partitions: self.targets.len(),
        })
    }

    /// A completed move leaves leadership where it was unless the old leader left the replica
    /// set; a preferred election makes each target's first replica the leader.
    async fn elect_preferred_leaders(
        &self,
        events: &mut dyn FnMut(ExecuteEvent),
    ) -> Result<(), ExecError> {
        let elect: Vec<TopicPartition> = self
            .targets
            .iter()
            .filter(|(tp, t)| {
                self.view
                    .partitions
                    .get(*tp)
                    .is_some_and(|p| p.leader != t.first().copied())
            })
            .map(|(tp, _)| tp.clone())
            .collect();
        if elect.is_empty() {
            return Ok(());
        }
        let results = self
            .admin
            .elect_leaders(ElectionKind::Preferred, &elect)
            .await?;
        events(ExecuteEvent::LeadersElected {
            partitions: elect.len(),
            failed: results
                .iter()
                .filter_map(|(tp, r)| r.as_ref().err().map(|e| format!("{tp}: {e}")))
                .collect(),
        });
        Ok(())
    }
}
