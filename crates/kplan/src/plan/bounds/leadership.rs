//! Leadership with fixed replica sets (argument 5 of the module docs): in a leaders-only plan each
//! partition's leadership goes to one of its replicas, so "can every broker stay at or below
//! `T`?" is a flow problem:
//!
//! ```text
//! source → p          capacity c(p)          (the leadership of p, c = 1 for the count)
//! p → b, b ∈ R(p)     capacity c(p)
//! b → sink            capacity max(0, T − F(b))
//! ```
//!
//! `T` is reachable (fractionally) exactly when the max flow carries `Σ c(p)`. Bisection on `T`
//! gives the LP optimum, a bound on any assignment; for the leader count the capacities are
//! integral, flows are integral, and the bound is the optimum itself. "Can every broker reach at
//! least `T`?" is the same network with the sink edges required to fill. Partitions with the
//! same replica set are one node, which keeps the graph small on large clusters.

use std::collections::BTreeMap;

use super::{BoundReason, Items, ResourceBound};
use crate::model::Resource;
use crate::plan::flow::FlowGraph;
use crate::plan::placement::Placement;
use crate::plan::problem::Bx;

/// Bisection steps for real-valued loads (relative precision about 2^-20).
const STEPS: usize = 20;

/// Leadership demand aggregated by replica set (broker positions in `items`).
struct Demand {
    sets: Vec<(Vec<usize>, f64)>,
    total: f64,
}

pub(super) fn apply(st: &Placement, r: Resource, items: &Items, bound: &mut ResourceBound) {
    let pb = st.pb;
    let mut position = vec![usize::MAX; pb.broker_count()];
    for (i, &b) in items.brokers.iter().enumerate() {
        position[b] = i;
    }
    let mut by_set: BTreeMap<Vec<usize>, f64> = BTreeMap::new();
    for part in pb.parts.iter().filter(|p| p.movable) {
        let mut set: Vec<usize> = part.current.iter().map(|&b| position[b]).collect();
        set.retain(|&i| i != usize::MAX);
        set.sort_unstable();
        if !set.is_empty() {
            *by_set.entry(set).or_default() += part.leader_load(r);
        }
    }
    let demand = Demand {
        total: by_set.values().sum(),
        sets: by_set.into_iter().collect(),
    };
    if demand.total <= 0.0 {
        return;
    }
    let loads: Vec<f64> = items
        .brokers
        .iter()
        .map(|&b: &Bx| st.load[b][r.index()])
        .collect();
    let integral = r.is_count();
    let achieved_max = loads.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let achieved_min = loads.iter().copied().fold(f64::INFINITY, f64::min);
    let max = lowest_ceiling(
        &demand,
        &items.fixed,
        bound.max_load,
        achieved_max,
        integral,
    );
    bound.raise_max(max, BoundReason::LeaderAssignment);
    let min = highest_floor(
        &demand,
        &items.fixed,
        achieved_min,
        bound.min_load,
        integral,
    );
    bound.lower_min(min, BoundReason::LeaderAssignment);
}

/// Max flow with every broker capped at `T − F(b)`.
fn flow(demand: &Demand, fixed: &[f64], level: f64) -> (f64, f64) {
    let sets = demand.sets.len();
    let brokers = fixed.len();
    let (source, sink) = (0, 1 + sets + brokers);
    let mut g = FlowGraph::new(sink + 1);
    for (i, (set, load)) in demand.sets.iter().enumerate() {
        g.add_edge(source, 1 + i, *load);
        for &b in set {
            g.add_edge(1 + i, 1 + sets + b, *load);
        }
    }
    let mut room = 0.0;
    for (b, &f) in fixed.iter().enumerate() {
        let cap = (level - f).max(0.0);
        room += cap;
        g.add_edge(1 + sets + b, sink, cap);
    }
    (g.max_flow(source, sink), room)
}

/// The least `T` such that every broker can stay at or below it, searched in `(lo, hi]` where
/// `hi` is known reachable (the current assignment). Returns a value no greater than it.
fn lowest_ceiling(demand: &Demand, fixed: &[f64], lo: f64, hi: f64, integral: bool) -> f64 {
    let fits = |t: f64| flow(demand, fixed, t).0 >= demand.total * (1.0 - 1e-9) - 1e-9;
    let (mut lo, mut hi) = (lo, hi);
    if hi <= lo || fits(lo) {
        return lo;
    }
    // Invariant: `lo` is unreachable, `hi` is reachable.
    if integral {
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            if fits(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }
    for _ in 0..STEPS {
        let mid = (lo + hi) / 2.0;
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    lo
}

/// The greatest `T` such that every broker can reach at least it, searched in `[lo, hi)` where
/// `lo` is known reachable (the current assignment). Returns a value no smaller than it.
fn highest_floor(demand: &Demand, fixed: &[f64], lo: f64, hi: f64, integral: bool) -> f64 {
    let fills = |t: f64| {
        let (carried, room) = flow(demand, fixed, t);
        carried >= room * (1.0 - 1e-9) - 1e-9
    };
    let (mut lo, mut hi) = (lo, hi);
    if hi <= lo || fills(hi) {
        return hi;
    }
    // Invariant: `lo` is reachable, `hi` is not.
    if integral {
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).ceil();
            if fills(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
    for _ in 0..STEPS {
        let mid = (lo + hi) / 2.0;
        if fills(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}
