//! `--spread-topics`: each matching topic's replicas (and leaders, see `leaders::spread`) end
//! within one of the topic's even share on every eligible broker, where racks allow.
//!
//! With `R` replicas of a topic over `n` eligible brokers the share is `s = R / n`, and a broker
//! is within one of it when its count `c` satisfies `⌈s − 1⌉ ≤ c ≤ ⌊s + 1⌋`. Keyless topics then
//! spread their traffic spikes; unlike the default topic-spread tie-breaker this copies data,
//! which is why it is an opt-in and its moves are reported.
//!
//! The stage moves one replica at a time from a broker above the range, or to a broker below
//! it, onto a broker that stays within it: each move lowers the total distance to the range by at
//! least one, so the work is bounded by that distance. Among the moves that keep the hard
//! constraints (racks, eligible brokers) and the budget, it takes the one that raises the band
//! cost least, then the smallest partition.

use super::budget::Budget;
use super::placement::{Placement, REPLICA_RESOURCES};
use super::problem::{Bx, TopicInfo};
use super::safety_net::SafetyNet;

/// The counts per eligible broker within one of the even share of `total` over `n` brokers.
pub fn within_one(total: u32, n: usize) -> (u32, u32) {
    let n = n.max(1) as u32;
    (total.saturating_sub(n).div_ceil(n), total / n + 1)
}

/// The replica range of a topic: `[floor, cap]`.
pub fn replica_range(info: &TopicInfo) -> (u32, u32) {
    (info.replica_floor, info.replica_cap)
}

/// The leader range of a topic.
pub fn leader_range(info: &TopicInfo) -> (u32, u32) {
    (info.leader_floor, info.leader_cap)
}

/// Replicas and leaders of `--spread-topics` topics outside their range, summed over the
/// eligible brokers (how far each count is from its range).
pub fn spread_distance(st: &Placement) -> (u32, u32) {
    let pb = st.pb;
    let (mut replicas, mut leaders) = (0, 0);
    for (t, info) in pb.topics.iter().enumerate().filter(|(_, i)| i.spread) {
        let (rlo, rhi) = replica_range(info);
        let (llo, lhi) = leader_range(info);
        for b in pb.eligible_brokers() {
            replicas += distance(st.topic_replicas(t, b), rlo, rhi);
            leaders += distance(st.topic_leaders(t, b), llo, lhi);
        }
    }
    (replicas, leaders)
}

fn distance(c: u32, lo: u32, hi: u32) -> u32 {
    lo.saturating_sub(c) + c.saturating_sub(hi)
}

/// A replica move that brings a topic closer to its range.
struct Candidate {
    cost: f64,
    size: f64,
    p: usize,
    src: Bx,
    dst: Bx,
}

/// Moves replicas of the `--spread-topics` topics until each is within one of its share on
/// every eligible broker, or no valid move within the budget gets closer. Returns the moves.
pub fn spread_topics(st: &mut Placement, budget: &mut Budget, net: &SafetyNet) -> usize {
    let pb = st.pb;
    let mut made = 0;
    for (t, info) in pb.topics.iter().enumerate().filter(|(_, i)| i.spread) {
        let range = replica_range(info);
        while !net.expired() {
            let Some(c) = best_move(st, t, info, range, budget) else {
                break;
            };
            budget.charge(Budget::delta(pb, c.p, Some(c.src), Some(c.dst)));
            st.move_replica(c.p, c.src, c.dst);
            made += 1;
        }
    }
    made
}

/// The cheapest move of a replica of topic `t` from a broker above its range (or above its
/// floor, towards one below it) to a broker that stays within the range.
fn best_move(
    st: &Placement,
    t: usize,
    info: &TopicInfo,
    (lo, hi): (u32, u32),
    budget: &Budget,
) -> Option<Candidate> {
    let pb = st.pb;
    let count = |b: Bx| st.topic_replicas(t, b);
    let eligible: Vec<Bx> = pb.eligible_brokers().collect();
    let any_under = eligible.iter().any(|&b| count(b) < lo);
    let mut best: Option<Candidate> = None;
    for p in info.parts.clone() {
        for &src in &st.replicas[p] {
            // A source above the range always helps; one in range only gives to a broker below.
            let over = count(src) > hi;
            if !pb.eligible[src] || !(over || (any_under && count(src) > lo)) {
                continue;
            }
            for &dst in &eligible {
                let helps = over || count(dst) < lo;
                if !helps || count(dst) + 1 > hi || !st.can_move(p, src, dst) {
                    continue;
                }
                let delta = Budget::delta(pb, p, Some(src), Some(dst));
                if !budget.allows(delta) {
                    continue;
                }
                let c = Candidate {
                    cost: move_cost(st, p, src, dst),
                    size: pb.parts[p].size,
                    p,
                    src,
                    dst,
                };
                if best.as_ref().is_none_or(|b| better(&c, b)) {
                    best = Some(c);
                }
            }
        }
    }
    best
}

fn better(a: &Candidate, b: &Candidate) -> bool {
    const EPS: f64 = 1e-9;
    if (a.cost - b.cost).abs() > EPS {
        return a.cost < b.cost;
    }
    a.size < b.size || (a.size == b.size && (a.p, a.src, a.dst) < (b.p, b.src, b.dst))
}

/// Band cost change of the replica of `p` leaving `src` for `dst`.
fn move_cost(st: &Placement, p: usize, src: Bx, dst: Bx) -> f64 {
    let part = &st.pb.parts[p];
    let mut d = [0.0; 5];
    for r in REPLICA_RESOURCES {
        d[r.index()] = part.replica_load(r);
    }
    let minus = d.map(|x| -x);
    let zero = [0.0; 5];
    st.band_cost_with(src, &REPLICA_RESOURCES, &minus)
        - st.band_cost_with(src, &REPLICA_RESOURCES, &zero)
        + st.band_cost_with(dst, &REPLICA_RESOURCES, &d)
        - st.band_cost_with(dst, &REPLICA_RESOURCES, &zero)
}

#[cfg(test)]
mod tests {
    use super::within_one;

    #[test]
    fn the_range_is_within_one_of_the_share() {
        assert_eq!(within_one(10, 4), (2, 3), "share 2.5");
        assert_eq!(within_one(12, 4), (2, 4), "share 3");
        assert_eq!(within_one(3, 4), (0, 1), "share 0.75");
        assert_eq!(within_one(0, 4), (0, 1));
    }
}
