//! Stage 2: fill the brokers that hold too few replicas — typically brokers just added — with
//! replicas that look like the share they should end with.
//!
//! An empty broker must receive `mean_replicas` replicas whatever else happens: that is the lower
//! bound on data movement. Whether the plan stays near that bound depends on *which* replicas it
//! receives. The steepest descent of `balance` grabs the replica that lowers the band cost most,
//! i.e. the largest one, so an empty broker reaches its disk band after a fraction of its replica
//! count and the rest of the plan is spent undoing the imbalance that created on the sources.
//!
//! Here each move instead aims at a per-slot target, in four dimensions: disk and bytes in, which
//! a replica brings outright, and its *expected* share of leadership — `1/RF` of a leader and
//! `leader_out/RF` of bytes out — since the leader stage can only balance leadership among the
//! partitions a broker hosts. A receiver `b` that still needs `k_b = mean_n − n(b)` replicas should
//! receive, per replica, what it lacks per slot:
//!
//! ```text
//! want_d(b) = (mean_d − load_d(b)) / k_b
//! ```
//!
//! and a source `s` holding `m_s = n(s) − mean_n` replicas too many should give, per replica,
//! `give_d(s) = (load_d(s) − mean_d) / m_s`. The chosen replica minimises
//!
//! ```text
//! Σ_d unit_d · |a_d(p) − (want_d(b) + give_d(s)) / 2|  +  10 · Δ topic-spread cost
//! ```
//!
//! over the sources with the largest surplus, so both ends approach their means together and the
//! remaining imbalance is small enough for `balance` and `leaders` to finish with few extra moves.
//! Receivers take turns, one replica each per round, so no receiver is left with the sources'
//! leftovers.

use super::budget::Budget;
use super::placement::Placement;
use super::problem::{Bx, Part};
use super::safety_net::SafetyNet;
use crate::model::Resource;

/// How many of the largest-surplus sources each fill move considers.
const SOURCES: usize = 8;
/// Replicas of each source a fill move looks at: a window that walks round the source's list
/// from move to move, so every replica is considered in turn at a bounded cost per move (a
/// broker of a million-partition cluster hosts thousands).
const WINDOW: usize = 256;
/// Topic spread counts this many times its weight in the shared cost here: a fill move has many
/// near-equal candidates, and among them the one that keeps topics spread costs nothing extra.
const SPREAD_EMPHASIS: f64 = 10.0;
/// The shaped dimensions, each priced in the cost unit of its resource.
const SHAPED: [Resource; 4] = [
    Resource::Disk,
    Resource::BytesIn,
    Resource::BytesOut,
    Resource::Leaders,
];

/// What one replica of `part` brings to its broker in each shaped dimension: its replica load,
/// and `1/RF` of its leader load (the share it leads when leadership is spread evenly).
fn shape(part: &Part) -> [f64; 4] {
    let rf = part.target_rf.max(1) as f64;
    SHAPED.map(|r| part.replica_load(r) + part.leader_load(r) / rf)
}

#[derive(Clone, Copy)]
struct Candidate {
    p: usize,
    src: Bx,
    score: f64,
}

/// What a fill move reads of a candidate replica: the partition, its topic and its shape.
#[derive(Clone, Copy)]
struct FillItem {
    p: u32,
    topic: u32,
    shape: [f64; 4],
}

/// The fill's own state: each broker's replicas as [`FillItem`]s, each broker's expected load
/// in the shaped dimensions, and where each source's window starts next.
///
/// `hosted[b]` mirrors `Placement::hosted[b]` item for item, in the same order (the fill is the
/// only change to the placement while it runs, and [`Filler::record`] repeats its swap-remove
/// and push), so the windows are the ones the placement's lists give. A move prices thousands of
/// replicas of random partitions; read through the partitions each cost a cache miss or two,
/// read from here they are contiguous (at a million partitions this was most of the stage).
struct Filler {
    hosted: Vec<Vec<FillItem>>,
    expected: Vec<[f64; 4]>,
    cursor: Vec<usize>,
}

impl Filler {
    fn new(st: &Placement) -> Self {
        let pb = st.pb;
        let item = |p: u32| FillItem {
            p,
            topic: pb.parts[p as usize].topic as u32,
            shape: shape(&pb.parts[p as usize]),
        };
        let hosted: Vec<Vec<FillItem>> = st
            .hosted
            .iter()
            .map(|list| list.iter().map(|h| item(h.p)).collect())
            .collect();
        let mut expected = vec![[0.0; 4]; pb.broker_count()];
        for (p, reps) in st.replicas.iter().enumerate() {
            let a = shape(&pb.parts[p]);
            for &b in reps {
                for d in 0..4 {
                    expected[b][d] += a[d];
                }
            }
        }
        Filler {
            hosted,
            expected,
            cursor: vec![0; pb.broker_count()],
        }
    }

    /// `p` moved from `src` to `dst`: the same list changes as `Placement::move_replica`.
    fn record(&mut self, p: usize, src: Bx, dst: Bx) {
        let list = &mut self.hosted[src];
        let i = list
            .iter()
            .position(|x| x.p as usize == p)
            .expect("the source hosts p");
        let item = list.swap_remove(i);
        self.hosted[dst].push(item);
        for d in 0..4 {
            self.expected[src][d] -= item.shape[d];
            self.expected[dst][d] += item.shape[d];
        }
    }
}

/// Fills brokers below the replica-count band; returns the number of moves made. Each round
/// moves at most one replica into each receiver and ends when none can take one, so the work is
/// bounded by the replicas the receivers lack.
pub fn fill_underloaded(st: &mut Placement, budget: &mut Budget, net: &SafetyNet) -> usize {
    let pb = st.pb;
    if st.unit(Resource::Replicas) == 0.0 {
        return 0;
    }
    let eligible: Vec<Bx> = pb.eligible_brokers().collect();
    let mut filler = Filler::new(st);
    let mut made = 0;
    loop {
        let receivers = st.receivers();
        if receivers.is_empty() {
            break;
        }
        let mut moved = false;
        for b in receivers {
            if net.expired() {
                return made;
            }
            let Some(c) = best_fill(st, &mut filler, b, &eligible, budget) else {
                continue;
            };
            budget.charge(Budget::delta(pb, c.p, Some(c.src), Some(b)));
            st.move_replica(c.p, c.src, b);
            filler.record(c.p, c.src, b);
            made += 1;
            moved = true;
        }
        if !moved {
            break;
        }
    }
    made
}

/// The replica that best matches what receiver `b` lacks per slot and what its source has too
/// much of per slot.
fn best_fill(
    st: &Placement,
    filler: &mut Filler,
    b: Bx,
    eligible: &[Bx],
    budget: &Budget,
) -> Option<Candidate> {
    let pb = st.pb;
    let count = Resource::Replicas.index();
    let band = *pb.band(Resource::Replicas);
    let mean = SHAPED.map(|r| pb.band(r).mean);
    let unit = SHAPED.map(|r| st.unit(r));
    let slots = (band.mean - st.load[b][count]).max(1.0);
    // Sources: eligible brokers that stay in the count band after giving one replica, largest
    // surplus first.
    let mut sources: Vec<(f64, Bx)> = eligible
        .iter()
        .copied()
        .filter(|&s| s != b && st.can_spare_replica(s))
        .map(|s| (st.load[s][count] - band.mean, s))
        .collect();
    sources.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut best: Option<Candidate> = None;
    for &(surplus, s) in sources.iter().take(SOURCES) {
        let surplus = surplus.max(1.0);
        let mut target = [0.0; 4];
        for d in 0..4 {
            let want = (mean[d] - filler.expected[b][d]) / slots;
            let give = (filler.expected[s][d] - mean[d]) / surplus;
            target[d] = (0.5 * (want + give)).max(0.0);
        }
        let hosted = &filler.hosted[s];
        debug_assert_eq!(hosted.len(), st.hosted[s].len());
        let start = filler.cursor[s] % hosted.len().max(1);
        let window = hosted[start..].iter().chain(&hosted[..start]).take(WINDOW);
        for item in window {
            let (p, topic, a) = (item.p as usize, item.topic as usize, &item.shape);
            let mut score = 0.0;
            for d in 0..4 {
                score += unit[d] * (a[d] - target[d]).abs();
            }
            score += SPREAD_EMPHASIS
                * (st.spread_delta(topic, s, -1, false) + st.spread_delta(topic, b, 1, false));
            let better = best
                .as_ref()
                .is_none_or(|c| score < c.score || (score == c.score && (p, s) < (c.p, c.src)));
            if better
                && st.can_move(p, s, b)
                && budget.allows(Budget::delta(pb, p, Some(s), Some(b)))
            {
                best = Some(Candidate { p, src: s, score });
            }
        }
        filler.cursor[s] = start + WINDOW;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cluster;
    use crate::plan::problem::Problem;
    use crate::plan::test_cluster::three_full_one_new;
    use crate::plan::PlanRequest;
    use std::time::Duration;

    /// Three full brokers and one empty one; sizes alternate 1 and 9 so a greedy that grabs the
    /// largest replica would fill the newcomer's disk with a third of its replicas.
    fn cluster() -> Cluster {
        three_full_one_new(|p| {
            let size = if p % 2 == 0 { 1 } else { 9 } * 1_000_000;
            (size, 1000.0, 1000.0)
        })
    }

    #[test]
    fn an_empty_broker_receives_its_share_of_each_resource() {
        let c = cluster();
        let req = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        let mut budget = Budget::new(None, None);
        let made = fill_underloaded(
            &mut st,
            &mut budget,
            &SafetyNet::new(Duration::from_secs(5)),
        );
        // 24 replicas over 4 brokers: 6 each, so the newcomer receives exactly 6.
        assert_eq!(made, 6);
        let disk = Resource::Disk.index();
        let mean = pb.band(Resource::Disk).mean;
        for b in 0..4 {
            assert_eq!(st.load[b][Resource::Replicas.index()], 6.0, "broker {b}");
        }
        // Its disk is its share (30 MB of 120 MB), not three large replicas and three small ones
        // by accident of order: within one small replica of the mean.
        assert!(
            (st.load[3][disk] - mean).abs() <= 1_000_000.0,
            "{:?}",
            st.load[3]
        );
    }
}
