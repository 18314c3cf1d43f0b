//! JBOD benchmark: brokers and log directories planned in one run.
//!
//! Each instance is a seeded synthetic cluster whose brokers each have `dirs` log directories,
//! one of them holding about `skew` times its broker's mean bytes (the rest even), as Kafka's
//! fewest-partitions placement leaves disks. Each is planned three ways: with directories, with
//! directories and one directory removed (`--remove-log-dirs`), and brokers only
//! (`--no-log-dirs`), so the broker balance with directories can be compared with the balance
//! without. The table shows, per run: the worst directory's usage over its broker's mean before
//! → after (over all brokers), the share of brokers whose directories all end within ±5 % and
//! ±10 %, the proven bound, intra- and inter-broker moves, the broker disk balance, the wall time
//! of the whole plan and of the directory stage, and whether a second run gives the same plan.
//!
//!     cargo run --release --example bench_log_dirs              # the instance and variants
//!     cargo run --release --example bench_log_dirs -- small     # a quick one

use std::time::Instant;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use kplan::model::{BrokerId, Cluster, Resource};
use kplan::plan::{plan, Goal, Plan, PlanRequest};
use kplan::synthetic::SyntheticSpec;
use kplan::synthetic_log_dirs::{log_dir_path, LogDirSpec};

struct Instance {
    name: &'static str,
    cluster: SyntheticSpec,
    dirs: LogDirSpec,
}

fn instances(filter: &[String]) -> Vec<Instance> {
    let big = |name, skew: f64, size_skew: f64, seed| Instance {
        name,
        cluster: SyntheticSpec {
            brokers: 100,
            racks: 5,
            empty_brokers: 0,
            topics: 400,
            partitions: 100_000,
            replication_factors: vec![3],
            skew: size_skew,
            mean_size_bytes: 2e9,
            mean_bytes_in: 2e5,
            seed,
        },
        dirs: LogDirSpec {
            dirs: 12,
            skew,
            fullest_usage: 0.85,
            seed: seed + 100,
        },
    };
    let small = Instance {
        name: "small",
        cluster: SyntheticSpec {
            brokers: 12,
            racks: 3,
            empty_brokers: 0,
            topics: 40,
            partitions: 4_000,
            replication_factors: vec![3],
            skew: 1.0,
            mean_size_bytes: 2e9,
            mean_bytes_in: 2e5,
            seed: 5,
        },
        dirs: LogDirSpec {
            dirs: 12,
            skew: 2.8,
            fullest_usage: 0.85,
            seed: 6,
        },
    };
    let all = vec![
        big("100x12x100k", 2.8, 1.0, 1),
        big("100x12x100k-s2", 2.8, 1.0, 2),
        big("100x12x100k-skewed-sizes", 2.8, 2.0, 3),
        small,
    ];
    if filter.is_empty() {
        return all.into_iter().filter(|i| i.name != "small").collect();
    }
    all.into_iter()
        .filter(|i| filter.iter().any(|f| f == i.name))
        .collect()
}

/// One planned run and what the table shows of it.
struct Row {
    instance: String,
    flags: &'static str,
    plan: Plan,
    millis: u128,
    same_twice: bool,
}

fn requests(cluster: &Cluster) -> Vec<(&'static str, PlanRequest)> {
    let base = PlanRequest {
        tolerance: 0.05,
        ..PlanRequest::default()
    };
    // The hot directory of broker 7 fails: empty it.
    let hot = log_dir_path(7 % cluster.log_dirs().of(BrokerId(7)).len());
    vec![
        ("log dirs", base.clone()),
        (
            "--remove-log-dirs 7:hot",
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

fn run(instance: &Instance) -> Vec<Row> {
    let cluster = instance
        .dirs
        .apply(instance.cluster.build())
        .expect("synthetic layouts are valid");
    let mut rows = Vec::new();
    for (flags, request) in requests(&cluster) {
        let started = Instant::now();
        let first = plan(&cluster, &request).expect("plans");
        let millis = started.elapsed().as_millis();
        let second = plan(&cluster, &request).expect("plans");
        let same_twice = first.reassignment.to_json() == second.reassignment.to_json();
        rows.push(Row {
            instance: instance.name.to_owned(),
            flags,
            plan: first,
            millis,
            same_twice,
        });
    }
    rows
}

fn ratio(v: Option<f64>) -> String {
    v.map_or("-".to_owned(), |x| format!("{x:.3}"))
}

fn gb(bytes: u64) -> String {
    format!("{:.0} GB", bytes as f64 / 1e9)
}

fn add(t: &mut Table, r: &Row) {
    let m = &r.plan.metrics;
    let disk = r
        .plan
        .report
        .goals
        .iter()
        .find(|g| g.goal == Goal::Balance(Resource::Disk));
    let dir_ms: u128 = r
        .plan
        .report
        .stages
        .iter()
        .filter(|s| s.stage == "log-dirs")
        .map(|s| s.millis)
        .sum();
    let (before, after, within5, within10, bound) = match &r.plan.report.log_dirs {
        Some(d) => {
            let worst = |f: fn(&kplan::plan::BrokerDirSpread) -> Option<f64>| {
                d.brokers
                    .iter()
                    .filter_map(f)
                    .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))))
            };
            let share = |tol: f64| {
                let ok = d.brokers.iter().filter(|b| {
                    b.after_max_over_mean.is_none_or(|x| x <= 1.0 + tol + 1e-9)
                        && b.after_min_over_mean.is_none_or(|x| x >= 1.0 - tol - 1e-9)
                });
                format!("{}/{}", ok.count(), d.brokers.len())
            };
            let bound = d.brokers.iter().map(|b| b.bound).fold(1.0, f64::max);
            (
                ratio(worst(|b| b.before_max_over_mean)),
                ratio(worst(|b| b.after_max_over_mean)),
                share(0.05),
                share(0.10),
                format!("{bound:.3}"),
            )
        }
        None => Default::default(),
    };
    t.add_row(vec![
        r.instance.clone(),
        r.flags.to_owned(),
        format!("{before} → {after}"),
        within5,
        within10,
        bound,
        format!("{} ({})", m.log_dir_moves, gb(m.log_dir_bytes)),
        format!("{} ({})", m.replicas_moved, gb(m.bytes_moved)),
        disk.map_or("-".to_owned(), |g| ratio(g.max_over_mean)),
        format!("{:.1} s", r.millis as f64 / 1000.0),
        format!("{} ms", dir_ms),
        if r.same_twice { "yes" } else { "NO" }.to_owned(),
    ]);
}

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).collect();
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "instance",
        "flags",
        "worst dir max/mean",
        "brokers ±5%",
        "brokers ±10%",
        "bound",
        "intra-broker moves",
        "inter-broker moves",
        "broker disk max/mean",
        "plan time",
        "dir stage",
        "same twice",
    ]);
    for instance in instances(&filter) {
        eprintln!("planning {} …", instance.name);
        for row in run(&instance) {
            add(&mut t, &row);
        }
    }
    println!("{t}");
}
