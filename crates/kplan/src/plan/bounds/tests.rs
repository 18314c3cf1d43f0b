//! Every bound against exhaustive search: on tiny random clusters and requests, enumerate every
//! valid final placement (replica sets and leaders), and check that no placement beats a bound.
//! A bound that is ever wrong fails here.

use proptest::prelude::*;

use super::{move_bound, resource_bounds};
use crate::model::{Broker, BrokerId, Cluster, Partition, Resource, Topic};
use crate::plan::placement::Placement;
use crate::plan::problem::{Bx, Problem};
use crate::plan::PlanRequest;

/// One final placement: replicas per partition, leader first.
type Assignment = Vec<Vec<Bx>>;

/// Every valid final placement of `pb` (respecting the budget of `request`).
fn all_placements(pb: &Problem, request: &PlanRequest) -> Vec<Assignment> {
    let mut choices: Vec<Vec<Vec<Bx>>> = Vec::new();
    for (p, part) in pb.parts.iter().enumerate() {
        let mut options = Vec::new();
        if !part.movable {
            let mut r = part.current.clone();
            let i = r.iter().position(|&b| b == part.current_leader).unwrap();
            r[..=i].rotate_right(1);
            options.push(r);
        } else if request.leaders_only {
            for &l in &part.current {
                let mut r = vec![l];
                r.extend(part.current.iter().copied().filter(|&b| b != l));
                options.push(r);
            }
        } else {
            let n = pb.broker_count();
            for mask in 0u32..(1 << n) {
                let set: Vec<Bx> = (0..n).filter(|&b| mask & (1 << b) != 0).collect();
                if !pb.is_valid_placement(p, &set) {
                    continue;
                }
                for &l in &set {
                    let mut r = vec![l];
                    r.extend(set.iter().copied().filter(|&b| b != l));
                    options.push(r);
                }
            }
        }
        choices.push(options);
    }
    let mut out: Vec<Assignment> = vec![Vec::new()];
    for options in &choices {
        let mut next = Vec::with_capacity(out.len() * options.len());
        for a in &out {
            for o in options {
                let mut a = a.clone();
                a.push(o.clone());
                next.push(a);
            }
        }
        out = next;
    }
    out.retain(|a| {
        let (moves, bytes) = movement(pb, a);
        request.max_moves.is_none_or(|m| moves <= m)
            && request
                .max_move_bytes
                .is_none_or(|b| bytes <= b as f64 + 0.5)
    });
    out
}

fn movement(pb: &Problem, a: &Assignment) -> (usize, f64) {
    let (mut moves, mut bytes) = (0, 0.0);
    for (p, reps) in a.iter().enumerate() {
        for b in reps {
            if !pb.parts[p].current.contains(b) {
                moves += 1;
                bytes += pb.parts[p].size;
            }
        }
    }
    (moves, bytes)
}

fn loads(pb: &Problem, a: &Assignment, r: Resource) -> Vec<f64> {
    let mut l = vec![0.0; pb.broker_count()];
    for (p, reps) in a.iter().enumerate() {
        for (i, &b) in reps.iter().enumerate() {
            l[b] += pb.parts[p].load(r, i == 0);
        }
    }
    pb.eligible_brokers().map(|b| l[b]).collect()
}

#[derive(Clone, Debug)]
struct Case {
    racks: Vec<Option<u8>>,
    partitions: Vec<(Vec<usize>, u64, f64, f64)>,
    request: PlanRequest,
}

fn case() -> impl Strategy<Value = Case> {
    let brokers = 2usize..=4;
    brokers
        .prop_flat_map(|n| {
            let racks = prop_oneof![
                Just(vec![None; n]),
                proptest::collection::vec((0u8..3).prop_map(Some), n),
            ];
            let partition = (
                proptest::sample::subsequence((0..n).collect::<Vec<_>>(), 1..=n.min(3)),
                any::<bool>(),
                1u64..6,
                0u32..5,
                0u32..9,
                any::<bool>(),
            )
                .prop_map(|(mut reps, rotate, size, bin, bout, fractional)| {
                    if rotate {
                        reps.rotate_left(1);
                    }
                    let scale = if fractional { 0.37 } else { 1.0 };
                    (
                        reps,
                        size * 1_000,
                        f64::from(bin) * scale,
                        f64::from(bout) * scale,
                    )
                });
            let partitions = proptest::collection::vec(partition, 1..=4);
            (Just(n), racks, partitions, request(n))
        })
        .prop_map(|(_, racks, partitions, request)| Case {
            racks,
            partitions,
            request,
        })
}

fn request(n: usize) -> impl Strategy<Value = PlanRequest> {
    (
        any::<bool>(),
        proptest::option::of(0..n as i32),
        proptest::option::of(0usize..4),
        proptest::option::of(0u64..6_000),
        proptest::option::of(1usize..=3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(leaders_only, drain, moves, bytes, rf, rack_aware, exclude)| PlanRequest {
                leaders_only,
                decommission: drain
                    .filter(|_| !leaders_only)
                    .map(BrokerId)
                    .into_iter()
                    .collect(),
                max_moves: moves,
                max_move_bytes: bytes,
                replication_factors: rf
                    .filter(|_| !leaders_only)
                    .map(|rf| (regex::Regex::new("^a$").unwrap(), rf))
                    .into_iter()
                    .collect(),
                rack_aware,
                exclude_topics: exclude.then(|| regex::Regex::new("^b$").unwrap()),
                ..PlanRequest::default()
            },
        )
}

fn cluster(case: &Case) -> Cluster {
    let racked = case.racks.iter().any(Option::is_some);
    let brokers = case
        .racks
        .iter()
        .enumerate()
        .map(|(i, r)| Broker {
            id: BrokerId(i as i32),
            rack: racked.then(|| format!("r{}", r.unwrap_or(0))),
        })
        .collect();
    // Partitions alternate between topics a and b.
    let mut topics = vec![Topic::new("a", Vec::new()), Topic::new("b", Vec::new())];
    for (i, (reps, size, bin, bout)) in case.partitions.iter().enumerate() {
        let ids: Vec<i32> = reps.iter().map(|&b| b as i32).collect();
        let t = &mut topics[i % 2];
        let n = t.partitions.len() as i32;
        t.partitions
            .push(Partition::new(n, ids).with_load(*size, *bin, *bout));
    }
    topics.retain(|t| !t.partitions.is_empty());
    Cluster::new(None, brokers, topics).unwrap()
}

const EPS: f64 = 1e-6;

/// 256 cases by default; `PROPTEST_CASES=5000` for a longer run (an explicit `cases` would
/// override the variable).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        // Some cases have no valid placement at all (prop_assume); allow as many as cases.
        max_global_rejects: cases().max(1024),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_placement_beats_a_bound(case in case()) {
        let c = cluster(&case);
        let Ok(pb) = Problem::new(&c, &case.request) else { return Ok(()); };
        if !pb.parts.iter().any(|p| p.movable) {
            return Ok(());
        }
        let st = Placement::current(&pb, &case.request.goals);
        let bounds = resource_bounds(&st, &case.request);
        let plans = all_placements(&pb, &case.request);
        prop_assume!(!plans.is_empty());
        for r in Resource::ALL {
            let b = &bounds[r.index()];
            let best_max = plans.iter().map(|a| loads(&pb, a, r).into_iter().fold(f64::MIN, f64::max))
                .fold(f64::MAX, f64::min);
            let best_min = plans.iter().map(|a| loads(&pb, a, r).into_iter().fold(f64::MAX, f64::min))
                .fold(f64::MIN, f64::max);
            prop_assert!(b.max_load <= best_max + EPS * best_max.abs().max(1.0),
                "{r}: max bound {} ({:?}) above the best placement's {best_max}", b.max_load, b.max_reason);
            prop_assert!(b.min_load >= best_min - EPS * best_min.abs().max(1.0),
                "{r}: min bound {} ({:?}) below the best placement's {best_min}", b.min_load, b.min_reason);
        }
        let (replicas, bytes) = move_bound(&st, &case.request, &bounds);
        let reachable = |a: &Assignment, r: Resource| {
            if case.request.goals.resource(r) == 0.0 { return true; }
            let band = pb.band(r);
            let b = &bounds[r.index()];
            let (lo, hi) = (band.lo.min(b.min_load), band.hi.max(b.max_load));
            loads(&pb, a, r).iter().all(|&l| l >= lo - 1e-9 * lo.abs().max(1.0) && l <= hi + 1e-9 * hi.abs().max(1.0))
        };
        // The move bound holds for plans meeting every reachable band that replicas decide
        // (leader resources also depend on the leader stage).
        for a in &plans {
            let (moves, moved_bytes) = movement(&pb, a);
            if [Resource::Replicas, Resource::Disk, Resource::BytesIn].into_iter().all(|r| reachable(a, r)) {
                prop_assert!(moves >= replicas, "{moves} moves meet the bands, bound says {replicas}: {a:?}");
                prop_assert!(moved_bytes + 0.5 >= bytes as f64, "{moved_bytes} bytes meet the bands, bound says {bytes}: {a:?}");
            }
        }
    }
}

/// The README's worked example: 8 partitions of 10 and 5 GiB on 4 brokers. No placement holds
/// 32.5 GiB on every broker: the busiest holds at least 35 GiB.
#[test]
fn indivisible_partitions_bound_the_add_broker_example() {
    let gib = 1u64 << 30;
    let brokers = (0..4)
        .map(|i| Broker::new(i, Some(["0", "1", "2", "2"][i as usize])))
        .collect();
    let t0 = [[0, 1], [1, 2], [2, 0], [0, 2], [1, 0]]
        .iter()
        .enumerate()
        .map(|(i, r)| Partition::new(i as i32, r.to_vec()).with_load(10 * gib, 1e7, 5e6))
        .collect();
    let t1 = [[0, 1], [1, 2], [2, 0]]
        .iter()
        .enumerate()
        .map(|(i, r)| Partition::new(i as i32, r.to_vec()).with_load(5 * gib, 5e6, 1e6))
        .collect();
    let c = Cluster::new(
        None,
        brokers,
        vec![Topic::new("T0", t0), Topic::new("T1", t1)],
    )
    .unwrap();
    let request = PlanRequest::default();
    let pb = Problem::new(&c, &request).unwrap();
    let st = Placement::current(&pb, &request.goals);
    let bounds = resource_bounds(&st, &request);
    let disk = &bounds[Resource::Disk.index()];
    assert_eq!(disk.max_load, 35.0 * gib as f64);
    assert_eq!(disk.max_reason, super::BoundReason::Granularity);
    // Five leaderships of 15 MB/s over four brokers: two share a broker.
    let out = &bounds[Resource::BytesOut.index()];
    assert_eq!(out.max_load, 30e6);
    assert_eq!(out.max_reason, super::BoundReason::LargestPartitions);
}

/// Two brokers of two single-replica partitions each, the hot pair on broker 0: both counts sit
/// at the mean, so broker 0 can shed a hot partition only by taking a cold one back. Neither
/// count nor disk asks for a move; bytes in asks for the swap, and nothing less meets its band.
#[test]
fn a_hot_broker_at_the_count_mean_forces_a_swap() {
    let gb = 1_000_000_000u64;
    let brokers = (0..2).map(|i| Broker::new(i, None)).collect();
    let partitions = [(0, 9.0), (0, 9.0), (1, 0.0), (1, 0.0)]
        .iter()
        .enumerate()
        .map(|(i, &(b, bytes_in))| Partition::new(i as i32, vec![b]).with_load(gb, bytes_in, 0.0))
        .collect();
    let c = Cluster::new(None, brokers, vec![Topic::new("t", partitions)]).unwrap();
    let request = PlanRequest::default();
    let pb = Problem::new(&c, &request).unwrap();
    let st = Placement::current(&pb, &request.goals);
    let bounds = resource_bounds(&st, &request);
    // One hot partition leaves broker 0 and one cold one arrives: two moves of 1 GB each.
    assert_eq!(move_bound(&st, &request, &bounds), (2, 2 * gb));
}
