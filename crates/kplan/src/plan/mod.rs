//! Planning: cluster + request → reassignment. See [`planner`] for the stages and
//! [`verifier`] for the independent check every plan passes.
mod balance;
mod band;
mod budget;
mod fill;
mod goal;
mod leaders;
mod mip;
mod placement;
mod plan_error;
pub mod planner;
mod problem;
mod reassignment;
mod repair;
mod request;
pub mod verifier;

pub use band::Band;
pub use goal::{Goal, GoalWeights};
pub use plan_error::PlanError;
pub use planner::{plan, GoalStatus, LowerBound, Plan, PlanReport};
pub use reassignment::{CurrentReplicas, PartitionReassignment, PlanContext, Reassignment};
pub use request::PlanRequest;
pub use verifier::{verify, PlanMetrics, Violation};
