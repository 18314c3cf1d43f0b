//! Stage 3: move replicas until every eligible broker is inside its bands.
//!
//! Steepest descent on the shared cost (see `placement`), organised around the worst broker: an
//! overloaded broker sends one replica to one of the least loaded brokers, an underloaded one pulls
//! a replica from one of the most loaded; a broker that finds nothing is skipped until the loads
//! around it change (see `worst_first`). Only moves that lower the cost are made, so the stage
//! stops as soon as every broker is in band — it never moves data to polish a broker that is
//! already acceptable. Among improving moves the tie-breaks prefer fewer bytes and centred loads.
//! When no single move helps, pairwise swaps between an over- and an underloaded broker are tried
//! (two moves that keep both counts, for disk and traffic that single moves cannot fix).
//!
//! Topic spread is part of every move's gain, so among the moves the bands need the ones that
//! spread topics win; but no replica is copied for spread alone. On a cluster grown by topic
//! creation most topics already exceed their even share somewhere, and evening them out would
//! copy a partition per excess replica — several times the data the bands require.

use super::best_first::BestFirst;
use super::budget::Budget;
use super::hosted_replica::HostedReplica;
use super::placement::Placement;
use super::problem::{Bx, Problem};
use super::safety_net::SafetyNet;
use super::worst_first::Stuck;
use crate::model::Resource;

/// How many partner brokers each worst broker considers.
const PARTNERS: usize = 8;
/// How many replicas per side a swap search considers.
const SWAP_CANDIDATES: usize = 48;
const EPS: f64 = 1e-9;
/// Tie-break weights: bytes moved (per average partition) and distance from the mean.
const BYTES_WEIGHT: f64 = 1e-4;
const CENTRE_WEIGHT: f64 = 1e-5;

/// A priced candidate move of one replica.
#[derive(Clone, Copy, Debug)]
struct Move {
    p: usize,
    src: Bx,
    dst: Bx,
    score: f64,
}

/// Balances `resources` by moving replicas. Returns the number of moves made.
///
/// Work bound: every move lowers the cost, and the stage makes at most two moves per movable
/// replica (a swap counts as two), which no descent on realistic clusters comes near.
pub fn balance_replicas(
    st: &mut Placement,
    resources: &[Resource],
    budget: &mut Budget,
    net: &SafetyNet,
) -> usize {
    let pb = st.pb;
    let eligible: Vec<Bx> = pb.eligible_brokers().collect();
    let sizes = partition_sizes(pb);
    let limit = 2 * pb
        .parts
        .iter()
        .filter(|p| p.movable)
        .map(|p| p.target_rf)
        .sum::<usize>()
        + 16;
    let mut made = 0;
    let zero = [0.0; 5];
    let mut stuck = Stuck::new(pb.broker_count(), eligible.len());
    while made < limit && !net.expired() {
        // The worst broker that has not found nothing since the last changes around it.
        let worst = eligible
            .iter()
            .map(|&b| (st.band_cost_with(b, resources, &zero), b))
            .filter(|&(c, b)| c > EPS && !stuck.is(b))
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
        let Some((_, b)) = worst else {
            if stuck.settled() {
                break;
            }
            continue;
        };
        let moves: Vec<Move> = match best_move_around(st, b, resources, budget, &eligible, sizes) {
            Some(m) => vec![m],
            None => best_swap_around(st, b, resources, budget, &eligible)
                .map_or_else(Vec::new, |(m1, m2)| vec![m1, m2]),
        };
        if moves.is_empty() {
            stuck.mark(b);
            continue;
        }
        for m in &moves {
            budget.charge(Budget::delta(pb, m.p, Some(m.src), Some(m.dst)));
            st.move_replica(m.p, m.src, m.dst);
            stuck.changed(&[m.src, m.dst]);
        }
        made += moves.len();
    }
    made
}

/// The average and the largest partition size: the average prices the bytes tie-break, the
/// largest caps it.
fn partition_sizes(pb: &Problem) -> (f64, f64) {
    (
        pb.avg_partition_size(),
        pb.parts.iter().map(|p| p.size).fold(0.0, f64::max),
    )
}

/// Over-band and under-band cost of broker `b`.
fn over_under(st: &Placement, b: Bx, resources: &[Resource]) -> (f64, f64) {
    let (mut over, mut under) = (0.0, 0.0);
    for &r in resources {
        let band = st.pb.band(r);
        let load = st.load[b][r.index()];
        if load > band.hi {
            over += st.unit(r) * (load - band.hi);
        } else if load < band.lo {
            under += st.unit(r) * (band.lo - load);
        }
    }
    (over, under)
}

/// Eligible brokers other than `b` that it should trade with: first those on the other side of
/// the mean in a resource where `b` is out of band (below it when `lightest`, above otherwise) —
/// a broker with one replica too many but a light disk needs a partner with room for a replica,
/// whatever its overall pressure — then by pressure, ascending (`lightest`) or descending.
fn partners(
    st: &Placement,
    b: Bx,
    resources: &[Resource],
    eligible: &[Bx],
    lightest: bool,
) -> Vec<Bx> {
    let pb = st.pb;
    let needs: Vec<Resource> = resources
        .iter()
        .copied()
        .filter(|&r| {
            let load = st.load[b][r.index()];
            if lightest {
                load > pb.band(r).hi
            } else {
                load < pb.band(r).lo
            }
        })
        .collect();
    let opposite = |x: Bx| {
        needs.iter().any(|&r| {
            let load = st.load[x][r.index()];
            if lightest {
                load < pb.band(r).mean
            } else {
                load > pb.band(r).mean
            }
        })
    };
    let mut v: Vec<(bool, f64, Bx)> = eligible
        .iter()
        .filter(|&&x| x != b)
        .map(|&x| (!opposite(x), st.pressure(x, resources), x))
        .collect();
    v.sort_by(|a, c| {
        let o = a.1.total_cmp(&c.1);
        a.0.cmp(&c.0)
            .then(if lightest { o } else { o.reverse() })
            .then(a.2.cmp(&c.2))
    });
    v.into_iter().take(PARTNERS).map(|(_, _, x)| x).collect()
}

fn replica_delta(st: &Placement, p: usize, sign: f64, resources: &[Resource]) -> [f64; 5] {
    HostedReplica::new(p, &st.pb.parts[p]).delta(sign, resources)
}

/// Prices moving replica `h` from `src` to `dst`; `base` holds the current band cost of both
/// brokers. `None` when the move does not gain or cannot beat `best`: the bytes it copies are
/// worked out last, once its score with the largest bytes credit (a replica moving home) could
/// win, since they read the partition's current replicas. With the move, what it costs the
/// budget (in moves and bytes).
#[allow(clippy::too_many_arguments)]
fn price(
    st: &Placement,
    h: &HostedReplica,
    src: Bx,
    dst: Bx,
    resources: &[Resource],
    base: (f64, f64),
    avg_size: f64,
    best: &Option<Move>,
) -> Option<(Move, (i64, f64))> {
    let minus = h.delta(-1.0, resources);
    let plus = h.delta(1.0, resources);
    let (p, t) = (h.part(), h.topic as usize);
    let gain = base.0 + base.1
        - st.band_cost_with(src, resources, &minus)
        - st.band_cost_with(dst, resources, &plus)
        - st.spread_delta(t, src, -1, false)
        - st.spread_delta(t, dst, 1, false);
    if gain <= EPS {
        return None;
    }
    let zero = [0.0; 5];
    let centre = st.centring_with(src, resources, &minus) + st.centring_with(dst, resources, &plus)
        - st.centring_with(src, resources, &zero)
        - st.centring_with(dst, resources, &zero);
    // The same expression as the score below with the bytes at their least, −size, so it is
    // never below the score, rounding included.
    let size = h.size;
    let optimistic = Move {
        p,
        src,
        dst,
        score: gain - BYTES_WEIGHT * -size / avg_size - CENTRE_WEIGHT * centre,
    };
    if !better(best, &optimistic) {
        return None;
    }
    let cost = Budget::delta(st.pb, p, Some(src), Some(dst));
    let m = Move {
        score: gain - BYTES_WEIGHT * cost.1 / avg_size - CENTRE_WEIGHT * centre,
        ..optimistic
    };
    better(best, &m).then_some((m, cost))
}

fn better(a: &Option<Move>, m: &Move) -> bool {
    match a {
        None => true,
        Some(b) => {
            m.score > b.score + EPS
                || ((m.score - b.score).abs() <= EPS && (m.p, m.src, m.dst) < (b.p, b.src, b.dst))
        }
    }
}

/// The best improving single move that relieves broker `b`: the same move an exhaustive scan of
/// every replica and partner finds, found by pricing few of them.
///
/// A move's score splits into `b`'s side and the partner's. `b`'s side is computed once per
/// replica and the replicas are scanned in descending order of a key that bounds the whole
/// move's score: `b`'s side, plus — when `b` receives, where the order is the partner's own — the
/// most the partner's band cost can fall by sending that replica (violation is linear outside
/// the band, so per resource at most the lesser of how far the partner is above its band and
/// the replica's load). What the key leaves out — the partner's spread gain (nil for a partner
/// receiving the replica, unless topics are spread), its whole centring term and, on an order
/// shared by every partner, the partner's whole band cost below its band — is a cap: once the
/// key plus that cap falls below the best score found, no later replica can win and the scan of
/// that partner stops. On a broker hosting thousands of replicas this prices a few dozen per
/// partner instead of all of them. (With the partner's whole band cost as the cap instead of
/// its room for each replica, a partner far above its bands had every replica priced: on a
/// 100,000-partition cluster with hot keyed partitions, 6,800 prices per move and twice the
/// stage's time.)
///
/// The gain splits the same way, and a move must gain, so a replica whose own side of the gain
/// plus the partner's room for it falls short is skipped unpriced. The hard constraints are
/// checked last, only for a move that would become the best: they read the partition's replica
/// list and racks, the costliest look of all, and most priced moves lose to the best so far
/// anyway (on a 100,000-partition cluster with hot keyed partitions this halved the stage).
fn best_move_around(
    st: &Placement,
    b: Bx,
    resources: &[Resource],
    budget: &Budget,
    eligible: &[Bx],
    (avg_size, max_size): (f64, f64),
) -> Option<Move> {
    let zero = [0.0; 5];
    let (over, under) = over_under(st, b, resources);
    let sending = over >= under;
    let others = partners(st, b, resources, eligible, sending);
    let mut best: Option<Move> = None;
    let cost_b = st.band_cost_with(b, resources, &zero);
    let centre_b = st.centring_with(b, resources, &zero);
    // Each reads every topic: once per call, not once per partner.
    let (arrival_gain, spread_gain) = (st.max_arrival_spread_gain(), st.max_spread_gain());
    // When sending, b's side depends on the replica only: one ordering serves every partner.
    let mut mine =
        sending.then(|| own_side_order(st, b, &st.hosted[b], -1.0, resources, avg_size, None));
    for &o in &others {
        let cost_o = st.band_cost_with(o, resources, &zero);
        // What the partner's side can add: per resource, the band cost a replica arriving on
        // it (leaving it) can take away; the best spread gain, which for a partner receiving
        // the replica is nil unless topics are spread; and its whole centring term.
        let room = st.band_room(o, resources, sending);
        let whole_room: f64 = room.iter().sum();
        let spread_cap = if sending { arrival_gain } else { spread_gain };
        let centre_cap = CENTRE_WEIGHT * st.centring_with(o, resources, &zero);
        // Receiving, b's side of any move from o is at most its band cost below the band, an
        // arrival's spread gain, its whole centring term and the largest bytes credit: a
        // partner whose cap cannot lift that past the best so far (or to a gain) is skipped
        // before b's side of its thousands of replicas is worked out.
        if !sending {
            let own_gain_cap = st.band_room(b, resources, true).iter().sum::<f64>() + arrival_gain;
            let own_cap =
                own_gain_cap + CENTRE_WEIGHT * centre_b + BYTES_WEIGHT * max_size / avg_size;
            let gain_cap = whole_room + spread_gain;
            if own_gain_cap + gain_cap < EPS - PRUNE_MARGIN
                || best
                    .as_ref()
                    .is_some_and(|m| own_cap + gain_cap + centre_cap < m.score - PRUNE_MARGIN)
            {
                continue;
            }
        }
        let mut theirs;
        let order: &mut Sides = match &mut mine {
            Some(m) => m,
            None => {
                theirs =
                    own_side_order(st, b, &st.hosted[o], 1.0, resources, avg_size, Some(&room));
                &mut theirs
            }
        };
        // What the partner's band cost may add beyond the key: on the shared order, all it has.
        let beyond_key = if sending { whole_room } else { 0.0 };
        let (src, dst, base) = if sending {
            (b, o, (cost_b, cost_o))
        } else {
            (o, b, (cost_o, cost_b))
        };
        let mut next = 0;
        while let Some((side, h)) = order.get(next) {
            next += 1;
            if best.as_ref().is_some_and(|m| {
                side.key + beyond_key + spread_cap + centre_cap < m.score - PRUNE_MARGIN
            }) {
                break;
            }
            // Every later replica's gain is at most its key plus the slack: none can gain.
            if side.key + order.slack + beyond_key + spread_cap < EPS - PRUNE_MARGIN {
                break;
            }
            let partner = room_for(st, &room, h, resources);
            if side.gain + partner + spread_cap < EPS - PRUNE_MARGIN
                || best.as_ref().is_some_and(|m| {
                    side.score + partner + spread_cap + centre_cap < m.score - PRUNE_MARGIN
                })
            {
                continue;
            }
            // The hard constraints last: only a move that would become the best is checked.
            let Some((m, cost)) = price(st, h, src, dst, resources, base, avg_size, &best) else {
                continue;
            };
            if budget.allows(cost) && st.can_move(m.p, src, dst) {
                best = Some(m);
            }
        }
    }
    best
}

/// The most a partner's band cost can fall when replica `h` arrives on it or leaves it, given
/// its `room` (see [`Placement::band_room`]).
fn room_for(st: &Placement, room: &[f64; 5], h: &HostedReplica, resources: &[Resource]) -> f64 {
    resources
        .iter()
        .map(|&r| room[r.index()].min(st.unit(r) * h.load(r)))
        .sum()
}

/// Slack for rounding when pruning: a pruned move scores below the best (or gains less than
/// [`EPS`]) by more than this.
const PRUNE_MARGIN: f64 = 1e-6;

/// `b`'s side of one move: of its score, bounded above where it depends on the other end (the
/// bytes term, which is at most one partition's worth of credit for a replica moving home), and
/// of its gain (band cost and topic spread).
#[derive(Clone, Copy)]
struct Side {
    /// What the scan is ordered by: the score, plus the partner's room for the replica when
    /// the order is that partner's own (see [`best_move_around`]).
    key: f64,
    score: f64,
    gain: f64,
    /// The partition, for the tie-break.
    p: u32,
    /// Where the replica is in the list the entries were worked out from.
    at: u32,
}

/// `b`'s side of each move, best key first (ties by partition, so the scan is deterministic),
/// sorted only as far as a scan reads (see [`BestFirst`]).
struct Sides<'a> {
    /// The replicas priced, as the broker's list holds them.
    replicas: &'a [HostedReplica],
    order: BestFirst<Side>,
    /// The most any entry's gain exceeds its score (the centring and bytes terms): once a
    /// score plus this cannot make a move gain, no later entry can either.
    slack: f64,
}

impl<'a> Sides<'a> {
    /// The `i`-th best entry and its replica.
    fn get(&mut self, i: usize) -> Option<(Side, &'a HostedReplica)> {
        let side = self.order.get(i)?;
        Some((side, &self.replicas[side.at as usize]))
    }
}

fn best_first(x: &Side, y: &Side) -> std::cmp::Ordering {
    y.key.total_cmp(&x.key).then(x.p.cmp(&y.p))
}

/// `b`'s side of each move of the replicas in `ps`; `sign` is −1 when `b` sends them, +1 when
/// it receives them from the partner whose `room` to send is given, which then adds to the
/// key. Everything read per replica is on the list itself (see [`HostedReplica`]).
fn own_side_order<'a>(
    st: &Placement,
    b: Bx,
    ps: &'a [HostedReplica],
    sign: f64,
    resources: &[Resource],
    avg_size: f64,
    room: Option<&[f64; 5]>,
) -> Sides<'a> {
    let zero = [0.0; 5];
    let cost_b = st.band_cost_with(b, resources, &zero);
    let centre_b = st.centring_with(b, resources, &zero);
    let change = if sign < 0.0 { -1 } else { 1 };
    let v: Vec<Side> = ps
        .iter()
        .enumerate()
        .map(|(at, h)| {
            let d = h.delta(sign, resources);
            let gain = cost_b
                - st.band_cost_with(b, resources, &d)
                - st.spread_delta(h.topic as usize, b, change, false);
            let score = gain - CENTRE_WEIGHT * (st.centring_with(b, resources, &d) - centre_b)
                + BYTES_WEIGHT * h.size / avg_size;
            Side {
                key: score + room.map_or(0.0, |room| room_for(st, room, h, resources)),
                score,
                gain,
                p: h.p,
                at: at as u32,
            }
        })
        .collect();
    let slack = v.iter().map(|x| x.gain - x.score).fold(0.0, f64::max);
    Sides {
        replicas: ps,
        order: BestFirst::new(v, best_first),
        slack,
    }
}

/// The largest replicas (by the resource `b` is most out of band in) hosted on `b`.
fn by_resource(st: &Placement, b: Bx, r: Resource, largest: bool) -> Vec<usize> {
    let mut v: Vec<(f64, usize)> = st.hosted[b].iter().map(|h| (h.load(r), h.part())).collect();
    let order = |a: &(f64, usize), c: &(f64, usize)| {
        let o = a.0.total_cmp(&c.0);
        (if largest { o.reverse() } else { o }).then(a.1.cmp(&c.1))
    };
    if v.len() > SWAP_CANDIDATES {
        v.select_nth_unstable_by(SWAP_CANDIDATES - 1, order);
        v.truncate(SWAP_CANDIDATES);
    }
    v.sort_unstable_by(order);
    v.into_iter().map(|(_, p)| p).collect()
}

/// The best improving swap between `b` and a partner: `p` goes one way, `q` the other.
fn best_swap_around(
    st: &Placement,
    b: Bx,
    resources: &[Resource],
    budget: &Budget,
    eligible: &[Bx],
) -> Option<(Move, Move)> {
    let zero = [0.0; 5];
    // The resource b is furthest out of band in decides what to swap big for small.
    let (r, over) = resources
        .iter()
        .map(|&r| {
            let band = st.pb.band(r);
            let l = st.load[b][r.index()];
            (
                r,
                st.unit(r) * (l - band.hi).max(0.0),
                st.unit(r) * (band.lo - l).max(0.0),
            )
        })
        .max_by(|a, c| (a.1 + a.2).total_cmp(&(c.1 + c.2)))
        .map(|(r, o, _)| (r, o > 0.0))?;
    let mine = by_resource(st, b, r, over);
    let mut best: Option<(f64, Move, Move)> = None;
    for o in partners(st, b, resources, eligible, over) {
        // What may come back from o, checked once rather than once per replica of b.
        let theirs: Vec<usize> = by_resource(st, o, r, !over)
            .into_iter()
            .filter(|&q| st.can_move(q, o, b))
            .collect();
        let base = st.band_cost_with(b, resources, &zero) + st.band_cost_with(o, resources, &zero);
        for &p in &mine {
            if !st.can_move(p, b, o) {
                continue;
            }
            for &q in &theirs {
                if p == q {
                    continue;
                }
                let gain = base - swap_cost(st, (b, p), (o, q), resources);
                if gain <= EPS || best.as_ref().is_some_and(|(g, _, _)| *g >= gain) {
                    continue;
                }
                let d1 = Budget::delta(st.pb, p, Some(b), Some(o));
                let d2 = Budget::delta(st.pb, q, Some(o), Some(b));
                if !budget.allows((d1.0 + d2.0, d1.1 + d2.1)) {
                    continue;
                }
                let m = |p, src, dst| Move {
                    p,
                    src,
                    dst,
                    score: gain,
                };
                best = Some((gain, m(p, b, o), m(q, o, b)));
            }
        }
    }
    best.map(|(_, a, c)| (a, c))
}

/// Band cost of `b` and `o` (and the topic-spread change) after `p` moves from `b` to `o` and
/// `q` from `o` to `b`.
fn swap_cost(
    st: &Placement,
    (b, p): (Bx, usize),
    (o, q): (Bx, usize),
    resources: &[Resource],
) -> f64 {
    let mut db = replica_delta(st, p, -1.0, resources);
    let mut dob = replica_delta(st, p, 1.0, resources);
    let dq = replica_delta(st, q, 1.0, resources);
    for i in 0..5 {
        db[i] += dq[i];
        dob[i] -= dq[i];
    }
    let (tp, tq) = (st.pb.parts[p].topic, st.pb.parts[q].topic);
    let spread = if tp == tq {
        0.0
    } else {
        st.spread_delta(tp, b, -1, false)
            + st.spread_delta(tp, o, 1, false)
            + st.spread_delta(tq, o, -1, false)
            + st.spread_delta(tq, b, 1, false)
    };
    st.band_cost_with(b, resources, &db) + st.band_cost_with(o, resources, &dob) + spread
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::placement::REPLICA_RESOURCES;
    use crate::plan::test_cluster::{hot_problem, hot_scenario};
    use crate::plan::GoalWeights;
    use crate::scenario::{LoadFamily, ScenarioSpec};

    /// Every move `best_move_around` could pick, priced one by one: the same partners, every
    /// replica, no pruning.
    fn exhaustive(
        st: &Placement,
        b: Bx,
        budget: &Budget,
        eligible: &[Bx],
        (avg_size, _): (f64, f64),
    ) -> Option<Move> {
        let res = &REPLICA_RESOURCES;
        let zero = [0.0; 5];
        let (over, under) = over_under(st, b, res);
        let sending = over >= under;
        let mut best = None;
        for o in partners(st, b, res, eligible, sending) {
            let (src, dst) = if sending { (b, o) } else { (o, b) };
            let base = (
                st.band_cost_with(src, res, &zero),
                st.band_cost_with(dst, res, &zero),
            );
            for h in &st.hosted[src] {
                if let Some((m, cost)) = price(st, h, src, dst, res, base, avg_size, &best) {
                    if budget.allows(cost) && st.can_move(m.p, src, dst) {
                        best = Some(m);
                    }
                }
            }
        }
        best
    }

    /// The pruned search finds the move an exhaustive scan finds, around every broker out of
    /// band, along a descent on skewed clusters with hot partitions, new brokers and racks.
    #[test]
    fn the_pruned_search_finds_the_move_an_exhaustive_scan_finds() {
        for (family, seed) in [
            (LoadFamily::Exponential, 1),
            (LoadFamily::Linear, 2),
            (LoadFamily::Uniform, 3),
        ] {
            let pb = hot_problem(ScenarioSpec {
                brokers: 10,
                uneven_racks: true,
                topics: 12,
                partitions: 400,
                new_brokers: 2,
                ..hot_scenario(family, seed)
            });
            let mut st = Placement::current(&pb, &GoalWeights::default());
            let budget = Budget::new(None, None);
            let eligible: Vec<Bx> = pb.eligible_brokers().collect();
            let sizes = partition_sizes(&pb);
            let mut checked = 0;
            for _ in 0..60 {
                let mut step = None;
                for &b in &eligible {
                    if st.band_cost_with(b, &REPLICA_RESOURCES, &[0.0; 5]) <= EPS {
                        continue;
                    }
                    let fast =
                        best_move_around(&st, b, &REPLICA_RESOURCES, &budget, &eligible, sizes);
                    let slow = exhaustive(&st, b, &budget, &eligible, sizes);
                    let key = |m: &Option<Move>| m.map(|m| (m.p, m.src, m.dst));
                    assert_eq!(key(&fast), key(&slow), "{family:?} seed {seed} broker {b}");
                    checked += 1;
                    step = step.or(fast);
                }
                let Some(m) = step else { break };
                st.move_replica(m.p, m.src, m.dst);
            }
            assert!(checked > 100, "{family:?} seed {seed}: {checked} searches");
        }
    }
}
