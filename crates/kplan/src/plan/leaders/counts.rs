//! Step 1: leader counts into `[lo, hi]`.
//!
//! First single transfers, each the one that helps bytes out most: a broker above `hi` hands a
//! leadership to a replica with room, a broker below `lo` takes one from a replica's leader that
//! can spare it. What single transfers cannot fix goes along augmenting paths: breadth first from
//! a broker above the band to any broker with room (or backwards from one below it to any broker
//! that can give), each hop a partition led by one broker and hosted by the next. Intermediate
//! counts do not change, so every path lowers the total violation by one; when no path exists
//! from a broker, no assignment of leaders among the current replica sets fixes it (max-flow
//! min-cut), and the proven bound says so.

use std::collections::VecDeque;

use super::{change_penalty, count, count_band, transfer_gain, unplannable, Led};
use crate::plan::placement::Placement;
use crate::plan::problem::Bx;

/// Moves leader counts into their band; returns the transfers made.
pub(super) fn into_band(st: &mut Placement, led: &mut Led) -> usize {
    let Some((lo, hi)) = count_band(st) else {
        return 0;
    };
    let eligible: Vec<Bx> = st.pb.eligible_brokers().collect();
    let mut made = direct(st, led, &eligible, lo, hi);
    // Work bound: every path lowers the total violation by one, and a broker with no path is
    // not tried again.
    let mut stuck = vec![false; st.pb.broker_count()];
    loop {
        let next = eligible
            .iter()
            .copied()
            .filter(|&b| !stuck[b] && (count(st, b) > hi || count(st, b) < lo))
            .max_by(|&a, &b| {
                violation(st, a, lo, hi)
                    .total_cmp(&violation(st, b, lo, hi))
                    .then(b.cmp(&a))
            });
        let Some(b) = next else {
            break;
        };
        let path = if count(st, b) > hi {
            path_from(st, led, b, |c| count(st, c) + 1.0 <= hi)
        } else {
            path_to(st, b, |c| count(st, c) - 1.0 >= lo)
        };
        match path {
            Some(hops) => {
                for (p, to) in hops {
                    led.transfer(st, p, to);
                    made += 1;
                }
            }
            None => stuck[b] = true,
        }
    }
    made
}

fn violation(st: &Placement, b: Bx, lo: f64, hi: f64) -> f64 {
    (count(st, b) - hi).max(lo - count(st, b)).max(0.0)
}

/// Transfers scored once and taken in this many at a time before rescoring: loads move little
/// between rescorings, and a broker far outside the band needs hundreds of transfers.
const BATCH: usize = 32;

/// Single transfers out of brokers above `hi` and into brokers below `lo`, best first.
fn direct(st: &mut Placement, led: &mut Led, eligible: &[Bx], lo: f64, hi: f64) -> usize {
    let mut made = 0;
    for &b in eligible {
        while count(st, b) > hi {
            let mut options: Vec<(f64, usize, Bx)> = led
                .of(b)
                .iter()
                .flat_map(|&p| {
                    let p = p as usize;
                    st.replicas[p][1..].iter().map(move |&c| (p, c))
                })
                .filter(|&(p, c)| st.pb.eligible[c] && !unplannable(st, p, c))
                .map(|(p, c)| (score(st, p, b, c), p, c))
                .collect();
            let taken = take_best(
                &mut options,
                |st, p, c| count(st, b) > hi && count(st, c) + 1.0 <= hi && st.leader(p) == b,
                st,
                led,
            );
            if taken == 0 {
                break;
            }
            made += taken;
        }
    }
    for &b in eligible {
        while count(st, b) < lo {
            let mut options: Vec<(f64, usize, Bx)> = st.hosted[b]
                .iter()
                .map(|h| h.part())
                .filter(|&p| st.leader(p) != b && !unplannable(st, p, b))
                .map(|p| (score(st, p, st.leader(p), b), p, b))
                .collect();
            let taken = take_best(
                &mut options,
                |st, p, _| {
                    let from = st.leader(p);
                    count(st, b) < lo && from != b && count(st, from) - 1.0 >= lo
                },
                st,
                led,
            );
            if taken == 0 {
                break;
            }
            made += taken;
        }
    }
    made
}

/// Applies up to `BATCH` of `options` (score, partition, new leader), best first, each only if
/// `still` holds for it when its turn comes; returns how many were applied.
fn take_best(
    options: &mut [(f64, usize, Bx)],
    still: impl Fn(&Placement, usize, Bx) -> bool,
    st: &mut Placement,
    led: &mut Led,
) -> usize {
    options.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut taken = 0;
    for &(_, p, c) in options.iter() {
        if taken == BATCH {
            break;
        }
        if still(st, p, c) {
            led.transfer(st, p, c);
            taken += 1;
        }
    }
    taken
}

fn score(st: &Placement, p: usize, from: Bx, to: Bx) -> f64 {
    transfer_gain(st, p, from, to) - change_penalty(st, p, from, to)
}

/// Shortest chain of transfers from `source` to a broker accepting one more leadership.
fn path_from(
    st: &Placement,
    led: &Led,
    source: Bx,
    accepts: impl Fn(Bx) -> bool,
) -> Option<Vec<(usize, Bx)>> {
    let n = st.pb.broker_count();
    let mut parent: Vec<Option<(usize, Bx)>> = vec![None; n];
    let mut seen = vec![false; n];
    seen[source] = true;
    let mut queue = VecDeque::from([source]);
    while let Some(b) = queue.pop_front() {
        for &p in led.of(b) {
            let p = p as usize;
            for &c in &st.replicas[p][1..] {
                if seen[c] || !st.pb.eligible[c] || unplannable(st, p, c) {
                    continue;
                }
                seen[c] = true;
                parent[c] = Some((p, b));
                if accepts(c) {
                    let mut hops = Vec::new();
                    let mut at = c;
                    while let Some((p, from)) = parent[at] {
                        hops.push((p, at));
                        at = from;
                    }
                    return Some(hops);
                }
                queue.push_back(c);
            }
        }
    }
    None
}

/// Shortest chain of transfers into `target` from a broker that can give one leadership.
fn path_to(st: &Placement, target: Bx, gives: impl Fn(Bx) -> bool) -> Option<Vec<(usize, Bx)>> {
    let n = st.pb.broker_count();
    // parent[b] = (p, c): b hands p to c, one step closer to the target.
    let mut parent: Vec<Option<(usize, Bx)>> = vec![None; n];
    let mut seen = vec![false; n];
    seen[target] = true;
    let mut queue = VecDeque::from([target]);
    while let Some(c) = queue.pop_front() {
        for h in &st.hosted[c] {
            let p = h.part();
            let b = st.leader(p);
            if seen[b] || b == c || unplannable(st, p, c) {
                continue;
            }
            seen[b] = true;
            parent[b] = Some((p, c));
            if gives(b) {
                let mut hops = Vec::new();
                let mut at = b;
                while let Some((p, to)) = parent[at] {
                    hops.push((p, to));
                    if to == target {
                        break;
                    }
                    at = to;
                }
                return Some(hops);
            }
            queue.push_back(b);
        }
    }
    None
}
