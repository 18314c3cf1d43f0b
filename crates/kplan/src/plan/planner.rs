//! The planner: cluster + request → plan, in stages.
//!
//! 1. `repair` — every movable partition satisfies the hard constraints (drained brokers emptied,
//!    replication factors changed, racks spread).
//! 2. `fill` — brokers below the replica-count band (new brokers) receive replicas shaped like
//!    their share of disk, traffic and expected leadership, which keeps data movement at the
//!    lower bound.
//! 3. `balance` — greedy replica moves and swaps until each eligible broker is inside its band for
//!    disk, bytes in and replica count.
//! 4. `mip` — on clusters too large for the exact model, HiGHS re-solves neighbourhoods around
//!    brokers the greedy stages left out of band.
//! 5. `leaders` — preferred leaders among the final replicas for bytes out and leader count:
//!    transfers and swaps, then leadership-only MIP neighbourhoods if brokers remain out of band.
//! 6. `exact` — only when a band goal is still unmet and the cluster is small: the whole problem
//!    as one MIP, warm-started from the heuristic plan; it meets the goal or proves it cannot.
//!
//! The result is checked by the independent [`verify`](super::verify) before it is returned.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::balance::balance_replicas;
use super::budget::Budget;
use super::fill::fill_underloaded;
use super::leaders::balance_leaders;
use super::mip::{self, MipOutcome};
use super::placement::{Placement, REPLICA_RESOURCES};
use super::problem::{Bx, Problem};
use super::repair::repair;
use super::verifier::{verify, PlanMetrics};
use super::{Band, Goal, PartitionReassignment, PlanError, PlanRequest, Reassignment};
use crate::model::{BrokerId, Cluster, ReplicaSet, Resource};

/// Binaries up to which the whole problem is solved as one MIP.
const EXACT_MIP_BINARIES: usize = 4_000;
/// Binaries per neighbourhood MIP.
const NEIGHBOURHOOD_BINARIES: usize = 2_500;
const NEIGHBOURHOOD_ROUNDS: usize = 6;
/// Binaries per leadership neighbourhood (half of them fixed by the replica sets) and rounds.
const LEADER_BINARIES: usize = 30_000;
const LEADER_ROUNDS: usize = 10;

/// A verified plan with its rollback and report.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    pub reassignment: Reassignment,
    pub rollback: Reassignment,
    pub metrics: PlanMetrics,
    pub report: PlanReport,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanReport {
    pub eligible_brokers: Vec<BrokerId>,
    pub bands: Vec<ResourceBand>,
    pub goals: Vec<GoalStatus>,
    pub lower_bound: LowerBound,
    pub warnings: Vec<String>,
    pub stages: Vec<StageReport>,
    pub time_limit_reached: bool,
    pub elapsed_ms: u128,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceBand {
    pub resource: Resource,
    #[serde(flatten)]
    pub band: Band,
}

/// Whether a goal holds after the plan, and its worst broker.
#[derive(Clone, Debug, Serialize)]
pub struct GoalStatus {
    pub goal: Goal,
    pub weight: f64,
    pub met: bool,
    /// Max and min over eligible brokers divided by the mean (resources only).
    pub max_over_mean: Option<f64>,
    pub min_over_mean: Option<f64>,
    pub detail: String,
}

/// Data that any valid balanced plan must move: replicas that must fill brokers below the band or
/// leave drained ones, and likewise for bytes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LowerBound {
    pub replicas: usize,
    pub bytes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageReport {
    pub stage: &'static str,
    pub millis: u128,
    pub changes: usize,
    /// The shared cost (bands and topic spread, all resources) when the stage ended: what each
    /// stage bought, in the units `placement` documents.
    pub cost_after: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mip: Vec<MipOutcome>,
}

/// Plans `request` on `cluster`.
pub fn plan(cluster: &Cluster, request: &PlanRequest) -> Result<Plan, PlanError> {
    let started = Instant::now();
    let deadline = started + request.time_limit;
    let pb = Problem::new(cluster, request)?;
    if !pb.parts.iter().any(|p| p.movable) {
        return Err(PlanError::NothingToPlan);
    }
    let mut st = Placement::current(&pb, &request.goals);
    let lower_bound = lower_bound(&st, request);
    let initial_spread = spread_excess(&st);
    let mut budget = Budget::new(request.max_moves, request.max_move_bytes);
    let mut stages = Vec::new();
    let mut exact_optimal = false;
    let mut stage = |name, t: Instant, changes, cost_after, mip: Vec<MipOutcome>| {
        stages.push(StageReport {
            stage: name,
            millis: t.elapsed().as_millis(),
            changes,
            cost_after,
            mip,
        })
    };

    if !request.leaders_only {
        let t = Instant::now();
        let before = budget.moves;
        repair(&mut st, &mut budget)?;
        stage(
            "repair",
            t,
            budget.moves - before,
            st.cost(&Resource::ALL),
            Vec::new(),
        );

        let t = Instant::now();
        let balance_deadline = started + request.time_limit.mul_f64(0.6);
        let n = fill_underloaded(&mut st, &mut budget, balance_deadline);
        stage("fill", t, n, st.cost(&Resource::ALL), Vec::new());

        let t = Instant::now();
        let n = balance_replicas(&mut st, &REPLICA_RESOURCES, &mut budget, balance_deadline);
        stage("balance", t, n, st.cost(&Resource::ALL), Vec::new());

        if mip::exact(&pb, EXACT_MIP_BINARIES).is_none() {
            let t = Instant::now();
            let mip_deadline = started + request.time_limit.mul_f64(0.75);
            // The MIP may leave room the greedy stage can then use.
            let (runs, _) = mip::rounds(
                &mut st,
                &mut budget,
                NEIGHBOURHOOD_ROUNDS,
                mip_deadline,
                |st| mip::around_violations(st, NEIGHBOURHOOD_BINARIES),
                |st, budget| balance_replicas(st, &REPLICA_RESOURCES, budget, mip_deadline),
            );
            let improved = runs.iter().filter(|r| r.improved).count();
            stage("mip", t, improved, st.cost(&Resource::ALL), runs);
        }
    }

    let t = Instant::now();
    let leaders_deadline = started + request.time_limit.mul_f64(0.85);
    let n = balance_leaders(
        &mut st,
        leaders_deadline.max(Instant::now() + Duration::from_secs(1)),
    );
    let (runs, more) = mip::rounds(
        &mut st,
        &mut budget,
        LEADER_ROUNDS,
        leaders_deadline,
        |st| mip::around_leader_violations(st, LEADER_BINARIES),
        |st, _| balance_leaders(st, leaders_deadline),
    );
    let n = n + more;
    stage("leaders", t, n, st.cost(&Resource::ALL), runs);

    // The exact joint model, when the cluster is small enough and the heuristics left a band
    // goal unmet: it either meets it or proves no placement scores better.
    if !request.leaders_only && bands_unmet(&st, request) {
        if let Some(n) = mip::exact(&pb, EXACT_MIP_BINARIES) {
            let t = Instant::now();
            let out = mip::polish(
                &mut st,
                &n,
                &mut budget,
                started + request.time_limit.mul_f64(0.95),
            );
            exact_optimal = out.status == "Optimal";
            let improved = usize::from(out.improved);
            stage("exact", t, improved, st.cost(&Resource::ALL), vec![out]);
        }
    }

    let (reassignment, rollback) = build(cluster, &pb, &st);
    let metrics = verify(cluster, request, &reassignment).map_err(|v| {
        let msgs: Vec<String> = v.iter().take(5).map(ToString::to_string).collect();
        PlanError::InvalidPlan(msgs.join("; "))
    })?;
    let goals = goal_status(&st, request, initial_spread);
    let mut warnings = warnings(&pb, &goals, cluster, request);
    if exact_optimal && goals.iter().any(|g| !g.met && g.weight > 0.0) {
        // Not a search that gave up: the whole problem was solved to optimality.
        warnings.push(
            "the exact model was solved to optimality: no placement scores better on the weighted goals \
             under these constraints, so the unmet goals cannot all be met (wider --tolerance or other weights may help)"
                .to_owned(),
        );
    }
    let time_limit_reached = Instant::now() >= deadline;
    if time_limit_reached {
        warnings.push(format!(
            "time limit of {}s reached: this is the best plan found so far",
            request.time_limit.as_secs_f64()
        ));
    }
    Ok(Plan {
        reassignment,
        rollback,
        metrics,
        report: PlanReport {
            eligible_brokers: pb.eligible_brokers().map(|b| pb.broker_ids[b]).collect(),
            bands: Resource::ALL
                .iter()
                .map(|&r| ResourceBand {
                    resource: r,
                    band: *pb.band(r),
                })
                .collect(),
            goals,
            lower_bound,
            warnings,
            stages,
            time_limit_reached,
            elapsed_ms: started.elapsed().as_millis(),
        },
    })
}

/// The reassignment (changed partitions only) and its rollback (their current lists).
fn build(cluster: &Cluster, pb: &Problem, st: &Placement) -> (Reassignment, Reassignment) {
    let mut plan = Vec::new();
    let mut rollback = Vec::new();
    for (p, (tp, partition)) in cluster.partitions().enumerate() {
        let part = &pb.parts[p];
        if !part.movable {
            continue;
        }
        let reps = &st.replicas[p];
        let same_set =
            reps.len() == part.current.len() && reps.iter().all(|b| part.current.contains(b));
        if same_set && reps[0] == part.current_leader {
            continue;
        }
        // Leader first, then surviving replicas in their current order, then new ones.
        let mut list = vec![reps[0]];
        list.extend(
            part.current
                .iter()
                .copied()
                .filter(|b| *b != reps[0] && reps.contains(b)),
        );
        let arriving: Vec<Bx> = reps.iter().copied().filter(|b| !list.contains(b)).collect();
        list.extend(arriving);
        if list == part.current {
            continue;
        }
        let ids = |v: &[Bx]| ReplicaSet::new(v.iter().map(|&b| pb.broker_ids[b]).collect());
        plan.push(PartitionReassignment::new(&tp, ids(&list)));
        rollback.push(PartitionReassignment::new(&tp, partition.replicas.clone()));
    }
    (Reassignment::new(plan), Reassignment::new(rollback))
}

fn lower_bound(st: &Placement, request: &PlanRequest) -> LowerBound {
    let pb = st.pb;
    let mut drained = vec![(0usize, 0.0f64); pb.broker_count()];
    for part in pb.parts.iter().filter(|p| p.movable) {
        for &b in &part.current {
            if !pb.eligible[b] {
                drained[b].0 += 1;
                drained[b].1 += part.size;
            }
        }
    }
    let added: usize = pb
        .parts
        .iter()
        .map(|p| p.target_rf.saturating_sub(p.current.len()))
        .sum();
    let bound = |r: Resource, leaving: f64| -> f64 {
        if request.goals.resource(r) == 0.0 {
            return leaving;
        }
        let band = pb.band(r);
        let (mut need_in, mut need_out) = (0.0, leaving);
        for b in pb.eligible_brokers() {
            let l = st.load[b][r.index()];
            need_in += (band.lo - l).max(0.0);
            need_out += (l - band.hi).max(0.0);
        }
        need_in.max(need_out)
    };
    let leaving_replicas: usize = drained.iter().map(|d| d.0).sum();
    let leaving_bytes: f64 = drained.iter().map(|d| d.1).sum();
    LowerBound {
        replicas: (bound(Resource::Replicas, leaving_replicas as f64).round() as usize).max(added),
        bytes: bound(Resource::Disk, leaving_bytes).round() as u64,
    }
}

/// True when some weighted band goal is not met by `st`.
fn bands_unmet(st: &Placement, request: &PlanRequest) -> bool {
    goal_status(st, request, (0, 0))
        .iter()
        .any(|g| matches!(g.goal, Goal::Balance(_)) && g.weight > 0.0 && !g.met)
}

/// Replicas and leaders above their topic's per-broker cap, over the eligible brokers.
fn spread_excess(st: &Placement) -> (u32, u32) {
    let pb = st.pb;
    let (mut replicas, mut leaders) = (0, 0);
    for (t, info) in pb.topics.iter().enumerate().filter(|(_, i)| i.movable) {
        for b in pb.eligible_brokers() {
            replicas += st.topic_replicas(t, b).saturating_sub(info.replica_cap);
            leaders += st.topic_leaders(t, b).saturating_sub(info.leader_cap);
        }
    }
    (replicas, leaders)
}

fn goal_status(
    st: &Placement,
    request: &PlanRequest,
    initial_spread: (u32, u32),
) -> Vec<GoalStatus> {
    let pb = st.pb;
    let mut out = Vec::new();
    for r in Resource::ALL {
        let band = pb.band(r);
        let eligible: Vec<Bx> = pb.eligible_brokers().collect();
        let loads: Vec<(f64, Bx)> = eligible
            .iter()
            .map(|&b| (st.load[b][r.index()], b))
            .collect();
        let max = loads
            .iter()
            .copied()
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let min = loads
            .iter()
            .copied()
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let slack = 1e-9 * band.mean.abs().max(1.0);
        let outside: Vec<Bx> = loads
            .iter()
            .filter(|(l, _)| *l > band.hi + slack || *l < band.lo - slack)
            .map(|&(_, b)| b)
            .collect();
        let ratio =
            |v: Option<(f64, Bx)>| v.filter(|_| band.mean > 0.0).map(|(l, _)| l / band.mean);
        let detail = if outside.is_empty() {
            "every eligible broker in band".to_owned()
        } else {
            let names: Vec<String> = outside
                .iter()
                .take(8)
                .map(|&b| pb.broker_ids[b].to_string())
                .collect();
            format!(
                "{} broker(s) out of band: {}",
                outside.len(),
                names.join(",")
            )
        };
        out.push(GoalStatus {
            goal: Goal::Balance(r),
            weight: request.goals.resource(r),
            met: outside.is_empty(),
            max_over_mean: ratio(max),
            min_over_mean: ratio(min),
            detail,
        });
    }
    let (replicas, leaders) = spread_excess(st);
    let excess = replicas + leaders;
    out.push(GoalStatus {
        goal: Goal::TopicSpread,
        weight: request.goals.topic_spread(),
        met: excess == 0,
        max_over_mean: None,
        min_over_mean: None,
        detail: if excess == 0 {
            "every topic evenly spread".to_owned()
        } else {
            format!(
                "{replicas} replica(s) and {leaders} leader(s) above their topic's per-broker share \
                 (before: {} and {}); no partition is copied for spread alone",
                initial_spread.0, initial_spread.1
            )
        },
    });
    out
}

fn warnings(
    pb: &Problem,
    goals: &[GoalStatus],
    cluster: &Cluster,
    request: &PlanRequest,
) -> Vec<String> {
    let mut w = Vec::new();
    for g in goals.iter().filter(|g| !g.met && g.weight > 0.0) {
        w.push(format!("goal {} not met: {}", g.goal, g.detail));
    }
    if !pb.unrepairable_rack.is_empty() {
        let names: Vec<String> = pb
            .unrepairable_rack
            .iter()
            .take(5)
            .map(ToString::to_string)
            .collect();
        w.push(format!(
            "{} partition(s) span too few racks but may not move in this plan: {}",
            pb.unrepairable_rack.len(),
            names.join(", ")
        ));
    }
    // Strict rack awareness with uneven racks forces load onto small racks; say so.
    if pb.rack_aware {
        let eligible_racks: BTreeSet<usize> = pb
            .eligible_brokers()
            .filter_map(|b| pb.rack_of[b])
            .collect();
        let band = pb.band(Resource::Replicas);
        for &r in &eligible_racks {
            let members: Vec<Bx> = pb
                .eligible_brokers()
                .filter(|&b| pb.rack_of[b] == Some(r))
                .collect();
            let forced = pb
                .parts
                .iter()
                .filter(|p| p.movable && p.racks_required >= eligible_racks.len())
                .count();
            let per_broker = forced as f64 / members.len() as f64;
            if band.mean > 0.0 && per_broker > band.hi + 1e-9 {
                let b = members[0];
                w.push(format!(
                    "rack {} has {} broker(s): strict rack awareness puts at least {} replicas on broker {} ({:.1}× mean)",
                    pb.rack_names[r],
                    members.len(),
                    per_broker.ceil() as u64,
                    pb.broker_ids[b],
                    per_broker / band.mean
                ));
            }
        }
    }
    for &b in &request.decommission {
        let left = cluster
            .partitions()
            .filter(|(tp, p)| !request.is_movable_topic(&tp.topic) && p.replicas.contains(b))
            .count();
        if left > 0 {
            w.push(format!(
                "broker {b} is decommissioned but keeps {left} replica(s) of topics excluded from this plan"
            ));
        }
    }
    w
}

#[cfg(test)]
mod tests {
    //! Named scenarios on small hand-built clusters. Every plan goes through `verify` inside
    //! `plan`, and again here against the scenario's own expectations.
    use super::*;
    use crate::model::{Broker, Partition, Topic};

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
}
