//! JBOD benchmark: brokers and log directories planned in one run.
//!
//! Each instance is a seeded synthetic cluster of the size (100 brokers, 12 log
//! directories each, 100,000 partitions of RF 3) whose partition sizes follow one *shape*:
//! log-normal (the synthetic default), uniform, exponential, or log-normal with a few huge
//! partitions (each about a directory's mean) or giant ones (three times a directory's mean).
//! On every broker one directory holds about 2.8 times its broker's mean bytes, as Kafka's
//! fewest-partitions placement leaves disks.
//!
//! Each instance is planned three ways: with directories, with directories and the hot
//! directory of broker 7 removed (`--remove-log-dirs`), and brokers only (`--no-log-dirs`), at
//! `--tolerance 0.05`. A row shows one run with directories:
//! - the worst directory's usage over its broker's mean, before → after, over all brokers;
//! - ±5 % and ±10 %: brokers whose directories all end within the band, and of the others how
//!   many are at their proven bound (no placement of their replicas does better: the largest
//!   replica alone fills a directory past the band) — "miss" counts those that are neither;
//! - the largest proven bound of a broker (1.000: nothing prevents a perfect spread);
//! - the broker disk balance (max/mean) with directories and without, and whether both plans
//!   put every partition on the same brokers;
//! - intra-broker moves (count, bytes) and inter-broker moves; the wall time of the whole plan
//!   and of the directory stage; whether a second run gives the byte-identical plan.
//!
//! Run it:
//!
//!     cargo run --release --example bench_log_dirs                  # 5 shapes × seeds 1, 2
//!     cargo run --release --example bench_log_dirs -- exp huge      # some shapes
//!     cargo run --release --example bench_log_dirs -- --seeds 1,2,3 lognormal
//!     cargo run --release --example bench_log_dirs -- small         # a quick one (12 brokers)

use std::time::Instant;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use kplan::model::{BrokerId, Cluster, Resource, Topic};
use kplan::plan::{plan, BrokerDirSpread, Goal, Plan, PlanRequest};
use kplan::synthetic::{SplitMix64, SyntheticSpec};
use kplan::synthetic_log_dirs::{log_dir_path, LogDirSpec};

const MEAN_SIZE: f64 = 2e9;
const TOLERANCE: f64 = 0.05;
/// Slack when comparing a ratio with a band edge or a bound (sums in different orders).
const SAME: f64 = 1e-6;

/// How partition sizes are distributed (mean `MEAN_SIZE` in each).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Log-normal, σ = 1 per topic and 0.5 within a topic (the synthetic generator's own).
    LogNormal,
    /// Uniform in [0, 2·mean].
    Uniform,
    /// Exponential.
    Exponential,
    /// Log-normal, plus 1 partition in 5,000 at 250× the mean (≈ a directory's mean bytes).
    Huge,
    /// Log-normal, plus 1 partition in 20,000 at 750× the mean (≈ 3× a directory's mean): a
    /// broker holding one cannot bring that directory into band, and the report proves it.
    Giant,
}

impl Shape {
    const ALL: [Shape; 5] = [
        Shape::LogNormal,
        Shape::Uniform,
        Shape::Exponential,
        Shape::Huge,
        Shape::Giant,
    ];

    fn name(self) -> &'static str {
        match self {
            Shape::LogNormal => "lognormal",
            Shape::Uniform => "uniform",
            Shape::Exponential => "exp",
            Shape::Huge => "huge",
            Shape::Giant => "giant",
        }
    }

    /// `cluster` with its partition sizes redrawn from this shape (log-normal keeps them).
    fn resize(self, cluster: Cluster, seed: u64) -> Cluster {
        if self == Shape::LogNormal {
            return cluster;
        }
        let mut rng = SplitMix64::new(seed ^ 0x5eed);
        let draw = |rng: &mut SplitMix64| match self {
            Shape::Uniform => 2.0 * MEAN_SIZE * rng.unit(),
            Shape::Exponential => -MEAN_SIZE * (1.0 - rng.unit()).ln(),
            Shape::Huge if rng.below(5_000) == 0 => 250.0 * MEAN_SIZE,
            Shape::Giant if rng.below(20_000) == 0 => 750.0 * MEAN_SIZE,
            _ => MEAN_SIZE * rng.lognormal(1.0),
        };
        let topics = cluster
            .topics()
            .iter()
            .map(|t| {
                let partitions = t
                    .partitions
                    .iter()
                    .map(|p| {
                        let mut p = p.clone();
                        p.size_bytes = draw(&mut rng) as u64;
                        p
                    })
                    .collect();
                Topic::new(t.name.clone(), partitions)
            })
            .collect();
        let id = cluster.cluster_id().map(str::to_owned);
        Cluster::new(id, cluster.brokers().to_vec(), topics).expect("same brokers, same topics")
    }
}

struct Instance {
    seed: u64,
    shape: Shape,
    cluster: SyntheticSpec,
    dirs: LogDirSpec,
}

impl Instance {
    fn big(seed: u64, shape: Shape) -> Self {
        Instance {
            seed,
            shape,
            cluster: SyntheticSpec {
                brokers: 100,
                racks: 5,
                empty_brokers: 0,
                topics: 400,
                partitions: 100_000,
                replication_factors: vec![3],
                skew: 1.0,
                mean_size_bytes: MEAN_SIZE,
                mean_bytes_in: 2e5,
                seed,
            },
            dirs: LogDirSpec {
                dirs: 12,
                skew: 2.8,
                fullest_usage: 0.85,
                seed: seed + 100,
            },
        }
    }

    fn small(seed: u64, shape: Shape) -> Self {
        let mut i = Instance::big(seed, shape);
        i.cluster.brokers = 12;
        i.cluster.racks = 3;
        i.cluster.topics = 40;
        i.cluster.partitions = 4_000;
        i
    }

    fn build(&self) -> Cluster {
        let sized = self.shape.resize(self.cluster.build(), self.seed);
        self.dirs.apply(sized).expect("synthetic layouts are valid")
    }
}

/// Instances from the arguments: shape names, `--seeds 1,2,3`, `small`.
fn instances(args: &[String]) -> Vec<Instance> {
    let mut seeds = vec![1, 2];
    let mut shapes = Vec::new();
    let mut small = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seeds" => {
                let list = it.next().expect("--seeds takes a list, e.g. 1,2,3");
                seeds = list
                    .split(',')
                    .map(|s| s.parse().expect("seeds are numbers"))
                    .collect();
            }
            "small" => small = true,
            name => shapes.push(
                *Shape::ALL
                    .iter()
                    .find(|s| s.name() == name)
                    .unwrap_or_else(|| {
                        panic!("unknown shape {name}: lognormal, uniform, exp, huge, giant")
                    }),
            ),
        }
    }
    if shapes.is_empty() {
        shapes = Shape::ALL.to_vec();
    }
    let make = if small {
        Instance::small
    } else {
        Instance::big
    };
    shapes
        .iter()
        .flat_map(|&shape| seeds.iter().map(move |&seed| make(seed, shape)))
        .collect()
}

/// One planned run and what the table shows of it.
struct Run {
    flags: &'static str,
    plan: Plan,
    millis: u128,
    same_twice: bool,
}

fn requests(cluster: &Cluster) -> Vec<(&'static str, PlanRequest)> {
    let base = PlanRequest {
        tolerance: TOLERANCE,
        ..PlanRequest::default()
    };
    // Broker 7's hot directory (the synthetic layout rotates it with the broker) fails: empty it.
    let hot = log_dir_path(7 % cluster.log_dirs().of(BrokerId(7)).len());
    vec![
        ("dirs", base.clone()),
        (
            "dirs, remove 7:hot",
            PlanRequest {
                remove_log_dirs: [(BrokerId(7), [hot].into())].into(),
                ..base.clone()
            },
        ),
        (
            "--no-log-dirs",
            PlanRequest {
                log_dirs: false,
                ..base
            },
        ),
    ]
}

fn run(cluster: &Cluster) -> Vec<Run> {
    requests(cluster)
        .into_iter()
        .map(|(flags, request)| {
            let started = Instant::now();
            let first = plan(cluster, &request).expect("plans");
            let millis = started.elapsed().as_millis();
            let second = plan(cluster, &request).expect("plans");
            Run {
                flags,
                same_twice: first.reassignment.to_json() == second.reassignment.to_json(),
                plan: first,
                millis,
            }
        })
        .collect()
}

fn ratio(v: Option<f64>) -> String {
    v.map_or("-".to_owned(), |x| format!("{x:.3}"))
}

fn gb(bytes: u64) -> String {
    format!("{:.0} GB", bytes as f64 / 1e9)
}

fn disk_balance(plan: &Plan) -> Option<f64> {
    plan.report
        .goals
        .iter()
        .find(|g| g.goal == Goal::Balance(Resource::Disk))
        .and_then(|g| g.max_over_mean)
}

/// Every partition on the same brokers, in the same order, in both plans.
fn same_brokers(a: &Plan, b: &Plan) -> bool {
    let lists = |p: &Plan| {
        p.reassignment
            .partitions
            .iter()
            .map(|r| (r.topic.clone(), r.partition, r.replicas.brokers().to_vec()))
            .collect::<Vec<_>>()
    };
    lists(a) == lists(b)
}

/// Brokers within ±`tol`, at their proven bound (out of band, but no placement does better),
/// and missed: "in / at bound / miss".
fn band(brokers: &[BrokerDirSpread], tol: f64) -> String {
    let (mut within, mut at_bound, mut miss) = (0, 0, 0);
    for b in brokers {
        let max = b.after_max_over_mean.unwrap_or(1.0);
        let min = b.after_min_over_mean.unwrap_or(1.0);
        if max <= 1.0 + tol + SAME && min >= 1.0 - tol - SAME {
            within += 1;
        } else if max <= b.bound * (1.0 + SAME) && b.bound > 1.0 + tol {
            at_bound += 1;
        } else {
            miss += 1;
        }
    }
    format!("{within}/{at_bound}/{miss}")
}

fn worst(brokers: &[BrokerDirSpread], f: fn(&BrokerDirSpread) -> Option<f64>) -> Option<f64> {
    brokers.iter().filter_map(f).reduce(f64::max)
}

fn add(t: &mut Table, i: &Instance, r: &Run, without: &Run) {
    let m = &r.plan.metrics;
    let dir_ms: u128 = r
        .plan
        .report
        .stages
        .iter()
        .filter(|s| s.stage == "log-dirs")
        .map(|s| s.millis)
        .sum();
    let d = r
        .plan
        .report
        .log_dirs
        .as_ref()
        .expect("the directory stage ran");
    let min_after = d
        .brokers
        .iter()
        .filter_map(|b| b.after_min_over_mean)
        .reduce(f64::min);
    let bound = d.brokers.iter().map(|b| b.bound).fold(1.0, f64::max);
    t.add_row(vec![
        i.seed.to_string(),
        i.shape.name().to_owned(),
        r.flags.to_owned(),
        format!("{:.1} s", r.millis as f64 / 1000.0),
        format!("{dir_ms} ms"),
        format!(
            "{} → {}",
            ratio(worst(&d.brokers, |b| b.before_max_over_mean)),
            ratio(worst(&d.brokers, |b| b.after_max_over_mean))
        ),
        ratio(min_after),
        band(&d.brokers, 0.05),
        band(&d.brokers, 0.10),
        format!("{bound:.3}"),
        format!(
            "{} / {}{}",
            ratio(disk_balance(&r.plan)),
            ratio(disk_balance(&without.plan)),
            if same_brokers(&r.plan, &without.plan) {
                " (same)"
            } else {
                ""
            }
        ),
        format!("{} ({})", m.log_dir_moves, gb(m.log_dir_bytes)),
        format!("{} ({})", m.replicas_moved, gb(m.bytes_moved)),
        if r.same_twice && without.same_twice {
            "yes"
        } else {
            "NO"
        }
        .to_owned(),
    ]);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "seed",
        "shape",
        "run",
        "plan time",
        "dir stage",
        "worst dir max/mean",
        "min/mean after",
        "±5% in/bound/miss",
        "±10% in/bound/miss",
        "max bound",
        "broker disk max/mean dirs / no dirs",
        "intra-broker moves",
        "inter-broker moves",
        "same twice",
    ]);
    for instance in instances(&args) {
        eprintln!(
            "planning seed {} {} …",
            instance.seed,
            instance.shape.name()
        );
        let cluster = instance.build();
        let runs = run(&cluster);
        let without = runs.last().expect("three runs");
        for r in &runs[..runs.len() - 1] {
            add(&mut t, &instance, r, without);
        }
        eprintln!("{t}");
    }
    println!("{t}");
}
