//! Where each goal ended: met, at its proven best, or unmet — with the bounds that decide it.

use super::bounds::ResourceBound;
use super::placement::Placement;
use super::problem::Bx;
use super::report::{GoalState, GoalStatus};
use super::topic_spread::spread_distance;
use super::{Goal, PlanRequest};
use crate::model::Resource;

/// Relative tolerance when comparing an achieved ratio with its proven bound: both are sums of
/// the same loads, added in different orders.
const SAME: f64 = 1e-6;

/// True when some weighted band goal is out of band and not yet at its proven best.
pub fn bands_unmet(st: &Placement, request: &PlanRequest, bounds: &[ResourceBound; 5]) -> bool {
    Resource::ALL.iter().any(|&r| {
        request.goals.resource(r) > 0.0
            && resource_status(st, request, r, &bounds[r.index()]).status == GoalState::Unmet
    })
}

/// Replicas and leaders above their topic's per-broker cap, over the eligible brokers.
pub fn spread_excess(st: &Placement) -> (u32, u32) {
    let pb = st.pb;
    let (mut replicas, mut leaders) = (0, 0);
    for (t, info) in pb.topics.iter().enumerate().filter(|(_, i)| i.movable) {
        for b in pb.eligible_brokers() {
            replicas += st.topic_replicas(t, b).saturating_sub(info.replica_cap);
            leaders += st.topic_leaders(t, b).saturating_sub(info.leader_cap);
        }
    }
    (replicas, leaders)
}

/// The status of every goal after the plan `st`.
pub fn goal_status(
    st: &Placement,
    request: &PlanRequest,
    initial_spread: (u32, u32),
    bounds: &[ResourceBound; 5],
    spread_moved: Option<(usize, f64)>,
) -> Vec<GoalStatus> {
    let mut out: Vec<GoalStatus> = Resource::ALL
        .iter()
        .map(|&r| resource_status(st, request, r, &bounds[r.index()]))
        .collect();
    out.push(match spread_moved {
        Some(moved) if request.spread_topics.is_some() => spread_topics_status(st, request, moved),
        _ => topic_spread_status(st, request, initial_spread),
    });
    out
}

/// The default topic spread: a tie-breaker that never copies data.
fn topic_spread_status(
    st: &Placement,
    request: &PlanRequest,
    initial_spread: (u32, u32),
) -> GoalStatus {
    let (replicas, leaders) = spread_excess(st);
    let met = replicas + leaders == 0;
    let detail = if met {
        "every topic evenly spread".to_owned()
    } else {
        format!(
            "{replicas} replica(s) and {leaders} leader(s) above their topic's per-broker share \
             (before: {} and {}); no partition is copied for spread alone",
            initial_spread.0, initial_spread.1
        )
    };
    GoalStatus::counted(Goal::TopicSpread, request.goals.topic_spread(), met, detail)
}

/// `--spread-topics`: the matching topics within one of their even share, and what it copied.
fn spread_topics_status(
    st: &Placement,
    request: &PlanRequest,
    (moves, bytes): (usize, f64),
) -> GoalStatus {
    let (replicas, leaders) = spread_distance(st);
    let met = replicas + leaders == 0;
    let topics = st.pb.topics.iter().filter(|t| t.spread).count();
    let cost = format!(
        "{moves} extra replica move(s), {:.1} GB, for the spread",
        bytes / 1e9
    );
    let detail = if met {
        format!(
            "{topics} topic(s) matching --spread-topics within one of their even share on \
             every eligible broker; {cost}"
        )
    } else {
        format!(
            "{topics} topic(s) matching --spread-topics: {replicas} replica(s) and {leaders} \
             leader(s) outside one of their even share (racks, the budget or the leader band \
             allow no closer); {cost}"
        )
    };
    GoalStatus::counted(Goal::TopicSpread, request.goals.topic_spread(), met, detail)
}

/// One resource: its worst brokers, whether it is in band, and whether its bound says no plan
/// does better.
fn resource_status(
    st: &Placement,
    request: &PlanRequest,
    r: Resource,
    bound: &ResourceBound,
) -> GoalStatus {
    let pb = st.pb;
    let band = pb.band(r);
    let loads: Vec<(f64, Bx)> = pb
        .eligible_brokers()
        .map(|b| (st.load[b][r.index()], b))
        .collect();
    let max = loads.iter().map(|l| l.0).fold(f64::NEG_INFINITY, f64::max);
    let min = loads.iter().map(|l| l.0).fold(f64::INFINITY, f64::min);
    let slack = 1e-9 * band.mean.abs().max(1.0);
    let outside: Vec<Bx> = loads
        .iter()
        .filter(|(l, _)| *l > band.hi + slack || *l < band.lo - slack)
        .map(|&(_, b)| b)
        .collect();
    let ratio = |v: f64| (band.mean > 0.0 && v.is_finite()).then(|| v / band.mean);
    let high_ok = max <= band.hi + slack || max <= bound.max_load * (1.0 + SAME) + slack;
    let low_ok = min >= band.lo - slack || min >= bound.min_load * (1.0 - SAME) - slack;
    let status = if outside.is_empty() {
        GoalState::Met
    } else if high_ok && low_ok {
        GoalState::BestPossible
    } else {
        GoalState::Unmet
    };
    // The side that decides the verdict: the max unless only the min is out of band.
    let low_side = max <= band.hi + slack && min < band.lo - slack;
    let reason = if low_side {
        &bound.min_reason
    } else {
        &bound.max_reason
    };
    GoalStatus {
        goal: Goal::Balance(r),
        weight: request.goals.resource(r),
        met: outside.is_empty(),
        status,
        max_over_mean: ratio(max),
        min_over_mean: ratio(min),
        bound: ratio(bound.max_load),
        min_bound: ratio(bound.min_load),
        bound_reason: Some(reason.describe()),
        bound_ignores_budget: bound.ignores_budget,
        detail: detail(st, &outside, status, low_side, ratio, bound),
    }
}

fn detail(
    st: &Placement,
    outside: &[Bx],
    status: GoalState,
    low_side: bool,
    ratio: impl Fn(f64) -> Option<f64>,
    bound: &ResourceBound,
) -> String {
    let fmt = |v: Option<f64>| v.map_or("-".to_owned(), |x| format!("{x:.3}"));
    let (side, value, reason) = if low_side {
        (
            "no placement lifts the least loaded broker above",
            ratio(bound.min_load),
            &bound.min_reason,
        )
    } else {
        (
            "no placement of these partitions does better than",
            ratio(bound.max_load),
            &bound.max_reason,
        )
    };
    match status {
        GoalState::Met => "every eligible broker in band".to_owned(),
        GoalState::BestPossible => {
            format!(
                "best possible: {side} {} ({})",
                fmt(value),
                reason.describe()
            )
        }
        GoalState::Unmet => {
            let names: Vec<String> = outside
                .iter()
                .take(8)
                .map(|&b| st.pb.broker_ids[b].to_string())
                .collect();
            format!(
                "{} broker(s) out of band: {}; proven limit {} ({})",
                outside.len(),
                names.join(","),
                fmt(value),
                reason.describe()
            )
        }
    }
}
