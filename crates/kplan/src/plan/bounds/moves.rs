//! The least data any plan meeting the reachable bands must move.
//!
//! The *reachable band* of a resource is its band widened to its proven bounds:
//! `[min(lo, min bound), max(hi, max bound)]`; a goal switched off has no band. A move is a
//! replica arriving on a broker that did not hold it, so, counting replicas (and likewise bytes,
//! with the disk band and partition sizes):
//!
//! ```text
//! moves ≥ Σ_{b∈E} max(0, lo'(b) − L(b))                      arrivals the underfull brokers need
//! moves ≥ Σ_b max(0, L(b) − hi'(b)) + Σ_p (RF'_p − RF_p)     departures, minus replicas dropped
//! moves ≥ Σ_p (RF'_p − keep_p)                               repairs each partition needs
//! ```
//!
//! where `hi' = 0` for movable replicas on brokers that may not host them, and `keep_p` is the
//! most current replicas a valid final placement of `p` can keep: on eligible brokers, and with
//! `kept − racks(kept) ≤ RF' − q` since the `RF' − kept` arrivals add at most that many racks.
//!
//! The arrivals the underfull brokers `U = {b ∈ E : lo'(b) > L(b)}` need are not all a plan
//! makes: a partition whose final replicas cannot all be current ones or on `U` (a drained
//! replica whose partition already spans the racks of the newcomers must go to another broker of
//! the racks it lacks) brings an arrival somewhere else too. Every move is an arrival, on `U` or
//! off it, so
//!
//! ```text
//! moves ≥ Σ_{b∈E} max(0, lo'(b) − L(b))  +  Σ_p out_p
//! out_p = RF'_p − min(RF'_p, racks(K_p) + min(|K_p| − racks(K_p), RF'_p − q_p)),
//! K_p   = (current replicas of p on eligible brokers) ∪ U
//! ```
//!
//! `out_p` is the fewest of p's final replicas that lie off `K_p` — each of them an arrival off
//! `U` — by the same rack count as `keep_p` with `K_p` in place of the kept replicas. Bytes
//! likewise, with the disk band's `U` and `size_p` per arrival.
//!
//! Nothing in that argument needs all of `U`: for any `W ⊆ U`, the arrivals on `W` and those off
//! `K_p(W)` are disjoint, so `moves ≥ Σ_{b∈W} (lo'(b) − L(b)) + Σ_p out_p(W)`. A broker barely
//! under its band adds little to the first sum but may open a whole rack to every partition,
//! emptying the second; so the bound is the best of `W` = the `k` most underfull brokers for
//! `k = 1, 2, 4, …, |U|` (and `W = ∅`, which is the repair bound). Each `W` costs one pass over
//! the partitions, O(P·RF·log|U|) in all.

use std::collections::BTreeSet;

use super::per_broker::{per_broker_moves, Reach};
use super::ResourceBound;
use crate::model::Resource;
use crate::plan::placement::Placement;
use crate::plan::PlanRequest;

/// Replicas and bytes any plan meeting the reachable bands must move.
pub fn move_bound(
    st: &Placement,
    request: &PlanRequest,
    bounds: &[ResourceBound; 5],
) -> (usize, u64) {
    if request.leaders_only {
        return (0, 0);
    }
    let pb = st.pb;
    let mut forced = (0usize, 0.0f64);
    let mut added = (0i64, 0.0f64);
    for part in pb.parts.iter().filter(|p| p.movable) {
        let n = part.target_rf.saturating_sub(keep(st, part));
        forced.0 += n;
        forced.1 += n as f64 * part.size;
        let d = part.target_rf as i64 - part.current.len() as i64;
        added.0 += d;
        added.1 += d as f64 * part.size;
    }
    let reach = reach(st, request, bounds);
    let replicas = by_band(st, &reach, Resource::Replicas, added.0 as f64);
    let bytes = by_band(st, &reach, Resource::Disk, added.1);
    let (replicas_per_broker, bytes_per_broker) =
        per_broker_moves(st, &reach, (added.0 as f64, added.1));
    (
        (forced.0 as f64)
            .max(replicas)
            .max(replicas_per_broker)
            .round() as usize,
        forced.1.max(bytes).max(bytes_per_broker).round() as u64,
    )
}

/// Each resource's reachable band, `(−∞, ∞)` when its goal is off.
fn reach(st: &Placement, request: &PlanRequest, bounds: &[ResourceBound; 5]) -> Reach {
    Resource::ALL.map(|r| {
        if request.goals.resource(r) == 0.0 {
            return (f64::NEG_INFINITY, f64::INFINITY);
        }
        let band = st.pb.band(r);
        let bound = &bounds[r.index()];
        (band.lo.min(bound.min_load), band.hi.max(bound.max_load))
    })
}

/// The most current replicas of `part` a valid placement can keep.
fn keep(st: &Placement, part: &crate::plan::problem::Part) -> usize {
    let pb = st.pb;
    let kept: Vec<usize> = part
        .current
        .iter()
        .copied()
        .filter(|&b| pb.eligible[b])
        .collect();
    let racks = kept
        .iter()
        .map(|&b| pb.rack_of[b])
        .collect::<BTreeSet<_>>()
        .len();
    most_within(st, part, kept.len(), racks)
}

/// The most final replicas of `part` a valid placement can take from a set of `size` brokers
/// spanning `racks` racks: the `RF' − k` taken elsewhere add at most that many racks, so
/// `k − racks(k) ≤ RF' − q`.
fn most_within(
    st: &Placement,
    part: &crate::plan::problem::Part,
    size: usize,
    racks: usize,
) -> usize {
    let rf = part.target_rf;
    if !st.pb.rack_aware {
        return size.min(rf);
    }
    let spare = rf.saturating_sub(part.racks_required);
    (racks + (size - racks).min(spare)).min(rf)
}

/// A set `W ⊆ U` of underfull brokers, as a set and by rack, so `out_p` costs O(RF) per partition.
struct Underfull {
    member: Vec<bool>,
    count: usize,
    in_rack: Vec<bool>,
    racks: usize,
}

impl Underfull {
    fn new(st: &Placement, underfull: &[usize]) -> Self {
        let pb = st.pb;
        let mut member = vec![false; pb.broker_count()];
        let rack_count = pb.rack_of.iter().flatten().max().map_or(0, |&r| r + 1);
        let mut in_rack = vec![false; rack_count];
        for &b in underfull {
            member[b] = true;
            if let Some(r) = pb.rack_of[b] {
                in_rack[r] = true;
            }
        }
        let racks = in_rack.iter().filter(|&&x| x).count();
        Underfull {
            member,
            count: underfull.len(),
            in_rack,
            racks,
        }
    }

    /// `out_p`: the fewest final replicas of `part` on neither a current replica's broker nor an
    /// underfull one, over every valid placement.
    fn off(&self, st: &Placement, part: &crate::plan::problem::Part) -> usize {
        let pb = st.pb;
        let mut size = self.count;
        let mut racks = self.racks;
        let mut seen: Vec<usize> = Vec::new();
        for &b in part
            .current
            .iter()
            .filter(|&&b| pb.eligible[b] && !self.member[b])
        {
            size += 1;
            if let Some(r) = pb.rack_of[b] {
                if !self.in_rack[r] && !seen.contains(&r) {
                    seen.push(r);
                    racks += 1;
                }
            }
        }
        part.target_rf - most_within(st, part, size, racks)
    }
}

/// The arrival and departure bounds of resource `r` (0 when its goal is off); arrivals count
/// those on the underfull brokers and, per partition, `out_p` off them.
fn by_band(st: &Placement, reach: &Reach, r: Resource, added: f64) -> f64 {
    let (lo, hi) = reach[r.index()];
    if hi == f64::INFINITY {
        // The goal is off: no band to meet.
        return 0.0;
    }
    let pb = st.pb;
    let mut departures = 0.0;
    let mut underfull: Vec<(usize, f64)> = Vec::new();
    for b in 0..pb.broker_count() {
        let load = st.load[b][r.index()];
        if pb.eligible[b] {
            if lo > load {
                underfull.push((b, lo - load));
            }
            departures += (load - hi).max(0.0);
        } else {
            // Every movable replica leaves a broker that may not host it.
            departures += st.hosted[b].iter().map(|h| h.load(r)).sum::<f64>();
        }
    }
    best_arrivals(st, r, &mut underfull).max(departures + added)
}

/// `max over W` of the arrivals on `W` plus those off `K_p(W)`, for `W` the `k` most underfull
/// brokers, `k` doubling up to `|U|`.
fn best_arrivals(st: &Placement, r: Resource, underfull: &mut [(usize, f64)]) -> f64 {
    // Most underfull first; ties by broker index, so the bound is the same on every run.
    underfull.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut best = 0.0f64;
    let mut k = 0;
    loop {
        let w = &underfull[..k];
        let on_w: f64 = w.iter().map(|&(_, deficit)| deficit).sum();
        let brokers: Vec<usize> = w.iter().map(|&(b, _)| b).collect();
        let u = Underfull::new(st, &brokers);
        let off: f64 = st
            .pb
            .parts
            .iter()
            .filter(|p| p.movable)
            .map(|part| u.off(st, part) as f64 * part.replica_load(r))
            .sum();
        best = best.max(on_w + off);
        if k == underfull.len() {
            return best;
        }
        k = (2 * k).clamp(1, underfull.len());
    }
}
