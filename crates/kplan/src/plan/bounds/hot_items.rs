//! Hot partitions: every plan puts each of their replicas somewhere, and wherever that is, the
//! broker must make room.
//!
//! A keyed partition can carry most of a broker's mean bytes in. Call an item of resource `r`
//! *hot* when its replica load exceeds `hi'_r / 2`: two hot replicas on one broker already break
//! the reachable band, so in every plan meeting it the hot replicas sit on distinct brokers, each
//! of which holds at most `hi'_r − v` of everything else, `v` its hot replica. The per-broker
//! bound (`per_broker`) lets a broker shed its hot replica and stop there; here the replica has
//! to land, and its new host pays.
//!
//! For broker `c` and a choice — no hot replica, or one of hot partition `h` — the arrivals on
//! `c` are at least (with `N` its load of other partitions, `n` its replica count, `H_c` the hot
//! replicas it holds now, `dep = |H_c| − [h ∈ H_c]` and `arr = [h ∉ H_c]`):
//!
//! ```text
//! free  = n − lo'_n − dep + arr                      the count c may lose in other replicas
//! d     = fewest other replicas of c that carry N + v − hi'_r, each arrival costing x_r back
//! a(c)  = max(0, d − free, fewest arrivals carrying lo'_r − N − v) + arr
//! ```
//!
//! and at least the per-broker bound's arrivals on `c` whatever the choice. Each hot partition
//! puts `RF'_h` replicas on distinct brokers, so
//!
//! ```text
//! moves ≥ Σ_c a(c, none) + min over assignments of the hot replicas to distinct eligible brokers
//!         of Σ (a(c, h) − a(c, none))
//! ```
//!
//! an assignment problem (rows the hot replicas, columns the brokers) solved exactly. Racks and
//! the other resources are relaxed away, which only lowers the bound.

use super::per_broker::{descending, fewest, prefix, slack, Reach, LOADS, TOL};
use crate::model::Resource;
use crate::plan::assignment::min_cost_assignment;
use crate::plan::placement::Placement;
use crate::plan::problem::Bx;

/// Above this many hot replicas the assignment is not attempted (its cost grows with the square).
const MAX_HOT_REPLICAS: usize = 256;

/// The least arrivals any plan meeting the reachable bands makes, by the argument above, for the
/// resource that gives the most; `floor[b]` the per-broker bound's arrivals on each broker.
pub(super) fn hot_arrivals(st: &Placement, reach: &Reach, floor: &[f64]) -> f64 {
    LOADS
        .iter()
        .filter_map(|&r| for_resource(st, reach, floor, r))
        .fold(0.0, f64::max)
}

fn for_resource(st: &Placement, reach: &Reach, floor: &[f64], r: Resource) -> Option<f64> {
    let pb = st.pb;
    let (lo, hi) = reach[r.index()];
    if !(hi.is_finite() && hi > 0.0) {
        return None;
    }
    let is_hot =
        |p: usize| pb.parts[p].movable && pb.parts[p].replica_load(r) > hi / 2.0 + slack(hi);
    let hot: Vec<usize> = (0..pb.parts.len()).filter(|&p| is_hot(p)).collect();
    let rows: Vec<usize> = hot
        .iter()
        .flat_map(|&p| std::iter::repeat_n(p, pb.parts[p].target_rf))
        .collect();
    let brokers: Vec<Bx> = pb.eligible_brokers().collect();
    if rows.is_empty() || rows.len() > MAX_HOT_REPLICAS || rows.len() > brokers.len() {
        return None;
    }
    let movable = pb.parts.iter().filter(|p| p.movable);
    let least = movable
        .clone()
        .map(|p| p.replica_load(r))
        .fold(f64::INFINITY, f64::min);
    let global_top = prefix(descending(movable.map(|p| p.replica_load(r))));
    let env = Env {
        st,
        r,
        lo,
        hi,
        lo_n: reach[Resource::Replicas.index()].0,
        least: if least.is_finite() { least } else { 0.0 },
        global_top,
    };
    let mut base = 0i64;
    let mut extra = vec![Vec::with_capacity(brokers.len()); rows.len()];
    for &c in &brokers {
        let host = Host::new(&env, c, &is_hot);
        let none = host.arrivals(&env, None).max(floor[c]).round() as i64;
        base += none;
        for (row, &h) in rows.iter().enumerate() {
            let with = host.arrivals(&env, Some(h)).max(floor[c]).round() as i64;
            extra[row].push(with - none);
        }
    }
    Some((base + min_cost_assignment(&extra)?) as f64)
}

/// What every broker's arrivals are measured against.
struct Env<'a> {
    st: &'a Placement<'a>,
    r: Resource,
    lo: f64,
    hi: f64,
    lo_n: f64,
    least: f64,
    global_top: Vec<f64>,
}

/// One broker: its hot replicas, and its other movable replicas largest first.
struct Host {
    hot: Vec<usize>,
    other_load: f64,
    count: f64,
    others_top: Vec<f64>,
}

impl Host {
    fn new(env: &Env, c: Bx, is_hot: &dyn Fn(usize) -> bool) -> Self {
        let pb = env.st.pb;
        let (hot, others): (Vec<usize>, Vec<usize>) = env.st.hosted[c]
            .iter()
            .map(|h| h.part())
            .partition(|&p| is_hot(p));
        let hot_load: f64 = hot.iter().map(|&p| pb.parts[p].replica_load(env.r)).sum();
        Host {
            other_load: env.st.load[c][env.r.index()] - hot_load,
            count: env.st.load[c][Resource::Replicas.index()],
            others_top: prefix(descending(
                others.iter().map(|&p| pb.parts[p].replica_load(env.r)),
            )),
            hot,
        }
    }

    /// The fewest arrivals on this broker when it ends holding hot partition `choice` (or none).
    fn arrivals(&self, env: &Env, choice: Option<usize>) -> f64 {
        let keeps = choice.is_some_and(|h| self.hot.contains(&h));
        let departing_hot = (self.hot.len() - usize::from(keeps)) as f64;
        let arriving_hot = f64::from(u8::from(choice.is_some() && !keeps));
        let v = choice.map_or(0.0, |h| env.st.pb.parts[h].replica_load(env.r));
        let free = self.count - (env.lo_n - TOL).ceil() - departing_hot + arriving_hot;
        let excess = self.other_load + v - env.hi;
        let departures = if excess > slack(env.hi) {
            fewest(&self.others_top, excess, env.least, free)
        } else {
            0.0
        };
        let deficit = env.lo - self.other_load - v;
        let filling = if deficit > slack(env.lo) {
            fewest(&env.global_top, deficit, 0.0, f64::INFINITY)
        } else {
            0.0
        };
        (departures - free).max(0.0).max(filling) + arriving_hot
    }
}
