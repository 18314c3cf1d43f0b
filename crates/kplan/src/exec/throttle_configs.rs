//! Reading and changing the configs throttles live in, through [`KafkaAdmin`]:
//! DescribeConfigs of the resources a throttle plan touches, and IncrementalAlterConfigs (never
//! the legacy AlterConfigs, which would drop every other dynamic key of the resource).

use std::collections::BTreeSet;

use super::{restore_changes, CurrentConfigs, ExecError, ExecutionState, ThrottlePlan};
use crate::kafka::{ConfigChange, ConfigTarget, KafkaAdmin, KafkaError};
use crate::model::BrokerId;

/// Current configs of the resources a throttle plan touches: its topics and its sending and
/// receiving brokers.
pub async fn current_configs<A: KafkaAdmin>(
    admin: &A,
    plan: &ThrottlePlan,
) -> Result<CurrentConfigs, KafkaError> {
    let mut targets: Vec<ConfigTarget> = plan
        .leader
        .keys()
        .chain(plan.follower.keys())
        .map(|t| ConfigTarget::Topic(t.clone()))
        .collect();
    targets.sort();
    targets.dedup();
    targets.extend(
        plan.senders
            .union(&plan.receivers)
            .map(|b| ConfigTarget::Broker(*b)),
    );
    configs_of(admin, &targets).await
}

/// Current configs of `brokers` (for the log-dir throttle).
pub async fn broker_configs<A: KafkaAdmin>(
    admin: &A,
    brokers: &BTreeSet<BrokerId>,
) -> Result<CurrentConfigs, KafkaError> {
    let targets: Vec<ConfigTarget> = brokers.iter().map(|b| ConfigTarget::Broker(*b)).collect();
    configs_of(admin, &targets).await
}

/// DescribeConfigs of `targets`; a resource the cluster cannot describe is an error.
async fn configs_of<A: KafkaAdmin>(
    admin: &A,
    targets: &[ConfigTarget],
) -> Result<CurrentConfigs, KafkaError> {
    let mut out = CurrentConfigs::new();
    if targets.is_empty() {
        return Ok(out);
    }
    for (t, r) in admin.describe_configs(targets).await? {
        out.insert(t, r?);
    }
    Ok(out)
}

/// Sends the changes; any resource the cluster refuses is an error naming it.
pub async fn apply_changes<A: KafkaAdmin>(
    admin: &A,
    changes: &[(ConfigTarget, Vec<ConfigChange>)],
) -> Result<(), ExecError> {
    if changes.is_empty() {
        return Ok(());
    }
    let refused: Vec<(ConfigTarget, KafkaError)> = admin
        .alter_configs(changes)
        .await?
        .into_iter()
        .filter_map(|(t, r)| r.err().map(|e| (t, e)))
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(ExecError::ConfigsRefused(refused))
    }
}

/// Puts back every value the state's ledger recorded and marks the ledger restored; the caller
/// saves the state.
pub async fn restore_ledger<A: KafkaAdmin>(
    admin: &A,
    state: &mut ExecutionState,
) -> Result<(), ExecError> {
    apply_changes(admin, &restore_changes(&state.ledger)).await?;
    state.throttles_restored = true;
    Ok(())
}
