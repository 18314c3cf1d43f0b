//! Step 4: the busiest broker's bytes out lowered by ejection chains.
//!
//! When the leader count band is tight, nearly every broker sits at its count ceiling, and the
//! busiest broker in bytes out can neither hand a leadership to a follower (the follower is full)
//! nor swap one (it hosts few partitions it does not lead, and their leaders are not its
//! followers). A transfer or swap search then stops far above the proven bound, although a
//! rearrangement through several brokers exists.
//!
//! An ejection chain is that rearrangement. The busiest broker `b`, at load `M`, hands a
//! leadership `p₁` to a follower `c₁`; `c₁` hands one of its own, `p₂`, to a follower `c₂`; and so
//! on until a broker `c_k` that can keep what it receives: one with room in the count band, or `b`
//! itself, closing a cycle. Every count but those at the two ends stays. Aiming at a level
//! `L < M`, each link is the smallest leadership that keeps its giver at or below `L`:
//!
//! ```text
//! b:           M − out(p₁) [+ out(p_k) when the chain closes at b]  ≤ L
//! c_i (i < k): load(c_i) + out(p_i) − out(p_{i+1})                   ≤ L
//! c_k:         load(c_k) + out(p_k)                                  ≤ L
//! ```
//!
//! The search is Dijkstra's over brokers keyed by what a broker receives (less is always easier
//! to pass on), so each broker joins a chain at most once and a search reads every leadership at
//! most once per follower. A chain lowers `b` below `M` and leaves every broker it touches at or
//! below `L`, so the busiest load never rises, and the number of brokers at it falls. The step
//! aims high first (`L` halfway down to the band's top) and lowers its sights until a chain is
//! found or the gain would be below a ten-thousandth of the mean; it stops when the busiest
//! broker has no chain left.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::search::{may_give, may_take};
use super::{unplannable, Led, LedElsewhere};
use crate::model::Resource;
use crate::plan::placement::Placement;
use crate::plan::problem::Bx;

const OUT: usize = Resource::BytesOut.index();

/// The least a chain must lower the busiest broker by, as a share of the mean: what a chain
/// search costs is not worth a smaller gain, and it bounds the number of chains.
const LEAST_STEP: f64 = 1e-4;

/// Lowers the busiest broker's bytes out while a chain does; returns the leadership changes made.
pub(super) fn lower_busiest(st: &mut Placement, led: &mut Led) -> usize {
    let pb = st.pb;
    let target = st.target(Resource::BytesOut);
    let (top, least) = (target.hi, LEAST_STEP * target.mean);
    let mut made = 0;
    // Work bound: a chain per leadership at most; each lowers the busiest load or the number of
    // brokers carrying it.
    for _ in 0..pb.parts.len() {
        let Some((b, busiest)) = pb
            .eligible_brokers()
            .map(|b| (b, st.load[b][OUT]))
            .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)))
        else {
            break;
        };
        if busiest <= top {
            break;
        }
        let back = LedElsewhere::new(st, b, |_| true);
        let chain =
            levels(busiest, top, least).find_map(|level| chain_from(st, led, &back, b, level));
        let Some(hops) = chain else {
            break;
        };
        for &(p, to) in &hops {
            led.transfer(st, p, to);
        }
        made += hops.len();
    }
    made
}

/// Levels to aim a chain at, highest gain first: halfway from `busiest` down to the target
/// band's `top`, then a quarter as far each time, down to `least` below `busiest`.
fn levels(busiest: f64, top: f64, least: f64) -> impl Iterator<Item = f64> {
    std::iter::successors(Some((busiest - top) / 2.0), |step| Some(step / 4.0))
        .take_while(move |&step| step >= least)
        .map(move |step| busiest - step)
}

/// A broker reached by the search, ordered so that the heap pops the smallest intake first (the
/// lowest broker on a tie).
#[derive(PartialEq)]
struct Reached {
    intake: f64,
    broker: Bx,
}

impl Eq for Reached {}

impl Ord for Reached {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .intake
            .total_cmp(&self.intake)
            .then(other.broker.cmp(&self.broker))
    }
}

impl PartialOrd for Reached {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The transfers (partition, new leader) of a chain from `b` that leaves every broker it touches
/// at or below `level`, or `None` when the search finds none.
/// `back` holds what `b` could take back to close a cycle.
fn chain_from(
    st: &Placement,
    led: &Led,
    back: &LedElsewhere,
    b: Bx,
    level: f64,
) -> Option<Vec<(usize, Bx)>> {
    let mut search = Search::new(st, b);
    search.offer(st, led, b, st.load[b][OUT] - level);
    let root_gives = may_give(st, b);
    while let Some(Reached { intake, broker: c }) = search.heap.pop() {
        if search.done[c] || intake > search.intake[c] {
            continue;
        }
        search.done[c] = true;
        let load = st.load[c][OUT] + intake;
        if load <= level && root_gives && may_take(st, c) {
            return Some(search.hops_to(c));
        }
        if let Some(q) = closing(st, &search, back, c, level, load) {
            let mut hops = search.hops_to(c);
            hops.push((q, b));
            return Some(hops);
        }
        search.offer(st, led, c, (load - level).max(0.0));
    }
    None
}

/// Dijkstra's state for one chain search from `root`.
struct Search {
    root: Bx,
    /// The smallest leadership found so far that each broker could receive.
    intake: Vec<f64>,
    /// That leadership, and the broker handing it over.
    link: Vec<Option<(usize, Bx)>>,
    done: Vec<bool>,
    heap: BinaryHeap<Reached>,
}

impl Search {
    fn new(st: &Placement, root: Bx) -> Self {
        let n = st.pb.broker_count();
        let mut done = vec![false; n];
        done[root] = true;
        Search {
            root,
            intake: vec![f64::INFINITY; n],
            link: vec![None; n],
            done,
            heap: BinaryHeap::new(),
        }
    }

    /// Offers each leadership of `giver` of at least `least` bytes out to its followers.
    fn offer(&mut self, st: &Placement, led: &Led, giver: Bx, least: f64) {
        let pb = st.pb;
        for &p in led.of(giver) {
            let p = p as usize;
            let x = pb.parts[p].leader_out;
            if x < least {
                continue;
            }
            for &c in &st.replicas[p][1..] {
                if c == self.root || self.done[c] || !pb.eligible[c] || x >= self.intake[c] {
                    continue;
                }
                if unplannable(st, p, c) {
                    continue;
                }
                self.intake[c] = x;
                self.link[c] = Some((p, giver));
                self.heap.push(Reached {
                    intake: x,
                    broker: c,
                });
            }
        }
    }

    /// The leadership the root hands over first on the chain that reaches `c`.
    fn first(&self, c: Bx) -> usize {
        let mut at = c;
        loop {
            let (p, from) = self.link[at].expect("every broker reached has a link");
            if from == self.root {
                return p;
            }
            at = from;
        }
    }

    /// The chain's transfers from the root to `c`, in order.
    fn hops_to(&self, c: Bx) -> Vec<(usize, Bx)> {
        let mut hops = Vec::new();
        let mut at = c;
        while at != self.root {
            let (p, from) = self.link[at].expect("every broker reached has a link");
            hops.push((p, at));
            at = from;
        }
        hops.reverse();
        hops
    }
}

/// A leadership `c` leads and the root hosts (from `back`) whose return to the root closes the
/// chain with both at or below `level` (`c` carries `load` before handing it back): the smallest
/// that does so.
fn closing(
    st: &Placement,
    search: &Search,
    back: &LedElsewhere,
    c: Bx,
    level: f64,
    load: f64,
) -> Option<usize> {
    let b = search.root;
    let out = |p: usize| st.pb.parts[p].leader_out;
    let first = search.first(c);
    let room_at_b = level - (st.load[b][OUT] - out(first));
    let least = load - level;
    back.led_by(c)
        .filter(|&q| out(q) >= least && out(q) <= room_at_b)
        .min_by(|&x, &y| out(x).total_cmp(&out(y)).then(x.cmp(&y)))
}

#[cfg(test)]
mod tests {
    use super::super::{count_band, counts, search};
    use super::*;
    use crate::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Topic};
    use crate::plan::problem::Problem;
    use crate::plan::test_cluster::{hot_problem, hot_scenario};
    use crate::plan::{GoalWeights, PlanRequest};
    use crate::scenario::{LoadFamily, ScenarioSpec};

    const LEADERS: usize = Resource::Leaders.index();

    fn leaders(st: &Placement, b: Bx) -> f64 {
        st.load[b][LEADERS]
    }

    /// Each broker leads two of six partitions: the count band is exact. Broker 0 leads 80 of
    /// 130 bytes out, and both its leaderships are followed only by broker 1, which leads
    /// nothing broker 0 hosts: no transfer keeps the counts and no swap exists. The cycle
    /// 0 → 1 → 2 → 0 (`a2` to 1, `b1` to 2, `c1` back to 0) brings broker 0 down to 65, which
    /// is the best of all 64 assignments (checked by enumerating them).
    #[test]
    fn a_cycle_through_full_brokers_lowers_the_busiest_to_the_optimum() {
        let part = |name: &str, reps: [i32; 2], out: f64| {
            let p = Partition::new(0, ReplicaSet::from(reps.to_vec())).with_load(1000, 0.0, out);
            Topic::new(name, vec![p])
        };
        let topics = vec![
            part("a1", [0, 1], 60.0),
            part("a2", [0, 1], 20.0),
            part("b1", [1, 2], 10.0),
            part("b2", [1, 2], 10.0),
            part("c1", [2, 0], 5.0),
            part("c2", [2, 1], 25.0),
        ];
        let brokers = (0..3)
            .map(|i| Broker {
                id: BrokerId(i),
                rack: None,
            })
            .collect();
        let c = Cluster::new(None, brokers, topics).unwrap();
        let req = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        let mut led = Led::new(&st);
        assert_eq!(counts::into_band(&mut st, &mut led), 0);
        search::bytes_out(&mut st, &mut led);
        assert_eq!(st.load[0][OUT], 80.0, "no transfer or swap helps");
        assert_eq!(lower_busiest(&mut st, &mut led), 3, "one cycle of three");
        let out: Vec<f64> = (0..3).map(|b| st.load[b][OUT]).collect();
        assert_eq!(out, [65.0, 30.0, 35.0]);
        assert!((0..3).all(|b| leaders(&st, b) == 2.0));
    }

    /// On clusters with two brokers just added (which lead nothing, so every old broker sits
    /// above the bytes-out band), after the transfer and swap search: every chain found leaves
    /// each broker it touches at or below its level, changes the leader count only at its two
    /// ends and keeps both in the count band, and leaves every other broker alone.
    #[test]
    fn every_broker_a_chain_touches_ends_at_or_below_its_level() {
        let mut chains = 0;
        for (family, seed) in [(LoadFamily::Exponential, 3), (LoadFamily::Linear, 9)] {
            let pb = hot_problem(ScenarioSpec {
                brokers: 16,
                topics: 60,
                partitions: 1_500,
                max_rf: 4,
                new_brokers: 2,
                hot_partitions: 0,
                ..hot_scenario(family, seed)
            });
            let mut st = Placement::current(&pb, &GoalWeights::default());
            let mut led = Led::new(&st);
            counts::into_band(&mut st, &mut led);
            search::bytes_out(&mut st, &mut led);
            let (lo, hi) = count_band(&st).expect("the leader goal is on");
            let target = st.target(Resource::BytesOut);
            let (top, least) = (target.hi, LEAST_STEP * target.mean);
            for _ in 0..200 {
                let b = pb
                    .eligible_brokers()
                    .max_by(|&x, &y| st.load[x][OUT].total_cmp(&st.load[y][OUT]))
                    .unwrap();
                let busiest = st.load[b][OUT];
                let back = LedElsewhere::new(&st, b, |_| true);
                let found = levels(busiest, top, least)
                    .find_map(|level| chain_from(&st, &led, &back, b, level).map(|h| (level, h)));
                let Some((level, hops)) = found else {
                    break;
                };
                let before = st.load.clone();
                for &(p, to) in &hops {
                    led.transfer(&mut st, p, to);
                }
                chains += 1;
                let end = hops.last().unwrap().1;
                for x in pb.eligible_brokers() {
                    let touched = x == b || hops.iter().any(|&(_, to)| to == x);
                    let (now, was) = (st.load[x], before[x]);
                    if !touched {
                        assert_eq!(now, was, "broker {x} is not on the chain");
                        continue;
                    }
                    assert!(now[OUT] <= level + 1e-9 * level, "broker {x} above {level}");
                    let (counted, had) = (now[LEADERS], was[LEADERS]);
                    if x == b || x == end {
                        let outside = |n: f64| (n - hi).max(lo - n).max(0.0);
                        assert!(
                            outside(counted) <= outside(had),
                            "broker {x}: {had} → {counted}"
                        );
                    } else {
                        assert_eq!(counted, had, "broker {x}");
                    }
                }
            }
        }
        assert!(chains > 0, "the searches found no chain to check");
    }
}
