//! One-for-one broker replacement (`--replace OLD:NEW`): the hardware swap.
//!
//! Every replica on OLD goes to NEW in the same position of its partition's replica list, so
//! preferred leadership moves with it, and nothing else changes: no optimisation runs. The
//! request is refused, before any plan exists, when a partition of OLD already has a replica on
//! NEW (the list would hold NEW twice), when either broker is not in the snapshot, when a broker
//! appears twice among the replacements, and, with rack awareness on, when a partition of OLD
//! would span fewer racks than `min(#racks, RF)` (a replacement in another rack is fine as long
//! as every partition it touches still spans enough racks).
//!
//! The plan is then checked like every other: the independent verifier (with OLD as a
//! decommissioned broker, so it must end empty) and a report of each goal with its proven bound.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::bounds::resource_bounds;
use super::goal_report::{goal_status, spread_excess};
use super::placement::Placement;
use super::problem::{Bx, Problem};
use super::rack_rule::{RackRule, RackShortfall};
use super::report::{LowerBound, Plan, PlanReport, StageReport};
use super::verifier::verify;
use super::warnings::warnings;
use super::{PartitionReassignment, PlanError, PlanRequest, Reassignment};
use crate::model::{BrokerId, Cluster, ReplicaSet, Resource, TopicPartition};

/// OLD's replicas go to NEW.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BrokerReplacement {
    pub old: BrokerId,
    pub new: BrokerId,
}

impl fmt::Display for BrokerReplacement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.old, self.new)
    }
}

/// Why a replacement cannot be planned, in the operator's terms.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    #[error("--replace {0}: broker {1} is not in the snapshot{2}")]
    UnknownBroker(BrokerReplacement, BrokerId, &'static str),
    #[error("--replace {0}: a broker cannot replace itself")]
    SameBroker(BrokerReplacement),
    #[error("--replace: broker {0} appears more than once ({1})")]
    Repeated(BrokerId, String),
    #[error("--replace {r}: broker {old} holds no replica, so there is nothing to replace", r = .0, old = .0.old)]
    NothingToReplace(BrokerReplacement),
    #[error(
        "--replace {replacement}: broker {new} already holds a replica of {count} partition(s) \
         of broker {old} ({examples}); the replica list would name it twice. Pick another \
         broker, or plan with --decommission {old}",
        new = .replacement.new, old = .replacement.old
    )]
    AlreadyHolds {
        replacement: BrokerReplacement,
        count: usize,
        examples: String,
    },
    #[error(
        "--replace {replacements}: {count} partition(s) would span fewer racks than they must \
         ({examples}); pick a broker in the same rack, or pass --disable-rack-aware"
    )]
    RackSpread {
        replacements: String,
        count: usize,
        examples: String,
    },
    #[error(transparent)]
    Plan(#[from] PlanError),
}

/// How many examples an error lists before "…".
const EXAMPLES: usize = 5;

/// Plans the replacements on `cluster`. Only `rack_aware`, `tolerance` and `goals` of
/// `request` apply (the CLI refuses the other planning flags with `--replace`).
pub fn replace(
    cluster: &Cluster,
    request: &PlanRequest,
    replacements: &[BrokerReplacement],
) -> Result<Plan, ReplaceError> {
    check_brokers(cluster, replacements)?;
    let started = std::time::Instant::now();
    let request = PlanRequest {
        decommission: replacements.iter().map(|r| r.old).collect(),
        ..request.clone()
    };
    let targets = substitute(cluster, replacements)?;
    check_rack_spread(cluster, &request, replacements, &targets)?;
    let (reassignment, rollback) = reassignments(cluster, &targets);
    // Rack spread of the partitions replaced is checked above; the verifier's rack rule also
    // covers partitions nothing touches, which a replacement leaves as they are on purpose.
    // A replacement names no log dirs: the new broker picks them ("any").
    let check = PlanRequest {
        rack_aware: false,
        log_dirs: false,
        ..request.clone()
    };
    let metrics = verify(cluster, &check, &reassignment).map_err(|v| PlanError::rejected(&v))?;
    let pb = Problem::new(cluster, &request)?;
    let before = Placement::current(&pb, &request.goals);
    let after =
        Placement::from_replicas(&pb, &request.goals, final_replicas(cluster, &pb, &targets));
    let bounds = resource_bounds(&before, &request);
    let goals = goal_status(&after, &request, spread_excess(&before), &bounds, None);
    let mut notes = warnings(&pb, &goals, cluster, &request, false, false);
    notes.push(format!(
        "--replace moves exactly the replicas of broker(s) {} and nothing else; the goals are \
         reported, not pursued",
        join(replacements.iter().map(|r| r.old))
    ));
    Ok(Plan {
        report: PlanReport {
            eligible_brokers: pb.eligible_broker_ids(),
            bands: pb.resource_bands(),
            goals,
            // Exactly these replicas must move, so the bound is what the plan moves.
            lower_bound: LowerBound {
                replicas: metrics.replicas_moved,
                bytes: metrics.bytes_moved,
            },
            warnings: notes,
            stages: vec![StageReport {
                stage: "replace",
                work_bound: "one pass over the partitions",
                millis: started.elapsed().as_millis(),
                changes: reassignment.len(),
                cost_after: after.cost(&Resource::ALL),
                mip: Vec::new(),
            }],
            time_limit_reached: false,
            elapsed_ms: started.elapsed().as_millis(),
            log_dirs: None,
        },
        reassignment,
        rollback,
        metrics,
    })
}

/// Both brokers of each replacement are in the snapshot and differ; no broker appears twice.
fn check_brokers(
    cluster: &Cluster,
    replacements: &[BrokerReplacement],
) -> Result<(), ReplaceError> {
    let mut seen: BTreeMap<BrokerId, BrokerReplacement> = BTreeMap::new();
    for &r in replacements {
        if r.old == r.new {
            return Err(ReplaceError::SameBroker(r));
        }
        if cluster.broker(r.old).is_none() {
            return Err(ReplaceError::UnknownBroker(r, r.old, ""));
        }
        if cluster.broker(r.new).is_none() {
            let hint = " (start the new broker and take the snapshot again: it must be registered)";
            return Err(ReplaceError::UnknownBroker(r, r.new, hint));
        }
        for b in [r.old, r.new] {
            if let Some(first) = seen.insert(b, r) {
                return Err(ReplaceError::Repeated(b, format!("{first} and {r}")));
            }
        }
    }
    Ok(())
}

/// Each partition of an old broker with the new broker in the old one's position. Refuses when
/// the new broker already holds a replica of such a partition.
fn substitute(
    cluster: &Cluster,
    replacements: &[BrokerReplacement],
) -> Result<BTreeMap<TopicPartition, Vec<BrokerId>>, ReplaceError> {
    let by_old: BTreeMap<BrokerId, BrokerId> =
        replacements.iter().map(|r| (r.old, r.new)).collect();
    let mut targets = BTreeMap::new();
    let mut clashes: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
    let mut replaced: BTreeSet<BrokerId> = BTreeSet::new();
    for (tp, p) in cluster.partitions() {
        let current = p.replicas.brokers();
        if !current.iter().any(|b| by_old.contains_key(b)) {
            continue;
        }
        let target: Vec<BrokerId> = current
            .iter()
            .map(|b| *by_old.get(b).unwrap_or(b))
            .collect();
        for (old, new) in current.iter().zip(&target).filter(|(o, n)| o != n) {
            replaced.insert(*old);
            if current.contains(new) {
                clashes.entry(*old).or_default().push(tp.clone());
            }
        }
        targets.insert(tp, target);
    }
    if let Some((&old, parts)) = clashes.iter().next() {
        let replacement = BrokerReplacement {
            old,
            new: by_old[&old],
        };
        return Err(ReplaceError::AlreadyHolds {
            replacement,
            count: parts.len(),
            examples: examples(parts.iter()),
        });
    }
    if let Some(r) = replacements.iter().find(|r| !replaced.contains(&r.old)) {
        return Err(ReplaceError::NothingToReplace(*r));
    }
    Ok(targets)
}

/// Every replaced partition spans `min(#racks, RF)` racks, racks counted over the brokers that
/// remain (the old ones leave), as the verifier counts them.
fn check_rack_spread(
    cluster: &Cluster,
    request: &PlanRequest,
    replacements: &[BrokerReplacement],
    targets: &BTreeMap<TopicPartition, Vec<BrokerId>>,
) -> Result<(), ReplaceError> {
    let Some(rule) = RackRule::new(cluster, request) else {
        return Ok(());
    };
    let short: Vec<String> = targets
        .iter()
        .filter_map(|(tp, brokers)| {
            let RackShortfall { spans, needs } = rule.shortfall(brokers)?;
            Some(format!("{tp} spans {spans}, needs {needs}"))
        })
        .collect();
    if short.is_empty() {
        return Ok(());
    }
    Err(ReplaceError::RackSpread {
        replacements: join(replacements.iter()),
        count: short.len(),
        examples: examples(short.iter()),
    })
}

/// The reassignment (replaced partitions, in cluster order) and its rollback.
fn reassignments(
    cluster: &Cluster,
    targets: &BTreeMap<TopicPartition, Vec<BrokerId>>,
) -> (Reassignment, Reassignment) {
    let mut plan = Vec::new();
    let mut rollback = Vec::new();
    for (tp, p) in cluster.partitions() {
        if let Some(target) = targets.get(&tp) {
            plan.push(PartitionReassignment::new(
                &tp,
                ReplicaSet::new(target.clone()),
            ));
            rollback.push(PartitionReassignment::new(&tp, p.replicas.clone()));
        }
    }
    (Reassignment::new(plan), Reassignment::new(rollback))
}

/// Every partition's final replicas as broker indices, preferred leader first.
fn final_replicas(
    cluster: &Cluster,
    pb: &Problem,
    targets: &BTreeMap<TopicPartition, Vec<BrokerId>>,
) -> Vec<Vec<Bx>> {
    let index: BTreeMap<BrokerId, Bx> = pb
        .broker_ids
        .iter()
        .enumerate()
        .map(|(i, &b)| (b, i as Bx))
        .collect();
    cluster
        .partitions()
        .zip(&pb.parts)
        .map(|((tp, _), part)| match targets.get(&tp) {
            Some(target) => target.iter().map(|b| index[b]).collect(),
            None => current_with_leader_first(part.current.clone(), part.current_leader),
        })
        .collect()
}

/// An untouched partition keeps its replicas and its current leader.
fn current_with_leader_first(mut replicas: Vec<Bx>, leader: Bx) -> Vec<Bx> {
    if let Some(i) = replicas.iter().position(|&b| b == leader) {
        replicas[..=i].rotate_right(1);
    }
    replicas
}

fn join<T: fmt::Display>(items: impl Iterator<Item = T>) -> String {
    items.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

fn examples<T: fmt::Display>(items: impl ExactSizeIterator<Item = T>) -> String {
    let n = items.len();
    let mut shown: Vec<String> = items.take(EXAMPLES).map(|i| i.to_string()).collect();
    if n > EXAMPLES {
        shown.push(format!("… {} more", n - EXAMPLES));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Broker, Partition, Topic};

    /// Brokers 1,2 in rack a, 3,4 in rack b, 5 in rack c; topic t with the given replica lists.
    fn cluster(lists: &[&[i32]]) -> Cluster {
        let brokers = vec![
            Broker::new(1, Some("a")),
            Broker::new(2, Some("a")),
            Broker::new(3, Some("b")),
            Broker::new(4, Some("b")),
            Broker::new(5, Some("c")),
        ];
        let partitions = lists
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut p = Partition::new(i as i32, l.to_vec());
                p.size_bytes = 1_000 * (i as u64 + 1);
                p
            })
            .collect();
        Cluster::new(None, brokers, vec![Topic::new("t", partitions)]).unwrap()
    }

    fn swap(old: i32, new: i32) -> BrokerReplacement {
        BrokerReplacement {
            old: BrokerId(old),
            new: BrokerId(new),
        }
    }

    fn lists(r: &Reassignment) -> Vec<Vec<i32>> {
        r.partitions
            .iter()
            .map(|e| e.replicas.brokers().iter().map(|b| b.0).collect())
            .collect()
    }

    #[test]
    fn old_replicas_go_to_new_in_the_same_position_and_nothing_else_moves() {
        let c = cluster(&[&[3, 1], &[1, 3], &[1, 5], &[5, 3]]);
        let plan = replace(&c, &PlanRequest::default(), &[swap(3, 4)]).unwrap();
        assert_eq!(
            lists(&plan.reassignment),
            vec![vec![4, 1], vec![1, 4], vec![5, 4]]
        );
        assert_eq!(
            lists(&plan.rollback),
            vec![vec![3, 1], vec![1, 3], vec![5, 3]]
        );
        assert_eq!(plan.metrics.replicas_moved, 3);
        assert_eq!(plan.report.lower_bound.replicas, 3);
        assert_eq!(plan.metrics.bytes_moved, 1_000 + 2_000 + 4_000);
        verify(&c, &PlanRequest::default(), &plan.reassignment).unwrap();
    }

    #[test]
    fn refuses_a_new_broker_that_already_holds_the_partition() {
        let c = cluster(&[&[3, 4], &[3, 1]]);
        let e = replace(&c, &PlanRequest::default(), &[swap(3, 4)]).unwrap_err();
        assert!(
            matches!(e, ReplaceError::AlreadyHolds { count: 1, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("t-0"), "{e}");
    }

    #[test]
    fn refuses_unknown_repeated_and_idle_brokers() {
        let c = cluster(&[&[3, 1]]);
        let req = PlanRequest::default();
        let e = replace(&c, &req, &[swap(3, 24)]).unwrap_err();
        assert!(
            e.to_string().contains("broker 24 is not in the snapshot"),
            "{e}"
        );
        assert!(matches!(
            replace(&c, &req, &[swap(3, 3)]),
            Err(ReplaceError::SameBroker(_))
        ));
        let e = replace(&c, &req, &[swap(3, 4), swap(1, 4)]).unwrap_err();
        assert!(
            e.to_string()
                .contains("broker 4 appears more than once (3:4 and 1:4)"),
            "{e}"
        );
        let e = replace(&c, &req, &[swap(2, 4)]).unwrap_err();
        assert!(matches!(e, ReplaceError::NothingToReplace(_)), "{e}");
    }

    #[test]
    fn another_rack_only_where_every_partition_keeps_its_spread() {
        // [3,1] spans b,a; 3 → 2 (rack a) leaves it on a only.
        let c = cluster(&[&[3, 1]]);
        let e = replace(&c, &PlanRequest::default(), &[swap(3, 2)]).unwrap_err();
        assert!(e.to_string().contains("t-0 spans 1, needs 2"), "{e}");
        let off = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        assert!(replace(&c, &off, &[swap(3, 2)]).is_ok());
        // 3 → 5 (rack c): [5,1] spans c,a, still two racks.
        assert!(replace(&c, &PlanRequest::default(), &[swap(3, 5)]).is_ok());
    }

    #[test]
    fn several_replacements_at_once() {
        let c = cluster(&[&[3, 1], &[1, 5]]);
        let plan = replace(&c, &PlanRequest::default(), &[swap(3, 4), swap(1, 2)]).unwrap();
        assert_eq!(lists(&plan.reassignment), vec![vec![4, 2], vec![2, 5]]);
    }
}
