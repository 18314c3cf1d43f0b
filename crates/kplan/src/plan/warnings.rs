//! Warnings for the operator: unmet goals, constraints the plan could not honour, and anything
//! that makes the plan less than it seems (a safety net that fired, racks that force load).

use std::collections::BTreeSet;

use super::problem::{Bx, Problem};
use super::report::{GoalState, GoalStatus};
use super::PlanRequest;
use crate::model::{Cluster, Resource};

pub fn warnings(
    pb: &Problem,
    goals: &[GoalStatus],
    cluster: &Cluster,
    request: &PlanRequest,
    exact_optimal: bool,
    time_limit_reached: bool,
) -> Vec<String> {
    let mut w = Vec::new();
    let unmet: Vec<&GoalStatus> = goals
        .iter()
        .filter(|g| g.status == GoalState::Unmet && g.weight > 0.0)
        .collect();
    for g in &unmet {
        w.push(format!("goal {} not met: {}", g.goal, g.detail));
    }
    if exact_optimal && !unmet.is_empty() {
        // Not a search that gave up: the whole problem was solved to optimality.
        w.push(
            "the exact model was solved to optimality: no placement scores better on the weighted goals \
             under these constraints, so the unmet goals cannot all be met (wider --tolerance or other weights may help)"
                .to_owned(),
        );
    }
    if !pb.unrepairable_rack.is_empty() {
        let names: Vec<String> = pb
            .unrepairable_rack
            .iter()
            .take(5)
            .map(ToString::to_string)
            .collect();
        w.push(format!(
            "{} partition(s) span too few racks but may not move in this plan: {}",
            pb.unrepairable_rack.len(),
            names.join(", ")
        ));
    }
    w.extend(small_racks(pb));
    w.extend(excluded_on_drained(cluster, request));
    if time_limit_reached {
        w.push(format!(
            "time limit of {}s reached: this is the best plan found so far, and it may differ from \
             run to run (without the time limit, planning is deterministic)",
            request.time_limit.as_secs_f64()
        ));
    }
    w
}

/// Strict rack awareness with uneven racks forces load onto small racks; say so.
fn small_racks(pb: &Problem) -> Vec<String> {
    if !pb.rack_aware {
        return Vec::new();
    }
    let eligible_racks: BTreeSet<usize> = pb
        .eligible_brokers()
        .filter_map(|b| pb.rack_of[b])
        .collect();
    let band = pb.band(Resource::Replicas);
    let forced = pb
        .parts
        .iter()
        .filter(|p| p.movable && p.racks_required >= eligible_racks.len())
        .count();
    let mut w = Vec::new();
    for &r in &eligible_racks {
        let members: Vec<Bx> = pb
            .eligible_brokers()
            .filter(|&b| pb.rack_of[b] == Some(r))
            .collect();
        let per_broker = forced as f64 / members.len() as f64;
        if band.mean > 0.0 && per_broker > band.hi + 1e-9 {
            w.push(format!(
                "rack {} has {} broker(s): strict rack awareness puts at least {} replicas on broker {} ({:.1}× mean)",
                pb.rack_names[r],
                members.len(),
                per_broker.ceil() as u64,
                pb.broker_ids[members[0]],
                per_broker / band.mean
            ));
        }
    }
    w
}

fn excluded_on_drained(cluster: &Cluster, request: &PlanRequest) -> Vec<String> {
    request
        .decommission
        .iter()
        .filter_map(|&b| {
            let left = cluster
                .partitions()
                .filter(|(tp, p)| !request.is_movable_topic(&tp.topic) && p.replicas.contains(b))
                .count();
            (left > 0).then(|| {
                format!(
                    "broker {b} is decommissioned but keeps {left} replica(s) of topics excluded from this plan"
                )
            })
        })
        .collect()
}
