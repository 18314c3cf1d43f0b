//! The state file of an execution: what was submitted, and the throttle ledger — the config
//! values that were there before kplan changed them, so they can be restored exactly.
//!
//! It lives next to the plan (`plan.json` → `plan.json.state`, see [`StateFile`](super::StateFile)),
//! is rewritten atomically after every step, and makes `execute` resumable and idempotent.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{
    CopyLimits, CopySide, CopyTime, InFlight, LogDirProgress, MoveSpec, PartitionTraffic,
    ProgressMark, TrafficMap, Wave, WaveCopyTime,
};
use crate::model::{BrokerId, TopicPartition};

/// A config resource in the ledger.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerTarget {
    Topic(String),
    Broker(i32),
}

/// One config key kplan changed, and what it was before (`None` = not set on the resource).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub target: LedgerTarget,
    pub key: String,
    pub prior: Option<String>,
}

/// Records prior values; the first record of a key wins (later ones see kplan's own value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleLedger {
    pub entries: Vec<LedgerEntry>,
}

impl ThrottleLedger {
    pub fn record(&mut self, target: LedgerTarget, key: &str, prior: Option<String>) {
        if !self
            .entries
            .iter()
            .any(|e| e.target == target && e.key == key)
        {
            self.entries.push(LedgerEntry {
                target,
                key: key.to_owned(),
                prior,
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionState {
    pub version: u32,
    /// FNV-1a of the plan text: a state file belongs to exactly one plan.
    pub plan_digest: String,
    pub cluster_id: Option<String>,
    pub waves: Vec<Wave>,
    /// Partitions whose reassignment the controller has accepted.
    pub submitted: BTreeSet<TopicPartition>,
    pub throttle: Option<u64>,
    pub ledger: ThrottleLedger,
    /// The ledger was restored (throttles removed); nothing left to undo.
    pub throttles_restored: bool,
    pub finished: bool,
    /// The copy-time model's expectation for each wave (empty in state files written before
    /// kplan had one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub estimates: Vec<WaveEstimate>,
    /// Where the copies of the wave in flight stood when it was submitted: `verify` measures
    /// the pace since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave_started: Option<ProgressMark>,
    /// What the copy-time model ran on when the execution started (the moves, the sampled
    /// produce traffic, the line rate), so the live ETA can run it again on the bytes left —
    /// in this run, a resumed one, `verify` and `status`. `None` in older state files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_inputs: Option<CopyInputs>,
    /// The plan's moves between log dirs (JBOD), and which the brokers accepted.
    #[serde(default, skip_serializing_if = "LogDirProgress::is_empty")]
    pub log_dirs: LogDirProgress,
    /// `--log-dir-throttle` of the run that started the execution, bytes/s: the rate a resumed
    /// run sets again where it is missing. `None` without one (or in older state files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_dir_throttle: Option<u64>,
}

/// The copy-time model's inputs, as the state file keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyInputs {
    /// What unthrottled copies into one broker run at, bytes/s.
    pub line_rate: u64,
    /// Each partition that copies data.
    pub moves: Vec<ModelMove>,
}

/// One partition's move and its traffic, as sampled before anything changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelMove {
    pub tp: TopicPartition,
    pub current: Vec<BrokerId>,
    pub target: Vec<BrokerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<BrokerId>,
    /// Produce traffic, bytes/s.
    pub bytes_in_per_sec: u64,
}

impl CopyInputs {
    /// The inputs of `moves` (those that copy data) under `traffic`.
    pub fn new(moves: &[MoveSpec], traffic: &TrafficMap, line_rate: f64) -> Self {
        CopyInputs {
            line_rate: line_rate.round() as u64,
            moves: moves
                .iter()
                .filter(|m| !m.adding().is_empty())
                .map(|m| {
                    let t = traffic.get(&m.tp).copied().unwrap_or_default();
                    ModelMove {
                        tp: m.tp.clone(),
                        current: m.current.clone(),
                        target: m.target.clone(),
                        leader: t.leader,
                        bytes_in_per_sec: t.bytes_in_per_sec.max(0.0).round() as u64,
                    }
                })
                .collect(),
        }
    }

    /// The model run again from `at` (a wave in flight and the bytes its copies lack) under
    /// `throttle`, with `waves` and the logs' sizes now (`size`).
    pub fn remaining(
        &self,
        waves: &[Wave],
        throttle: Option<u64>,
        size: impl Fn(&TopicPartition) -> u64,
        at: &InFlight,
    ) -> CopyTime {
        let moves: Vec<MoveSpec> = self
            .moves
            .iter()
            .map(|m| MoveSpec {
                tp: m.tp.clone(),
                current: m.current.clone(),
                target: m.target.clone(),
                size: size(&m.tp),
            })
            .collect();
        let traffic: TrafficMap = self
            .moves
            .iter()
            .map(|m| {
                let t = PartitionTraffic {
                    leader: m.leader,
                    bytes_in_per_sec: m.bytes_in_per_sec as f64,
                };
                (m.tp.clone(), t)
            })
            .collect();
        let limits = CopyLimits {
            throttle,
            line_rate: self.line_rate as f64,
        };
        CopyTime::remaining(&moves, &traffic, waves, limits, at)
    }
}

/// What the copy-time model expects of one wave, kept with the state so that a resumed run and
/// `verify` can estimate the waves still queued and tell a copy that stalled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaveEstimate {
    /// Seconds the wave should take; `None` when its copies never catch up.
    pub seconds: Option<u64>,
    /// Per receiving broker, how fast the backlog of its copies should shrink on average,
    /// bytes/s: its backlog spread over the wave (the copy rate less the produce traffic that
    /// keeps growing the logs).
    pub drain_rate: BTreeMap<BrokerId, u64>,
}

impl From<&WaveCopyTime> for WaveEstimate {
    fn from(w: &WaveCopyTime) -> Self {
        let drain_rate = w
            .brokers
            .iter()
            .filter(|b| b.side == CopySide::Receiving)
            .filter_map(|b| {
                let secs = w.seconds.filter(|s| *s > 0.0)?;
                Some((b.broker, (b.backlog_bytes as f64 / secs).round() as u64))
            })
            .collect();
        WaveEstimate {
            seconds: w.seconds.map(|s| s.round() as u64),
            drain_rate,
        }
    }
}

impl ExecutionState {
    pub fn new(
        plan_digest: String,
        cluster_id: Option<String>,
        waves: Vec<Wave>,
        throttle: Option<u64>,
    ) -> Self {
        ExecutionState {
            version: 1,
            plan_digest,
            cluster_id,
            waves,
            submitted: BTreeSet::new(),
            throttle,
            ledger: ThrottleLedger::default(),
            throttles_restored: false,
            finished: false,
            estimates: Vec::new(),
            wave_started: None,
            copy_inputs: None,
            log_dirs: LogDirProgress::default(),
            log_dir_throttle: None,
        }
    }

    /// The first wave with a partition not yet submitted.
    pub fn next_wave(&self) -> Option<usize> {
        self.waves
            .iter()
            .position(|w| w.iter().any(|tp| !self.submitted.contains(tp)))
    }

    /// Whether a wave of this execution holds the partition.
    pub fn is_scheduled(&self, tp: &TopicPartition) -> bool {
        self.waves.iter().flatten().any(|x| x == tp)
    }

    /// Partitions of the waves not submitted yet, in wave order.
    pub fn queued(&self) -> impl Iterator<Item = &TopicPartition> {
        self.waves
            .iter()
            .flatten()
            .filter(|tp| !self.submitted.contains(*tp))
    }

    /// The wave holding `tp`.
    pub fn wave_of(&self, tp: &TopicPartition) -> Option<usize> {
        self.waves.iter().position(|w| w.contains(tp))
    }

    /// The model's seconds for the waves after `wave` (all of them with `None`); `None` when one
    /// never finishes. Zero without estimates (a state file from before kplan had them).
    pub fn queued_seconds(&self, after: Option<usize>) -> Option<f64> {
        let first = after.map_or(0, |w| w + 1);
        self.estimates
            .iter()
            .skip(first)
            .map(|e| e.seconds.map(|s| s as f64))
            .sum()
    }

    /// The ledger holds prior values that were not put back yet.
    pub fn has_throttles_to_restore(&self) -> bool {
        !self.ledger.is_empty() && !self.throttles_restored
    }
}

/// A stable digest of the plan text.
pub fn digest(text: &str) -> String {
    crate::stable_hash::stable_hash(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_prior_value_wins() {
        let mut l = ThrottleLedger::default();
        l.record(
            LedgerTarget::Broker(1),
            "leader.replication.throttled.rate",
            Some("100".into()),
        );
        l.record(
            LedgerTarget::Broker(1),
            "leader.replication.throttled.rate",
            Some("50000000".into()),
        );
        assert_eq!(l.entries.len(), 1);
        assert_eq!(l.entries[0].prior.as_deref(), Some("100"));
    }

    #[test]
    fn next_wave_skips_submitted_ones() {
        let tp = |p| TopicPartition::new("t", p);
        let mut s = ExecutionState::new(
            "d".into(),
            None,
            vec![vec![tp(0)], vec![tp(1), tp(2)]],
            None,
        );
        assert_eq!(s.next_wave(), Some(0));
        s.submitted.insert(tp(0));
        s.submitted.insert(tp(1));
        assert_eq!(s.next_wave(), Some(1));
        s.submitted.insert(tp(2));
        assert_eq!(s.next_wave(), None);
    }
}
