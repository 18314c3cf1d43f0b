//! Stage 3: choose each movable partition's preferred leader among its final replicas.
//!
//! Leadership decides bytes out (consumer fetches plus one copy per follower) and the leader count,
//! and moving it copies no data. The stage starts from each partition's current leader where it is
//! still a replica and transfers leadership, worst broker first, while that lowers the cost over
//! the leader resources and topic leader spread. A transfer away from the current leader costs a
//! small penalty, so leadership only moves where it buys balance.

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
        let mut best: Option<Transfer> = None;
        for &(_, b) in worst.iter().take(4) {
            best = best_transfer_around(st, b);
            if best.is_some() {
                break;
            }
        }
        let Some(t) = best else { break };
        st.set_leader(t.p, t.to);
        made += 1;
    }
    made + fix_leader_spread(st)
}

fn best_transfer_around(st: &Placement, b: Bx) -> Option<Transfer> {
    let pb = st.pb;
    let over = LEADER_RESOURCES
        .iter()
        .any(|&r| st.load[b][r.index()] > pb.band(r).hi);
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
    for &p in &st.hosted[b] {
        let p = p as usize;
        let leader = st.leader(p);
        if over && leader == b {
            for &c in &st.replicas[p][1..] {
                consider(p, b, c);
            }
        } else if !over && leader != b {
            consider(p, leader, b);
        }
    }
    best
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
