//! Planner benchmark: seeded synthetic clusters (S, M, L, XL, XXL) and hard instances shaped like
//! Cruise Control's random clusters (H-*), each planned with several flag sets, printed as one
//! table: achieved max/mean against the proven bound per resource, replicas and bytes moved
//! against their lower bounds, wall time, peak RSS, and whether a second run under load gives
//! the same plan byte for byte.
//!
//!     cargo run --release --example bench_planner                  # every instance, every flag set
//!     cargo run --release --example bench_planner -- M H-exp       # some instances
//!     cargo run --release --example bench_planner -- M --flags budget,leaders-only
//!     cargo run --release --example bench_planner -- S --baseline  # also Kafka's --generate
//!     cargo run --release --example bench_planner -- --dump=XXL xxl.json   # write a snapshot
//!
//! Each (instance, flags) runs in a child process so its peak RSS (VmHWM) is its own. The second
//! run of each keeps both cores busy with spinning threads: the plans must still be identical.
//! Wall times on a shared machine are inflated by other load; the work counters are not.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use kplan::model::{BrokerId, Cluster, Resource};
use kplan::plan::{plan, GoalState, Plan, PlanRequest};
use kplan::scenario::{LoadFamily, ScenarioSpec};
use kplan::synthetic::{kafka_generate, SyntheticSpec};

/// An instance: a cluster, brokers to drain and a replication-factor change.
struct Instance {
    cluster: Cluster,
    drain: Vec<BrokerId>,
    rf_change: (String, usize),
}

const SYNTHETIC: [&str; 5] = ["S", "M", "L", "XL", "XXL"];
const HARD: [&str; 6] = ["H-uni", "H-lin", "H-exp", "H-hot", "H-racks", "H-rf5"];
const FLAGS: [&str; 6] = [
    "default",
    "decommission",
    "replication-factor",
    "max-moves",
    "max-move-bytes",
    "leaders-only",
];

fn synthetic(name: &str) -> SyntheticSpec {
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
        "S" => base,
        "M" => SyntheticSpec {
            brokers: 24,
            topics: 150,
            partitions: 5_000,
            skew: 1.2,
            ..base
        },
        "L" => SyntheticSpec {
            brokers: 100,
            racks: 5,
            empty_brokers: 5,
            topics: 1_000,
            partitions: 100_000,
            skew: 1.0,
            ..base
        },
        "XL" => SyntheticSpec {
            brokers: 200,
            racks: 10,
            empty_brokers: 10,
            topics: 7_000,
            partitions: 130_000,
            replication_factors: vec![3, 2],
            skew: 1.0,
            ..base
        },
        // 1,000,000 partitions, nine topics in ten at RF 3: about 2.9M replicas.
        "XXL" => SyntheticSpec {
            brokers: 500,
            racks: 20,
            empty_brokers: 25,
            topics: 20_000,
            partitions: 1_000_000,
            replication_factors: vec![3, 3, 3, 3, 3, 3, 3, 3, 3, 2],
            skew: 1.0,
            mean_size_bytes: 5e8,
            ..base
        },
        other => panic!("unknown instance {other}"),
    }
}

fn hard(name: &str) -> ScenarioSpec {
    let base = ScenarioSpec {
        brokers: 60,
        racks: 6,
        topics: 600,
        partitions: 20_000,
        min_rf: 2,
        max_rf: 4,
        new_brokers: 3,
        drain_brokers: 2,
        rack_violation_share: 0.01,
        ..ScenarioSpec::default()
    };
    match name {
        "H-uni" => ScenarioSpec {
            family: LoadFamily::Uniform,
            seed: 11,
            ..base
        },
        "H-lin" => ScenarioSpec {
            family: LoadFamily::Linear,
            brokers: 100,
            racks: 10,
            seed: 12,
            ..base
        },
        "H-exp" => ScenarioSpec {
            family: LoadFamily::Exponential,
            brokers: 40,
            racks: 5,
            seed: 13,
            ..base
        },
        // The 100k cluster: keyed hot partitions up to 80 % of a broker's mean bytes in,
        // about 1,000 rack violations to repair.
        "H-hot" => ScenarioSpec {
            family: LoadFamily::Uniform,
            brokers: 100,
            racks: 5,
            topics: 1_500,
            partitions: 100_000,
            min_rf: 3,
            max_rf: 3,
            hot_partitions: 6,
            hot_share: 0.8,
            new_brokers: 5,
            seed: 14,
            ..base
        },
        "H-racks" => ScenarioSpec {
            family: LoadFamily::Linear,
            brokers: 80,
            racks: 7,
            uneven_racks: true,
            rack_violation_share: 0.05,
            hot_partitions: 3,
            seed: 15,
            ..base
        },
        "H-rf5" => ScenarioSpec {
            family: LoadFamily::Exponential,
            brokers: 140,
            racks: 8,
            uneven_racks: true,
            min_rf: 2,
            max_rf: 5,
            topics: 2_000,
            partitions: 40_000,
            seed: 16,
            ..base
        },
        other => panic!("unknown instance {other}"),
    }
}

fn instance(name: &str) -> Instance {
    if SYNTHETIC.contains(&name) {
        let spec = synthetic(name);
        Instance {
            cluster: spec.build(),
            drain: vec![BrokerId(0), BrokerId(1)],
            rf_change: ("topic-\\d{4}[05]".to_owned(), 4),
        }
    } else {
        let s = hard(name).build();
        // Every H-hot topic has RF 3, which the scenario's change also sets: raise them instead.
        let rf_change = if name == "H-hot" {
            ("topic-\\d{4}0".to_owned(), 4)
        } else {
            s.replication_change
        };
        Instance {
            cluster: s.cluster,
            drain: s.drain.into_iter().collect(),
            rf_change,
        }
    }
}

fn request(inst: &Instance, flags: &str) -> PlanRequest {
    // The default `--time-limit`: the safety net column says whether it fired.
    let mut r = PlanRequest::default();
    match flags {
        "default" => {}
        "decommission" => r.decommission = inst.drain.iter().copied().collect(),
        "replication-factor" => {
            let re = regex::Regex::new(&format!("^(?:{})$", inst.rf_change.0)).expect("regex");
            r.replication_factors = vec![(re, inst.rf_change.1)];
        }
        "max-moves" => r.max_moves = Some(50),
        "max-move-bytes" => r.max_move_bytes = Some(100 << 30),
        "leaders-only" => r.leaders_only = true,
        other => panic!("unknown flag set {other}"),
    }
    r
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

/// Spins on every core until dropped: the "machine under load" of the determinism check.
struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let threads = (0..cores)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut x = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                        std::hint::black_box(x);
                    }
                })
            })
            .collect();
        Load { stop, threads }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// One resource cell: max/mean, and when out of band the proven bound (✗ when more than 0.02
/// above it).
fn resource_cell(p: &Plan, r: Resource) -> String {
    let g = p
        .report
        .goals
        .iter()
        .find(|g| g.goal == kplan::plan::Goal::Balance(r))
        .expect("every resource has a goal");
    let max = g.max_over_mean.unwrap_or(f64::NAN);
    match g.status {
        GoalState::Met => format!("{max:.3}"),
        _ => {
            let bound = g.bound.unwrap_or(f64::NAN);
            let min = g.min_over_mean.unwrap_or(f64::NAN);
            let min_bound = g.min_bound.unwrap_or(f64::NAN);
            let band = &p.report.bands[r.index()].band;
            let close = max <= bound + 0.02 + 1e-9 || max <= band.hi / band.mean + 1e-9;
            let close_min = min >= min_bound - 0.02 - 1e-9 || min >= band.lo / band.mean - 1e-9;
            let mark = if g.status == GoalState::BestPossible {
                " =best"
            } else if close && close_min {
                " ~"
            } else {
                " ✗"
            };
            format!("{max:.3}≥{bound:.3} {min:.2}≤{min_bound:.2}{mark}")
        }
    }
}

fn ratio_cell(done: f64, bound: f64, unit: f64, suffix: &str) -> String {
    let r = if bound > 0.0 { done / bound } else { 1.0 };
    let mark = if done <= bound * if suffix.is_empty() { 1.15 } else { 1.2 } + 0.5 {
        ""
    } else {
        " ✗"
    };
    format!(
        "{:.0}/{:.0}{suffix} {r:.2}×{mark}",
        done / unit,
        bound / unit
    )
}

fn run_child(name: &str, flags: &str) {
    let inst = instance(name);
    let req = request(&inst, flags);
    let t = Instant::now();
    let first = plan(&inst.cluster, &req).expect("plan");
    let secs = t.elapsed().as_secs_f64();
    let rss = peak_rss_mib();
    let second = {
        let _load = Load::start();
        plan(&inst.cluster, &req).expect("plan under load")
    };
    let same = first.reassignment.to_json() == second.reassignment.to_json();
    let lb = &first.report.lower_bound;
    let m = &first.metrics;
    let mut cells = vec![
        name.to_owned(),
        flags.to_owned(),
        format!("{secs:.1}"),
        format!("{rss:.0}"),
    ];
    cells.extend(Resource::ALL.map(|r| resource_cell(&first, r)));
    cells.push(ratio_cell(
        m.replicas_moved as f64,
        lb.replicas as f64,
        1.0,
        "",
    ));
    cells.push(ratio_cell(m.bytes_moved as f64, lb.bytes as f64, 1e9, "GB"));
    cells.push(if same { "yes" } else { "NO" }.to_owned());
    cells.push(
        match (
            first.report.time_limit_reached,
            second.report.time_limit_reached,
        ) {
            (false, false) => "no",
            (true, false) => "FIRED (quiet run)",
            (false, true) => "FIRED (loaded run)",
            (true, true) => "FIRED (both)",
        }
        .to_owned(),
    );
    println!("ROW\t{}", cells.join("\t"));
    for w in &first.report.warnings {
        println!("WARN\t{name} {flags}: {w}");
    }
    for s in &first.report.stages {
        let mips: Vec<String> = s
            .mip
            .iter()
            .map(|m| format!("{:?}/{}b/{}ms", m.status, m.binaries, m.millis))
            .collect();
        println!(
            "STAGE\t{name} {flags}: {} {} ms, {} changes, cost {:.2} {}",
            s.stage,
            s.millis,
            s.changes,
            s.cost_after,
            mips.join(" ")
        );
    }
}

fn run_baseline(name: &str) {
    let inst = instance(name);
    let t = Instant::now();
    let r = kafka_generate(&inst.cluster, &[], 7);
    let secs = t.elapsed().as_secs_f64();
    let m = kplan::plan::verify(&inst.cluster, &PlanRequest::default(), &r).expect("valid");
    let brokers: Vec<_> = m.after.keys().copied().collect();
    let mut cells = vec![
        name.to_owned(),
        "kafka --generate".to_owned(),
        format!("{secs:.1}"),
        format!("{:.0}", peak_rss_mib()),
    ];
    for r in Resource::ALL {
        let loads: Vec<f64> = brokers.iter().map(|b| m.after[b][r]).collect();
        let mean = loads.iter().sum::<f64>() / loads.len() as f64;
        cells.push(format!(
            "{:.3}",
            loads.iter().copied().fold(f64::MIN, f64::max) / mean
        ));
    }
    cells.push(m.replicas_moved.to_string());
    cells.push(format!("{:.0}GB", m.bytes_moved as f64 / 1e9));
    cells.push("-".to_owned());
    cells.push("-".to_owned());
    println!("ROW\t{}", cells.join("\t"));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(name) = args.iter().find_map(|a| a.strip_prefix("--dump=")) {
        // Writes the instance as a snapshot file, to plan it with the binary end to end.
        let path = args
            .iter()
            .find(|a| !a.starts_with("--"))
            .expect("a path to write");
        let file = kplan::files::SnapshotFile::from_cluster(&instance(name).cluster);
        let out = std::io::BufWriter::new(std::fs::File::create(path).expect("writable"));
        serde_json::to_writer(out, &file).expect("written");
        return;
    }
    if let Some(spec) = args.iter().find_map(|a| a.strip_prefix("--child=")) {
        let (name, flags) = spec.split_once(':').expect("name:flags");
        if flags == "baseline" {
            run_baseline(name);
        } else {
            run_child(name, flags);
        }
        return;
    }
    let mut names: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    if names.is_empty() {
        names = SYNTHETIC
            .iter()
            .chain(&HARD)
            .map(|s| s.to_string())
            .collect();
    }
    let flags: Vec<String> = args
        .iter()
        .find_map(|a| a.strip_prefix("--flags="))
        .map_or(FLAGS.iter().map(|s| s.to_string()).collect(), |f| {
            f.split(',').map(str::to_owned).collect()
        });
    let baseline = args.iter().any(|a| a == "--baseline");
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "instance",
        "flags",
        "wall s",
        "RSS MiB",
        "disk",
        "bytes-in",
        "bytes-out",
        "replicas",
        "leaders",
        "replicas moved/LB",
        "bytes moved/LB",
        "same twice",
        "safety net",
    ]);
    let exe = std::env::current_exe().expect("own path");
    let mut notes = Vec::new();
    for name in &names {
        let mut runs: Vec<String> = flags.clone();
        if baseline {
            runs.push("baseline".to_owned());
        }
        for f in runs {
            let out = Command::new(&exe)
                .arg(format!("--child={name}:{f}"))
                .output()
                .expect("child runs");
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr);
                notes.push(format!(
                    "{name} {f} failed: {}",
                    err.lines().last().unwrap_or("")
                ));
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
    }
    println!("{table}");
    println!(
        "resources: max/mean when in band; otherwise max/mean≥proven bound and min/mean≤proven bound, \
         '=best' when at the bound, '~' within 0.02 of it, '✗' further"
    );
    println!("moves: done/lower bound; ✗ above 1.15× (replicas) or 1.2× (bytes)");
    for n in notes {
        println!("{n}");
    }
}
