//! What the directory stage reports: per broker, the spread of its directories before and after,
//! the proven bound, and the intra-broker moves; and the goal row for the whole cluster.

use serde::Serialize;

use super::broker_dirs::BrokerDirs;
use crate::model::BrokerId;
use crate::plan::{Goal, GoalState, GoalStatus};

/// Relative slack when comparing an achieved ratio with its bound (sums in different orders).
const SAME: f64 = 1e-6;

/// One broker's directories before and after the plan.
#[derive(Clone, Debug, Serialize)]
pub struct BrokerDirSpread {
    pub broker: BrokerId,
    /// Directories that take replicas after the plan (not cordoned, offline or removed).
    pub dirs: usize,
    /// Worst directory's usage over the broker's mean before (every online directory) and after
    /// (the directories that take replicas); `None` when the broker holds nothing.
    pub before_max_over_mean: Option<f64>,
    pub before_min_over_mean: Option<f64>,
    pub after_max_over_mean: Option<f64>,
    pub after_min_over_mean: Option<f64>,
    /// The fullest directory after the plan.
    pub worst_dir: Option<String>,
    /// Proven lower bound on max/mean after, for any placement of the broker's replicas.
    pub bound: f64,
    pub intra_broker_moves: usize,
    pub intra_broker_bytes: u64,
}

impl BrokerDirSpread {
    pub(super) fn new(state: &BrokerDirs) -> Self {
        let before = state.spread_before();
        let after = state.spread_after();
        let (moves, bytes) = state.intra_broker_moves();
        BrokerDirSpread {
            broker: state.broker,
            dirs: state.accepting(),
            before_max_over_mean: before.map(|s| s.max_over_mean),
            before_min_over_mean: before.map(|s| s.min_over_mean),
            after_max_over_mean: after.map(|s| s.max_over_mean),
            after_min_over_mean: after.map(|s| s.min_over_mean),
            worst_dir: after.map(|s| state.path(s.worst).to_owned()),
            bound: state.max_bound(),
            intra_broker_moves: moves,
            intra_broker_bytes: bytes,
        }
    }

    /// Every directory ends within `[1 − tolerance, 1 + tolerance]` of the mean.
    fn in_band(&self, tolerance: f64) -> bool {
        self.after_max_over_mean
            .is_none_or(|m| m <= 1.0 + tolerance + SAME)
            && self
                .after_min_over_mean
                .is_none_or(|m| m >= 1.0 - tolerance - SAME)
    }

    /// Out of band only where the bound says no placement does better.
    fn at_bound(&self) -> bool {
        self.after_max_over_mean
            .is_some_and(|m| m <= self.bound * (1.0 + SAME))
    }
}

/// The directory stage's report.
#[derive(Clone, Debug, Serialize)]
pub struct LogDirReport {
    pub tolerance: f64,
    pub brokers: Vec<BrokerDirSpread>,
    pub intra_broker_moves: usize,
    pub intra_broker_bytes: u64,
}

impl LogDirReport {
    pub(super) fn new(brokers: Vec<BrokerDirSpread>, tolerance: f64) -> Self {
        LogDirReport {
            tolerance,
            intra_broker_moves: brokers.iter().map(|b| b.intra_broker_moves).sum(),
            intra_broker_bytes: brokers.iter().map(|b| b.intra_broker_bytes).sum(),
            brokers,
        }
    }

    /// The goal row: met when every broker's directories are in band, best possible when those
    /// out of band are at their proven bound.
    pub fn goal_status(&self) -> GoalStatus {
        let tol = self.tolerance;
        let worst = |f: fn(&BrokerDirSpread) -> Option<f64>, max: bool| {
            let vals = self.brokers.iter().filter_map(f);
            if max {
                vals.fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))))
            } else {
                vals.fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.min(v))))
            }
        };
        let out: Vec<&BrokerDirSpread> = self.brokers.iter().filter(|b| !b.in_band(tol)).collect();
        let status = if out.is_empty() {
            GoalState::Met
        } else if out.iter().all(|b| b.at_bound()) {
            GoalState::BestPossible
        } else {
            GoalState::Unmet
        };
        let bound = self.brokers.iter().map(|b| b.bound).fold(1.0, f64::max);
        let detail = match out.first() {
            None => format!(
                "every log dir within ±{:.0}% of its broker's mean",
                tol * 100.0
            ),
            Some(b) if status == GoalState::BestPossible => format!(
                "best possible: {} broker(s) with a log dir out of band at its proven bound, e.g. broker {} ({} at {:.3}× its mean; no placement of its replicas does better than {:.3})",
                out.len(),
                b.broker,
                b.worst_dir.as_deref().unwrap_or("?"),
                b.after_max_over_mean.unwrap_or(0.0),
                b.bound
            ),
            Some(b) => format!(
                "{} broker(s) with a log dir out of band, e.g. broker {} ({} at {:.3}× its mean, proven bound {:.3})",
                out.len(),
                b.broker,
                b.worst_dir.as_deref().unwrap_or("?"),
                b.after_max_over_mean.unwrap_or(0.0),
                b.bound
            ),
        };
        GoalStatus {
            goal: Goal::LogDirs,
            weight: 1.0,
            met: status == GoalState::Met,
            status,
            max_over_mean: worst(|b| b.after_max_over_mean, true),
            min_over_mean: worst(|b| b.after_min_over_mean, false),
            bound: Some(bound),
            min_bound: None,
            bound_reason: (status == GoalState::BestPossible).then(|| {
                "replicas are not split: whole replicas (the largest ones, those that may not move, or a search over every placement of the broker's replicas) keep a log dir past the band".to_owned()
            }),
            bound_ignores_budget: false,
            detail,
        }
    }
}
