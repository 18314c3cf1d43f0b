//! Which partitions and brokers a MIP re-solves.

use super::Neighbourhood;
use crate::plan::placement::{Placement, REPLICA_RESOURCES};
use crate::plan::problem::{Bx, Problem};

/// Out-of-band brokers a neighbourhood is built around, and in-band partners on each side.
const WORST: usize = 6;
const PARTNERS: usize = 3;

/// The exact model when it is small enough to solve whole: every movable partition, every
/// eligible broker, leaders included.
pub fn exact(pb: &Problem, max_binaries: usize) -> Option<Neighbourhood> {
    let parts: Vec<usize> = (0..pb.parts.len())
        .filter(|&p| pb.parts[p].movable)
        .collect();
    let brokers: Vec<Bx> = pb.eligible_brokers().collect();
    if parts.is_empty() || parts.len() * brokers.len() * 2 > max_binaries {
        return None;
    }
    let candidates = parts.iter().map(|_| brokers.clone()).collect();
    Some(Neighbourhood {
        parts,
        candidates,
        joint: true,
    })
}

/// A neighbourhood around the brokers still out of band: their partitions may move among them
/// and the brokers with the most room in the opposite direction.
pub fn around_violations(st: &Placement, max_binaries: usize) -> Option<Neighbourhood> {
    let worst = worst_brokers(st);
    if worst.is_empty() {
        return None;
    }
    let brokers = brokers_in_play(st, &worst);
    let max_parts = (max_binaries / (brokers.len() + 3)).max(1);
    // Partitions of the out-of-band brokers, round-robin so each broker contributes.
    let lists: Vec<Vec<usize>> = worst
        .iter()
        .map(|&b| {
            let mut v: Vec<usize> = st.hosted[b].iter().map(|h| h.part()).collect();
            v.sort_unstable();
            v
        })
        .collect();
    let mut parts: Vec<usize> = Vec::new();
    let mut i = 0;
    while parts.len() < max_parts && lists.iter().any(|l| i < l.len()) {
        for l in &lists {
            if let Some(&p) = l.get(i) {
                if !parts.contains(&p) && parts.len() < max_parts {
                    parts.push(p);
                }
            }
        }
        i += 1;
    }
    parts.sort_unstable();
    let candidates = parts
        .iter()
        .map(|&p| {
            let mut c: Vec<Bx> = st.replicas[p]
                .iter()
                .copied()
                .chain(brokers.iter().copied())
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        })
        .collect();
    Some(Neighbourhood {
        parts,
        candidates,
        joint: false,
    })
}

/// The eligible brokers furthest out of band in the replica resources, worst first.
fn worst_brokers(st: &Placement) -> Vec<Bx> {
    let zero = [0.0; 5];
    let mut worst: Vec<(f64, Bx)> = st
        .pb
        .eligible_brokers()
        .map(|b| (st.band_cost_with(b, &REPLICA_RESOURCES, &zero), b))
        .filter(|(c, _)| *c > 1e-9)
        .collect();
    worst.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    worst.into_iter().take(WORST).map(|(_, b)| b).collect()
}

/// `worst` plus the least and the most loaded brokers, sorted.
fn brokers_in_play(st: &Placement, worst: &[Bx]) -> Vec<Bx> {
    let mut brokers = worst.to_vec();
    let mut by_pressure: Vec<(f64, Bx)> = st
        .pb
        .eligible_brokers()
        .map(|b| (st.pressure(b, &REPLICA_RESOURCES), b))
        .collect();
    by_pressure.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for &(_, b) in by_pressure
        .iter()
        .take(PARTNERS)
        .chain(by_pressure.iter().rev().take(PARTNERS))
    {
        if !brokers.contains(&b) {
            brokers.push(b);
        }
    }
    brokers.sort_unstable();
    brokers
}
