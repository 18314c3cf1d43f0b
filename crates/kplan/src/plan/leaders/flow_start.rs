//! A second start for a leaders-only plan: the fractional optimum of bytes out, rounded.
//!
//! The search ([`super::search`]) improves leadership a transfer or a swap at a time from the
//! current assignment, and with every replica set fixed it can stall well above the proven bound
//! (1.316 against 1.206 on an exponential 40-broker cluster). The bound's own network
//! (`bounds::leadership`) holds, at the lowest level every broker can be kept under, a
//! fractional assignment: how much of each replica set's bytes out each of its members leads.
//! Rounding it — each set's partitions largest first, each to the member with the most of its
//! share still unassigned — overshoots a member's share by less than one partition. The stage
//! then brings the counts into their band and searches from there as usual; the planner keeps
//! whichever start ends better.
//!
//! Partitions group by the members that may lead them: the eligible replicas, less the one
//! preferred replica that an election alone would restore (see [`super::unplannable`]).

use std::collections::BTreeMap;

use super::unplannable;
use crate::model::Resource;
use crate::plan::bounds::{fractional_shares, Demand};
use crate::plan::placement::Placement;
use crate::plan::problem::Bx;

/// Hands every movable partition's leadership to the member the rounded fractional optimum
/// gives it; returns the number of leaderships that changed.
pub fn round_fractional_optimum(st: &mut Placement) -> usize {
    let pb = st.pb;
    let out = Resource::BytesOut.index();
    let mut groups: BTreeMap<Vec<Bx>, Vec<usize>> = BTreeMap::new();
    for (p, part) in pb.parts.iter().enumerate() {
        if !part.movable || st.replicas[p].len() < 2 {
            continue;
        }
        let mut members: Vec<Bx> = st.replicas[p]
            .iter()
            .copied()
            .filter(|&b| pb.eligible[b] && (b == st.leader(p) || !unplannable(st, p, b)))
            .collect();
        if members.len() < 2 || !members.contains(&st.leader(p)) {
            continue;
        }
        members.sort_unstable();
        groups.entry(members).or_default().push(p);
    }
    // What each broker leads outside the groups stays where it is.
    let mut fixed: Vec<f64> = st.load.iter().map(|l| l[out]).collect();
    for &p in groups.values().flatten() {
        fixed[st.leader(p)] -= pb.parts[p].leader_out;
    }
    let sets: Vec<(Vec<usize>, f64)> = groups
        .iter()
        .map(|(members, ps)| {
            let load = ps.iter().map(|&p| pb.parts[p].leader_out).sum();
            (members.clone(), load)
        })
        .collect();
    let demand = Demand {
        total: sets.iter().map(|s| s.1).sum(),
        sets,
    };
    if demand.total <= 0.0 {
        return 0;
    }
    let highest = (0..pb.broker_count())
        .map(|b| st.load[b][out])
        .fold(0.0, f64::max);
    let shares = fractional_shares(&demand, &fixed, highest);
    let mut changed = 0;
    for ((members, ps), share) in groups.iter().zip(shares) {
        changed += round_group(st, members, ps, share);
    }
    changed
}

/// Gives each partition of one group, largest first, to the member with the most of its
/// share left (the lowest broker on a tie); returns the leaderships that changed.
fn round_group(st: &mut Placement, members: &[Bx], ps: &[usize], mut left: Vec<f64>) -> usize {
    let pb = st.pb;
    let mut order = ps.to_vec();
    order.sort_by(|&x, &y| {
        pb.parts[y]
            .leader_out
            .total_cmp(&pb.parts[x].leader_out)
            .then(x.cmp(&y))
    });
    let mut changed = 0;
    for p in order {
        let i = (0..members.len())
            .max_by(|&a, &b| left[a].total_cmp(&left[b]).then(b.cmp(&a)))
            .expect("a group has members");
        left[i] -= pb.parts[p].leader_out;
        if st.leader(p) != members[i] {
            st.set_leader(p, members[i]);
            changed += 1;
        }
    }
    changed
}
