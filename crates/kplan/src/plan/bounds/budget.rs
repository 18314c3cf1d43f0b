//! Budgets (argument 6 of the module docs). With at most `M` replica moves and `B` bytes copied,
//! every new replica is a move, and so is every removal unless a replication factor drops. So a broker can shed at most the
//! load of `M` of its replicas, and at most what `B` bytes of them carry; and it can gain at most
//! as much from the other brokers:
//!
//! ```text
//! max_b L'(b) ≥ max_b (L(b) − shed(b)),    shed(b) ≤ min(top_M(b), knapsack_B(b))
//! min_b L'(b) ≤ min_b (L(b) + gain(b)),    gain(b) ≤ min(top_M(others), knapsack_B(others))
//! ```
//!
//! where `knapsack_B` is the fractional knapsack by load per byte (an upper bound on the 0/1
//! one). Leadership moves without copying data, so a broker can hand off every leadership: the
//! budget does not limit the maximum of bytes out or leaders, and that bound ignores it. A broker
//! can only gain leaderships of partitions it hosts, though: what it hosts now plus `M` more.

use super::{BoundReason, ResourceBound};
use crate::model::Resource;
use crate::plan::placement::Placement;
use crate::plan::PlanRequest;

/// Applies the budget arguments; returns true when a budget is set and the bound on the maximum
/// does not take it into account.
pub(super) fn apply(
    st: &Placement,
    request: &PlanRequest,
    r: Resource,
    bound: &mut ResourceBound,
) -> bool {
    let pb = st.pb;
    if request.max_moves.is_none() && request.max_move_bytes.is_none() {
        return false;
    }
    if request.leaders_only {
        return false; // the leaders-only bounds hold every replica where it is
    }
    // A lower replication factor removes replicas without a move: shedding is then unlimited.
    let shedding_limited = !pb
        .parts
        .iter()
        .any(|p| p.movable && p.target_rf < p.current.len());
    let moves = request.max_moves.unwrap_or(usize::MAX);
    let bytes = request.max_move_bytes.map_or(f64::INFINITY, |b| b as f64);
    // Items a broker could gain: any movable partition's load, with its size.
    let all: Vec<(f64, f64)> = pb
        .parts
        .iter()
        .filter(|p| p.movable)
        .map(|p| (p.replica_load(r) + p.leader_load(r), p.size))
        .collect();
    let gain_anywhere = most_load(&all, moves, bytes);
    let mut shed_floor = f64::NEG_INFINITY;
    let mut gain_ceiling = f64::INFINITY;
    for b in pb.eligible_brokers() {
        let load = st.load[b][r.index()];
        let hosted: Vec<(f64, f64)> = st.hosted[b]
            .iter()
            .map(|h| {
                let part = &pb.parts[h.part()];
                (part.replica_load(r) + part.leader_load(r), part.size)
            })
            .collect();
        if !r.follows_leader() {
            if shedding_limited {
                shed_floor = shed_floor.max(load - most_load(&hosted, moves, bytes));
            }
            gain_ceiling = gain_ceiling.min(load + gain_anywhere);
        } else {
            // Every leadership of a partition it hosts, plus those of `M` new replicas.
            let could_lead: f64 = st.hosted[b]
                .iter()
                .map(|h| pb.parts[h.part()].leader_load(r))
                .sum();
            let fixed_leading = load
                - st.hosted[b]
                    .iter()
                    .filter(|h| st.leader(h.part()) == b)
                    .map(|h| pb.parts[h.part()].leader_load(r))
                    .sum::<f64>();
            gain_ceiling = gain_ceiling.min(fixed_leading + could_lead + gain_anywhere);
        }
    }
    bound.raise_max(shed_floor, BoundReason::Budget);
    bound.lower_min(gain_ceiling, BoundReason::Budget);
    r.follows_leader() || !shedding_limited
}

/// An upper bound on the load of at most `moves` items of at most `bytes` total size, from
/// `(load, size)` pairs: the smaller of the `moves` largest loads and the fractional knapsack.
fn most_load(items: &[(f64, f64)], moves: usize, bytes: f64) -> f64 {
    let mut loads: Vec<f64> = items.iter().map(|&(l, _)| l).collect();
    let by_count: f64 = if moves >= loads.len() {
        loads.iter().sum()
    } else {
        loads.select_nth_unstable_by(moves, |a, b| b.total_cmp(a));
        loads[..moves].iter().sum()
    };
    if !bytes.is_finite() {
        return by_count;
    }
    let mut dense: Vec<(f64, f64)> = items.to_vec();
    // Free items (size 0) first, then by load per byte.
    dense.sort_by(|a, b| (b.0 * a.1).total_cmp(&(a.0 * b.1)));
    let (mut room, mut carried) = (bytes, 0.0);
    for (load, size) in dense {
        if size <= room {
            room -= size;
            carried += load;
        } else {
            carried += load * room / size;
            break;
        }
    }
    by_count.min(carried)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_knapsack_bounds_by_bytes_and_count() {
        let items = [(10.0, 5.0), (4.0, 1.0), (1.0, 1.0)];
        assert_eq!(most_load(&items, 1, f64::INFINITY), 10.0);
        // 2 bytes: the 4 (1 byte) and a fifth of the 10 (1 of 5 bytes) = 6.
        assert!((most_load(&items, 3, 2.0) - 6.0).abs() < 1e-12);
    }
}
