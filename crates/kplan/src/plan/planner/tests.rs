//! Named scenarios on small hand-built clusters. Every plan goes through `verify` inside
//! `plan`, and again here against the scenario's own expectations.
use std::collections::BTreeSet;
use std::time::Duration;

use super::*;
use crate::model::{Broker, BrokerId, Partition, Topic};
use crate::plan::{Goal, GoalState};

fn cluster(racks: &[&str], topics: Vec<Topic>) -> Cluster {
    let brokers = racks
        .iter()
        .enumerate()
        .map(|(i, r)| Broker::new(i as i32, (!r.is_empty()).then_some(*r)))
        .collect();
    Cluster::new(Some("test".into()), brokers, topics).unwrap()
}

fn topic(name: &str, placements: &[&[i32]], size: u64) -> Topic {
    Topic::new(
        name,
        placements
            .iter()
            .enumerate()
            .map(|(i, r)| Partition::new(i as i32, r.to_vec()).with_load(size, 1000.0, 2000.0))
            .collect(),
    )
}

fn quick() -> PlanRequest {
    PlanRequest {
        time_limit: Duration::from_secs(10),
        ..PlanRequest::default()
    }
}

fn final_replicas(c: &Cluster, plan: &Plan, topic: &str, p: i32) -> Vec<i32> {
    plan.reassignment
        .partitions
        .iter()
        .find(|e| e.topic == topic && e.partition == p)
        .map(|e| e.brokers().iter().map(|b| b.0).collect())
        .unwrap_or_else(|| {
            let tp = crate::model::TopicPartition::new(topic, p);
            c.partition(&tp)
                .unwrap()
                .replicas
                .brokers()
                .iter()
                .map(|b| b.0)
                .collect()
        })
}

#[test]
fn balanced_cluster_needs_no_plan() {
    let c = cluster(
        &["", "", ""],
        vec![topic("t", &[&[0, 1], &[1, 2], &[2, 0]], 100)],
    );
    let plan = plan(&c, &quick()).unwrap();
    assert!(
        plan.reassignment.is_empty(),
        "{}",
        plan.reassignment.to_json()
    );
    assert!(plan.report.goals.iter().all(|g| g.met));
}

#[test]
fn decommission_empties_the_broker_and_keeps_racks() {
    let c = cluster(
        &["a", "b", "c", "a"],
        vec![topic(
            "t",
            &[&[0, 1, 2], &[1, 2, 0], &[2, 0, 1], &[3, 1, 2]],
            100,
        )],
    );
    let req = PlanRequest {
        decommission: [BrokerId(3)].into(),
        ..quick()
    };
    let plan = plan(&c, &req).unwrap();
    for p in 0..4 {
        let r = final_replicas(&c, &plan, "t", p);
        assert!(!r.contains(&3), "t-{p} still on 3: {r:?}");
    }
    assert_eq!(plan.metrics.after[&BrokerId(3)][Resource::Replicas], 0.0);
    assert_eq!(plan.metrics.replicas_moved, 1);
    assert_eq!(plan.rollback.partitions[0].brokers()[0], BrokerId(3));
}

#[test]
fn replication_factor_changes_both_ways() {
    let c = cluster(
        &["", "", "", ""],
        vec![
            topic("up", &[&[0], &[1]], 10),
            topic("down", &[&[0, 1, 2], &[1, 2, 3]], 10),
        ],
    );
    let req = PlanRequest {
        replication_factors: vec![
            (regex::Regex::new("^up$").unwrap(), 3),
            (regex::Regex::new("^down$").unwrap(), 2),
        ],
        ..quick()
    };
    let plan = plan(&c, &req).unwrap();
    assert_eq!(final_replicas(&c, &plan, "up", 0).len(), 3);
    assert_eq!(final_replicas(&c, &plan, "down", 1).len(), 2);
}

#[test]
fn rack_violations_are_repaired() {
    // t-0 sits on two brokers of rack a.
    let c = cluster(
        &["a", "a", "b", "b"],
        vec![topic("t", &[&[0, 1], &[2, 3], &[0, 2], &[1, 3]], 10)],
    );
    let plan = plan(&c, &quick()).unwrap();
    for p in 0..4 {
        let r = final_replicas(&c, &plan, "t", p);
        let racks: BTreeSet<bool> = r.iter().map(|&b| b < 2).collect();
        assert_eq!(racks.len(), 2, "t-{p} on {r:?}");
    }
}

#[test]
fn leaders_only_never_moves_data() {
    let c = cluster(
        &["", "", ""],
        vec![topic(
            "t",
            &[&[0, 1], &[0, 2], &[0, 1], &[0, 2], &[1, 2], &[2, 1]],
            10,
        )],
    );
    let req = PlanRequest {
        leaders_only: true,
        ..quick()
    };
    let plan = plan(&c, &req).unwrap();
    assert_eq!(plan.metrics.replicas_moved, 0);
    assert!(plan.metrics.leader_changes > 0);
    let leaders = &plan.metrics.after;
    assert!(
        leaders.values().all(|l| l[Resource::Leaders] == 2.0),
        "{leaders:?}"
    );
}

#[test]
fn budgets_are_respected() {
    let c = cluster(
        &["", "", "", ""],
        vec![topic(
            "t",
            &[&[0, 1], &[1, 2], &[2, 0], &[0, 1], &[1, 2], &[2, 0]],
            10,
        )],
    );
    let req = PlanRequest {
        max_moves: Some(1),
        ..quick()
    };
    let plan = plan(&c, &req).unwrap();
    assert!(plan.metrics.replicas_moved <= 1);
    assert!(
        plan.report.goals.iter().any(|g| !g.met),
        "one move cannot fill broker 3"
    );
}

/// Found by 10,000 random clusters (seed 79): a leaders-only plan may reorder a partition
/// that already spans fewer racks than it should; a reorder cannot change its spread, and the
/// plan says those partitions stay short.
#[test]
fn leaders_only_reorders_partitions_short_of_rack_spread() {
    let c = cluster(
        &["a", "a", "b", "c"],
        vec![topic("t", &[&[0, 1, 2], &[0, 1, 2], &[0, 1, 2]], 10)],
    );
    let req = PlanRequest {
        leaders_only: true,
        ..quick()
    };
    let plan = plan(&c, &req).expect("a leaders-only plan");
    verify(&c, &req, &plan.reassignment).expect("the plan verifies");
    let leaders: BTreeSet<i32> = (0..3)
        .map(|p| final_replicas(&c, &plan, "t", p)[0])
        .collect();
    assert_eq!(
        leaders.len(),
        3,
        "each of brokers 0, 1, 2 leads one: {leaders:?}"
    );
    assert!(
        plan.report
            .warnings
            .iter()
            .any(|w| w.contains("span too few racks")),
        "{:?}",
        plan.report.warnings
    );
}

/// Found by 10,000 random clusters (seeds 179, 188, 1309, ...): a swap that brings one small
/// replica home and sends a big one away costs no move but many bytes, and the byte budget
/// let it through. Budgets hold on skewed clusters, with topic filters and RF changes.
#[test]
fn byte_budgets_hold_on_skewed_clusters() {
    let two_topics = regex::Regex::new("^topic-0000[01]$").unwrap();
    let fourth = regex::Regex::new("^topic-00003$").unwrap();
    for seed in 0..6 {
        let c = crate::synthetic::SyntheticSpec {
            brokers: 8,
            racks: if seed % 3 == 0 { 0 } else { 3 },
            empty_brokers: (seed % 2) as usize,
            topics: 4,
            partitions: 40,
            replication_factors: vec![2, 3],
            skew: 1.5,
            mean_size_bytes: 1e9,
            mean_bytes_in: 1e6,
            seed,
        }
        .build();
        for budget in [2e9, 2e10] {
            let req = PlanRequest {
                max_move_bytes: Some(budget as u64),
                topics: (seed % 4 == 1).then(|| two_topics.clone()),
                replication_factors: (seed % 4 == 2)
                    .then(|| (fourth.clone(), 2))
                    .into_iter()
                    .collect(),
                rack_aware: seed % 3 != 0,
                ..quick()
            };
            match plan(&c, &req) {
                Ok(p) => assert!(p.metrics.bytes_moved <= budget as u64, "seed {seed}"),
                Err(PlanError::BudgetTooSmall { .. }) => {}
                Err(e) => panic!("seed {seed}, budget {budget}: {e}"),
            }
        }
    }
}

/// Topic `s` sits on brokers 0 and 1 only, topic `f` on 2 and 3: every band is met, so the
/// default plan copies nothing for spread; `--spread-topics s` copies `s` replicas until every
/// broker holds within one of its share (16 / 4 = 4) and leads within one of its 8 / 4 = 2.
#[test]
fn spread_topics_copies_data_for_matching_topics_only() {
    let halves = |a: i32, b: i32| -> Vec<&'static [i32]> {
        let (ab, ba): (&'static [i32], &'static [i32]) = match (a, b) {
            (0, 1) => (&[0, 1], &[1, 0]),
            _ => (&[2, 3], &[3, 2]),
        };
        (0..8).map(|i| if i % 2 == 0 { ab } else { ba }).collect()
    };
    let c = cluster(
        &["", "", "", ""],
        vec![
            topic("f", &halves(2, 3), 100),
            topic("s", &halves(0, 1), 100),
        ],
    );
    let count = |plan: &Plan, b: i32, leaders: bool| {
        (0..8)
            .filter(|&p| {
                let r = final_replicas(&c, plan, "s", p);
                if leaders {
                    r[0] == b
                } else {
                    r.contains(&b)
                }
            })
            .count()
    };
    let default = plan(&c, &quick()).unwrap();
    assert_eq!(
        default.metrics.replicas_moved, 0,
        "spread alone copies nothing"
    );
    let req = PlanRequest {
        spread_topics: Some(regex::Regex::new("^s$").unwrap()),
        ..quick()
    };
    let spread = plan(&c, &req).unwrap();
    for b in 0..4 {
        assert!((3..=5).contains(&count(&spread, b, false)), "broker {b}");
        assert!(
            (1..=3).contains(&count(&spread, b, true)),
            "broker {b} leads"
        );
    }
    let goal = |g: Goal| spread.report.goals.iter().find(|s| s.goal == g).unwrap();
    let ts = goal(Goal::TopicSpread);
    assert_eq!(ts.status, GoalState::Met, "{}", ts.detail);
    assert!(ts.detail.contains("extra replica move"), "{}", ts.detail);
    assert!(
        goal(Goal::Balance(Resource::Replicas)).met,
        "replica counts stay in band"
    );
    assert!(spread.metrics.replicas_moved >= 6);
}

/// With racks a, a, b, b and RF 2 a partition keeps one replica per rack, so a topic can reach
/// its range only by moves within a rack; the plan still verifies.
#[test]
fn spread_topics_keep_rack_awareness() {
    let c = cluster(
        &["a", "a", "b", "b"],
        vec![topic("s", &[&[0, 2] as &[i32]; 8], 100)],
    );
    let req = PlanRequest {
        spread_topics: Some(regex::Regex::new("s").unwrap()),
        ..quick()
    };
    let p = plan(&c, &req).unwrap();
    verify(&c, &req, &p.reassignment).expect("the plan verifies");
    for b in 0..4 {
        let n = (0..8)
            .filter(|&i| final_replicas(&c, &p, "s", i).contains(&b))
            .count();
        assert!((3..=5).contains(&n), "broker {b} holds {n}");
    }
}

/// Found by the benchmark (H-uni with --decommission): a partition both short of racks and on
/// a drained broker. Its staying replicas share rack a, so no single replacement reaches the
/// spread; the repair replaces the drained replica anyway and then moves one from rack a.
#[test]
fn drained_replica_of_a_partition_short_of_racks_is_repaired() {
    let c = cluster(
        &["a", "a", "b", "c", "b", "d"],
        vec![topic(
            "t",
            &[&[0, 1, 2, 3], &[2, 3, 4, 5], &[4, 5, 0, 3]],
            100,
        )],
    );
    let req = PlanRequest {
        decommission: [BrokerId(2)].into(),
        ..quick()
    };
    let p = plan(&c, &req).expect("a plan");
    verify(&c, &req, &p.reassignment).expect("the plan verifies");
    let racks: BTreeSet<char> = final_replicas(&c, &p, "t", 0)
        .iter()
        .map(|&b| ['a', 'a', 'b', 'c', 'b', 'd'][b as usize])
        .collect();
    assert_eq!(racks.len(), 4, "{racks:?}");
}

#[test]
fn infeasible_requests_say_why() {
    let c = cluster(
        &["a", "b", "c", "a", "b"],
        vec![topic("orders", &[&[0, 1, 2]], 10)],
    );
    let req = PlanRequest {
        decommission: [2, 3, 4].map(BrokerId).into(),
        ..quick()
    };
    let err = plan(&c, &req).unwrap_err().to_string();
    assert_eq!(
        err,
        "topic orders needs replication factor 3 but only 2 broker(s) may host it (decommissioning 3 of 5 brokers leaves 2)"
    );
    let req = PlanRequest {
        allowed_brokers: Some([0, 1, 3, 4].map(BrokerId).into()),
        ..quick()
    };
    let err = plan(&c, &req).unwrap_err().to_string();
    assert!(
        err.starts_with("topic orders has RF 3 but only 2 racks are allowed"),
        "{err}"
    );
    let partial = cluster(&["a", ""], vec![topic("t", &[&[0]], 1)]);
    assert!(matches!(
        plan(&partial, &quick()),
        Err(PlanError::PartialRacks(_))
    ));
}

/// The benchmark targets, on a small cluster: replicas moved within 1.15× the lower bound and
/// every band goal met.
fn assert_near_lower_bound_and_in_band(plan: &Plan) {
    let lb = plan.report.lower_bound.replicas as f64;
    assert!(
        plan.metrics.replicas_moved as f64 <= 1.15 * lb,
        "{} moves for a lower bound of {lb}",
        plan.metrics.replicas_moved
    );
    for g in plan
        .report
        .goals
        .iter()
        .filter(|g| matches!(g.goal, Goal::Balance(_)))
    {
        assert!(g.met, "{}: {}", g.goal, g.detail);
    }
}

/// New brokers are filled with replicas shaped like their share, so the plan moves close to
/// the minimum and still lands every broker in every band.
#[test]
fn new_brokers_are_filled_near_the_lower_bound() {
    let c = crate::synthetic::SyntheticSpec {
        brokers: 12,
        racks: 3,
        empty_brokers: 3,
        topics: 20,
        partitions: 600,
        replication_factors: vec![3, 2],
        skew: 1.0,
        mean_size_bytes: 1e9,
        mean_bytes_in: 1e6,
        seed: 11,
    }
    .build();
    let plan = plan(&c, &quick()).unwrap();
    assert!(plan.report.lower_bound.replicas > 0);
    assert_near_lower_bound_and_in_band(&plan);
}

/// Draining brokers: their replicas land so that every broker ends in band, moving little
/// more than the drained replicas themselves.
#[test]
fn drained_brokers_are_absorbed_in_band() {
    let c = crate::synthetic::SyntheticSpec {
        brokers: 15,
        racks: 5,
        empty_brokers: 0,
        topics: 30,
        partitions: 1_500,
        replication_factors: vec![3],
        skew: 1.0,
        mean_size_bytes: 1e9,
        mean_bytes_in: 1e6,
        seed: 5,
    }
    .build();
    let req = PlanRequest {
        decommission: [BrokerId(0), BrokerId(1)].into(),
        ..quick()
    };
    let plan = plan(&c, &req).unwrap();
    assert_near_lower_bound_and_in_band(&plan);
}

#[test]
fn plans_are_deterministic() {
    let c = crate::synthetic::SyntheticSpec {
        brokers: 9,
        racks: 3,
        empty_brokers: 2,
        topics: 6,
        partitions: 120,
        replication_factors: vec![3, 2],
        skew: 1.0,
        mean_size_bytes: 1e9,
        mean_bytes_in: 1e6,
        seed: 3,
    }
    .build();
    let a = plan(&c, &quick()).unwrap();
    let b = plan(&c, &quick()).unwrap();
    assert_eq!(a.reassignment.to_json(), b.reassignment.to_json());
}

/// Keeps every core busy while alive: the "loaded machine" of the determinism tests.
struct BusyCores {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl BusyCores {
    fn start() -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 1u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                        std::hint::black_box(x);
                    }
                })
            })
            .collect();
        BusyCores { stop, threads }
    }
}

impl Drop for BusyCores {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Plans `c` twice, the second time with every core busy, and compares the plans byte for byte.
fn assert_same_plan_under_load(c: &Cluster, request: &PlanRequest) {
    let quiet = plan(c, request).unwrap();
    let loaded = {
        let _busy = BusyCores::start();
        plan(c, request).unwrap()
    };
    assert!(!quiet.report.time_limit_reached && !loaded.report.time_limit_reached);
    assert_eq!(quiet.reassignment.to_json(), loaded.reassignment.to_json());
    let goals = |p: &Plan| serde_json::to_string(&p.report.goals).unwrap();
    assert_eq!(goals(&quiet), goals(&loaded));
}

/// A hard instance (skewed load, hot partitions, rack violations, new and drained brokers) gives
/// the same plan on a quiet and on a loaded machine: stages are bounded by work, not time.
#[test]
fn plans_are_identical_under_load() {
    let s = crate::scenario::ScenarioSpec {
        family: crate::scenario::LoadFamily::Exponential,
        brokers: 18,
        racks: 4,
        uneven_racks: true,
        topics: 40,
        partitions: 1_500,
        min_rf: 2,
        max_rf: 3,
        hot_partitions: 2,
        rack_violation_share: 0.02,
        new_brokers: 2,
        drain_brokers: 1,
        seed: 21,
        ..crate::scenario::ScenarioSpec::default()
    }
    .build();
    let request = PlanRequest {
        decommission: s.drain.clone(),
        time_limit: Duration::from_secs(600),
        ..PlanRequest::default()
    };
    assert_same_plan_under_load(&s.cluster, &request);
}

/// The case at full size: 100,000 partitions, twice, once under load. Too slow for a
/// debug build in CI; the benchmark runs the same check on every instance.
#[test]
#[ignore = "plans 100,000 partitions twice; run with `cargo test --release -- --ignored`"]
fn plans_of_100k_partitions_are_identical_under_load() {
    let s = crate::scenario::ScenarioSpec {
        brokers: 100,
        racks: 5,
        topics: 1_500,
        partitions: 100_000,
        min_rf: 3,
        max_rf: 3,
        hot_partitions: 6,
        rack_violation_share: 0.01,
        new_brokers: 5,
        seed: 14,
        ..crate::scenario::ScenarioSpec::default()
    }
    .build();
    let request = PlanRequest {
        time_limit: Duration::from_secs(3_600),
        ..PlanRequest::default()
    };
    assert_same_plan_under_load(&s.cluster, &request);
}

/// Five partitions all in rack a need five rack repairs whatever else the plan does: a budget of
/// three moves is refused with the total, not with whichever partition came last.
#[test]
fn a_budget_below_the_rack_repairs_is_refused_with_their_total() {
    let c = cluster(
        &["a", "a", "b", "b"],
        vec![topic("t", &[&[0, 1][..]; 5], 1 << 30)],
    );
    let req = PlanRequest {
        max_moves: Some(3),
        ..quick()
    };
    let err = plan(&c, &req).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the rack repairs alone need 5 moves (5.0 GiB), above --max-moves 3: no plan within \
         the budget satisfies the hard constraints"
    );
    let req = PlanRequest {
        max_move_bytes: Some(4 << 30),
        ..quick()
    };
    let err = plan(&c, &req).unwrap_err().to_string();
    assert!(err.contains("above --max-move-bytes 4.0 GiB"), "{err}");
    // Enough for the repairs: a valid plan.
    let req = PlanRequest {
        max_moves: Some(5),
        ..quick()
    };
    assert!(plan(&c, &req).unwrap().metrics.replicas_moved <= 5);
}

/// With brokers just added and the replica sets fixed, every old broker sits above the bytes-out
/// band, and a search on summed excess had nothing to gain from evening them out: on the
/// benchmark's S instance it stopped at 1.52 × the mean against a proven 1.33. The target now
/// rises to the assignment's optimum, and the plan ends within 0.02 of it.
#[test]
fn leaders_only_brings_bytes_out_to_its_bound_when_new_brokers_cannot_lead() {
    for seed in [42, 7, 1234] {
        let c = crate::synthetic::SyntheticSpec {
            brokers: 8,
            racks: 4,
            empty_brokers: 2,
            topics: 10,
            partitions: 200,
            replication_factors: vec![3],
            skew: 0.5,
            mean_size_bytes: 2e9,
            mean_bytes_in: 1e6,
            seed,
        }
        .build();
        assert_leaders_only_reaches_the_bytes_out_bound(&c, seed);
    }
}

/// Plans leadership only on `c` and checks that no data moves and that bytes out ends within
/// 0.02 of its proven bound.
fn assert_leaders_only_reaches_the_bytes_out_bound(c: &Cluster, seed: u64) {
    let req = PlanRequest {
        leaders_only: true,
        ..quick()
    };
    let plan = plan(c, &req).unwrap();
    assert_eq!(plan.metrics.replicas_moved, 0);
    let out = plan
        .report
        .goals
        .iter()
        .find(|g| g.goal == Goal::Balance(Resource::BytesOut))
        .expect("the bytes-out goal");
    let (achieved, bound) = (out.max_over_mean.unwrap(), out.bound.unwrap());
    assert!(
        achieved <= bound + 0.02,
        "seed {seed}: bytes out {achieved:.3} against a bound of {bound:.3}"
    );
}

/// Exponential loads over 16 brokers, two of them new: from the current leadership the search
/// stalls well above the assignment's bound (seed 3 at 1.502 × the mean against 1.302, seed 9
/// at 1.297 against 1.252). Searching again from the fractional optimum rounded ends within
/// 0.02 of the bound.
#[test]
fn leaders_only_searches_again_from_the_rounded_fractional_optimum() {
    for seed in [3, 9] {
        let s = crate::scenario::ScenarioSpec {
            family: crate::scenario::LoadFamily::Exponential,
            brokers: 16,
            racks: 4,
            topics: 60,
            partitions: 1_500,
            min_rf: 2,
            max_rf: 4,
            new_brokers: 2,
            drain_brokers: 0,
            rack_violation_share: 0.0,
            seed,
            ..crate::scenario::ScenarioSpec::default()
        }
        .build();
        assert_leaders_only_reaches_the_bytes_out_bound(&s.cluster, seed);
    }
}

/// Replication factors up to five on uneven racks, three brokers just added: the leader count
/// band is so tight that nearly every old broker sits at its ceiling, and neither a transfer nor
/// a swap lowers the busiest broker's bytes out (on the benchmark's H-rf5 both starts stopped
/// near 1.40 against a bound of 1.094). Chains of transfers through several brokers end within
/// 0.02 of the bound.
#[test]
fn leaders_only_reaches_the_bytes_out_bound_when_the_count_band_is_tight() {
    for seed in [16, 17] {
        let s = crate::scenario::ScenarioSpec {
            family: crate::scenario::LoadFamily::Exponential,
            brokers: 28,
            racks: 8,
            uneven_racks: true,
            topics: 300,
            partitions: 4_000,
            min_rf: 2,
            max_rf: 5,
            new_brokers: 3,
            drain_brokers: 0,
            rack_violation_share: 0.0,
            seed,
            ..crate::scenario::ScenarioSpec::default()
        }
        .build();
        assert_leaders_only_reaches_the_bytes_out_bound(&s.cluster, seed);
    }
}
