//! `throttle set`, `throttle clear` and `throttle show`: replication throttles outside an
//! execution — changing the rate mid-flight, taking a plan's throttles back, finding leftovers.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::{
    apply_changes, check_permissions, current_configs, restore_ledger, throttle_changes,
    throttle_needs, throttle_plan, unthrottle_changes, ClusterView, ConfigChanges, ExecError,
    ExecutionState, PlanFile, StateFile, ThrottlePlan, FOLLOWER_RATE, FOLLOWER_REPLICAS,
    LEADER_RATE, LEADER_REPLICAS,
};
use crate::kafka::{ConfigChange, ConfigTarget, KafkaAdmin};
use crate::model::BrokerId;

/// Which throttles `throttle set` sets.
#[derive(Clone, Debug)]
pub enum ThrottleScope {
    /// The plan's moves: replica lists and rates on its senders and receivers, prior values
    /// recorded in the state file's ledger (so `verify` and `clear` restore them).
    Plan {
        plan: PlanFile,
        state_file: StateFile,
    },
    /// Both rates on these brokers, nothing recorded.
    Brokers(BTreeSet<BrokerId>),
}

/// Which throttles `throttle clear` removes.
#[derive(Clone, Debug)]
pub enum ClearScope {
    /// A plan's: its ledger restored, or — without one — its list entries removed. The plan
    /// file is only read when there is no ledger.
    Plan {
        plan: PathBuf,
        state_file: StateFile,
    },
    /// Every rate and throttled-replicas list in the cluster.
    All,
}

/// What `throttle clear` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleCleared {
    RestoredFromLedger,
    /// No ledger: the plan's throttled-replica entries were removed, rates left alone.
    PlanEntriesRemoved,
    All {
        brokers: usize,
        topics: usize,
    },
}

/// One throttle config set in the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleSetting {
    pub resource: ConfigTarget,
    pub key: &'static str,
    pub value: String,
}

/// Every throttle config in the cluster, and whether anything is moving.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleListing {
    pub reassignments_running: bool,
    pub settings: Vec<ThrottleSetting>,
}

impl ThrottleListing {
    /// Throttles set while nothing moves slow replication for nothing.
    pub fn leftover(&self) -> bool {
        !self.reassignments_running && !self.settings.is_empty()
    }
}

/// Sets the throttle at `rate`. For a plan, returns what its moves throttle.
pub async fn set_throttle<A: KafkaAdmin>(
    admin: &A,
    rate: u64,
    scope: &ThrottleScope,
) -> Result<Option<ThrottlePlan>, ExecError> {
    match scope {
        ThrottleScope::Plan { plan, state_file } => {
            set_plan_throttle(admin, rate, plan, state_file)
                .await
                .map(Some)
        }
        ThrottleScope::Brokers(brokers) => {
            let set = |key: &str| ConfigChange::Set(key.into(), rate.to_string());
            let changes: ConfigChanges = brokers
                .iter()
                .map(|b| {
                    (
                        ConfigTarget::Broker(*b),
                        vec![set(LEADER_RATE), set(FOLLOWER_RATE)],
                    )
                })
                .collect();
            apply_changes(admin, &changes).await?;
            Ok(None)
        }
    }
}

async fn set_plan_throttle<A: KafkaAdmin>(
    admin: &A,
    rate: u64,
    plan: &PlanFile,
    state_file: &StateFile,
) -> Result<ThrottlePlan, ExecError> {
    check_permissions(admin, &throttle_needs(&plan.reassignment)).await?;
    let view = ClusterView::fetch(admin, &plan.reassignment, false).await?;
    let tplan = throttle_plan(&view.moves(&plan.reassignment));
    let mut state = state_file.load_for(&plan.digest)?.unwrap_or_else(|| {
        ExecutionState::new(
            plan.digest.clone(),
            view.cluster_id.clone(),
            Vec::new(),
            Some(rate),
        )
    });
    let current = current_configs(admin, &tplan).await?;
    let changes = throttle_changes(&tplan, rate, &current, &mut state.ledger);
    state.throttle = Some(rate);
    state.throttles_restored = false;
    // As in execute: the priors are on disk before anything changes.
    state_file.save(&state)?;
    apply_changes(admin, &changes).await?;
    Ok(tplan)
}

pub async fn clear_throttle<A: KafkaAdmin>(
    admin: &A,
    scope: &ClearScope,
) -> Result<ThrottleCleared, ExecError> {
    match scope {
        ClearScope::Plan { plan, state_file } => match state_file.load()? {
            Some(mut state) if state.has_throttles_to_restore() => {
                restore_ledger(admin, &mut state).await?;
                state_file.save(&state)?;
                Ok(ThrottleCleared::RestoredFromLedger)
            }
            _ => {
                let plan = PlanFile::read(plan)?.reassignment;
                let view = ClusterView::fetch(admin, &plan, false).await?;
                let tplan = throttle_plan(&view.moves(&plan));
                let current = current_configs(admin, &tplan).await?;
                apply_changes(admin, &unthrottle_changes(&tplan, &current)).await?;
                Ok(ThrottleCleared::PlanEntriesRemoved)
            }
        },
        ClearScope::All => clear_all(admin).await,
    }
}

/// Deletes both rates on every broker and both lists on every topic.
async fn clear_all<A: KafkaAdmin>(admin: &A) -> Result<ThrottleCleared, ExecError> {
    let cluster = admin.describe_cluster().await?;
    let topics = admin.describe_topics(None).await?;
    let delete = |key: &str| ConfigChange::Delete(key.into());
    let mut changes: ConfigChanges = cluster
        .brokers
        .iter()
        .map(|b| {
            let keys = vec![delete(LEADER_RATE), delete(FOLLOWER_RATE)];
            (ConfigTarget::Broker(b.id), keys)
        })
        .collect();
    changes.extend(topics.iter().map(|t| {
        let keys = vec![delete(LEADER_REPLICAS), delete(FOLLOWER_REPLICAS)];
        (ConfigTarget::Topic(t.name.clone()), keys)
    }));
    apply_changes(admin, &changes).await?;
    Ok(ThrottleCleared::All {
        brokers: cluster.brokers.len(),
        topics: topics.len(),
    })
}

/// Every throttle set on a broker or topic itself (inherited and default values are not shown).
pub async fn show_throttles<A: KafkaAdmin>(admin: &A) -> Result<ThrottleListing, ExecError> {
    let cluster = admin.describe_cluster().await?;
    let topics = admin.describe_topics(None).await?;
    let reassignments_running = !admin.list_reassignments().await?.is_empty();
    let mut targets: Vec<ConfigTarget> = cluster
        .brokers
        .iter()
        .map(|b| ConfigTarget::Broker(b.id))
        .collect();
    targets.extend(topics.iter().map(|t| ConfigTarget::Topic(t.name.clone())));
    let mut settings = Vec::new();
    for (resource, r) in admin.describe_configs(&targets).await? {
        // A resource that cannot be described has nothing to show.
        let Ok(configs) = r else { continue };
        for key in [
            LEADER_RATE,
            FOLLOWER_RATE,
            LEADER_REPLICAS,
            FOLLOWER_REPLICAS,
        ] {
            if let Some(value) = configs
                .get(key)
                .filter(|v| v.dynamic_here)
                .and_then(|v| v.value.clone())
                .filter(|v| !v.is_empty())
            {
                settings.push(ThrottleSetting {
                    resource: resource.clone(),
                    key,
                    value,
                });
            }
        }
    }
    Ok(ThrottleListing {
        reassignments_running,
        settings,
    })
}
