//! Why the executor stopped with an error. Each variant says what an operator needs to act: the
//! partitions, brokers or resources concerned and what to do next.

use std::fmt::Display;

use super::{Drift, PlanFileError, Refusal, StateFileError, ThrottleShortfall};
use crate::files::FileError;
use crate::human;
use crate::kafka::{principal_text, ConfigTarget, KafkaError, MissingAcl};
use crate::model::TopicPartition;

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error(transparent)]
    Kafka(#[from] KafkaError),
    #[error(transparent)]
    PlanFile(#[from] PlanFileError),
    #[error(transparent)]
    StateFile(#[from] StateFileError),
    /// The rollback file could not be written.
    #[error(transparent)]
    File(#[from] FileError),
    #[error("refusing to execute:\n  {}", lines(.0, "\n  "))]
    Refused(Vec<Refusal>),
    #[error(
        "the plan is stale: {} partition(s) changed since planning (re-run kplan generate, or --force to execute the rest):\n  {}",
        .0.len(),
        lines(.0, "\n  ")
    )]
    Stale(Vec<Drift>),
    #[error(
        "{} partition(s) are already being reassigned (use --additional to replace their targets): {}",
        .0.len(),
        lines(.0, ", ")
    )]
    AlreadyMoving(Vec<TopicPartition>),
    /// The controller answered, and refused these moves (per-partition errors).
    #[error(
        "the controller refused {} move(s):\n  {}",
        .0.len(),
        pairs(.0, "\n  ")
    )]
    MovesRefused(Vec<(TopicPartition, String)>),
    #[error("IncrementalAlterConfigs refused: {}", pairs(.0, "; "))]
    ConfigsRefused(Vec<(ConfigTarget, KafkaError)>),
    /// Restoring throttles from the ledger failed; the ledger is still there to retry.
    #[error("restoring throttles from the ledger")]
    RestoringThrottles(#[source] Box<ExecError>),
    #[error("no partitions to elect leaders for")]
    NothingToElect,
    /// The principal lacks ACLs the run needs; nothing was changed.
    #[error(
        "not authorized, nothing was changed: {} lacks\n  {}",
        principal_text(.principal.as_deref()),
        lines(.missing, "\n  ")
    )]
    NotAuthorized {
        principal: Option<String>,
        missing: Vec<MissingAcl>,
    },
    /// The throttle cannot finish the plan: live traffic fills it (`--force` overrides).
    #[error("refusing to execute: {0}")]
    ThrottleTooLow(Box<ThrottleShortfall>),
    /// No throttle finishes the plan within the target duration.
    #[error(
        "no throttle copies this plan within {}: {}",
        human::duration(.target.as_secs_f64()),
        match .best_seconds {
            Some(s) => format!("at the line rate ({} per receiving broker, --line-rate) it takes {}; allow more time, or raise --line-rate if the brokers copy faster", human::rate(*.line_rate), human::duration(*s)),
            None => format!("even at the line rate ({} per receiving broker, --line-rate) the copies never catch up with the produce traffic; move fewer busy partitions at once", human::rate(*.line_rate)),
        }
    )]
    TargetUnreachable {
        target: std::time::Duration,
        best_seconds: Option<f64>,
        line_rate: f64,
    },
}

fn lines<T: Display>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

fn pairs<K: Display, V: Display>(items: &[(K, V)], sep: &str) -> String {
    items
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(sep)
}
