//! Step 2: bytes out into its band, leader counts held in theirs.
//!
//! Worst broker first (by band cost over the leader resources), the change that lowers the cost
//! most: a single transfer between brokers with room in the count band, or — when the count band
//! is exact and every transfer would break it — a swap, where a broker hands one leadership to a
//! partner and takes a smaller or larger one back. Both directions matter: a broker can be above
//! the band in bytes out and at the bottom of the count band, and then what helps is giving large
//! leaderships and taking small ones.
//!
//! The cost a change is judged by includes topic leader spread. When no swap lowers that whole
//! cost but one would put both brokers in the bytes-out band, the search takes the one that
//! costs spread least: bands are what the plan is judged on, spread is a preference.
//!
//! Every change must lower the band cost itself; spread only chooses between those that do, and
//! step 3 takes the changes that help spread alone. Around a broker that cannot reach its band
//! (one far below it, next to hot partitions) spread-only transfers back and forth were found at
//! every look: on a 100,000-partition cluster the search made 19,600 changes, each after a full
//! scan, before this rule and 7,600 with it. The band cost now falls at every change, so the
//! search cannot cycle between a swap that helps spread and a transfer that helps the band.
//!
//! A transfer scan walks the broker's [`Leadable`] list, largest bytes out first, and stops where
//! a bound on what the rest could lower the band cost by ([`TransferBound`]) says none of them can
//! be the best: on that cluster the walks read 8% of the lists.

use super::leadable::Leadable;
use super::{
    change_penalty, count, count_band, transfer_gains, unplannable, Led, LedElsewhere, EPS,
    LEADER_CHANGE,
};
use crate::model::Resource;
use crate::plan::band::Band;
use crate::plan::placement::{Placement, LEADER_RESOURCES};
use crate::plan::problem::Bx;
use crate::plan::worst_first::Stuck;

#[derive(Clone, Copy)]
struct Transfer {
    p: usize,
    to: Bx,
    score: f64,
}

/// Improves bytes out (and topic leader spread) without leaving the count band; returns the
/// leadership changes made. Worst broker first, skipping brokers that found nothing (see
/// `worst_first`).
pub(super) fn bytes_out(st: &mut Placement, led: &mut Led) -> usize {
    let pb = st.pb;
    let eligible: Vec<Bx> = pb.eligible_brokers().collect();
    let zero = [0.0; 5];
    let mut stuck = Stuck::new(pb.broker_count(), eligible.len());
    let mut made = 0;
    let leadable = Leadable::new(st);
    // Work bound: every change lowers the cost; at most a few changes per leadership.
    let limit = 4 * pb.parts.len() + 1_000;
    while made < limit {
        let worst = eligible
            .iter()
            .map(|&b| (st.band_cost_with(b, &LEADER_RESOURCES, &zero), b))
            .filter(|&(c, b)| c > EPS && !stuck.is(b))
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
        let Some((_, b)) = worst else {
            if stuck.settled() {
                break;
            }
            continue;
        };
        if let Some(t) = best_transfer_around(st, &leadable, b) {
            let from = st.leader(t.p);
            led.transfer(st, t.p, t.to);
            stuck.changed(&[from, t.to]);
            made += 1;
        } else if let Some((p, c, q)) = best_swap_around(st, led, b) {
            led.transfer(st, p, c);
            led.transfer(st, q, b);
            stuck.changed(&[b, c]);
            made += 2;
        } else {
            stuck.mark(b);
        }
    }
    made
}

/// True when moving one leadership from `from` to `to` keeps both counts in their band (or at
/// least does not take either further out).
fn counts_allow(st: &Placement, from: Bx, to: Bx) -> bool {
    may_give(st, from) && may_take(st, to)
}

/// True when `b` may lose a leadership: its count stays in the band, or it is above it.
pub(super) fn may_give(st: &Placement, b: Bx) -> bool {
    count_band(st).is_none_or(|(lo, hi)| count(st, b) - 1.0 >= lo || count(st, b) > hi)
}

/// True when `b` may gain a leadership: its count stays in the band, or it is below it.
pub(super) fn may_take(st: &Placement, b: Bx) -> bool {
    count_band(st).is_none_or(|(lo, hi)| count(st, b) + 1.0 <= hi || count(st, b) < lo)
}

fn best_transfer_around(st: &Placement, leadable: &Leadable, b: Bx) -> Option<Transfer> {
    // With the count band exact, a broker at its floor cannot give and one at its ceiling
    // cannot take: whole halves of the scan fall away.
    let (give, take) = (may_give(st, b), may_take(st, b));
    if !give && !take {
        return None;
    }
    let bound = TransferBound::new(st, b, give, take);
    let mut best = BestTransfer(None);
    for &(out, p) in leadable.of(b) {
        if bound.rules_out(out, &best) {
            break;
        }
        let p = p as usize;
        let leader = st.leader(p);
        if leader != b {
            if take {
                best.offer(st, p, leader, b);
            }
        } else if give {
            for &c in &st.replicas[p][1..] {
                best.offer(st, p, b, c);
            }
        }
    }
    best.0
}

/// The best transfer offered so far.
struct BestTransfer(Option<Transfer>);

impl BestTransfer {
    fn offer(&mut self, st: &Placement, p: usize, from: Bx, to: Bx) {
        // The count checks first: they read two loads, where `unplannable` reads the partition.
        if !st.pb.eligible[to] || !counts_allow(st, from, to) || unplannable(st, p, to) {
            return;
        }
        let (band, spread) = transfer_gains(st, p, from, to);
        let gain = band - spread;
        if gain <= EPS || band <= EPS {
            return;
        }
        let score = gain - change_penalty(st, p, from, to);
        let better = self.0.as_ref().is_none_or(|x| {
            score > x.score + EPS || ((score - x.score).abs() <= EPS && (p, to) < (x.p, x.to))
        });
        if better {
            self.0 = Some(Transfer { p, to, score });
        }
    }
}

/// The most a transfer around `b` of a leadership with at most a given bytes out can lower the
/// band cost, for the walk over `b`'s [`Leadable`] list to stop where nothing left can be the
/// best transfer.
///
/// A transfer of `p` (bytes out `x`) between `b` and another broker `c` lowers the band cost by
///
/// ```text
/// [cost_b(0) − cost_b(±x)] + [cost_c(0) − cost_c(∓x)]  ≤  u·(v(L_b) − v(L_b ± x)) + u·min(x, R) + K
/// ```
///
/// where `u` is the bytes-out cost unit, `v` the violation of the bytes-out target band, `L_b`
/// b's bytes out, and `R` the most any other broker is outside that band on the side `x` brings
/// it back from (above it when `c` gives, below when it takes): `c`'s bytes-out cost falls by at
/// most `u·min(x, R)`. `K` is `b`'s leader-count cost change (exact) plus the most any other
/// broker's count cost falls by one leadership. The bound is piecewise linear in `x`, so its
/// maximum over `[0, X]` is at `0`, `X` or a kink in between.
struct TransferBound {
    /// The bound on what `b` gives, and on what it takes: `None` for a half the counts forbid.
    give: Option<HalfBound>,
    take: Option<HalfBound>,
    /// b's bytes out, the band it is steered into, and the cost of a byte outside it.
    load: f64,
    band: Band,
    unit: f64,
    /// The most topic spread and the leader-change penalty can add to a score.
    extra: f64,
}

/// [`TransferBound`] for the leaderships `b` gives (`sign = −1`) or takes (`sign = +1`).
struct HalfBound {
    sign: f64,
    room: f64,
    constant: f64,
}

impl TransferBound {
    fn new(st: &Placement, b: Bx, give: bool, take: bool) -> Self {
        let out = Resource::BytesOut.index();
        let band = st.target(Resource::BytesOut);
        let others = st.pb.eligible_brokers().filter(|&c| c != b);
        let (mut above, mut below, mut count_give, mut count_take) = (0.0f64, 0.0f64, 0.0, 0.0);
        for c in others {
            let load = st.load[c][out];
            above = above.max(load - band.hi);
            below = below.max(band.lo - load);
            count_give = f64::max(count_give, count_gain(st, c, -1.0));
            count_take = f64::max(count_take, count_gain(st, c, 1.0));
        }
        let half = |sign: f64, room: f64, others: f64| HalfBound {
            sign,
            room,
            constant: count_gain(st, b, sign) + others,
        };
        TransferBound {
            give: give.then(|| half(-1.0, below, count_take)),
            take: take.then(|| half(1.0, above, count_give)),
            load: st.load[b][out],
            band: *band,
            unit: st.unit(Resource::BytesOut),
            extra: st.max_spread_gain() + st.max_arrival_spread_gain() + LEADER_CHANGE,
        }
    }

    /// True when no transfer of a leadership with bytes out at most `x` can replace `best`: none
    /// lowers the band cost (the search takes only changes that do), or none by enough to score
    /// within the tie margin of `best` even with all the spread and penalty a score can gain.
    /// One more margin covers rounding.
    fn rules_out(&self, x: f64, best: &BestTransfer) -> bool {
        let need = best
            .0
            .as_ref()
            .map_or(0.0, |t| t.score - self.extra - 2.0 * EPS)
            .max(0.0);
        [&self.give, &self.take]
            .into_iter()
            .flatten()
            .all(|h| self.most(h, x) <= need)
    }

    /// The bound of `h` over `[0, x]`.
    fn most(&self, h: &HalfBound, x: f64) -> f64 {
        let at = |y: f64| {
            let own = self.band.violation(self.load) - self.band.violation(self.load + h.sign * y);
            self.unit * (own + y.min(h.room)) + h.constant
        };
        let kinks = [
            h.sign * (self.band.lo - self.load),
            h.sign * (self.band.hi - self.load),
            h.room,
        ];
        kinks
            .into_iter()
            .filter(|&k| k > 0.0 && k < x)
            .map(at)
            .fold(at(0.0).max(at(x)), f64::max)
    }
}

/// How much broker `c`'s leader-count cost falls when its count changes by `change`.
fn count_gain(st: &Placement, c: Bx, change: f64) -> f64 {
    let mut d = [0.0; 5];
    d[Resource::Leaders.index()] = change;
    let res = [Resource::Leaders];
    st.band_cost_with(c, &res, &[0.0; 5]) - st.band_cost_with(c, &res, &d)
}
/// Leaderships of the broker being relieved that a swap search looks at: the largest when it is
/// above the bytes-out band (the smallest when below). Larger lists only find smaller gains.
const SWAP_CANDIDATES: usize = 64;

/// The best improving leadership swap between `b` and a partner `c`: `b` hands `p` to `c` and
/// takes `q` from it. Counts stay; bytes out and topic spread change on both. Only when `b` is
/// outside the bytes-out band, and only with partners that have room on the other side.
fn best_swap_around(st: &Placement, led: &Led, b: Bx) -> Option<(usize, Bx, usize)> {
    let pb = st.pb;
    let out = Resource::BytesOut.index();
    let band = pb.band(Resource::BytesOut);
    let over = st.load[b][out] > band.hi;
    if !over && st.load[b][out] >= band.lo {
        return None;
    }
    // Each leadership's bytes out read once, not once per comparison of the sort.
    let mut givable: Vec<(f64, usize)> = led
        .of(b)
        .iter()
        .map(|&p| (pb.parts[p as usize].leader_out, p as usize))
        .collect();
    let order = |x: &(f64, usize), y: &(f64, usize)| {
        (if over {
            y.0.total_cmp(&x.0)
        } else {
            x.0.total_cmp(&y.0)
        })
        .then(x.1.cmp(&y.1))
    };
    if givable.len() > SWAP_CANDIDATES {
        givable.select_nth_unstable_by(SWAP_CANDIDATES - 1, order);
        givable.truncate(SWAP_CANDIDATES);
    }
    givable.sort_unstable_by(order);
    // The partners a swap can reach: followers of those leaderships.
    let mut partner = vec![false; pb.broker_count()];
    for &(_, p) in &givable {
        for &c in &st.replicas[p][1..] {
            partner[c] = true;
        }
    }
    // What b could take, by its current leader, from those partners only.
    let takeable = LedElsewhere::new(st, b, |l| partner[l]);
    let mut best: Option<(f64, usize, Bx, usize)> = None;
    // The swap that puts both brokers in the bytes-out band at the least topic-spread cost, for
    // when no swap improves the whole cost: a band is a goal the plan is judged on, spread a
    // preference, so the spread cost of a few leaderships must not keep a broker out of band.
    let mut into_band: Option<(f64, usize, Bx, usize)> = None;
    let in_band = |load: f64| load >= band.lo - EPS && load <= band.hi + EPS;
    for (_, p) in givable {
        for &c in &st.replicas[p][1..] {
            let room = if over {
                st.load[c][out] < band.hi
            } else {
                st.load[c][out] > band.lo
            };
            if !room || !pb.eligible[c] || unplannable(st, p, c) {
                continue;
            }
            for q in takeable.led_by(c) {
                let g = swap_gains(st, b, c, p, q);
                let (balance, spread) = (g.band - g.penalty, g.spread);
                let gain = g.total();
                if gain > EPS && g.band > EPS && lower(&best, -gain, (p, c, q)) {
                    best = Some((-gain, p, c, q));
                }
                let shift = pb.parts[p].leader_out - pb.parts[q].leader_out;
                if balance > EPS
                    && in_band(st.load[b][out] - shift)
                    && in_band(st.load[c][out] + shift)
                    && lower(&into_band, spread, (p, c, q))
                {
                    into_band = Some((spread, p, c, q));
                }
            }
        }
    }
    best.or(into_band).map(|(_, p, c, q)| (p, c, q))
}

/// True when `key` (then the swap, for a deterministic tie-break) is below the best so far.
fn lower(best: &Option<(f64, usize, Bx, usize)>, key: f64, swap: (usize, Bx, usize)) -> bool {
    best.as_ref()
        .is_none_or(|x| key < x.0 - EPS || ((key - x.0).abs() <= EPS && swap < (x.1, x.2, x.3)))
}

/// Cost change (positive is better) of `b` handing `p` to `c` and taking `q` back.
pub(super) fn swap_gain(st: &Placement, b: Bx, c: Bx, p: usize, q: usize) -> f64 {
    swap_gains(st, b, c, p, q).total()
}

/// The parts of a change's gain.
pub(super) struct Gains {
    /// How much the band cost of both brokers falls (positive is better).
    pub band: f64,
    /// The topic-spread cost the change adds (positive is worse).
    pub spread: f64,
    /// The leader-change penalties it adds.
    pub penalty: f64,
}

impl Gains {
    pub fn total(&self) -> f64 {
        self.band - self.spread - self.penalty
    }
}

/// The parts of [`swap_gain`].
pub(super) fn swap_gains(st: &Placement, b: Bx, c: Bx, p: usize, q: usize) -> Gains {
    let pb = st.pb;
    let res = &LEADER_RESOURCES;
    let zero = [0.0; 5];
    let mut d = [0.0; 5];
    d[Resource::BytesOut.index()] = pb.parts[p].leader_out - pb.parts[q].leader_out;
    let neg = d.map(|x| -x);
    let (tp, tq) = (pb.parts[p].topic, pb.parts[q].topic);
    let spread = if tp == tq {
        0.0
    } else {
        st.spread_delta(tp, b, -1, true)
            + st.spread_delta(tp, c, 1, true)
            + st.spread_delta(tq, c, -1, true)
            + st.spread_delta(tq, b, 1, true)
    };
    Gains {
        band: st.band_cost_with(b, res, &zero) + st.band_cost_with(c, res, &zero)
            - st.band_cost_with(b, res, &neg)
            - st.band_cost_with(c, res, &d),
        spread,
        penalty: change_penalty(st, p, b, c) + change_penalty(st, q, c, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::test_cluster::{hot_problem, hot_scenario};
    use crate::plan::GoalWeights;
    use crate::scenario::{LoadFamily, ScenarioSpec};

    /// Every transfer around `b`, priced one by one: what the walk with its stopping bound must
    /// find.
    fn best_transfer_pricing_all(st: &Placement, b: Bx) -> Option<(usize, Bx)> {
        let (give, take) = (may_give(st, b), may_take(st, b));
        let mut best = BestTransfer(None);
        for h in &st.hosted[b] {
            let p = h.part();
            let leader = st.leader(p);
            if leader != b && take {
                best.offer(st, p, leader, b);
            }
            if leader == b && give {
                for &c in &st.replicas[p][1..] {
                    best.offer(st, p, b, c);
                }
            }
        }
        best.0.map(|t| (t.p, t.to))
    }

    /// The walk stops early only where nothing further down the list could be the best, and
    /// the bound it stops on holds for every transfer: checked around every broker, at every
    /// state of a search that makes transfers until none is left.
    #[test]
    fn the_walk_finds_the_transfer_that_pricing_every_candidate_finds() {
        let families = [
            LoadFamily::Exponential,
            LoadFamily::Linear,
            LoadFamily::Uniform,
        ];
        for (seed, family) in (7..).zip(families) {
            let pb = hot_problem(ScenarioSpec {
                brokers: 10,
                topics: 20,
                partitions: 600,
                new_brokers: 2,
                ..hot_scenario(family, seed)
            });
            let mut st = Placement::current(&pb, &GoalWeights::default());
            let mut led = Led::new(&st);
            let leadable = Leadable::new(&st);
            let mut transfers = 0;
            loop {
                let mut next = None;
                for b in pb.eligible_brokers() {
                    let found = best_transfer_around(&st, &leadable, b).map(|t| (t.p, t.to));
                    assert_eq!(found, best_transfer_pricing_all(&st, b), "broker {b}");
                    assert_bound_holds(&st, &leadable, b);
                    next = next.or(found);
                }
                let Some((p, to)) = next else { break };
                led.transfer(&mut st, p, to);
                transfers += 1;
            }
            assert!(transfers >= 5, "{family:?}: {transfers} transfers");
        }
    }

    fn assert_bound_holds(st: &Placement, leadable: &Leadable, b: Bx) {
        let bound = TransferBound::new(st, b, true, true);
        let give = bound.give.as_ref().expect("both halves asked for");
        let take = bound.take.as_ref().expect("both halves asked for");
        for &(out, p) in leadable.of(b) {
            let p = p as usize;
            let leader = st.leader(p);
            let changes: Vec<(Bx, Bx, &HalfBound)> = if leader == b {
                st.replicas[p][1..].iter().map(|&c| (b, c, give)).collect()
            } else {
                vec![(leader, b, take)]
            };
            for (from, to, half) in changes {
                let (band, _) = transfer_gains(st, p, from, to);
                assert!(band <= bound.most(half, out) + 1e-9, "p {p}: {from} → {to}");
            }
        }
    }

    /// The search ends at a local optimum: no broker outside its bands has an improving
    /// transfer or swap left, however long ago it was last examined.
    #[test]
    fn the_search_ends_where_no_broker_out_of_band_can_improve() {
        for (family, seed) in [(LoadFamily::Exponential, 4), (LoadFamily::Linear, 5)] {
            let pb = hot_problem(ScenarioSpec {
                brokers: 14,
                topics: 30,
                partitions: 1_200,
                new_brokers: 1,
                ..hot_scenario(family, seed)
            });
            let mut st = Placement::current(&pb, &GoalWeights::default());
            let mut led = Led::new(&st);
            assert!(bytes_out(&mut st, &mut led) > 0, "{family:?} seed {seed}");
            let leadable = Leadable::new(&st);
            for b in pb.eligible_brokers() {
                if st.band_cost_with(b, &LEADER_RESOURCES, &[0.0; 5]) > EPS {
                    assert!(
                        best_transfer_around(&st, &leadable, b).is_none(),
                        "broker {b}"
                    );
                    assert!(best_swap_around(&st, &led, b).is_none(), "broker {b}");
                }
            }
        }
    }
}
