//! The checks before anything is touched: every partition and broker of the plan exists, every
//! broker is alive (a move to or from a dead broker hangs — KAFKA-13392), the plan was made for
//! this cluster, nothing it names drifted since planning, and nothing it names is already moving.

use std::collections::BTreeSet;
use std::fmt;

use super::{ClusterView, ExecError, ExecuteEvent};
use crate::model::{BrokerId, TopicPartition};
use crate::plan::{PartitionReassignment, Reassignment};

/// What the operator allowed beyond the default checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PreflightRules {
    /// Run the partitions that did not drift and skip the rest (`--force`).
    pub skip_drifted: bool,
    /// Replace the targets of partitions already being reassigned (`--additional`).
    pub replace_ongoing: bool,
    /// Run under a throttle the live traffic fills, whose copies never catch up (`--force`).
    pub run_unconverging: bool,
}

/// Why a plan cannot run on this cluster at all. The first three read as Kafka's tool's errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    MissingTopic(String),
    MissingPartition(TopicPartition),
    UnknownBroker(BrokerId),
    DeadBroker(BrokerId),
    OtherCluster { planned: String, live: String },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::MissingTopic(t) => write!(f, "Topic {t} not found"),
            Refusal::MissingPartition(tp) => write!(f, "Unable to find partition: {tp}"),
            // Kafka's tool's words first, then what kplan can tell: DescribeCluster lists only
            // live brokers (a stopped KRaft broker stays registered but fenced, and only
            // DescribeCluster v2 with include_fenced_brokers shows it, which krafka 0.28 does not
            // send), so an id that holds no replica either is a typo or a broker that is down.
            Refusal::UnknownBroker(b) => write!(
                f,
                "Unknown broker id {b}: it is not in the cluster's live broker list and holds no replica (a typo, or a broker that is down or fenced)"
            ),
            Refusal::DeadBroker(b) => write!(
                f,
                "broker {b} is not alive: it holds replicas but is not in the cluster's live broker list (down or fenced); a move to or from it would hang (Kafka's tool waits forever); bring it back or plan without it"
            ),
            Refusal::OtherCluster { planned, live } => write!(
                f,
                "the plan was made for cluster {planned}, this is cluster {live}"
            ),
        }
    }
}

/// A partition whose replicas changed since it was planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub tp: TopicPartition,
    pub planned_from: Vec<BrokerId>,
    pub now: Vec<BrokerId>,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: planned from {:?}, now {:?}",
            self.tp,
            ids(&self.planned_from),
            ids(&self.now)
        )
    }
}

fn ids(v: &[BrokerId]) -> Vec<i32> {
    v.iter().map(|b| b.0).collect()
}

/// Checks `plan` against the cluster and returns the plan that may run: the plan itself, or
/// without its drifted partitions when [`PreflightRules::skip_drifted`] allows (reported as
/// [`ExecuteEvent::SkippingDrifted`]). An error says everything that is wrong at once.
pub fn preflight(
    plan: &Reassignment,
    view: &ClusterView,
    rules: PreflightRules,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<Reassignment, ExecError> {
    let refusals = refusals(plan, view);
    if !refusals.is_empty() {
        return Err(ExecError::Refused(refusals));
    }
    let drifted = drifted(plan, view);
    if !drifted.is_empty() && !rules.skip_drifted {
        return Err(ExecError::Stale(drifted));
    }
    let skip: BTreeSet<TopicPartition> = drifted.iter().map(|d| d.tp.clone()).collect();
    if !drifted.is_empty() {
        events(ExecuteEvent::SkippingDrifted(drifted));
    }
    let moving: Vec<TopicPartition> = plan
        .partitions
        .iter()
        .map(PartitionReassignment::topic_partition)
        .filter(|tp| view.ongoing.contains_key(tp) && !skip.contains(tp))
        .collect();
    if !moving.is_empty() && !rules.replace_ongoing {
        return Err(ExecError::AlreadyMoving(moving));
    }
    let mut runnable = plan.clone();
    runnable
        .partitions
        .retain(|p| !skip.contains(&p.topic_partition()));
    Ok(runnable)
}

/// Missing topics, partitions and brokers, dead brokers, another cluster. A broker that holds a
/// replica of any partition of the cluster exists: when it is not listed as live it is down.
fn refusals(plan: &Reassignment, view: &ClusterView) -> Vec<Refusal> {
    let mut out: Vec<Refusal> = view
        .missing_topics
        .iter()
        .map(|t| Refusal::MissingTopic(t.clone()))
        .collect();
    for p in &plan.partitions {
        let tp = p.topic_partition();
        if !view.missing_topics.contains(&p.topic) && !view.partitions.contains_key(&tp) {
            out.push(Refusal::MissingPartition(tp));
        }
    }
    let plan_brokers: BTreeSet<BrokerId> = plan
        .partitions
        .iter()
        .flat_map(|p| p.brokers().iter().copied())
        .collect();
    let known: BTreeSet<BrokerId> = view
        .partitions
        .values()
        .flat_map(|p| p.replicas.iter().copied())
        .chain(view.alive.iter().copied())
        .chain(view.registered.iter().copied())
        .collect();
    for b in plan_brokers {
        if !known.contains(&b) {
            out.push(Refusal::UnknownBroker(b));
        } else if !view.alive.contains(&b) {
            out.push(Refusal::DeadBroker(b));
        }
    }
    if let (Some(ctx), Some(live)) = (plan.kplan.as_ref(), view.cluster_id.as_ref()) {
        if let Some(planned) = &ctx.cluster_id {
            // An anonymized snapshot no longer knows the cluster's id.
            if planned != live && planned != "kplan-sandbox-anonymized" {
                out.push(Refusal::OtherCluster {
                    planned: planned.clone(),
                    live: live.clone(),
                });
            }
        }
    }
    out
}

/// Partitions of a kplan plan whose replicas are no longer those it was planned from.
///
/// While a partition is being reassigned, Kafka lists its replicas target-first (KIP-455), so
/// the original replicas are known as a set but not in their original order: such a partition
/// drifted only if the set differs.
fn drifted(plan: &Reassignment, view: &ClusterView) -> Vec<Drift> {
    let Some(ctx) = &plan.kplan else {
        return Vec::new();
    };
    ctx.current
        .iter()
        .filter_map(|c| {
            let tp = TopicPartition::new(&c.topic, c.partition);
            let now = view.original(&tp)?;
            let same = if view.ongoing.contains_key(&tp) {
                as_set(&now) == as_set(&c.replicas)
            } else {
                now == c.replicas
            };
            (!same).then(|| Drift {
                tp,
                planned_from: c.replicas.clone(),
                now,
            })
        })
        .collect()
}

fn as_set(brokers: &[BrokerId]) -> BTreeSet<BrokerId> {
    brokers.iter().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::{OngoingReassignment, PartitionState};
    use crate::model::ReplicaSet;

    fn ids(v: &[i32]) -> Vec<BrokerId> {
        v.iter().copied().map(BrokerId).collect()
    }

    /// A plan for orders-1 made while it was [1, 2], and a view where it now has `replicas`
    /// (with `ongoing` in flight, if any).
    fn drift_of(replicas: &[i32], ongoing: Option<(&[i32], &[i32])>) -> Vec<Drift> {
        let tp = TopicPartition::new("orders", 1);
        let planned_from = Reassignment::new(vec![PartitionReassignment::new(
            &tp,
            ReplicaSet::new(ids(&[1, 2])),
        )]);
        let plan = Reassignment::new(vec![PartitionReassignment::new(
            &tp,
            ReplicaSet::new(ids(&[3, 2])),
        )])
        .with_context(None, &planned_from);
        let mut view = ClusterView::default();
        view.partitions.insert(
            tp.clone(),
            PartitionState {
                partition: 1,
                replicas: ids(replicas),
                leader: Some(BrokerId(replicas[0])),
                isr: ids(replicas),
                offline: Vec::new(),
            },
        );
        if let Some((adding, removing)) = ongoing {
            view.ongoing.insert(
                tp,
                OngoingReassignment {
                    replicas: ids(replicas),
                    adding: ids(adding),
                    removing: ids(removing),
                },
            );
        }
        drifted(&plan, &view)
    }

    #[test]
    fn a_partition_at_rest_drifts_when_its_list_or_order_changed() {
        assert!(drift_of(&[1, 2], None).is_empty());
        assert_eq!(
            drift_of(&[2, 1], None).len(),
            1,
            "the preferred leader changed"
        );
        assert_eq!(drift_of(&[1, 4], None).len(), 1);
    }

    /// [1, 2] → [5, 2] in flight is listed [5, 2, 1] (target first): its original replicas
    /// are {1, 2} in an order Kafka no longer says. That is not drift.
    #[test]
    fn a_moving_partition_drifts_only_when_its_original_set_changed() {
        assert!(drift_of(&[5, 2, 1], Some((&[5], &[1]))).is_empty());
        assert_eq!(drift_of(&[5, 4, 1], Some((&[5], &[1]))).len(), 1);
    }
}
