//! What a plan comes with: its rollback, its measurements, and a report of every goal — met, at
//! its proven best, or unmet — with the bounds that say which.

use serde::Serialize;

use super::mip::MipOutcome;
use super::verifier::PlanMetrics;
use super::{Band, Goal, LogDirReport, Reassignment};
use crate::model::{BrokerId, Resource};

/// A verified plan with its rollback and report.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub reassignment: Reassignment,
    pub rollback: Reassignment,
    pub metrics: PlanMetrics,
    pub report: PlanReport,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanReport {
    pub eligible_brokers: Vec<BrokerId>,
    pub bands: Vec<ResourceBand>,
    pub goals: Vec<GoalStatus>,
    pub lower_bound: LowerBound,
    pub warnings: Vec<String>,
    pub stages: Vec<StageReport>,
    /// The `--time-limit` safety net stopped a stage: the plan may differ from run to run.
    pub time_limit_reached: bool,
    pub elapsed_ms: u128,
    /// Each broker's log directories before and after, when the plan places directories.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_dirs: Option<LogDirReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceBand {
    pub resource: Resource,
    #[serde(flatten)]
    pub band: Band,
}

/// Where a goal ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalState {
    /// Every eligible broker is in band.
    Met,
    /// Not in band, but no valid plan does better: the achieved max/mean equals the proven
    /// lower bound (and the min/mean its proven upper bound) where it is out of band.
    BestPossible,
    Unmet,
}

/// Whether a goal holds after the plan, how close it could possibly get, and its worst broker.
#[derive(Clone, Debug, Serialize)]
pub struct GoalStatus {
    pub goal: Goal,
    pub weight: f64,
    pub met: bool,
    pub status: GoalState,
    /// Max and min over eligible brokers divided by the mean (resources only).
    pub max_over_mean: Option<f64>,
    pub min_over_mean: Option<f64>,
    /// Proven lower bound on max/mean over the eligible brokers for any valid plan.
    pub bound: Option<f64>,
    /// Proven upper bound on min/mean.
    pub min_bound: Option<f64>,
    /// What proved the bound on max/mean (or, when the goal is unmet only below the band, the
    /// bound on min/mean), in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_reason: Option<String>,
    /// A budget is set and the bound does not account for it: it holds, but may be loose.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub bound_ignores_budget: bool,
    pub detail: String,
}

impl GoalStatus {
    /// A goal counted rather than measured against the mean (topic spread): met or not, with no
    /// ratio and no bound.
    pub(crate) fn counted(goal: Goal, weight: f64, met: bool, detail: String) -> Self {
        GoalStatus {
            goal,
            weight,
            met,
            status: if met {
                GoalState::Met
            } else {
                GoalState::Unmet
            },
            max_over_mean: None,
            min_over_mean: None,
            bound: None,
            min_bound: None,
            bound_reason: None,
            bound_ignores_budget: false,
            detail,
        }
    }
}

/// Data that any plan meeting the reachable bands must move: replicas that must fill brokers
/// below the band, leave brokers above it or drained ones, or repair a partition.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LowerBound {
    pub replicas: usize,
    pub bytes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageReport {
    pub stage: &'static str,
    /// The deterministic bound on the stage's work, in words.
    pub work_bound: &'static str,
    pub millis: u128,
    pub changes: usize,
    /// The shared cost (bands and topic spread, all resources) when the stage ended: what each
    /// stage bought, in the units `placement` documents.
    pub cost_after: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mip: Vec<MipOutcome>,
}
