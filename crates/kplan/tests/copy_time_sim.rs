//! The copy-time estimate against the simulator, which copies as Kafka does (KIP-73 budgets that
//! also carry in-sync replication, shared max-min fairly; logs growing by their produce rate):
//! a set of plans — sizes, produce rates, throttles, waves, leaders with in-sync followers — run
//! by `execute` on simulated time, each estimate within 20% of the measured duration. Prints
//! the table (`cargo test -p kplan --test copy_time_sim -- --nocapture`).
//!
//! The table also shows the live ETA when three quarters, half and a quarter of the bytes are
//! left against the time that was actually left then, each within [`ETA_BAND`] (the model run
//! again on what is left, corrected by the measured pace: right also for waves whose small
//! copies finish first, where the average pace alone said 0.34–0.67× of the time left), and
//! checks that no run on pace reports a slow copy while one with more produce traffic than
//! `execute` measured does.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use kplan::exec::{
    self, Clock, ExecError, ExecuteEvent, ExecuteOptions, ExecuteOutcome, PlanFile, PreflightRules,
    StateFile, StopSignal, TrafficSource,
};
use kplan::kafka::{ConnectionSettings, KrafkaAdmin};
use kplan::model::{BrokerId, TopicPartition};
use kplan_sim::{SimOptions, SimSpec, Simulator};

const MB: f64 = 1_000_000.0;

/// Where the live ETA is compared with the time actually left: when this share of the bytes is
/// left.
const ETA_POINTS: [f64; 3] = [0.75, 0.5, 0.25];

/// How far the live ETA may be from the time actually left (ETA ÷ actual), with a few seconds
/// of slack for the polls.
const ETA_BAND: std::ops::RangeInclusive<f64> = 0.8..=1.25;

/// One partition: size (MB), produce rate (MB/s), replicas now, replicas wanted.
struct Part(u64, f64, &'static [i32], &'static [i32]);

struct Scenario {
    name: &'static str,
    brokers: usize,
    parts: Vec<Part>,
    /// MB/s; `None` unthrottled.
    throttle: Option<f64>,
    max_moves: usize,
    /// MB/s.
    line_rate: f64,
}

/// What a run measured.
struct Run {
    estimate: f64,
    measured: f64,
    waves: usize,
    /// (share of the bytes left, ETA given then, time that was actually left then), at three
    /// quarters, half and a quarter of the bytes left.
    etas: Vec<(f64, f64, f64)>,
    slow_reports: usize,
}

fn spec(s: &Scenario) -> SimSpec {
    let mut spec = SimSpec::with_brokers(s.brokers, 0).topic("t", 0, 1, 0, 0.0);
    let t = &mut spec.topics[0];
    t.assignment = Some(s.parts.iter().map(|p| p.2.to_vec()).collect());
    t.partition_sizes = Some(s.parts.iter().map(|p| p.0 * MB as u64).collect());
    t.partition_rates = Some(s.parts.iter().map(|p| p.1 * MB).collect());
    spec.line_rate = s.line_rate * MB;
    spec
}

fn plan_json(s: &Scenario) -> String {
    let rows: Vec<String> = s
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let any = vec!["\"any\""; p.3.len()].join(",");
            format!(
                r#"{{"topic":"t","partition":{i},"replicas":{:?},"log_dirs":[{any}]}}"#,
                p.3
            )
        })
        .collect();
    format!(r#"{{"version":1,"partitions":[{}]}}"#, rows.join(","))
}

async fn connect(sim: &Simulator) -> KrafkaAdmin {
    KrafkaAdmin::connect(&ConnectionSettings::plaintext(sim.bootstrap()))
        .await
        .unwrap()
}

/// Runs `s` with `execute --wait` on simulated time; the produce rates `execute` is told are the
/// real ones times `told`.
async fn run(s: &Scenario, told: f64, stop_when_slow: bool) -> Result<Run, ExecError> {
    let sim = Simulator::start(&spec(s), SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, plan_json(s)).unwrap();
    let plan = PlanFile::read(&path).unwrap();
    let admin = connect(&sim).await;
    let rates: BTreeMap<TopicPartition, f64> = s
        .parts
        .iter()
        .enumerate()
        .map(|(i, p)| (TopicPartition::new("t", i as i32), p.1 * MB * told))
        .collect();
    let options = ExecuteOptions {
        throttle: s.throttle.map(|r| (r * MB) as u64),
        target_duration: None,
        line_rate: s.line_rate * MB,
        traffic: TrafficSource::Rates(rates),
        log_dir_throttle: None,
        max_moves_per_broker: s.max_moves,
        max_inflight_bytes: None,
        wait: true,
        preflight: PreflightRules::default(),
        elect_leaders: true,
        state_file: StateFile::for_plan(&path, None),
        rollback_file: PathBuf::from(format!("{}.rollback.json", path.display())),
        poll_interval: Duration::ZERO,
        clock: Clock::from_fn(sim.clock_fn()),
    };
    let stop = StopSignal::new();
    let mut estimate = None;
    let mut waves = 0;
    let (mut started, mut finished) = (None, None);
    let mut eta_at: Vec<(f64, f64, f64)> = Vec::new();
    let mut slow_reports = 0;
    let mut step = 1.0;
    let outcome = exec::execute(&admin, &plan, &options, &stop, &mut |e| match e {
        ExecuteEvent::WavesPlanned {
            copy_time,
            waves: w,
            ..
        } => {
            estimate = copy_time.total_seconds;
            waves = w.len();
            // About 200 polls for the run: the measured time is good to 0.5% per wave.
            step = estimate.map_or(1.0, |t| (t / 200.0).max(0.05));
        }
        ExecuteEvent::SubmittingWave { .. } if started.is_none() => started = Some(sim.now()),
        ExecuteEvent::Progress(p) => {
            let share = p.bytes_remaining as f64 / p.bytes_total.max(1) as f64;
            let next = ETA_POINTS.get(eta_at.len());
            if p.in_flight > 0 && next.is_some_and(|s| share <= *s) {
                let eta = p.eta.and_then(|e| e.seconds).map_or(f64::NAN, |e| e as f64);
                eta_at.push((*next.expect("a point"), eta, sim.now()));
            }
            sim.advance(Duration::from_secs_f64(step));
        }
        ExecuteEvent::SlowCopies(slow) => {
            slow_reports += slow.len();
            if stop_when_slow {
                stop.stop();
            }
        }
        ExecuteEvent::MovesComplete => finished = Some(sim.now()),
        _ => {}
    })
    .await?;
    if !stop_when_slow {
        assert_eq!(
            outcome,
            ExecuteOutcome::Done {
                partitions: s.parts.len()
            },
            "{}",
            s.name
        );
    }
    let measured = finished.zip(started).map_or(f64::NAN, |(b, a)| b - a);
    Ok(Run {
        estimate: estimate.unwrap_or(f64::INFINITY),
        measured,
        waves,
        etas: eta_at
            .into_iter()
            .map(|(share, eta, at)| (share, eta, finished.unwrap_or(f64::NAN) - at))
            .collect(),
        slow_reports,
    })
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            // The issue's case, scaled: four busy partitions into the new broker 4.
            name: "new broker, 4 × 2 GB at 7.5 MB/s, 50 MB/s",
            brokers: 4,
            parts: vec![
                Part(2000, 7.5, &[1, 2], &[1, 4]),
                Part(2000, 7.5, &[2, 3], &[2, 4]),
                Part(2000, 7.5, &[3, 1], &[3, 4]),
                Part(2000, 7.5, &[1, 3], &[1, 4]),
            ],
            throttle: Some(50.0),
            max_moves: 5,
            line_rate: 200.0,
        },
        Scenario {
            name: "quiet topic, 6 × 1 GB, 20 MB/s, 2 moves a wave",
            brokers: 4,
            parts: (0..6).map(|_| Part(1000, 0.0, &[1, 2], &[3, 2])).collect(),
            throttle: Some(20.0),
            max_moves: 2,
            line_rate: 200.0,
        },
        Scenario {
            name: "drain broker 3: a hot partition and cold ones, 30 MB/s",
            brokers: 5,
            parts: vec![
                Part(3000, 10.0, &[3, 1], &[4, 1]),
                Part(500, 1.0, &[3, 2], &[5, 2]),
                Part(800, 1.0, &[1, 3], &[1, 5]),
                Part(1200, 2.0, &[2, 3], &[2, 4]),
            ],
            throttle: Some(30.0),
            max_moves: 5,
            line_rate: 200.0,
        },
        Scenario {
            name: "unthrottled at a 100 MB/s line rate, 5 MB/s in",
            brokers: 4,
            parts: vec![
                Part(4000, 5.0, &[1, 2], &[1, 4]),
                Part(1000, 5.0, &[2, 3], &[2, 4]),
            ],
            throttle: None,
            max_moves: 5,
            line_rate: 100.0,
        },
        Scenario {
            name: "RF 3: the leader's in-sync followers share its throttle, 60 MB/s",
            brokers: 5,
            parts: vec![
                Part(2000, 10.0, &[1, 2, 3], &[1, 2, 4]),
                Part(1000, 4.0, &[1, 3, 2], &[1, 3, 5]),
            ],
            throttle: Some(60.0),
            max_moves: 5,
            line_rate: 200.0,
        },
        Scenario {
            name: "two new brokers, exponential sizes, 25 MB/s, 1 move a wave",
            brokers: 6,
            parts: vec![
                Part(3200, 3.0, &[1, 2], &[5, 2]),
                Part(1600, 2.0, &[2, 3], &[6, 3]),
                Part(800, 1.0, &[3, 4], &[3, 5]),
                Part(400, 0.5, &[4, 1], &[4, 6]),
                Part(200, 0.2, &[1, 3], &[5, 3]),
            ],
            throttle: Some(25.0),
            max_moves: 1,
            line_rate: 200.0,
        },
        Scenario {
            name: "thin headroom: 3 × 1 GB at 6 MB/s into one broker, 20 MB/s",
            brokers: 4,
            parts: vec![
                Part(1000, 6.0, &[1, 2], &[4, 2]),
                Part(1000, 6.0, &[2, 3], &[2, 4]),
                Part(1000, 6.0, &[3, 1], &[4, 1]),
            ],
            throttle: Some(20.0),
            max_moves: 5,
            line_rate: 200.0,
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_estimate_and_the_live_eta_are_within_20_percent_of_the_simulated_time() {
    let mut table = vec![format!(
        "{:<66} {:>5} {:>10} {:>10} {:>6}  {}",
        "plan", "waves", "estimate", "measured", "ratio", "ETA/actual at 75/50/25 % left"
    )];
    let mut bad = Vec::new();
    // Each scenario has its own simulator and clock: they run side by side (a run mostly waits
    // on the client's pause between metadata requests, not on the CPU).
    // (`execute` takes its event sink as a plain `FnMut`, so they share this thread.)
    let local = tokio::task::LocalSet::new();
    let results = local
        .run_until(async {
            let runs: Vec<_> = scenarios()
                .into_iter()
                .map(|s| {
                    tokio::task::spawn_local(async move {
                        let r = run(&s, 1.0, false).await.unwrap();
                        (s, r)
                    })
                })
                .collect();
            let mut out = Vec::new();
            for handle in runs {
                out.push(handle.await.expect("the scenario ran"));
            }
            out
        })
        .await;
    for (s, r) in results {
        let ratio = r.estimate / r.measured;
        let etas: Vec<String> = r
            .etas
            .iter()
            .map(|(_, eta, left)| format!("{eta:.0}/{left:.0} s"))
            .collect();
        table.push(format!(
            "{:<66} {:>5} {:>9.0}s {:>9.0}s {:>6.2}  {}",
            s.name,
            r.waves,
            r.estimate,
            r.measured,
            ratio,
            etas.join(", ")
        ));
        eprintln!("{}", table.last().expect("a row"));
        if !(0.8..=1.2).contains(&ratio) {
            bad.push(format!(
                "{}: estimate {:.0} s, measured {:.0} s",
                s.name, r.estimate, r.measured
            ));
        }
        if r.etas.len() != ETA_POINTS.len() {
            bad.push(format!("{}: ETAs at {:?} only", s.name, r.etas));
        }
        for (share, eta, left) in &r.etas {
            // A poll is 0.5% of the run: the ETA cannot be closer than that.
            let slack = r.measured / 100.0;
            let ok = ETA_BAND.contains(&(eta / left)) || (eta - left).abs() <= slack;
            if !ok {
                bad.push(format!(
                    "{}: with {:.0}% of the bytes left the ETA was {eta:.0} s, {left:.0} s were left",
                    s.name,
                    share * 100.0
                ));
            }
        }
        if r.slow_reports > 0 {
            bad.push(format!(
                "{}: {} false slow-copy report(s)",
                s.name, r.slow_reports
            ));
        }
    }
    println!("{}", table.join("\n"));
    assert!(bad.is_empty(), "{}\n{}", table.join("\n"), bad.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttle_the_traffic_fills_is_refused_with_the_broker_and_the_rate_that_converges() {
    let s = &scenarios()[0];
    let low = Scenario {
        name: "the issue's 25 MB/s",
        brokers: s.brokers,
        parts: s.parts.iter().map(|p| Part(p.0, p.1, p.2, p.3)).collect(),
        throttle: Some(25.0),
        max_moves: 5,
        line_rate: 200.0,
    };
    let Err(ExecError::ThrottleTooLow(short)) = run(&low, 1.0, false).await else {
        panic!("a throttle at or below the traffic must be refused");
    };
    assert!(
        short.stuck.iter().any(|(_, b)| b.broker == BrokerId(4)),
        "{short}"
    );
    let text = short.to_string();
    assert!(text.contains("broker 4 receives"), "{text}");
    assert!(text.contains("--force"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_slower_than_the_estimate_are_reported() {
    // execute is told a tenth of the real traffic: it expects broker 4's backlog to shrink at
    // about 40 − 3.4 MB/s, but the two partitions really take 34 of its 40 MB/s: the backlog
    // shrinks at 6 MB/s.
    let s = Scenario {
        name: "traffic under-measured",
        brokers: 4,
        parts: vec![
            Part(2000, 17.0, &[1, 2], &[1, 4]),
            Part(2000, 17.0, &[2, 3], &[2, 4]),
        ],
        throttle: Some(40.0),
        max_moves: 5,
        line_rate: 200.0,
    };
    let r = run(&s, 0.1, true).await.unwrap();
    assert!(r.slow_reports >= 1, "no slow copies reported");
}
