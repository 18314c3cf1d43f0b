//! Stage 0: hot replicas onto brokers with room for them, before anything else fills that room.
//!
//! A replica is *hot* in a replica resource `r` (disk, bytes in) when its load exceeds half the
//! top of `r`'s band: two on one broker break the band, and whichever broker hosts one must hold
//! little else of `r` (the argument of the bound in `bounds/hot_items`). An old broker that keeps
//! its hot replica pays for it with swaps, a warm replica out for a cold one in — hundreds of
//! them for a keyed partition carrying most of a broker's mean. A broker that still lacks most of
//! its replicas (typically one just added) takes the hot replica for the price of one of the
//! moves it must receive anyway, and the fill then gives it colder replicas for the rest of its
//! slots.
//!
//! So a hot replica moves from a broker above its band to a receiver — a broker below the
//! replica-count band — when the receiver stays at or below its mean in every replica resource
//! after taking it, the source stays in the count band, and the source's band cost falls; the
//! largest fall first. A moved replica lands at or below the mean and is not hot-moved again, so
//! the stage makes at most one move per hot replica.
//!
//! The stage runs before the repairs, which would otherwise spend the receivers' room on the
//! replicas they place (a replication-factor change, a drained broker); those still find the
//! cheapest broker afterwards. A hot partition the repairs will change (a replication factor
//! raised to more racks than any single move reaches) moves when its rack spread does not fall.
//! Under a budget the stage does not run: the repairs come first.

use super::budget::Budget;
use super::placement::{Placement, REPLICA_RESOURCES};
use super::problem::Bx;
use crate::model::Resource;

/// The replica resources a hot replica is judged by: what it brings to any broker hosting it.
const HOT_IN: [Resource; 2] = [Resource::Disk, Resource::BytesIn];
const EPS: f64 = 1e-9;

/// A hot replica's move: `p` from `src` to `dst`, lowering `src`'s band cost by `gain`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct HotMove {
    p: usize,
    src: Bx,
    dst: Bx,
    gain: f64,
}

/// Moves hot replicas off brokers above their band onto receivers with room for them; returns
/// the number of moves made.
pub fn place_hot_replicas(st: &mut Placement, budget: &mut Budget) -> usize {
    let pb = st.pb;
    let hot: Vec<usize> = (0..pb.parts.len())
        .filter(|&p| {
            let part = &pb.parts[p];
            part.movable
                && HOT_IN
                    .iter()
                    .any(|&r| part.replica_load(r) > st.target(r).hi / 2.0)
        })
        .collect();
    let most = hot.iter().map(|&p| st.replicas[p].len()).sum::<usize>();
    let mut made = 0;
    while made < most {
        let Some(m) = best_hot_move(st, &hot, budget) else {
            break;
        };
        budget.charge(Budget::delta(pb, m.p, Some(m.src), Some(m.dst)));
        st.move_replica(m.p, m.src, m.dst);
        made += 1;
    }
    made
}

/// The hot replica whose move to a receiver lowers its source's band cost most (ties: the
/// first partition, then the first replica), to the receiver lacking the most replicas.
fn best_hot_move(st: &Placement, hot: &[usize], budget: &Budget) -> Option<HotMove> {
    let pb = st.pb;
    let receivers = st.receivers();
    let zero = [0.0; 5];
    let mut best: Option<HotMove> = None;
    for &p in hot {
        let part = &pb.parts[p];
        let mut minus = [0.0; 5];
        for r in REPLICA_RESOURCES {
            minus[r.index()] = -part.replica_load(r);
        }
        for &src in &st.replicas[p] {
            if !pb.eligible[src] || !st.can_spare_replica(src) {
                continue;
            }
            let gain = st.band_cost_with(src, &REPLICA_RESOURCES, &zero)
                - st.band_cost_with(src, &REPLICA_RESOURCES, &minus);
            if gain <= EPS || best.is_some_and(|m| m.gain >= gain) {
                continue;
            }
            // Room: the receiver ends at or below its mean with the hot replica, so the rest of
            // its slots can take colder replicas.
            let room = |b: Bx| {
                HOT_IN
                    .iter()
                    .all(|&r| st.load[b][r.index()] + part.replica_load(r) <= st.target(r).mean)
            };
            let dst = receivers.iter().copied().find(|&b| {
                room(b)
                    && may_move(st, p, src, b)
                    && budget.allows(Budget::delta(pb, p, Some(src), Some(b)))
            });
            if let Some(dst) = dst {
                best = Some(HotMove { p, src, dst, gain });
            }
        }
    }
    best
}

/// Whether `p` may move from `src` to `dst` now. A partition the repairs will still change (its
/// replication factor, a rack it lacks, a broker it must leave) cannot meet the rack rule yet, and
/// every move of it would fail [`Placement::can_move`]; it may move when its rack spread does not
/// fall, since the repairs that follow add the replica or the rack it lacks.
fn may_move(st: &Placement, p: usize, src: Bx, dst: Bx) -> bool {
    let pb = st.pb;
    let reps = &st.replicas[p];
    if pb.is_valid_placement(p, reps) {
        return st.can_move(p, src, dst);
    }
    if !pb.eligible[dst] || reps.contains(&dst) {
        return false;
    }
    let after: Vec<Bx> = reps
        .iter()
        .map(|&b| if b == src { dst } else { b })
        .collect();
    pb.rack_spread(&after) >= pb.rack_spread(reps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Broker, BrokerId, Cluster};
    use crate::plan::problem::Problem;
    use crate::plan::test_cluster::three_full_one_new;
    use crate::plan::PlanRequest;

    /// Partition 0 is keyed and hot, with as much disk and bytes in as six of the others.
    fn cluster() -> Cluster {
        three_full_one_new(|p| {
            let scale = if p == 0 { 6.0 } else { 1.0 };
            ((scale * 1e6) as u64, scale * 1000.0, scale * 1000.0)
        })
    }

    fn request() -> PlanRequest {
        PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        }
    }

    #[test]
    fn a_hot_replica_moves_to_the_new_broker_from_the_most_loaded_host() {
        let c = cluster();
        let req = request();
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        let disk = Resource::Disk.index();
        let before: Vec<f64> = (0..4).map(|b| st.load[b][disk]).collect();
        let mut budget = Budget::new(None, None);
        let made = place_hot_replicas(&mut st, &mut budget);
        // Partition 0 (on brokers 0 and 1) is the only hot one; one of its replicas moves, and
        // the new broker cannot take a second.
        assert_eq!(made, 1);
        assert!(st.replicas[0].contains(&3), "{:?}", &st.replicas[0]);
        // It leaves the host that sheds more band cost: the heavier of brokers 0 and 1.
        let heavier = if before[0] >= before[1] { 0 } else { 1 };
        assert!(!st.replicas[0].contains(&heavier), "{:?}", &st.replicas[0]);
        assert_eq!(budget.moves, 1);
    }

    #[test]
    fn without_a_receiver_nothing_moves() {
        // Broker 3 decommissioned: nobody lacks replicas, no hot replica has somewhere to go.
        let c = cluster();
        let req = PlanRequest {
            decommission: [BrokerId(3)].into(),
            ..request()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        assert_eq!(place_hot_replicas(&mut st, &mut Budget::new(None, None)), 0);
    }

    #[test]
    fn a_partition_awaiting_its_new_replication_factor_may_move_if_its_racks_do_not_shrink() {
        // Racks r0, r1, r2 for brokers 0–2; broker 3 joins r0. Raising RF 2 → 3 requires three
        // racks, which no single move of a two-replica partition reaches.
        let brokers = (0..4)
            .map(|i| Broker {
                id: BrokerId(i),
                rack: Some(format!("r{}", i % 3)),
            })
            .collect();
        let c = Cluster::new(None, brokers, cluster().topics().to_vec()).unwrap();
        let req = PlanRequest {
            replication_factors: vec![(regex::Regex::new("^t$").unwrap(), 3)],
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let st = Placement::current(&pb, &req.goals);
        // Partition 0 sits on brokers 0 (r0) and 1 (r1).
        assert!(!st.can_move(0, 0, 3));
        assert!(may_move(&st, 0, 0, 3), "r0 → r0 keeps two racks");
        // Broker 3 (r0) instead of broker 1 (r1) would leave the partition in r0 alone.
        assert!(!may_move(&st, 0, 1, 3));
    }
}
