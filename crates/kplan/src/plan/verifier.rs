//! The plan verifier: checks a reassignment against the cluster and the request, independently of
//! how it was made, and measures it.
//!
//! It rebuilds the final assignment from the cluster and the reassignment alone (no planner state)
//! and checks every hard constraint: known partitions and brokers, distinct replicas, target
//! replication factor, only movable partitions changed, no replica on a broker that may not host
//! it, rack spread, leaders-only plans keeping their broker sets, budgets, and log directories
//! (see [`check_log_dirs`]). Every plan kplan
//! prints passes through here first, and every planner test uses it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::log_dirs::check_log_dirs;
use super::rack_rule::{RackRule, RackShortfall};
use super::{PlanRequest, Reassignment};
use crate::model::{BrokerId, Cluster, Resource, ResourceVector, TopicPartition};

/// A hard constraint the plan breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub partition: Option<String>,
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.partition {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Measured effect of a valid plan.
#[derive(Clone, Debug, Serialize)]
pub struct PlanMetrics {
    pub partitions_changed: usize,
    pub replicas_moved: usize,
    pub bytes_moved: u64,
    pub leader_changes: usize,
    /// Load per broker before and after, in broker id order.
    pub before: BTreeMap<BrokerId, ResourceVector>,
    pub after: BTreeMap<BrokerId, ResourceVector>,
    /// Bytes each broker receives and sends during the copy (leaders send to new followers).
    pub copy_in: BTreeMap<BrokerId, u64>,
    pub copy_out: BTreeMap<BrokerId, u64>,
    /// Intra-broker moves (a replica changing log dir on a broker that keeps it): disk I/O on
    /// that broker, no network; not in `replicas_moved` / `bytes_moved`.
    pub log_dir_moves: usize,
    pub log_dir_bytes: u64,
}

/// Checks `plan` against `cluster` and `request`; returns the measurements or every violation.
pub fn verify(
    cluster: &Cluster,
    request: &PlanRequest,
    plan: &Reassignment,
) -> Result<PlanMetrics, Vec<Violation>> {
    let mut v = Vec::new();
    if plan.version != 1 {
        v.push(Violation {
            partition: None,
            message: format!("unsupported version {}", plan.version),
        });
    }
    let targets = check_entries(cluster, request, plan, &mut v);
    check_final_placement(cluster, request, &targets, &mut v);
    let intra = check_log_dirs(cluster, request, plan, &mut v);
    let mut metrics = measure(cluster, &targets);
    metrics.log_dir_moves = intra.replicas;
    metrics.log_dir_bytes = intra.bytes;
    check_budgets(request, &metrics, &mut v);
    if v.is_empty() {
        Ok(metrics)
    } else {
        Err(v)
    }
}

fn fail(v: &mut Vec<Violation>, tp: &TopicPartition, message: String) {
    v.push(Violation {
        partition: Some(tp.to_string()),
        message,
    });
}

/// Checks each entry on its own (known partition and brokers, no duplicates, log dirs, target
/// replication factor, movable topic, leaders-only keeping the set); returns the targets.
fn check_entries<'p>(
    cluster: &Cluster,
    request: &PlanRequest,
    plan: &'p Reassignment,
    v: &mut Vec<Violation>,
) -> BTreeMap<TopicPartition, &'p [BrokerId]> {
    let mut targets: BTreeMap<TopicPartition, &[BrokerId]> = BTreeMap::new();
    for entry in &plan.partitions {
        let tp = entry.topic_partition();
        if targets.contains_key(&tp) {
            fail(v, &tp, "listed twice".into());
            continue;
        }
        let Some(current) = cluster.partition(&tp) else {
            fail(v, &tp, "no such partition in the snapshot".into());
            continue;
        };
        let brokers = entry.brokers();
        if entry.log_dirs.len() != brokers.len() {
            let m = format!(
                "{} log dirs for {} replicas",
                entry.log_dirs.len(),
                brokers.len()
            );
            fail(v, &tp, m);
        }
        if let Some(b) = entry.replicas.first_duplicate() {
            fail(v, &tp, format!("broker {b} listed twice"));
        }
        if let Some(b) = brokers.iter().find(|b| cluster.broker(**b).is_none()) {
            fail(v, &tp, format!("unknown broker {b}"));
        }
        if !request.is_movable_topic(&tp.topic) {
            let m = "topic is excluded from this plan but its partition changes";
            fail(v, &tp, m.into());
        }
        let rf = request.target_replication_factor(&tp.topic, current.replication_factor());
        if brokers.len() != rf {
            let m = format!(
                "{} replicas, replication factor should be {rf}",
                brokers.len()
            );
            fail(v, &tp, m);
        }
        if request.leaders_only && !entry.replicas.same_brokers(&current.replicas) {
            fail(v, &tp, "leaders-only plan changes the replica set".into());
        }
        targets.insert(tp, brokers);
    }
    targets
}

/// Hard constraints on the final placement of every movable partition: allowed brokers, the
/// replication factor actually changed, rack spread.
fn check_final_placement(
    cluster: &Cluster,
    request: &PlanRequest,
    targets: &BTreeMap<TopicPartition, &[BrokerId]>,
    v: &mut Vec<Violation>,
) {
    let rack_rule = RackRule::new(cluster, request);
    for (tp, p) in cluster.partitions() {
        if !request.is_movable_topic(&tp.topic) {
            continue;
        }
        let final_brokers = targets.get(&tp).copied().unwrap_or(p.replicas.brokers());
        let changed = targets.contains_key(&tp);
        if !request.leaders_only {
            for b in final_brokers {
                if !request.may_host(*b) && (changed || request.decommission.contains(b)) {
                    let why = if request.decommission.contains(b) {
                        "decommissioned"
                    } else {
                        "not in --brokers"
                    };
                    fail(v, &tp, format!("replica on broker {b}, which is {why}"));
                }
            }
            let rf = request.target_replication_factor(&tp.topic, p.replication_factor());
            if !changed && rf != p.replication_factor() {
                let m = format!(
                    "replication factor should become {rf} but the plan does not change it"
                );
                fail(v, &tp, m);
            }
        }
        // A reorder keeps the broker set, so it cannot change rack spread: a leaders-only plan
        // may reorder a partition that already spans too few racks (the planner warns about
        // those); a plan that changes the set must meet the spread.
        let set_changed = changed && !same_brokers(final_brokers, p.replicas.brokers());
        let rack_rule = rack_rule
            .as_ref()
            .filter(|_| set_changed || !request.leaders_only);
        if let Some(RackShortfall { spans, needs }) =
            rack_rule.and_then(|rule| rule.shortfall(final_brokers))
        {
            fail(v, &tp, format!("spans {spans} rack(s), needs {needs}"));
        }
    }
}

fn same_brokers(a: &[BrokerId], b: &[BrokerId]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

fn check_budgets(request: &PlanRequest, metrics: &PlanMetrics, v: &mut Vec<Violation>) {
    if let Some(max) = request.max_moves {
        if metrics.replicas_moved > max {
            v.push(Violation {
                partition: None,
                message: format!(
                    "{} replica moves exceed --max-moves {max}",
                    metrics.replicas_moved
                ),
            });
        }
    }
    if let Some(max) = request.max_move_bytes {
        if metrics.bytes_moved > max {
            v.push(Violation {
                partition: None,
                message: format!(
                    "{} bytes moved exceed --max-move-bytes {max}",
                    metrics.bytes_moved
                ),
            });
        }
    }
}

/// Loads before and after, and movement totals. A partition in the plan is led by its first
/// replica afterwards (kplan elects preferred leaders); any other keeps its current leader.
fn measure(cluster: &Cluster, targets: &BTreeMap<TopicPartition, &[BrokerId]>) -> PlanMetrics {
    let mut before: BTreeMap<BrokerId, ResourceVector> = cluster
        .brokers()
        .iter()
        .map(|b| (b.id, ResourceVector::default()))
        .collect();
    let mut after = before.clone();
    let mut copy_in: BTreeMap<BrokerId, u64> =
        cluster.brokers().iter().map(|b| (b.id, 0)).collect();
    let mut copy_out = copy_in.clone();
    let (mut changed, mut moved, mut bytes, mut leader_changes) = (0, 0, 0u64, 0);
    for (tp, p) in cluster.partitions() {
        let current = p.replicas.brokers();
        let leader = p.leader.unwrap_or(current[0]);
        add_load(&mut before, p, current, leader);
        let Some(&target) = targets.get(&tp) else {
            add_load(&mut after, p, current, leader);
            continue;
        };
        changed += 1;
        let new_leader = target[0];
        add_load(&mut after, p, target, new_leader);
        if new_leader != leader {
            leader_changes += 1;
        }
        for b in target.iter().filter(|b| !current.contains(b)) {
            moved += 1;
            bytes += p.size_bytes;
            *copy_in.entry(*b).or_default() += p.size_bytes;
            *copy_out.entry(leader).or_default() += p.size_bytes;
        }
    }
    PlanMetrics {
        partitions_changed: changed,
        replicas_moved: moved,
        bytes_moved: bytes,
        leader_changes,
        before,
        after,
        copy_in,
        copy_out,
        log_dir_moves: 0,
        log_dir_bytes: 0,
    }
}

fn add_load(
    loads: &mut BTreeMap<BrokerId, ResourceVector>,
    p: &crate::model::Partition,
    brokers: &[BrokerId],
    leader: BrokerId,
) {
    let rf = brokers.len();
    for &b in brokers {
        let l = loads.entry(b).or_default();
        l[Resource::Disk] += p.size_bytes as f64;
        l[Resource::BytesIn] += p.bytes_in_per_sec;
        l[Resource::Replicas] += 1.0;
        if b == leader {
            l[Resource::BytesOut] += p.leader_bytes_out(rf);
            l[Resource::Leaders] += 1.0;
        }
    }
}
