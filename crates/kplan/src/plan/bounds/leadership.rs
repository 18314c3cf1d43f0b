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

/// Leadership demand aggregated by replica set: each set's members, as indices into the fixed
/// loads the network is built with (broker positions in `items` for the bound, broker indices
/// for the leader stage's second start), and its total leader load.
pub(crate) struct Demand {
    pub sets: Vec<(Vec<usize>, f64)>,
    pub total: f64,
}

/// A fractional leadership at the lowest ceiling the bisection of [`lowest_ceiling`] reaches
/// from `hi` (a level the current assignment reaches): for each set of `demand`, the load each
/// of its members carries, in the order of the set. Every member's total, fixed load included,
/// is at most that ceiling, which is within `2^-20 · hi` of the fractional optimum.
pub(crate) fn fractional_shares(demand: &Demand, fixed: &[f64], hi: f64) -> Vec<Vec<f64>> {
    let hi = hi.max(0.0);
    let base = Network::new(demand, fixed, 0.0).raised_to(0.0);
    let reached = if carries_all(&base, demand) {
        base
    } else {
        let (_, hi, reached) = bisect_ceiling(demand, base, 0.0, hi);
        reached.unwrap_or_else(|| Network::new(demand, fixed, 0.0).raised_to(hi))
    };
    reached
        .set_edges
        .iter()
        .map(|edges| edges.iter().map(|&e| reached.graph.flow(e)).collect())
        .collect()
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

/// The leadership network at one level `T`, every broker capped at `T − F(b)`, with a maximum
/// flow routed.
///
/// The bisections below only ever test levels at or above the last level whose flow they keep
/// (the unreachable `lo` of [`lowest_ceiling`], the reachable `lo` of [`highest_floor`]), and
/// raising `T` only raises sink capacities, so that flow stays feasible: each test starts from
/// it and augments only what the extra room lets through. The maximum is the same as from an
/// empty flow (max-flow does not depend on the starting feasible flow), so the bound is too; on
/// 20,000 replica sets this makes the 20 steps cost little more than the first.
#[derive(Clone)]
struct Network<'a> {
    fixed: &'a [f64],
    graph: FlowGraph,
    /// The edge `b → sink` of each broker.
    sink_edges: Vec<usize>,
    /// The edges `set → b` of each set, in the set's order.
    set_edges: Vec<Vec<usize>>,
    source: usize,
    sink: usize,
    level: f64,
    /// Flow routed so far.
    carried: f64,
}

impl<'a> Network<'a> {
    /// The network at `level` with no flow routed yet.
    fn new(demand: &Demand, fixed: &'a [f64], level: f64) -> Self {
        let sets = demand.sets.len();
        let (source, sink) = (0, 1 + sets + fixed.len());
        let mut graph = FlowGraph::new(sink + 1);
        let mut set_edges = Vec::with_capacity(sets);
        for (i, (set, load)) in demand.sets.iter().enumerate() {
            graph.add_edge(source, 1 + i, *load);
            set_edges.push(
                set.iter()
                    .map(|&b| graph.add_edge(1 + i, 1 + sets + b, *load))
                    .collect(),
            );
        }
        let sink_edges = fixed
            .iter()
            .enumerate()
            .map(|(b, &f)| graph.add_edge(1 + sets + b, sink, (level - f).max(0.0)))
            .collect();
        Network {
            fixed,
            graph,
            sink_edges,
            set_edges,
            source,
            sink,
            level,
            carried: 0.0,
        }
    }

    /// The same network at `level` ≥ this one's, its flow augmented to a maximum.
    fn raised_to(&self, level: f64) -> Self {
        debug_assert!(level >= self.level);
        let mut next = self.clone();
        for (&e, &f) in self.sink_edges.iter().zip(self.fixed) {
            let delta = (level - f).max(0.0) - (self.level - f).max(0.0);
            next.graph.raise(e, delta.max(0.0));
        }
        next.level = level;
        next.carried += next.graph.max_flow(self.source, self.sink);
        next
    }

    /// Total sink capacity: what the brokers can take at this level.
    fn room(&self) -> f64 {
        self.fixed.iter().map(|&f| (self.level - f).max(0.0)).sum()
    }
}

/// The least `T` such that every broker can stay at or below it, searched in `(lo, hi]` where
/// `hi` is known reachable (the current assignment). Returns a value no greater than it.
fn lowest_ceiling(demand: &Demand, fixed: &[f64], lo: f64, hi: f64, integral: bool) -> f64 {
    let fits = |n: &Network| carries_all(n, demand);
    if hi <= lo {
        return lo;
    }
    let mut base = Network::new(demand, fixed, lo).raised_to(lo);
    if fits(&base) {
        return lo;
    }
    let (mut lo, mut hi) = (lo, hi);
    // Invariant: `lo` is unreachable (its flow is `base`), `hi` is reachable.
    if integral {
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).floor();
            let trial = base.raised_to(mid);
            if fits(&trial) {
                hi = mid;
            } else {
                (lo, base) = (mid, trial);
            }
        }
        return hi;
    }
    bisect_ceiling(demand, base, lo, hi).0
}

/// True when `n` routes all of `demand` (within rounding).
fn carries_all(n: &Network, demand: &Demand) -> bool {
    n.carried >= demand.total * (1.0 - 1e-9) - 1e-9
}

/// The real-valued bisection of [`lowest_ceiling`]: from `base`, the network at the unreachable
/// `lo`, towards the reachable `hi`, [`STEPS`] halvings. Returns the last unreachable level, the
/// last reachable one, and the network at that one when a halving reached it (`None` when `hi`
/// was never tested).
fn bisect_ceiling<'a>(
    demand: &Demand,
    mut base: Network<'a>,
    mut lo: f64,
    mut hi: f64,
) -> (f64, f64, Option<Network<'a>>) {
    let mut reached = None;
    for _ in 0..STEPS {
        let mid = (lo + hi) / 2.0;
        let trial = base.raised_to(mid);
        if carries_all(&trial, demand) {
            (hi, reached) = (mid, Some(trial));
        } else {
            (lo, base) = (mid, trial);
        }
    }
    (lo, hi, reached)
}

/// The greatest `T` such that every broker can reach at least it, searched in `[lo, hi)` where
/// `lo` is known reachable (the current assignment). Returns a value no smaller than it.
fn highest_floor(demand: &Demand, fixed: &[f64], lo: f64, hi: f64, integral: bool) -> f64 {
    let fills = |n: &Network| n.carried >= n.room() * (1.0 - 1e-9) - 1e-9;
    if hi <= lo {
        return hi;
    }
    // Invariant: `lo` is reachable (its flow, once tested, is `base`), `hi` is not.
    let mut base = Network::new(demand, fixed, lo);
    if fills(&base.raised_to(hi)) {
        return hi;
    }
    let (mut lo, mut hi) = (lo, hi);
    if integral {
        while hi - lo > 1.0 {
            let mid = ((lo + hi) / 2.0).ceil();
            let trial = base.raised_to(mid);
            if fills(&trial) {
                (lo, base) = (mid, trial);
            } else {
                hi = mid;
            }
        }
        return lo;
    }
    for _ in 0..STEPS {
        let mid = (lo + hi) / 2.0;
        let trial = base.raised_to(mid);
        if fills(&trial) {
            (lo, base) = (mid, trial);
        } else {
            hi = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::SplitMix64;

    /// Random replica sets over 12 brokers with uneven fixed loads and real leader loads.
    fn demand(seed: u64) -> (Demand, Vec<f64>) {
        let mut rng = SplitMix64::new(seed);
        let mut by_set: BTreeMap<Vec<usize>, f64> = BTreeMap::new();
        for _ in 0..300 {
            let mut set: Vec<usize> = (0..3).map(|_| rng.below(12)).collect();
            set.sort_unstable();
            set.dedup();
            *by_set.entry(set).or_default() += 1.0 + 9.0 * rng.unit();
        }
        let fixed = (0..12).map(|_| 40.0 * rng.unit()).collect();
        let demand = Demand {
            total: by_set.values().sum(),
            sets: by_set.into_iter().collect(),
        };
        (demand, fixed)
    }

    /// A flow warm-started from lower levels carries what a flow from scratch carries at every
    /// level, so the bisections find the same bounds as with a fresh network per step.
    #[test]
    fn raised_networks_carry_what_fresh_ones_do() {
        for seed in 0..8 {
            let (d, fixed) = demand(seed);
            let mut warm = Network::new(&d, &fixed, 0.0);
            for step in 0..40 {
                let level = 5.0 * step as f64;
                warm = warm.raised_to(level);
                let cold = Network::new(&d, &fixed, level).raised_to(level);
                assert!(
                    (warm.carried - cold.carried).abs() <= 1e-9 * d.total,
                    "seed {seed} level {level}: {} vs {}",
                    warm.carried,
                    cold.carried
                );
                assert_eq!(warm.room(), cold.room());
            }
        }
    }
}
