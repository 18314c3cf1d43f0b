//! Stage 5: choose each movable partition's preferred leader among its final replicas.
//!
//! Leadership decides bytes out (consumer fetches plus one copy per follower) and the leader count,
//! and moving it copies no data. The stage starts from each partition's current leader where it is
//! still a replica and, worst broker first, makes the change that lowers the cost over the leader
//! resources and topic leader spread most: a single transfer, or — when the leader count band is
//! exact and every transfer would break it — a swap, where a broker hands one leadership to a
//! partner and takes a smaller or larger one back. A transfer away from the current leader costs
//! a small penalty, so leadership only moves where it buys balance.

use std::time::Instant;

use super::placement::{Placement, LEADER_RESOURCES};
use super::problem::Bx;

const EPS: f64 = 1e-9;
/// Penalty for a partition whose leader differs from its current leader, in cost units.
const LEADER_CHANGE: f64 = 1e-4;

#[derive(Clone, Copy)]
struct Transfer {
    p: usize,
    to: Bx,
    score: f64,
}

/// Cost change (negative is better) of moving the leadership of `p` from `from` to `to`.
fn transfer_gain(st: &Placement, p: usize, from: Bx, to: Bx) -> f64 {
    let part = &st.pb.parts[p];
    let mut d = [0.0; 5];
    for r in LEADER_RESOURCES {
        d[r.index()] = part.leader_load(r);
    }
    let neg = d.map(|x| -x);
    let zero = [0.0; 5];
    let res = &LEADER_RESOURCES;
    let before = st.band_cost_with(from, res, &zero) + st.band_cost_with(to, res, &zero);
    let after = st.band_cost_with(from, res, &neg) + st.band_cost_with(to, res, &d);
    before
        - after
        - st.spread_delta(part.topic, from, -1, true)
        - st.spread_delta(part.topic, to, 1, true)
}

/// A partition whose broker set is unchanged and whose list would come out identical to the
/// current one cannot be listed in a reassignment; leadership there moves only by an election the
/// plan does not carry, so the stage does not plan it.
fn unplannable(st: &Placement, p: usize, to: Bx) -> bool {
    let part = &st.pb.parts[p];
    to == part.current[0]
        && part.current_leader != part.current[0]
        && st.replicas[p].len() == part.current.len()
        && st.replicas[p].iter().all(|b| part.current.contains(b))
}

fn change_penalty(st: &Placement, p: usize, from: Bx, to: Bx) -> f64 {
    let cur = st.pb.parts[p].current_leader;
    LEADER_CHANGE * (f64::from(u8::from(to != cur)) - f64::from(u8::from(from != cur)))
}

/// Balances leadership; returns the number of transfers made.
pub fn balance_leaders(st: &mut Placement, deadline: Instant) -> usize {
    let pb = st.pb;
    let eligible: Vec<Bx> = pb.eligible_brokers().collect();
    let zero = [0.0; 5];
    let mut made = 0;
    while Instant::now() < deadline {
        let mut worst: Vec<(f64, Bx)> = eligible
            .iter()
            .map(|&b| (st.band_cost_with(b, &LEADER_RESOURCES, &zero), b))
            .filter(|(c, _)| *c > EPS)
            .collect();
        if worst.is_empty() {
            break;
        }
        worst.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // Worst broker first: a single transfer if one helps, else a swap with a partner, which
        // keeps both leader counts (the count band is often exact).
        let mut changed = false;
        for &(_, b) in &worst {
            if let Some(t) = best_transfer_around(st, b) {
                st.set_leader(t.p, t.to);
                made += 1;
                changed = true;
                break;
            }
            if let Some((p, c, q)) = best_swap_around(st, b) {
                st.set_leader(p, c);
                st.set_leader(q, b);
                made += 2;
                changed = true;
                break;
            }
        }
        if !changed {
            break;
        }
    }
    made + fix_leader_spread(st)
}

fn best_transfer_around(st: &Placement, b: Bx) -> Option<Transfer> {
    let mut best: Option<Transfer> = None;
    let mut consider = |p: usize, from: Bx, to: Bx| {
        if unplannable(st, p, to) {
            return;
        }
        let gain = transfer_gain(st, p, from, to);
        if gain <= EPS {
            return;
        }
        let score = gain - change_penalty(st, p, from, to);
        let better = match &best {
            None => true,
            Some(x) => {
                score > x.score + EPS || ((score - x.score).abs() <= EPS && (p, to) < (x.p, x.to))
            }
        };
        if better {
            best = Some(Transfer { p, to, score });
        }
    };
    // Both directions: a broker can be above one leader resource and below the other (over on
    // bytes out, under on count), and then what helps is taking small leaderships or giving
    // large ones.
    for &p in &st.hosted[b] {
        let p = p as usize;
        let leader = st.leader(p);
        if leader == b {
            for &c in &st.replicas[p][1..] {
                consider(p, b, c);
            }
        } else {
            consider(p, leader, b);
        }
    }
    best
}

/// The best improving leadership swap between `b` and a partner `c`: `b` hands `p` to `c` and
/// takes `q` from it. Counts stay; bytes out and topic spread change on both.
fn best_swap_around(st: &Placement, b: Bx) -> Option<(usize, Bx, usize)> {
    let pb = st.pb;
    let res = &LEADER_RESOURCES;
    let out = crate::model::Resource::BytesOut.index();
    let zero = [0.0; 5];
    // What b could take, by its current leader.
    let mut takeable: Vec<(Bx, usize)> = st.hosted[b]
        .iter()
        .map(|&q| q as usize)
        .filter(|&q| st.leader(q) != b && !unplannable(st, q, b))
        .map(|q| (st.leader(q), q))
        .collect();
    takeable.sort_unstable();
    let base_b = st.band_cost_with(b, res, &zero);
    let mut best: Option<(f64, usize, Bx, usize)> = None;
    for &p in &st.hosted[b] {
        let p = p as usize;
        if st.leader(p) != b {
            continue;
        }
        let tp = pb.parts[p].topic;
        for &c in &st.replicas[p][1..] {
            if unplannable(st, p, c) {
                continue;
            }
            let start = takeable.partition_point(|&(l, _)| l < c);
            let base = base_b + st.band_cost_with(c, res, &zero);
            for &(_, q) in takeable[start..].iter().take_while(|&&(l, _)| l == c) {
                let diff = pb.parts[p].leader_out - pb.parts[q].leader_out;
                let mut d = [0.0; 5];
                d[out] = diff;
                let neg = d.map(|x| -x);
                let tq = pb.parts[q].topic;
                let spread = if tp == tq {
                    0.0
                } else {
                    st.spread_delta(tp, b, -1, true)
                        + st.spread_delta(tp, c, 1, true)
                        + st.spread_delta(tq, c, -1, true)
                        + st.spread_delta(tq, b, 1, true)
                };
                let gain = base
                    - st.band_cost_with(b, res, &neg)
                    - st.band_cost_with(c, res, &d)
                    - spread
                    - change_penalty(st, p, b, c)
                    - change_penalty(st, q, c, b);
                let better = match &best {
                    None => gain > EPS,
                    Some(x) => {
                        gain > x.0 + EPS
                            || ((gain - x.0).abs() <= EPS && (p, c, q) < (x.1, x.2, x.3))
                    }
                };
                if better {
                    best = Some((gain, p, c, q));
                }
            }
        }
    }
    best.map(|(_, p, c, q)| (p, c, q))
}

/// Transfers leadership of topics that exceed their per-broker leader cap, where that helps.
fn fix_leader_spread(st: &mut Placement) -> usize {
    let pb = st.pb;
    let mut made = 0;
    for t in 0..pb.topics.len() {
        let info = &pb.topics[t];
        if !info.movable {
            continue;
        }
        for p in info.parts.clone() {
            let from = st.leader(p);
            if !pb.eligible[from] || st.topic_leaders(t, from) <= info.leader_cap {
                continue;
            }
            let best = st.replicas[p][1..]
                .iter()
                .filter(|&&to| !unplannable(st, p, to))
                .map(|&to| {
                    (
                        transfer_gain(st, p, from, to) - change_penalty(st, p, from, to),
                        to,
                    )
                })
                .filter(|(g, _)| *g > EPS)
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
            if let Some((_, to)) = best {
                st.set_leader(p, to);
                made += 1;
            }
        }
    }
    made
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Resource, Topic};
    use crate::plan::problem::Problem;
    use crate::plan::PlanRequest;
    use std::time::Duration;

    /// Broker 0 leads both large partitions, broker 1 both small ones: the leader counts are
    /// already exact, so no single transfer helps and only a swap evens out bytes out.
    #[test]
    fn a_swap_evens_bytes_out_when_counts_are_exact() {
        let brokers = (0..2)
            .map(|i| Broker {
                id: BrokerId(i),
                rack: None,
            })
            .collect();
        let part = |p: i32, leader: i32, out: f64| {
            let reps = vec![BrokerId(leader), BrokerId(1 - leader)];
            Partition::new(p, ReplicaSet::new(reps)).with_load(1000, 10.0, out)
        };
        let topics = vec![
            Topic::new("big", vec![part(0, 0, 1200.0), part(1, 0, 1200.0)]),
            Topic::new("small", vec![part(0, 1, 800.0), part(1, 1, 800.0)]),
        ];
        let c = Cluster::new(None, brokers, topics).unwrap();
        let req = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        let made = balance_leaders(&mut st, Instant::now() + Duration::from_secs(5));
        assert_eq!(made, 2, "one swap");
        let (out, leaders) = (Resource::BytesOut.index(), Resource::Leaders.index());
        assert_eq!(st.load[0][leaders], 2.0);
        assert_eq!(st.load[1][leaders], 2.0);
        assert_eq!(st.load[0][out], st.load[1][out]);
    }
}
