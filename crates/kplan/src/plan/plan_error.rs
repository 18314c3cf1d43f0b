use thiserror::Error;

use super::Violation;
use crate::model::BrokerId;

/// Why no valid plan exists for a request, in the operator's terms.
#[derive(Debug, Error, PartialEq)]
pub enum PlanError {
    #[error("broker {0} is named in the request but is not in the cluster")]
    UnknownBroker(BrokerId),
    #[error("no broker may receive replicas: every allowed broker is also decommissioned")]
    NoEligibleBrokers,
    #[error(
        "topic {topic} needs replication factor {rf} but only {eligible} broker(s) may host it{detail}"
    )]
    TooFewBrokers {
        topic: String,
        rf: usize,
        eligible: usize,
        detail: String,
    },
    #[error("topic {topic} has RF {rf} but only {allowed} racks are allowed (the cluster has {racks}); pass --disable-rack-aware to place it anyway")]
    TooFewRacks {
        topic: String,
        rf: usize,
        allowed: usize,
        racks: usize,
    },
    #[error("not all brokers have rack information (brokers without a rack: {0}); set racks on every broker or pass --disable-rack-aware")]
    PartialRacks(String),
    #[error("replication factor must be at least 1 (topic pattern '{0}')")]
    ZeroReplicationFactor(String),
    #[error("--leaders-only cannot {0}: that needs data to move")]
    LeadersOnlyConflict(&'static str),
    #[error("partition {tp} must change ({why}) but the budget allows no more moves (--max-moves / --max-move-bytes)")]
    BudgetTooSmall { tp: String, why: String },
    /// The changes every plan must make (rack repairs, drains, RF changes) cost more than the
    /// budget on their own: `needs` says what they need, `budget` which limit they pass.
    #[error("{needs}, above {budget}: no plan within the budget satisfies the hard constraints")]
    MandatoryOverBudget { needs: String, budget: String },
    #[error("no partition matches the topic filter")]
    NothingToPlan,
    #[error("--remove-log-dirs names {path} on broker {broker}, which is not one of its log dirs ({known})")]
    UnknownLogDir {
        broker: BrokerId,
        path: String,
        known: String,
    },
    #[error("broker {broker} must take {tp} ({size} bytes) but none of its log dirs can: {why}")]
    NoLogDirRoom {
        broker: BrokerId,
        tp: String,
        size: u64,
        why: String,
    },
    #[error("{tp} has its replica on broker {broker} in log dir {path}, which --remove-log-dirs empties, but its topic may not change (--topics / --exclude-topics)")]
    RemovedLogDirPinned {
        tp: String,
        broker: BrokerId,
        path: String,
    },
    #[error("internal error: the planner produced an invalid plan: {0}")]
    InvalidPlan(String),
}

impl PlanError {
    /// A plan the verifier rejected: a defect of kplan's, never of the input. The first five
    /// violations say where.
    pub(crate) fn rejected(violations: &[Violation]) -> Self {
        let shown: Vec<String> = violations.iter().take(5).map(ToString::to_string).collect();
        PlanError::InvalidPlan(shown.join("; "))
    }
}
