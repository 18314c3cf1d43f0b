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

use std::collections::BTreeSet;

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
    let replicas = by_band(st, request, bounds, Resource::Replicas, added.0 as f64);
    let bytes = by_band(st, request, bounds, Resource::Disk, added.1);
    (
        (forced.0 as f64).max(replicas).round() as usize,
        forced.1.max(bytes).round() as u64,
    )
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
    if !pb.rack_aware {
        return kept.len().min(part.target_rf);
    }
    let racks = kept
        .iter()
        .map(|&b| pb.rack_of[b])
        .collect::<BTreeSet<_>>()
        .len();
    let duplicates = kept.len() - racks;
    let spare = part.target_rf.saturating_sub(part.racks_required);
    (racks + duplicates.min(spare)).min(part.target_rf)
}

/// The arrival and departure bounds of resource `r` (0 when its goal is off).
fn by_band(
    st: &Placement,
    request: &PlanRequest,
    bounds: &[ResourceBound; 5],
    r: Resource,
    added: f64,
) -> f64 {
    if request.goals.resource(r) == 0.0 {
        return 0.0;
    }
    let pb = st.pb;
    let band = pb.band(r);
    let bound = &bounds[r.index()];
    let lo = band.lo.min(bound.min_load);
    let hi = band.hi.max(bound.max_load);
    let (mut arrivals, mut departures) = (0.0, 0.0);
    for b in 0..pb.broker_count() {
        let load = st.load[b][r.index()];
        if pb.eligible[b] {
            arrivals += (lo - load).max(0.0);
            departures += (load - hi).max(0.0);
        } else {
            // Every movable replica leaves a broker that may not host it.
            departures += st.hosted[b]
                .iter()
                .map(|&p| pb.parts[p as usize].replica_load(r))
                .sum::<f64>();
        }
    }
    arrivals.max(departures + added)
}
