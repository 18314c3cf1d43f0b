//! Rack floors and ceilings (argument 3 of the module docs): the LP relaxation of the band
//! problem, aggregated per rack.
//!
//! A movable partition with `r` replicas that must span `q` racks (`q ≤ r`) puts, for a subset
//! `S` of the eligible racks with `s` racks and `in(S)` brokers (`o = K − s` racks and
//! `out(S) = n − in(S)` brokers outside):
//!
//! ```text
//! at least  m(S) = max(0, r − x, q − min(o, x))     with x = min(r, out(S))
//! at most   M(S) = min(in(S), r − max(0, q − s))
//! ```
//!
//! replicas into `S`: at most `x` replicas fit outside, on at most `min(o, x)` distinct racks,
//! and the rest of the `q` racks must be inside; conversely at least `q − s` racks must be
//! covered outside. Its leadership is forced into `S` when all its replicas are (`m = r`) and
//! possible when one is (`M ≥ 1`). Summing over partitions gives the least and the most load
//! `S` receives; the water level of that load over the brokers of `S` (with their fixed loads)
//! bounds their maximum from below and their minimum from above.
//!
//! Any subset gives a valid bound. All subsets are tried when there are few racks; otherwise the
//! families that bind in practice: the `s` smallest racks (uneven racks, or partitions that must
//! cover every rack), the `s` largest, and each rack alone.

use std::collections::BTreeMap;

use super::{water_level, BoundReason, Items, ResourceBound};
use crate::model::Resource;
use crate::plan::problem::Problem;

/// Up to this many racks every subset is tried (2^K − 1 of them).
const ALL_SUBSETS_UP_TO: usize = 10;

/// Load of the movable partitions that share `(r, q)`.
#[derive(Clone, Copy, Default)]
struct Group {
    replica_load: f64,
    leader_load: f64,
}

pub(super) fn apply(pb: &Problem, r: Resource, items: &Items, bound: &mut ResourceBound) {
    // Eligible racks and their brokers' positions in `items`.
    let mut racks: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &b) in items.brokers.iter().enumerate() {
        let rack = pb.rack_of[b].expect("rack-aware problems have a rack per broker");
        racks.entry(rack).or_default().push(i);
    }
    let racks: Vec<(usize, Vec<usize>)> = racks.into_iter().collect();
    let mut groups: BTreeMap<(usize, usize), Group> = BTreeMap::new();
    for part in pb.parts.iter().filter(|p| p.movable) {
        let g = groups
            .entry((part.target_rf, part.racks_required))
            .or_default();
        g.replica_load += part.replica_load(r);
        g.leader_load += part.leader_load(r);
    }
    let n = items.brokers.len();
    for subset in subsets(&racks) {
        let members: Vec<usize> = subset.iter().flat_map(|&k| racks[k].1.clone()).collect();
        let fixed: Vec<f64> = members.iter().map(|&i| items.fixed[i]).collect();
        let shape = Shape {
            racks: subset.len(),
            outside_racks: racks.len() - subset.len(),
            inside: members.len(),
            outside: n - members.len(),
        };
        let (least, most) = shape.load(&groups);
        let names = || {
            subset
                .iter()
                .map(|&k| pb.rack_names[racks[k].0].clone())
                .collect()
        };
        let floor = water_level(&fixed, least);
        if floor > bound.max_load {
            bound.raise_max(floor, BoundReason::Racks(names()));
        }
        let ceiling = water_level(&fixed, most);
        if ceiling < bound.min_load {
            bound.lower_min(ceiling, BoundReason::Racks(names()));
        }
    }
}

/// A subset of racks as the formulas see it.
struct Shape {
    racks: usize,
    outside_racks: usize,
    inside: usize,
    outside: usize,
}

impl Shape {
    /// Least and most load the subset receives from the movable partitions.
    fn load(&self, groups: &BTreeMap<(usize, usize), Group>) -> (f64, f64) {
        let (mut least, mut most) = (0.0, 0.0);
        for (&(r, q), g) in groups {
            let x = r.min(self.outside);
            let forced = (r - x).max(q.saturating_sub(self.outside_racks.min(x)));
            let possible = self.inside.min(r - q.saturating_sub(self.racks));
            least += forced as f64 * g.replica_load;
            if forced == r {
                least += g.leader_load;
            }
            most += possible as f64 * g.replica_load;
            if possible >= 1 {
                most += g.leader_load;
            }
        }
        (least, most)
    }
}

/// The subsets to try, as indices into `racks` (see the module docs).
fn subsets(racks: &[(usize, Vec<usize>)]) -> Vec<Vec<usize>> {
    let k = racks.len();
    if k <= ALL_SUBSETS_UP_TO {
        return (1u32..(1 << k))
            .map(|mask| (0..k).filter(|&i| mask & (1 << i) != 0).collect())
            .collect();
    }
    let mut by_size: Vec<usize> = (0..k).collect();
    by_size.sort_by_key(|&i| (racks[i].1.len(), i));
    let mut out: Vec<Vec<usize>> = Vec::new();
    for s in 1..=k {
        out.push(by_size[..s].to_vec());
        out.push(by_size[k - s..].to_vec());
    }
    for i in 0..k {
        out.push(vec![i]);
    }
    for v in &mut out {
        v.sort_unstable();
    }
    out.sort();
    out.dedup();
    out
}
