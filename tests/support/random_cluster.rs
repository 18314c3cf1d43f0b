//! Random clusters and requests at volume (issue 14): one seed → one small or medium cluster and
//! one request from a scenario family, planned and checked by the independent verifier.
//!
//! This generator is deliberately separate from `kplan::synthetic` (the benchmark families): the
//! planner must hold on clusters its own benchmarks never made. It varies what real clusters vary —
//! rack shapes (even, uneven, a single rack, none), replication factors 1–5 mixed within a
//! cluster, assignments that are already skewed or not rack-aware, size and traffic distributions
//! (uniform, exponential, a few hot partitions, empty) — and what operators ask — drains, added
//! brokers, RF changes, move budgets, topic filters, resource groups, leaders only.
//!
//! Shared by `examples/random_plans.rs` (10,000 seeds) and `tests/random_plans.rs` (CI).

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use kplan::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Topic};
use kplan::plan::{plan, verify, PlanError, PlanRequest};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regex::Regex;

/// What the operator asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// Balance only (racks as generated).
    Rebalance,
    /// Move everything off one or two brokers.
    Drain,
    /// New, empty brokers join.
    AddBrokers,
    /// Raise or lower the replication factor of some topics.
    ChangeRf,
    /// `--max-moves` / `--max-move-bytes`.
    Budget,
    /// `--topics` / `--exclude-topics`.
    TopicFilter,
    /// `--brokers`: movable partitions go to a group of brokers.
    ResourceGroup,
    /// `--leaders-only`.
    LeadersOnly,
    /// Several of the above at once.
    Mixed,
}

impl Family {
    pub const ALL: [Family; 9] = [
        Family::Rebalance,
        Family::Drain,
        Family::AddBrokers,
        Family::ChangeRf,
        Family::Budget,
        Family::TopicFilter,
        Family::ResourceGroup,
        Family::LeadersOnly,
        Family::Mixed,
    ];
}

/// How the brokers sit in racks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RackShape {
    None,
    One,
    Even,
    Uneven,
}

/// How partition sizes and traffic are spread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Load {
    Uniform,
    Exponential,
    HotKeys,
    Empty,
}

/// One generated case.
pub struct Case {
    pub seed: u64,
    pub family: Family,
    pub racks: RackShape,
    pub cluster: Cluster,
    pub request: PlanRequest,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.request;
        write!(
            f,
            "seed {} {:?} racks={:?}: {} brokers, {} partitions; decommission={:?} allowed={:?} \
             topics={:?} exclude={:?} rf={:?} rack_aware={} max_moves={:?} max_move_bytes={:?} \
             leaders_only={}",
            self.seed,
            self.family,
            self.racks,
            self.cluster.brokers().len(),
            self.cluster.partition_count(),
            ids(&r.decommission),
            r.allowed_brokers.as_ref().map(ids),
            r.topics.as_ref().map(Regex::as_str),
            r.exclude_topics.as_ref().map(Regex::as_str),
            r.replication_factors
                .iter()
                .map(|(re, n)| format!("{}={n}", re.as_str()))
                .collect::<Vec<_>>(),
            r.rack_aware,
            r.max_moves,
            r.max_move_bytes,
            r.leaders_only,
        )
    }
}

fn ids(set: &BTreeSet<BrokerId>) -> Vec<i32> {
    set.iter().map(|b| b.0).collect()
}

/// What planning one case gave.
#[derive(Debug)]
#[allow(dead_code)] // the test and the example each read part of it
pub enum Outcome {
    /// A plan the verifier accepts (possibly empty: nothing worth moving); `time_limited` when
    /// the `--time-limit` safety net stopped a stage (the plan is still valid, but may differ
    /// from run to run).
    Valid { moves: usize, time_limited: bool },
    /// The planner explained why no plan exists (an operator-facing refusal): its kind and
    /// message.
    Refused(&'static str, String),
    /// The verifier rejected the plan, or the planner refused a request that has a plan.
    Invalid(String),
    /// The planner's own final check rejected its plan (`PlanError::InvalidPlan`): an internal
    /// error the operator sees instead of a plan.
    Internal(String),
    /// The planner panicked.
    Panicked(String),
}

/// Generates the case of `seed`; `medium` picks the larger size class.
pub fn case(seed: u64, medium: bool) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let family = Family::ALL[(seed % Family::ALL.len() as u64) as usize];
    let racks = *[
        RackShape::None,
        RackShape::One,
        RackShape::Even,
        RackShape::Even,
        RackShape::Uneven,
        RackShape::Uneven,
    ]
    .choose(&mut rng)
    .expect("non-empty");
    let (broker_range, partition_range) = if medium {
        (10..=30, 40..=400)
    } else {
        (3..=10, 1..=60)
    };
    let populated = rng.gen_range(broker_range);
    let empty = if family == Family::AddBrokers || (family == Family::Mixed && rng.gen_bool(0.5)) {
        rng.gen_range(1..=3)
    } else {
        0
    };
    let brokers = make_brokers(&mut rng, populated + empty, racks);
    // Broker ids need not be 0..n: real clusters have gaps and large ids.
    let populated_ids: Vec<BrokerId> = brokers[..populated].iter().map(|b| b.id).collect();
    let partitions = rng.gen_range(partition_range);
    let topics = make_topics(&mut rng, &populated_ids, partitions);
    let cluster = Cluster::new(Some(format!("random-{seed}")), brokers, topics)
        .expect("the generator makes valid clusters");
    let request = make_request(&mut rng, family, &cluster, racks);
    Case {
        seed,
        family,
        racks,
        cluster,
        request,
    }
}

fn make_brokers(rng: &mut ChaCha8Rng, n: usize, racks: RackShape) -> Vec<Broker> {
    let base: i32 = *[0, 1, 100, 1000].choose(rng).expect("non-empty");
    let gaps = rng.gen_bool(0.3);
    let mut id = base;
    let rack_count = rng.gen_range(2..=4).min(n.max(2));
    (0..n)
        .map(|i| {
            let rack = match racks {
                RackShape::None => None,
                RackShape::One => Some("r0".to_owned()),
                RackShape::Even => Some(format!("r{}", i % rack_count)),
                // The first rack gets about half the brokers, the others share the rest.
                RackShape::Uneven => Some(if i % 2 == 0 || rack_count == 1 {
                    "r0".to_owned()
                } else {
                    format!("r{}", 1 + (i / 2) % (rack_count - 1))
                }),
            };
            let b = Broker {
                id: BrokerId(id),
                rack,
            };
            id += if gaps { rng.gen_range(1..=5) } else { 1 };
            b
        })
        .collect()
}

fn make_topics(rng: &mut ChaCha8Rng, brokers: &[BrokerId], partitions: usize) -> Vec<Topic> {
    let topic_count = rng.gen_range(1..=6).min(partitions);
    let load = *[Load::Uniform, Load::Exponential, Load::HotKeys, Load::Empty]
        .choose(rng)
        .expect("non-empty");
    // A skewed start: replicas favour a subset of the brokers.
    let favoured: usize = if rng.gen_bool(0.4) {
        rng.gen_range(1..=brokers.len())
    } else {
        brokers.len()
    };
    let mut left = partitions;
    (0..topic_count)
        .map(|t| {
            let count = if t + 1 == topic_count {
                left
            } else {
                rng.gen_range(1..=left - (topic_count - t - 1))
            };
            left -= count;
            let rf = rng.gen_range(1..=5usize).min(brokers.len());
            let name = format!("{}-{t}", ["orders", "clicks", "logs.raw", "_audit"][t % 4]);
            let parts = (0..count)
                .map(|p| make_partition(rng, p as i32, brokers, favoured, rf, load))
                .collect();
            Topic::new(name, parts)
        })
        .collect()
}

fn make_partition(
    rng: &mut ChaCha8Rng,
    index: i32,
    brokers: &[BrokerId],
    favoured: usize,
    rf: usize,
    load: Load,
) -> Partition {
    let pool = if favoured >= rf {
        &brokers[..favoured]
    } else {
        brokers
    };
    let replicas: Vec<BrokerId> = pool.choose_multiple(rng, rf).copied().collect();
    let (size, rate) = match load {
        Load::Uniform => (rng.gen_range(1e8..2e9), rng.gen_range(1e4..1e6)),
        Load::Exponential => {
            let e = -(1.0 - rng.gen::<f64>()).ln();
            (e * 1e9, e * 5e5)
        }
        Load::HotKeys => {
            if rng.gen_bool(0.05) {
                (5e10, 5e7)
            } else {
                (rng.gen_range(1e6..1e8), rng.gen_range(0.0..1e4))
            }
        }
        Load::Empty => (0.0, 0.0),
    };
    let mut p = Partition::new(index, ReplicaSet::new(replicas)).with_load(
        size as u64,
        rate,
        rate * rng.gen_range(0.0..3.0),
    );
    // Some partitions lead from a follower (no preferred-leader election since the last move).
    if rng.gen_bool(0.1) && p.replicas.len() > 1 {
        p.leader = Some(p.replicas.brokers()[1]);
    }
    p
}

fn make_request(
    rng: &mut ChaCha8Rng,
    family: Family,
    cluster: &Cluster,
    racks: RackShape,
) -> PlanRequest {
    let ids: Vec<BrokerId> = cluster.brokers().iter().map(|b| b.id).collect();
    let mut r = PlanRequest {
        rack_aware: racks != RackShape::None && rng.gen_bool(0.8),
        tolerance: *[0.02, 0.05, 0.1, 0.25].choose(rng).expect("non-empty"),
        time_limit: Duration::from_secs(2),
        ..PlanRequest::default()
    };
    let drain = |rng: &mut ChaCha8Rng, r: &mut PlanRequest| {
        let n = rng.gen_range(1..=2).min(ids.len() - 1);
        r.decommission = ids.choose_multiple(rng, n).copied().collect();
    };
    let change_rf = |rng: &mut ChaCha8Rng, r: &mut PlanRequest| {
        let topic = &cluster.topics()[rng.gen_range(0..cluster.topics().len())].name;
        let rf = rng.gen_range(1..=5usize).min(ids.len());
        r.replication_factors = vec![(
            Regex::new(&format!("^{}$", regex::escape(topic))).expect("escaped"),
            rf,
        )];
    };
    let budget = |rng: &mut ChaCha8Rng, r: &mut PlanRequest| {
        if rng.gen_bool(0.5) {
            r.max_moves = Some(rng.gen_range(0..=20));
        } else {
            r.max_move_bytes = Some(rng.gen_range(0..=20_000_000_000));
        }
    };
    let filter = |rng: &mut ChaCha8Rng, r: &mut PlanRequest| {
        if rng.gen_bool(0.5) {
            r.topics = Some(Regex::new("^(orders|clicks)").expect("static"));
        } else {
            r.exclude_topics = Some(Regex::new(r"^_|\.raw").expect("static"));
        }
    };
    let group = |rng: &mut ChaCha8Rng, r: &mut PlanRequest| {
        let n = rng.gen_range(1..=ids.len());
        r.allowed_brokers = Some(ids.choose_multiple(rng, n).copied().collect());
        filter(rng, r);
    };
    match family {
        Family::Rebalance | Family::AddBrokers => {}
        Family::Drain => drain(rng, &mut r),
        Family::ChangeRf => change_rf(rng, &mut r),
        Family::Budget => budget(rng, &mut r),
        Family::TopicFilter => filter(rng, &mut r),
        Family::ResourceGroup => group(rng, &mut r),
        Family::LeadersOnly => {
            r.leaders_only = true;
            if rng.gen_bool(0.3) {
                filter(rng, &mut r);
            }
        }
        Family::Mixed => {
            if rng.gen_bool(0.5) {
                drain(rng, &mut r);
            }
            if rng.gen_bool(0.5) {
                change_rf(rng, &mut r);
            }
            if rng.gen_bool(0.4) {
                budget(rng, &mut r);
            }
            if rng.gen_bool(0.4) {
                filter(rng, &mut r);
            }
        }
    }
    r
}

/// Plans the case and checks the plan with the verifier.
pub fn run(case: &Case) -> Outcome {
    let result = std::panic::catch_unwind(|| plan(&case.cluster, &case.request));
    match result {
        Err(panic) => Outcome::Panicked(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
        Ok(Err(e @ PlanError::InvalidPlan(_))) => Outcome::Internal(e.to_string()),
        // Balancing every broker with no other constraint always has a plan: every partition's
        // replication factor fits on the brokers and racks it already uses.
        Ok(Err(e)) if matches!(case.family, Family::Rebalance | Family::AddBrokers) => {
            Outcome::Invalid(format!("refused a request that has a plan: {e}"))
        }
        Ok(Err(e)) => Outcome::Refused(refusal_kind(&e), e.to_string()),
        Ok(Ok(p)) => match verify(&case.cluster, &case.request, &p.reassignment) {
            Err(violations) => Outcome::Invalid(
                violations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Ok(_) if p.rollback.len() != p.reassignment.len() => Outcome::Invalid(format!(
                "the rollback has {} partitions, the plan {}",
                p.rollback.len(),
                p.reassignment.len()
            )),
            Ok(_) => Outcome::Valid {
                moves: p.reassignment.len(),
                time_limited: p.report.time_limit_reached,
            },
        },
    }
}

fn refusal_kind(e: &PlanError) -> &'static str {
    match e {
        PlanError::UnknownBroker(_) => "unknown broker",
        PlanError::NoEligibleBrokers => "no eligible broker",
        PlanError::TooFewBrokers { .. } => "too few brokers for the RF",
        PlanError::TooFewRacks { .. } => "too few racks",
        PlanError::PartialRacks(_) => "partial racks",
        PlanError::ZeroReplicationFactor(_) => "RF 0",
        PlanError::LeadersOnlyConflict(_) => "leaders-only conflict",
        PlanError::BudgetTooSmall { .. } => "budget too small",
        PlanError::MandatoryOverBudget { .. } => "mandatory changes over budget",
        PlanError::NothingToPlan => "nothing matches the filter",
        PlanError::InvalidPlan(_) => "invalid plan",
        PlanError::UnknownLogDir { .. } => "unknown log dir",
        PlanError::NoLogDirRoom { .. } => "no log dir room",
        PlanError::RemovedLogDirPinned { .. } => "removed log dir pinned",
    }
}
