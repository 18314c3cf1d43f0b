//! Choosing each movable partition's preferred leader among its final replicas.
//!
//! Leadership decides bytes out (consumer fetches plus one copy per follower) and the leader
//! count, and moving it copies no data. It is an assignment problem: each partition sends one
//! unit of leadership to one of its replicas. The stage solves it in four steps, each bounded
//! by deterministic work:
//!
//! 1. [`counts`] — leader counts into their band `[floor(mean), ceil(mean)]` by augmenting paths
//!    on the broker graph (an edge `b → c` when `b` leads a partition `c` also hosts): the
//!    max-flow algorithm for the transportation problem, so when a path exists it is found, and
//!    when none exists no assignment meets the band. Single transfers go first, the one that
//!    helps bytes out most; the paths are the shortest ones, and bytes out is left to step 2.
//! 2. [`search`] — bytes out into its band with the counts held in theirs: worst broker first,
//!    a transfer between brokers with room in the count band, or a swap (`b` hands `p` to `c`
//!    and takes `q` back), which keeps both counts; each change lowers the band cost.
//! 3. [`spread`] — topics above their per-broker leader cap hand leaderships on where that
//!    costs nothing else; topics matching `--spread-topics` into their range whatever it costs
//!    (within the leader count band).
//! 4. [`ejection`] — the busiest broker's bytes out lowered further by chains of transfers
//!    through several brokers, which a tight count band leaves as the only way down: each
//!    broker on the chain hands on a leadership as large as what it received makes it need to.
//!    It comes last because the band cost the other steps weigh is flat between two brokers
//!    both above the band, so their changes may raise the busiest; a chain never does.
//!
//! A transfer away from a partition's current leader costs a small penalty, so leadership only
//! moves where it buys balance.

mod counts;
mod ejection;
mod flow_start;
mod leadable;
mod search;
mod spread;

use super::placement::{Placement, LEADER_RESOURCES};
use super::problem::Bx;
use crate::model::Resource;

const EPS: f64 = 1e-9;
/// Penalty for a partition whose leader differs from its current leader, in cost units.
const LEADER_CHANGE: f64 = 1e-4;

/// Balances leadership; returns the number of leadership changes made.
pub fn balance_leaders(st: &mut Placement) -> usize {
    let mut led = Led::new(st);
    let mut made = counts::into_band(st, &mut led);
    made += search::bytes_out(st, &mut led);
    made += spread::leader_spread(st, &mut led);
    made += spread::spread_topic_leaders(st, &mut led);
    made += ejection::lower_busiest(st, &mut led);
    made
}

/// Balances leadership when only leadership may change: from the current assignment, and —
/// when that ends with the busiest bytes out more than [`SECOND_START_GAP`] of the mean above
/// `assignment_bound`, the fractional optimum of the leadership assignment — again from that
/// optimum rounded (see [`flow_start`]). The end with fewer leader counts out of band, then the
/// lower busiest bytes out, then the lower cost, is kept. Returns the leadership changes made
/// on the way to it.
pub fn balance_leaders_only(st: &mut Placement, assignment_bound: Option<f64>) -> usize {
    let Some(bound) = assignment_bound else {
        return balance_leaders(st);
    };
    let mut rounded = st.clone();
    let made = balance_leaders(st);
    let mean = st.target(Resource::BytesOut).mean;
    if busiest_bytes_out(st) <= bound + SECOND_START_GAP * mean {
        return made;
    }
    let rounding = flow_start::round_fractional_optimum(&mut rounded);
    if rounding == 0 {
        return made;
    }
    let made_rounded = rounding + balance_leaders(&mut rounded);
    if ends_better(&rounded, st) {
        *st = rounded;
        return made_rounded;
    }
    made
}

/// True when `a` ends better than `b` (see [`balance_leaders_only`]).
fn ends_better(a: &Placement, b: &Placement) -> bool {
    let rank = |st: &Placement| {
        let zero = [0.0; 5];
        let counts: f64 = st
            .pb
            .eligible_brokers()
            .map(|x| st.band_cost_with(x, &[Resource::Leaders], &zero))
            .sum();
        (counts, busiest_bytes_out(st), st.cost(&LEADER_RESOURCES))
    };
    let (a, b) = (rank(a), rank(b));
    let below = |x: f64, y: f64| x < y - 1e-9 * y.abs().max(1.0);
    if below(a.0, b.0) || below(b.0, a.0) {
        return below(a.0, b.0);
    }
    if below(a.1, b.1) || below(b.1, a.1) {
        return below(a.1, b.1);
    }
    below(a.2, b.2)
}

/// The most bytes out any eligible broker sends.
fn busiest_bytes_out(st: &Placement) -> f64 {
    st.pb
        .eligible_brokers()
        .map(|b| st.load[b][Resource::BytesOut.index()])
        .fold(0.0, f64::max)
}

/// How far above the assignment's bound, as a share of the mean, the busiest bytes out must end
/// for the second start to be worth its time (it doubles the stage's).
const SECOND_START_GAP: f64 = 0.005;

/// Movable partitions led by each broker, kept in step with the placement.
pub(super) struct Led {
    by_broker: Vec<Vec<u32>>,
}

impl Led {
    fn new(st: &Placement) -> Self {
        let mut by_broker = vec![Vec::new(); st.pb.broker_count()];
        for (p, part) in st.pb.parts.iter().enumerate() {
            if part.movable && st.replicas[p].len() > 1 {
                by_broker[st.leader(p)].push(p as u32);
            }
        }
        Led { by_broker }
    }

    fn of(&self, b: Bx) -> &[u32] {
        &self.by_broker[b]
    }

    /// Hands the leadership of `p` to `to`, in the placement and here.
    fn transfer(&mut self, st: &mut Placement, p: usize, to: Bx) {
        let from = st.leader(p);
        let list = &mut self.by_broker[from];
        let i = list
            .iter()
            .position(|&q| q as usize == p)
            .expect("the leader's list holds p");
        list.swap_remove(i);
        self.by_broker[to].push(p as u32);
        st.set_leader(p, to);
    }
}

/// The partitions a broker hosts and another broker leads whose leadership may come back to it,
/// by current leader: what a swap or a cycle can hand back to the broker.
pub(super) struct LedElsewhere {
    by_leader: Vec<(Bx, usize)>,
}

impl LedElsewhere {
    /// Those of `b`, from the leaders `keep` admits.
    fn new(st: &Placement, b: Bx, keep: impl Fn(Bx) -> bool) -> Self {
        let mut by_leader: Vec<(Bx, usize)> = st.hosted[b]
            .iter()
            .map(|h| (st.leader(h.part()), h.part()))
            .filter(|&(l, q)| l != b && keep(l) && !unplannable(st, q, b))
            .collect();
        by_leader.sort_unstable();
        LedElsewhere { by_leader }
    }

    /// The partitions among them that `c` leads, lowest first.
    fn led_by(&self, c: Bx) -> impl Iterator<Item = usize> + '_ {
        let start = self.by_leader.partition_point(|&(l, _)| l < c);
        self.by_leader[start..]
            .iter()
            .take_while(move |&&(l, _)| l == c)
            .map(|&(_, q)| q)
    }
}

/// The leader count band, or `None` when the leader goal is off.
fn count_band(st: &Placement) -> Option<(f64, f64)> {
    (st.unit(Resource::Leaders) > 0.0).then(|| {
        let band = st.target(Resource::Leaders);
        (band.lo, band.hi)
    })
}

fn count(st: &Placement, b: Bx) -> f64 {
    st.load[b][Resource::Leaders.index()]
}

/// Cost change (positive is better) of moving the leadership of `p` from `from` to `to`.
fn transfer_gain(st: &Placement, p: usize, from: Bx, to: Bx) -> f64 {
    let (band, spread) = transfer_gains(st, p, from, to);
    band - spread
}

/// The parts of [`transfer_gain`]: how much the band cost falls, and the spread cost added.
fn transfer_gains(st: &Placement, p: usize, from: Bx, to: Bx) -> (f64, f64) {
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
    (
        before - after,
        st.spread_delta(part.topic, from, -1, true) + st.spread_delta(part.topic, to, 1, true),
    )
}

/// A partition whose broker set is unchanged and whose list would come out identical to the
/// current one cannot be listed in a reassignment; leadership there moves only by an election the
/// plan does not carry, so the stage does not plan it.
fn unplannable(st: &Placement, p: usize, to: Bx) -> bool {
    if st.pb.lapsed_preferred[p] as Bx != to {
        return false;
    }
    let part = &st.pb.parts[p];
    st.replicas[p].len() == part.current.len()
        && st.replicas[p].iter().all(|b| part.current.contains(b))
}

fn change_penalty(st: &Placement, p: usize, from: Bx, to: Bx) -> f64 {
    let cur = st.pb.parts[p].current_leader;
    LEADER_CHANGE * (f64::from(u8::from(to != cur)) - f64::from(u8::from(from != cur)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Topic};
    use crate::plan::problem::Problem;
    use crate::plan::PlanRequest;

    fn brokers(n: i32) -> Vec<Broker> {
        (0..n)
            .map(|i| Broker {
                id: BrokerId(i),
                rack: None,
            })
            .collect()
    }

    /// Partition `p` on brokers 0 and 1, led by `leader`, with `out` bytes out to consumers.
    fn pair(p: i32, leader: i32, out: f64) -> Partition {
        let reps = vec![BrokerId(leader), BrokerId(1 - leader)];
        Partition::new(p, ReplicaSet::new(reps)).with_load(1000, 10.0, out)
    }

    /// Broker 0 leads both large partitions, broker 1 both small ones: the leader counts are
    /// already exact, so no single transfer helps and only a swap evens out bytes out.
    #[test]
    fn a_swap_evens_bytes_out_when_counts_are_exact() {
        let topics = vec![
            Topic::new("big", vec![pair(0, 0, 1200.0), pair(1, 0, 1200.0)]),
            Topic::new("small", vec![pair(0, 1, 800.0), pair(1, 1, 800.0)]),
        ];
        let c = Cluster::new(None, brokers(2), topics).unwrap();
        let req = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        let made = balance_leaders(&mut st);
        assert_eq!(made, 2, "one swap");
        let (out, leaders) = (Resource::BytesOut.index(), Resource::Leaders.index());
        assert_eq!(st.load[0][leaders], 2.0);
        assert_eq!(st.load[1][leaders], 2.0);
        assert_eq!(st.load[0][out], st.load[1][out]);
    }

    /// Leadership reaches a broker only along a chain: broker 0 leads everything, broker 2
    /// shares partitions only with broker 1. The counts end exact without touching a replica.
    #[test]
    fn counts_reach_the_band_along_chains() {
        let part = |p: i32, reps: &[i32]| {
            Partition::new(p, ReplicaSet::from(reps.to_vec())).with_load(1000, 10.0, 100.0)
        };
        let topics = vec![Topic::new(
            "t",
            vec![
                part(0, &[0, 1]),
                part(1, &[0, 1]),
                part(2, &[0, 1]),
                part(3, &[1, 2]),
                part(4, &[1, 2]),
                part(5, &[0, 1]),
            ],
        )];
        let c = Cluster::new(None, brokers(3), topics).unwrap();
        let req = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        let before: Vec<Vec<Bx>> = st.replicas.iter().map(sorted).collect();
        balance_leaders(&mut st);
        for b in 0..3 {
            assert_eq!(count(&st, b), 2.0, "broker {b}");
        }
        let after: Vec<Vec<Bx>> = st.replicas.iter().map(sorted).collect();
        assert_eq!(before, after, "replica sets unchanged");
    }

    /// Broker 0 leads both partitions of topic `a`, above its per-broker leader share; the only
    /// way to even that out is a swap with a leadership of `b`, and every such swap takes both
    /// brokers' bytes out just outside the band (2,130 and 1,910 around a mean of 2,020: each
    /// leadership also sends 10 to its follower). Spread is a preference and the band a goal: no
    /// leadership moves.
    #[test]
    fn leader_spread_never_takes_a_broker_out_of_the_bytes_out_band() {
        let topics = vec![
            Topic::new("a", vec![pair(0, 0, 1000.0), pair(1, 0, 1000.0)]),
            Topic::new("b", vec![pair(0, 1, 1110.0), pair(1, 1, 890.0)]),
        ];
        let c = Cluster::new(None, brokers(2), topics).unwrap();
        let req = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let band = pb.band(Resource::BytesOut);
        assert!(band.hi < 2130.0 && band.lo > 1910.0, "{band:?}");
        let mut st = Placement::current(&pb, &req.goals);
        assert_eq!(balance_leaders(&mut st), 0);
        let out = Resource::BytesOut.index();
        assert_eq!((st.load[0][out], st.load[1][out]), (2020.0, 2020.0));
    }

    fn sorted(r: &[Bx]) -> Vec<Bx> {
        let mut r = r.to_vec();
        r.sort_unstable();
        r
    }
}
