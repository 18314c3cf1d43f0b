//! Proven bounds: for each resource, how low the busiest eligible broker and how high the least
//! busy one can possibly end under the hard constraints, whatever the planner does; and the data
//! any plan meeting the reachable bands must move.
//!
//! A bound is only worth printing if it is never wrong, so each argument below is a relaxation
//! of the real problem (fewer constraints can only make the optimum better) and is checked
//! against exhaustive search on tiny clusters in the tests.
//!
//! Notation: `E` the eligible brokers, `n = |E|`; `F(b)` the load on `b` that no plan moves
//! (partitions outside the plan; in a leaders-only plan also every replica); the movable
//! *items* are each movable partition's replicas (replica resources, `a(p)` each, RF copies that
//! must sit on distinct brokers) or its leadership (leader resources, `c(p)`, one per partition).
//! The arguments, each giving a lower bound `T` on `max_b L(b)` (and dually an upper bound on
//! `min_b L(b)`):
//!
//! 1. *Fixed load*: `max_b L(b) ≥ max_b F(b)`.
//! 2. *Water level*: all items end on `E`, so `Σ_b (L(b) − F(b)) = Σ items`; if every `L(b) ≤ T`
//!    then `Σ_b max(0, T − F(b)) ≥ Σ items`. The smallest such `T` is a bound (with `F = 0` it is
//!    the mean). Likewise `min_b L(b) ≤` the level at which the items are exactly used up.
//! 3. *Racks* (`racks`): under rack awareness a subset `S` of racks must receive a minimum number
//!    of each partition's replicas; the water level over the brokers of `S` with that forced load
//!    bounds their maximum, and the most `S` can receive bounds their minimum. This is the LP
//!    relaxation of the band problem aggregated per rack.
//! 4. *Largest partitions*: with `n` brokers, some broker holds `k + 1` of the `kn + 1` largest
//!    items, so `max ≥ min F + (sum of the k+1 smallest of them)`; `k = 0` is the largest item.
//!    Dually the `k` largest items sit on at most `k` brokers, so the other `n − k` share at most
//!    the rest: `min ≤ (Σ F + Σ items − S_k) / (n − k)`, `S_k` the sum of the `k` largest.
//! 5. *Leadership assignment* (`leadership`, leaders-only plans): replica sets are fixed, so the
//!    leader resources are an assignment problem whose max-flow relaxation is exact for counts.
//! 6. *Budget* (`budget`): with at most `M` moves and `B` bytes a broker can shed or gain only its
//!    `M` largest items, and at most `B` bytes of them.
//! 7. *Granularity* (`granularity`): loads are sums of whole partitions; when the values are
//!    integers the smallest achievable sum at or above the bound is a bound too.
//!
//! Counts round up (max) and down (min) to integers.

mod budget;
mod granularity;
mod hot_items;
mod leadership;
mod moves;
mod per_broker;
mod racks;

use serde::Serialize;

use super::placement::Placement;
use super::problem::{Bx, Problem};
use super::PlanRequest;
use crate::model::Resource;

pub(crate) use leadership::{fractional_shares, Demand};
pub use moves::move_bound;

/// What proved a bound, for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoundReason {
    /// Every broker at the mean.
    Mean,
    /// Load of partitions this plan may not move.
    FixedLoad,
    /// The largest partitions cannot be split.
    LargestPartitions,
    /// Rack awareness forces load onto (or away from) these racks.
    Racks(Vec<String>),
    /// Loads are sums of whole partitions and none falls closer.
    Granularity,
    /// The replica sets are fixed; the best assignment of leadership.
    LeaderAssignment,
    /// The move budget limits how far a broker's load can change.
    Budget,
}

impl BoundReason {
    /// Why, in words, for the goal table.
    pub fn describe(&self) -> String {
        match self {
            BoundReason::Mean => "the mean".to_owned(),
            BoundReason::FixedLoad => "load of partitions outside this plan".to_owned(),
            BoundReason::LargestPartitions => "the largest partitions cannot be split".to_owned(),
            BoundReason::Racks(r) => format!("rack awareness (racks {})", r.join(",")),
            BoundReason::Granularity => "loads are sums of whole partitions".to_owned(),
            BoundReason::LeaderAssignment => {
                "leaders can only move within their replica sets".to_owned()
            }
            BoundReason::Budget => "the move budget".to_owned(),
        }
    }
}

/// Proven limits for one resource, in load units.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceBound {
    /// No valid plan leaves every eligible broker below this.
    pub max_load: f64,
    pub max_reason: BoundReason,
    /// No valid plan lifts every eligible broker above this.
    pub min_load: f64,
    pub min_reason: BoundReason,
    /// A budget is set and the bound on the maximum does not account for it (it is then still
    /// sound, only possibly loose).
    pub ignores_budget: bool,
}

impl ResourceBound {
    fn raise_max(&mut self, value: f64, reason: BoundReason) {
        if value > self.max_load * (1.0 + 1e-12) + 1e-12 {
            self.max_load = value;
            self.max_reason = reason;
        }
    }

    fn lower_min(&mut self, value: f64, reason: BoundReason) {
        if value < self.min_load * (1.0 - 1e-12) - 1e-12 {
            self.min_load = value;
            self.min_reason = reason;
        }
    }
}

/// The loads a resource's bounds are computed from.
pub(crate) struct Items {
    /// Fixed load per eligible broker, aligned with `brokers`.
    pub fixed: Vec<f64>,
    pub brokers: Vec<Bx>,
    /// Value of each movable item and how many copies of it there are (RF for replicas, 1 for
    /// leadership); copies of one item never share a broker.
    pub values: Vec<(f64, usize)>,
}

impl Items {
    fn total(&self) -> f64 {
        self.values.iter().map(|&(v, c)| v * c as f64).sum()
    }
}

/// Bounds for every resource before planning, from the current placement `st`.
pub fn resource_bounds(st: &Placement, request: &PlanRequest) -> [ResourceBound; 5] {
    let pb = st.pb;
    Resource::ALL.map(|r| bound_for(st, request, r, &items(pb, request.leaders_only, r)))
}

fn bound_for(st: &Placement, request: &PlanRequest, r: Resource, items: &Items) -> ResourceBound {
    let pb = st.pb;
    let total = items.total();
    let level = water_level(&items.fixed, total);
    let mut b = ResourceBound {
        max_load: level,
        max_reason: BoundReason::Mean,
        min_load: level,
        min_reason: BoundReason::Mean,
        ignores_budget: false,
    };
    let max_fixed = items
        .fixed
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    b.raise_max(max_fixed, BoundReason::FixedLoad);
    let (largest_max, largest_min) = largest_items(items);
    b.raise_max(largest_max, BoundReason::LargestPartitions);
    b.lower_min(largest_min, BoundReason::LargestPartitions);
    if pb.rack_aware && !request.leaders_only {
        racks::apply(pb, r, items, &mut b);
    }
    if request.leaders_only && r.follows_leader() {
        leadership::apply(st, r, items, &mut b);
    }
    b.ignores_budget = budget::apply(st, request, r, &mut b);
    granularity::apply(items, r.is_count(), &mut b);
    if r.is_count() {
        b.max_load = (b.max_load - 1e-9).ceil();
        b.min_load = (b.min_load + 1e-9).floor();
    }
    b
}

/// Fixed loads and movable items of resource `r` (see the module docs).
pub(crate) fn items(pb: &Problem, leaders_only: bool, r: Resource) -> Items {
    let brokers: Vec<Bx> = pb.eligible_brokers().collect();
    let mut position = vec![usize::MAX; pb.broker_count()];
    for (i, &b) in brokers.iter().enumerate() {
        position[b] = i;
    }
    let mut fixed = vec![0.0; brokers.len()];
    let mut values = Vec::new();
    for part in &pb.parts {
        let replicas_fixed = !part.movable || leaders_only;
        let leader_fixed = !part.movable;
        for &b in &part.current {
            let i = position[b];
            if i == usize::MAX {
                continue;
            }
            if replicas_fixed {
                fixed[i] += part.replica_load(r);
            }
            if leader_fixed && b == part.current_leader {
                fixed[i] += part.leader_load(r);
            }
        }
        if !replicas_fixed && part.replica_load(r) > 0.0 {
            values.push((part.replica_load(r), part.target_rf));
        }
        if !leader_fixed && part.leader_load(r) > 0.0 {
            values.push((part.leader_load(r), 1));
        }
    }
    Items {
        fixed,
        brokers,
        values,
    }
}

/// The level `T` at which `Σ_i max(0, T − fixed_i) = amount`: water poured over uneven ground.
pub(crate) fn water_level(fixed: &[f64], amount: f64) -> f64 {
    if fixed.is_empty() {
        return f64::INFINITY;
    }
    let mut f = fixed.to_vec();
    f.sort_by(f64::total_cmp);
    let mut poured = 0.0; // Σ_{j<i} (f[i] − f[j]) as i advances
    for i in 1..f.len() {
        let step = (f[i] - f[i - 1]) * i as f64;
        if poured + step >= amount {
            return f[i - 1] + (amount - poured) / i as f64;
        }
        poured += step;
    }
    f[f.len() - 1] + (amount - poured) / f.len() as f64
}

/// Pigeonhole over the largest items (argument 4 of the module docs), both ways: some broker
/// holds `k + 1` of the `kn + 1` largest items, so the maximum is at least their smallest `k + 1`;
/// and the at most `k` brokers holding the `k` largest carry at least those, so the others share
/// at most the rest: `min ≤ (total − S_k) / (n − k)`.
fn largest_items(items: &Items) -> (f64, f64) {
    let n = items.brokers.len();
    let count: usize = items.values.iter().map(|&(_, c)| c).sum();
    if n == 0 || count == 0 {
        return (f64::NEG_INFINITY, f64::INFINITY);
    }
    const ROUNDS: usize = 64;
    let top = largest_copies(items, count.min(ROUNDS * n + 1));
    let min_fixed = items.fixed.iter().copied().fold(f64::INFINITY, f64::min);
    let mut max = f64::NEG_INFINITY;
    let mut k = 0;
    while k * n < top.len() {
        let last = k * n;
        let sum: f64 = top[last - k..=last].iter().sum();
        max = max.max(min_fixed + sum);
        k += 1;
    }
    let total = items.total() + items.fixed.iter().sum::<f64>();
    let mut min = f64::INFINITY;
    let mut taken = 0.0;
    for (k, v) in top.iter().enumerate().take(n - 1) {
        taken += v;
        min = min.min((total - taken) / (n - k - 1) as f64);
    }
    (max, min)
}

/// The `keep` largest item copies, largest first.
fn largest_copies(items: &Items, keep: usize) -> Vec<f64> {
    let mut by_value: Vec<(f64, usize)> = items.values.clone();
    by_value.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut top: Vec<f64> = Vec::with_capacity(keep);
    'fill: for (v, c) in by_value {
        for _ in 0..c {
            if top.len() == keep {
                break 'fill;
            }
            top.push(v);
        }
    }
    top
}

#[cfg(test)]
mod tests;
