//! Planner benchmark: seeded synthetic clusters S, M, L, XL, planned by kplan and by a
//! re-implementation of Kafka's `--generate`, printed as one table.
//!
//!     cargo run --release --example bench_planner            # all instances
//!     cargo run --release --example bench_planner -- S M     # some
//!
//! Each instance runs in a child process so its peak RSS (VmHWM) is its own.

use std::process::Command;
use std::time::{Duration, Instant};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use kplan::model::{Cluster, Resource};
use kplan::plan::{plan, verify, PlanRequest, Reassignment};
use kplan::synthetic::{kafka_generate, SyntheticSpec};

fn spec(name: &str) -> (SyntheticSpec, Duration) {
    let base = SyntheticSpec {
        brokers: 8,
        racks: 4,
        empty_brokers: 2,
        topics: 10,
        partitions: 200,
        replication_factors: vec![3],
        skew: 0.5,
        mean_size_bytes: 2e9,
        mean_bytes_in: 1e6,
        seed: 42,
    };
    match name {
        "S" => (base, Duration::from_secs(5)),
        "M" => (
            SyntheticSpec {
                brokers: 24,
                racks: 4,
                empty_brokers: 2,
                topics: 150,
                partitions: 5_000,
                skew: 1.2,
                ..base
            },
            Duration::from_secs(30),
        ),
        "L" => (
            SyntheticSpec {
                brokers: 100,
                racks: 5,
                empty_brokers: 5,
                topics: 1_000,
                partitions: 100_000,
                skew: 1.0,
                ..base
            },
            Duration::from_secs(60),
        ),
        "XL" => (
            SyntheticSpec {
                brokers: 200,
                racks: 10,
                empty_brokers: 10,
                topics: 7_000,
                partitions: 130_000,
                replication_factors: vec![3, 2],
                skew: 1.0,
                ..base
            },
            Duration::from_secs(120),
        ),
        other => panic!("unknown instance {other} (S, M, L, XL)"),
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

/// One row: engine, seconds, max/mean per resource (and counts' max − ceil), moves vs bound.
fn row(
    name: &str,
    engine: &str,
    cluster: &Cluster,
    plan: &Reassignment,
    secs: f64,
    lb: (usize, u64),
) -> Vec<String> {
    let request = PlanRequest::default();
    let m = verify(cluster, &request, plan).expect("plan must verify");
    let brokers: Vec<_> = m.after.keys().copied().collect();
    let mut cells = vec![
        name.to_owned(),
        engine.to_owned(),
        format!("{secs:.2}"),
        format!("{:.0}", peak_rss_mib()),
    ];
    for r in Resource::ALL {
        let loads: Vec<f64> = brokers.iter().map(|b| m.after[b][r]).collect();
        let mean = loads.iter().sum::<f64>() / loads.len() as f64;
        let max = loads.iter().copied().fold(f64::MIN, f64::max);
        let min = loads.iter().copied().fold(f64::MAX, f64::min);
        if r.is_count() {
            let ok = max <= (mean - 1e-9).ceil() && min >= (mean + 1e-9).floor();
            cells.push(format!("{:.3}{}", max / mean, if ok { "" } else { " ✗" }));
        } else {
            cells.push(format!("{:.3}", max / mean));
        }
    }
    // Rack violations after the plan.
    let planned: std::collections::BTreeMap<_, _> = plan
        .partitions
        .iter()
        .map(|p| (p.topic_partition(), p.brokers()))
        .collect();
    let racks = cluster.racks().len();
    let mut violations = 0;
    for (tp, p) in cluster.partitions() {
        let b = planned.get(&tp).copied().unwrap_or(p.replicas.brokers());
        let mut rs: Vec<_> = b
            .iter()
            .map(|x| cluster.broker(*x).unwrap().rack.clone())
            .collect();
        rs.sort();
        rs.dedup();
        if rs.len() < b.len().min(racks) {
            violations += 1;
        }
    }
    cells.push(violations.to_string());
    cells.push(format!(
        "{} / {} ({:.2}×)",
        m.replicas_moved,
        lb.0,
        m.replicas_moved as f64 / lb.0.max(1) as f64
    ));
    cells.push(format!(
        "{:.0} / {:.0} GB ({:.2}×)",
        m.bytes_moved as f64 / 1e9,
        lb.1 as f64 / 1e9,
        m.bytes_moved as f64 / lb.1.max(1) as f64
    ));
    cells
}

fn run_instance(name: &str) {
    let (spec, limit) = spec(name);
    let cluster = spec.build();
    let request = PlanRequest {
        time_limit: limit,
        ..PlanRequest::default()
    };
    let t = Instant::now();
    let planned = plan(&cluster, &request).expect("plan");
    let secs = t.elapsed().as_secs_f64();
    let lb = (
        planned.report.lower_bound.replicas,
        planned.report.lower_bound.bytes,
    );
    let kplan_row = row(name, "kplan", &cluster, &planned.reassignment, secs, lb);
    let t = Instant::now();
    let baseline = kafka_generate(&cluster, &[], 7);
    let base_secs = t.elapsed().as_secs_f64();
    let base_row = row(name, "kafka --generate", &cluster, &baseline, base_secs, lb);
    for r in [kplan_row, base_row] {
        println!("ROW\t{}", r.join("\t"));
    }
    for w in &planned.report.warnings {
        println!("WARN\t{name}: {w}");
    }
    for s in &planned.report.stages {
        println!(
            "STAGE\t{name}: {} {} ms, {} changes, cost {:.2} {:?}",
            s.stage,
            s.millis,
            s.changes,
            s.cost_after,
            s.mip
                .iter()
                .map(|m| (&m.status, m.binaries, m.improved, m.millis))
                .collect::<Vec<_>>()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(name) = args.iter().find_map(|a| a.strip_prefix("--child=")) {
        run_instance(name);
        return;
    }
    let names: Vec<String> = if args.is_empty() {
        ["S", "M", "L", "XL"].map(String::from).to_vec()
    } else {
        args
    };
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "instance",
        "engine",
        "wall s",
        "peak RSS MiB",
        "disk max/mean",
        "bytes-in",
        "bytes-out",
        "replicas",
        "leaders",
        "rack viol.",
        "replicas moved / LB",
        "bytes moved / LB",
    ]);
    let exe = std::env::current_exe().expect("own path");
    let mut notes = Vec::new();
    for name in &names {
        let out = Command::new(&exe)
            .arg(format!("--child={name}"))
            .output()
            .expect("child runs");
        if !out.status.success() {
            eprintln!("{name} failed:\n{}", String::from_utf8_lossy(&out.stderr));
            continue;
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some(r) = line.strip_prefix("ROW\t") {
                table.add_row(r.split('\t').collect::<Vec<_>>());
            } else {
                notes.push(line.replace('\t', " "));
            }
        }
    }
    println!("{table}");
    println!("counts (replicas, leaders) marked ✗ fall outside [floor(mean), ceil(mean)]");
    for n in notes {
        println!("{n}");
    }
}
