//! `cancel`: KIP-455 cancellation of in-flight reassignments — each partition goes back to its
//! original replicas and the copies being added are dropped — then the plan's throttles restored.

use super::{restore_ledger, ExecError, StateFile};
use crate::kafka::{KafkaAdmin, PerPartition};
use crate::model::{BrokerId, TopicPartition};
use crate::plan::Reassignment;

/// Which reassignments `cancel` stops.
#[derive(Clone, Debug)]
pub enum CancelScope {
    /// The plan's partitions that are moving; its state file's ledger is restored after.
    Plan {
        plan: Reassignment,
        state_file: StateFile,
    },
    /// Every reassignment in flight, whoever started it.
    All,
}

#[derive(Clone, Debug)]
pub struct CancelOptions {
    pub scope: CancelScope,
    /// Leave throttles in place.
    pub preserve_throttles: bool,
}

/// What `cancel` reports as it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelEvent {
    /// The controller's answer, per partition (`Ok` = back to its original replicas).
    Cancelled(PerPartition<()>),
    /// The plan's ledger was restored (and its execution marked finished).
    ThrottlesRestored,
}

/// Counts of the cancellations; `failed` ones are still moving.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CancelReport {
    pub cancelled: usize,
    pub failed: usize,
}

pub async fn cancel<A: KafkaAdmin>(
    admin: &A,
    options: &CancelOptions,
    events: &mut dyn FnMut(CancelEvent),
) -> Result<CancelReport, ExecError> {
    let ongoing = admin.list_reassignments().await?;
    let wanted: Vec<(TopicPartition, Option<Vec<BrokerId>>)> = match &options.scope {
        CancelScope::Plan { plan, .. } => plan
            .partitions
            .iter()
            .map(|p| p.topic_partition())
            .filter(|tp| ongoing.contains_key(tp))
            .map(|tp| (tp, None))
            .collect(),
        CancelScope::All => ongoing.keys().map(|tp| (tp.clone(), None)).collect(),
    };
    let results = if wanted.is_empty() {
        PerPartition::new()
    } else {
        admin.alter_reassignments(&wanted).await?
    };
    let failed = results.values().filter(|r| r.is_err()).count();
    let report = CancelReport {
        cancelled: results.len() - failed,
        failed,
    };
    events(CancelEvent::Cancelled(results));
    if let (CancelScope::Plan { state_file, .. }, false) =
        (&options.scope, options.preserve_throttles)
    {
        if let Some(mut state) = state_file.load()? {
            if state.has_throttles_to_restore() {
                restore_ledger(admin, &mut state).await?;
                // Nothing of this execution is left to resume.
                state.finished = true;
                state_file.save(&state)?;
                events(CancelEvent::ThrottlesRestored);
            }
        }
    }
    Ok(report)
}
