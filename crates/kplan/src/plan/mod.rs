//! Planning: cluster + request → reassignment. See [`planner`] for the stages and
//! [`verifier`] for the independent check every plan passes.
mod assignment;
mod balance;
mod band;
mod best_first;
mod bounds;
mod budget;
mod describe;
mod fill;
mod flow;
mod goal;
mod goal_report;
mod hosted_replica;
mod hot;
mod leaders;
mod log_dirs;
mod mip;
mod placement;
mod plan_error;
pub mod planner;
mod problem;
mod rack_rule;
mod reassignment;
mod repair;
mod replace;
mod replica_lists;
mod report;
mod request;
mod safety_net;
#[cfg(test)]
mod test_cluster;
mod topic_spread;
pub mod verifier;
mod warnings;
mod worst_first;

pub use band::Band;
pub use describe::{describe, BrokerState, ClusterState, RackViolation};
pub use goal::{Goal, GoalWeights};
pub use log_dirs::{BrokerDirSpread, LogDirReport};
pub use mip::{MipOutcome, MipStatus};
pub use plan_error::PlanError;
pub use planner::{plan, plan_observed, StageStarted};
pub use reassignment::{CurrentReplicas, PartitionReassignment, PlanContext, Reassignment};
pub use replace::{replace, BrokerReplacement, ReplaceError};
pub use report::{GoalState, GoalStatus, LowerBound, Plan, PlanReport, ResourceBand, StageReport};
pub use request::PlanRequest;
pub use verifier::{verify, PlanMetrics, Violation};
