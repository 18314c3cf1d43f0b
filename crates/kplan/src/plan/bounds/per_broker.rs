//! Moves forced broker by broker: what each eligible broker must receive and send, summed.
//!
//! The band bounds in `moves` count what the brokers short of a band must receive. A broker above
//! a band forces moves too, and not only its excess: a broker carrying a hot keyed partition must
//! send away many replicas to bring its bytes in down, and since its replica count may fall only
//! to the count band's floor, every departure beyond that slack must be matched by an arrival —
//! a replica with little traffic taking the place of one with much. Those arrivals land on the
//! hot broker, not on an underfull one, so they add to the arrivals the underfull brokers need.
//!
//! Per eligible broker `b`, with `n` its replica count, `[lo'_r, hi'_r]` the reachable band of
//! resource `r` (see `moves`; unbounded when the goal is off), `d_b` the replicas that leave `b`
//! and `a_b` those that arrive, `a_b − d_b = n'(b) − n(b)`, so
//!
//! ```text
//! a_b ≥ d_b − (n − lo'_n)        d_b ≥ a_b − (hi'_n − n)
//! ```
//!
//! For `r` ∈ {disk, bytes in} with `L_r(b) > hi'_r`, the departures must carry the excess plus
//! whatever the arrivals bring, each arrival at least `x_r`, the smallest movable replica load:
//! `d_b ≥` the fewest `d` with `top_d(b) − max(0, d − (n − lo'_n))·x_r ≥ L_r(b) − hi'_r`, `top_d(b)`
//! the `d` largest movable replicas on `b`. For `L_r(b) < lo'_r`, the arrivals must carry the
//! deficit, at most one replica per partition: `a_b ≥` the fewest `j` with `top_j ≥ lo'_r −
//! L_r(b)` over all movable partitions. Each of `a_b` and `d_b` is at least every one of these,
//! and at least the count band's own deficit and excess. Every move is one arrival on one broker
//! and one departure from one broker, a replication-factor change adds arrivals (or departures)
//! `Σ_p (RF'_p − RF_p)`, and a drained broker only sends, so
//!
//! ```text
//! moves ≥ Σ_{b∈E} a_b        moves ≥ Σ_{b∈E} d_b + Σ_{b∉E} hosted(b) + Σ_p (RF'_p − RF_p)
//! ```
//!
//! Bytes alike, with `A_b`, `D_b` the bytes arriving on and leaving `b` and the disk band in place
//! of the count band: `A_b ≥ D_b − (L_d(b) − lo'_d)` and `D_b ≥ A_b − (hi'_d − L_d(b))`. Bringing
//! bytes in down by `e` sends at least the fractional knapsack's bytes — the movable replicas on
//! `b` taken in increasing size per byte in, the last one in part — and raising it by `e` receives
//! at least the same over all movable partitions; `D_b` is also at least the `d_b` smallest
//! movable replicas on `b`, `A_b` the `a_b` smallest movable partitions.
//!
//! A broker may shed a hot partition here and owe nothing for it; `hot_items` makes the replica
//! land somewhere and bounds what its host must then send away.

use super::hot_items::hot_arrivals;
use crate::model::Resource;
use crate::plan::placement::Placement;
use crate::plan::problem::{Bx, Part};

/// The replica resources whose bands force moves here (and whose hot partitions `hot_items`
/// places).
pub(super) const LOADS: [Resource; 2] = [Resource::Disk, Resource::BytesIn];

/// The reachable band of each resource, unbounded where the goal is off.
pub(super) type Reach = [(f64, f64); 5];

/// Replicas and bytes the per-broker arguments force (see the module docs); `added` is what the
/// replication-factor changes add, `Σ_p (RF'_p − RF_p)` in replicas and in bytes.
pub(super) fn per_broker_moves(
    st: &Placement,
    reach: &Reach,
    (added, added_bytes): (f64, f64),
) -> (f64, f64) {
    let pb = st.pb;
    let movable: Vec<&Part> = pb.parts.iter().filter(|p| p.movable).collect();
    let global = Global::new(&movable);
    let (mut arrive, mut depart) = (0.0, 0.0);
    let (mut arrive_bytes, mut depart_bytes) = (0.0, 0.0);
    // The per-broker arrivals, each broker's floor in `hot_items`.
    let mut floor = vec![0.0; pb.broker_count()];
    for (b, floor) in floor.iter_mut().enumerate() {
        let mine: Vec<&Part> = st.hosted[b].iter().map(|h| &pb.parts[h.part()]).collect();
        if !pb.eligible[b] {
            depart += mine.len() as f64;
            depart_bytes += mine.iter().map(|p| p.size).sum::<f64>();
            continue;
        }
        let f = Forced::at(st, b, &mine, &global, reach);
        *floor = f.arrivals;
        arrive += f.arrivals;
        depart += f.departures;
        arrive_bytes += f.arrival_bytes;
        depart_bytes += f.departure_bytes;
    }
    (
        arrive
            .max(depart + added)
            .max(hot_arrivals(st, reach, &floor)),
        arrive_bytes.max(depart_bytes + added_bytes),
    )
}

/// Loads over every movable partition, one item each (a broker holds one replica per partition).
struct Global {
    /// Per resource of [`LOADS`]: replica loads, largest first, as prefix sums.
    top: [Vec<f64>; 2],
    /// Per resource of [`LOADS`]: the smallest replica load.
    least: [f64; 2],
    /// Sizes, smallest first, as prefix sums.
    smallest_sizes: Vec<f64>,
    /// `(size, bytes in)`, in increasing size per byte in, for the knapsack.
    by_ratio: Vec<(f64, f64)>,
}

impl Global {
    fn new(movable: &[&Part]) -> Self {
        let top = LOADS.map(|r| prefix(descending(movable.iter().map(|p| p.replica_load(r)))));
        let least = LOADS.map(|r| {
            movable
                .iter()
                .map(|p| p.replica_load(r))
                .fold(f64::INFINITY, f64::min)
        });
        let mut sizes: Vec<f64> = movable.iter().map(|p| p.size).collect();
        sizes.sort_by(f64::total_cmp);
        Global {
            top,
            least: least.map(|x| if x.is_finite() { x } else { 0.0 }),
            smallest_sizes: prefix(sizes),
            by_ratio: by_ratio(movable),
        }
    }
}

/// What broker `b` must receive and send.
struct Forced {
    arrivals: f64,
    departures: f64,
    arrival_bytes: f64,
    departure_bytes: f64,
}

impl Forced {
    fn at(st: &Placement, b: Bx, mine: &[&Part], global: &Global, reach: &Reach) -> Self {
        let load = |r: Resource| st.load[b][r.index()];
        let (lo_n, hi_n) = reach[Resource::Replicas.index()];
        let n = load(Resource::Replicas);
        // How far the count may fall and rise (integral, so the band's ends round inwards).
        let may_lose = (n - (lo_n - TOL).ceil()).max(0.0);
        let may_gain = ((hi_n + TOL).floor() - n).max(0.0);
        let mut arrivals = (lo_n - n).max(0.0).ceil();
        let mut departures = (n - hi_n).max(0.0).ceil();
        for (i, &r) in LOADS.iter().enumerate() {
            let (lo, hi) = reach[r.index()];
            let excess = load(r) - hi;
            if excess > slack(hi) {
                let own = descending(mine.iter().map(|p| p.replica_load(r)));
                let d = fewest(&prefix(own), excess, global.least[i], may_lose);
                departures = departures.max(d);
                arrivals = arrivals.max(d - may_lose);
            }
            let deficit = lo - load(r);
            if deficit > slack(lo) {
                let j = fewest(&global.top[i], deficit, 0.0, f64::INFINITY);
                arrivals = arrivals.max(j);
                departures = departures.max(j - may_gain);
            }
        }
        let (arrival_bytes, departure_bytes) =
            Self::bytes(st, b, mine, global, reach, arrivals, departures);
        Forced {
            arrivals,
            departures,
            arrival_bytes,
            departure_bytes,
        }
    }

    /// `(A_b, D_b)` given the replicas `b` must receive and send.
    fn bytes(
        st: &Placement,
        b: Bx,
        mine: &[&Part],
        global: &Global,
        reach: &Reach,
        arrivals: f64,
        departures: f64,
    ) -> (f64, f64) {
        let disk = st.load[b][Resource::Disk.index()];
        let bytes_in = st.load[b][Resource::BytesIn.index()];
        let (lo_d, hi_d) = reach[Resource::Disk.index()];
        let (lo_i, hi_i) = reach[Resource::BytesIn.index()];
        let mut arrive = (lo_d - disk).max(0.0);
        let mut depart = (disk - hi_d).max(0.0);
        if bytes_in - hi_i > slack(hi_i) {
            depart = depart.max(knapsack(&by_ratio(mine), bytes_in - hi_i));
        }
        if lo_i - bytes_in > slack(lo_i) {
            arrive = arrive.max(knapsack(&global.by_ratio, lo_i - bytes_in));
        }
        if arrivals > 0.0 {
            arrive = arrive.max(at(&global.smallest_sizes, arrivals));
        }
        if departures > 0.0 {
            let mut sizes: Vec<f64> = mine.iter().map(|p| p.size).collect();
            sizes.sort_by(f64::total_cmp);
            depart = depart.max(at(&prefix(sizes), departures));
        }
        // Each side forces the other through the disk band's slack.
        let arrive_forced = (depart - (disk - lo_d)).max(0.0);
        let depart_forced = (arrive - (hi_d - disk)).max(0.0);
        (arrive.max(arrive_forced), depart.max(depart_forced))
    }
}

/// Relative slack below which an excess or deficit counts as none: loads are float sums, and a
/// plan within rounding of a band meets it.
pub(super) const TOL: f64 = 1e-7;

pub(super) fn slack(edge: f64) -> f64 {
    TOL * edge.abs().max(1.0)
}

pub(super) fn descending(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v
}

/// Prefix sums, `out[k]` the sum of the first `k` values.
pub(super) fn prefix(values: Vec<f64>) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len() + 1);
    let mut sum = 0.0;
    out.push(0.0);
    for v in values {
        sum += v;
        out.push(sum);
    }
    out
}

/// `sums[k]` for a count `k` given as a float, capped at the last.
fn at(sums: &[f64], k: f64) -> f64 {
    let k = (k.max(0.0) as usize).min(sums.len() - 1);
    sums[k]
}

/// The fewest items `d`, taken largest first (prefix sums `top`), that carry `need` when every
/// item beyond the first `free` costs `toll` back. `top[d] − max(0, d − free)·toll` only grows
/// with `d` (each item is at least the toll), so the first `d` that suffices is the fewest. When
/// none does, every item: no plan meets the band, and any count is a bound.
pub(super) fn fewest(top: &[f64], need: f64, toll: f64, free: f64) -> f64 {
    let need = need - slack(need);
    let carried = |d: usize| top[d] - (d as f64 - free).max(0.0) * toll;
    let (mut lo, mut hi) = (0usize, top.len() - 1);
    if carried(hi) < need {
        return hi as f64;
    }
    while lo < hi {
        let mid = (lo + hi) / 2;
        if carried(mid) >= need {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo as f64
}

/// `(size, bytes in)` of the partitions with bytes in, in increasing size per byte in.
fn by_ratio(parts: &[&Part]) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = parts
        .iter()
        .filter(|p| p.bytes_in > 0.0)
        .map(|p| (p.size, p.bytes_in))
        .collect();
    v.sort_by(|a, b| (a.0 * b.1).total_cmp(&(b.0 * a.1)));
    v
}

/// The fewest bytes that carry `need` bytes in, items taken fractionally (the LP relaxation of
/// the knapsack, so never above the whole-replica optimum); all of them when they do not suffice.
fn knapsack(items: &[(f64, f64)], need: f64) -> f64 {
    let mut need = need - slack(need);
    let mut bytes = 0.0;
    for &(size, bytes_in) in items {
        if need <= 0.0 {
            break;
        }
        let share = (need / bytes_in).min(1.0);
        bytes += share * size;
        need -= share * bytes_in;
    }
    bytes
}
