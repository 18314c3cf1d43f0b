//! Step 3: topics above their per-broker leader cap hand leaderships on, where that lowers the
//! cost (so never at the expense of a band): by a transfer when the counts have room, otherwise
//! by a swap with a leadership of another topic, which keeps both counts.

use super::search::{swap_gain, swap_gains};
use super::{
    change_penalty, count, count_band, transfer_gain, transfer_gains, unplannable, Led, EPS,
};
use crate::plan::placement::Placement;
use crate::plan::problem::Bx;
use crate::plan::topic_spread::leader_range;

pub(super) fn leader_spread(st: &mut Placement, led: &mut Led) -> usize {
    let pb = st.pb;
    let mut made = 0;
    for (t, info) in pb.topics.iter().enumerate() {
        if !info.movable {
            continue;
        }
        for p in info.parts.clone() {
            let from = st.leader(p);
            if !pb.eligible[from] || st.topic_leaders(t, from) <= info.leader_cap {
                continue;
            }
            if let Some(to) = best_transfer(st, p, from) {
                led.transfer(st, p, to);
                made += 1;
            } else if let Some((to, q)) = best_swap(st, led, p, from) {
                led.transfer(st, p, to);
                led.transfer(st, q, from);
                made += 2;
            }
        }
    }
    made
}

/// The replica of `p` whose taking over its leadership lowers the cost most, keeping counts.
fn best_transfer(st: &Placement, p: usize, from: Bx) -> Option<Bx> {
    st.replicas[p][1..]
        .iter()
        .copied()
        .filter(|&to| st.pb.eligible[to] && !unplannable(st, p, to))
        .filter(|&to| {
            count_band(st)
                .is_none_or(|(lo, hi)| count(st, from) - 1.0 >= lo && count(st, to) + 1.0 <= hi)
        })
        .map(|to| {
            let (band, spread) = transfer_gains(st, p, from, to);
            (band, band - spread - change_penalty(st, p, from, to), to)
        })
        // Never at the expense of a band: spread is a preference, bands are goals.
        .filter(|&(band, g, _)| band >= -EPS && g > EPS)
        .map(|(_, g, to)| (g, to))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, to)| to)
}

/// The best improving swap that hands `p` to one of its replicas `to` and takes back a
/// leadership `q` that `to` holds and `from` hosts.
fn best_swap(st: &Placement, led: &Led, p: usize, from: Bx) -> Option<(Bx, usize)> {
    let mut best: Option<(f64, Bx, usize)> = None;
    for &to in &st.replicas[p][1..] {
        if !st.pb.eligible[to] || unplannable(st, p, to) {
            continue;
        }
        for &q in led.of(to) {
            let q = q as usize;
            if q == p || !st.replicas[q].contains(&from) || unplannable(st, q, from) {
                continue;
            }
            let gains = swap_gains(st, from, to, p, q);
            let g = gains.total();
            if g > EPS
                && gains.band >= -EPS
                && best.is_none_or(|(bg, bt, bq)| {
                    g > bg + EPS || (g >= bg - EPS && (to, q) < (bt, bq))
                })
            {
                best = Some((g, to, q));
            }
        }
    }
    best.map(|(_, to, q)| (to, q))
}

/// `--spread-topics`: every matching topic's leaders within one of its even share per eligible
/// broker (see `topic_spread`), by transfers that keep the leader count band, else by swaps
/// with a leadership of a topic not being spread, which keep both counts. Each change brings
/// the topic closer to its range, so the work is bounded by that distance.
pub(super) fn spread_topic_leaders(st: &mut Placement, led: &mut Led) -> usize {
    let pb = st.pb;
    let mut made = 0;
    for (t, info) in pb.topics.iter().enumerate().filter(|(_, i)| i.spread) {
        let range = leader_range(info);
        loop {
            let before = made;
            for p in info.parts.clone() {
                let from = st.leader(p);
                if let Some(to) = forced_transfer(st, t, p, from, range) {
                    led.transfer(st, p, to);
                    made += 1;
                } else if let Some((to, q)) = forced_swap(st, led, t, p, from, range) {
                    led.transfer(st, p, to);
                    led.transfer(st, q, from);
                    made += 2;
                }
            }
            if made == before {
                break;
            }
        }
    }
    made
}

/// True when handing a leadership of topic `t` from `from` to `to` brings `t` closer to its
/// range and keeps both within it.
fn spreads(st: &Placement, t: usize, from: Bx, to: Bx, (lo, hi): (u32, u32)) -> bool {
    let (f, c) = (st.topic_leaders(t, from), st.topic_leaders(t, to));
    st.pb.eligible[to] && (f > hi || (c < lo && f > lo)) && c < hi
}

fn forced_transfer(st: &Placement, t: usize, p: usize, from: Bx, range: (u32, u32)) -> Option<Bx> {
    st.replicas[p][1..]
        .iter()
        .copied()
        .filter(|&to| spreads(st, t, from, to, range) && !unplannable(st, p, to))
        .filter(|&to| {
            count_band(st)
                .is_none_or(|(lo, hi)| count(st, from) - 1.0 >= lo && count(st, to) + 1.0 <= hi)
        })
        .map(|to| {
            (
                transfer_gain(st, p, from, to) - change_penalty(st, p, from, to),
                to,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, to)| to)
}

fn forced_swap(
    st: &Placement,
    led: &Led,
    t: usize,
    p: usize,
    from: Bx,
    range: (u32, u32),
) -> Option<(Bx, usize)> {
    let pb = st.pb;
    let mut best: Option<(f64, Bx, usize)> = None;
    for &to in &st.replicas[p][1..] {
        if !spreads(st, t, from, to, range) || unplannable(st, p, to) {
            continue;
        }
        for &q in led.of(to) {
            let q = q as usize;
            let other = pb.parts[q].topic;
            if pb.topics[other].spread
                || !st.replicas[q].contains(&from)
                || unplannable(st, q, from)
            {
                continue;
            }
            let g = swap_gain(st, from, to, p, q);
            if best.is_none_or(|(bg, bt, bq)| g > bg + EPS || (g >= bg - EPS && (to, q) < (bt, bq)))
            {
                best = Some((g, to, q));
            }
        }
    }
    best.map(|(_, to, q)| (to, q))
}
