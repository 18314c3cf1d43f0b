//! Crash-safe execution (issue 14): `kplan execute --wait` and `kplan cancel` are SIGKILLed at
//! seeded random moments against the simulator, then run again.
//!
//! The moments come from the steps a run takes, watched on the simulator's side: while the n-th
//! IncrementalAlterConfigs is held back (throttles half set, or half restored), a few
//! microseconds after the n-th AlterPartitionReassignments was handled (the state file is being
//! written), at a random time (between waves, while polling). After every kill the state file must
//! read; while any move is in flight, its throttle must be in place; after the last run every
//! plan is complete, no partition was submitted twice, nothing is in flight, and every
//! throttle config is what the operator had before — their own rates and list entries exactly.
//!
//! `KPLAN_CRASH_TRIALS` changes the number of trials of each kind (default 24 and 12), and
//! `KPLAN_CRASH_SEED` the first seed; a failure names the seed and the moments of its kills.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kplan::exec::ExecutionState;
use kplan_sim::{ApiKey, ClusterState, Fault, SimOptions, SimSpec, Simulator};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const MB: u64 = 1_000_000;
/// The throttle kplan sets, bytes/s (50MB/s).
const RATE: &str = "50000000";
const LEADER_RATE: &str = "leader.replication.throttled.rate";
const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";
const LEADER_LIST: &str = "leader.replication.throttled.replicas";
const FOLLOWER_LIST: &str = "follower.replication.throttled.replicas";
const TOPICS: [(&str, u32, u16); 2] = [("orders", 8, 3), ("clicks", 6, 2)];
/// A run that takes longer than this is stuck. Seed 8's last run (resumed after a kill during
/// its third config change) takes about 90 s on a quiet machine, so a 90 s limit failed it under
/// load; why that run is so much slower than the others is still to find (issue 14).
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// When to kill a run.
#[derive(Clone, Copy, Debug)]
enum Moment {
    /// While the n-th IncrementalAlterConfigs of the run is held back: the config change took
    /// effect on the broker, kplan has not heard of it.
    ConfigChange { nth: u64 },
    /// `after_us` after the n-th AlterPartitionReassignments of the run was handled: kplan is
    /// reading the answer and writing the state file.
    AfterSubmit { nth: u64, after_us: u64 },
    /// `after_ms` after the start.
    Anytime { after_ms: u64 },
}

impl Moment {
    fn random(rng: &mut ChaCha8Rng) -> Self {
        match rng.gen_range(0..3) {
            0 => Moment::ConfigChange {
                nth: rng.gen_range(1..=8),
            },
            1 => Moment::AfterSubmit {
                nth: rng.gen_range(1..=4),
                after_us: rng.gen_range(0..4000),
            },
            // A run takes 0.3–1.5 s: a kill within it lands between waves or while polling.
            _ => Moment::Anytime {
                after_ms: rng.gen_range(0..700),
            },
        }
    }
}

/// Requests of one API handled so far.
fn handled(sim: &Simulator, api: ApiKey) -> u64 {
    sim.with_state(|s| s.requests_handled(api))
}

/// One seeded cluster and plan: 6 brokers in 3 racks, two topics, the operator's own throttle
/// rates on brokers 1 and 2 and their own list entry on `orders`.
struct Trial {
    seed: u64,
    sim: Simulator,
    _dir: tempfile::TempDir,
    plan: PathBuf,
    throttled: bool,
    /// Every partition's replicas before the run.
    original: BTreeMap<(String, i32), Vec<i32>>,
    /// The plan's partitions and their targets.
    targets: BTreeMap<(String, i32), Vec<i32>>,
    /// Broker and topic throttle configs before the run.
    priors: Vec<(String, String, Option<String>)>,
    /// What happened, for the failure message.
    log: Vec<String>,
}

impl Trial {
    fn start(seed: u64, speed: f64, size: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut spec = SimSpec::with_brokers(6, 3);
        for (name, partitions, rf) in TOPICS {
            spec = spec.topic(name, partitions, rf, size, 0.0);
        }
        spec.line_rate = 200.0 * MB as f64;
        spec.broker_configs.insert(
            "1".into(),
            [(LEADER_RATE.to_owned(), "12345678".to_owned())].into(),
        );
        spec.broker_configs.insert(
            "2".into(),
            [(FOLLOWER_RATE.to_owned(), "7654321".to_owned())].into(),
        );
        spec.topics[0]
            .configs
            .insert(LEADER_LIST.to_owned(), "0:1".to_owned());
        let sim = Simulator::start(
            &spec,
            SimOptions {
                speed,
                base_port: 0,
            },
        )
        .unwrap();
        let original: BTreeMap<(String, i32), Vec<i32>> = sim.with_state(|s| {
            s.topics
                .iter()
                .flat_map(|(n, t)| {
                    t.partitions
                        .iter()
                        .map(move |p| ((n.clone(), p.index), p.replicas.clone()))
                })
                .collect()
        });
        let targets = random_targets(&mut rng, &original);
        let dir = tempfile::tempdir().unwrap();
        let plan = dir.path().join("plan.json");
        std::fs::write(&plan, plan_json(&targets)).unwrap();
        let priors = sim.with_state(throttle_configs);
        Trial {
            seed,
            sim,
            _dir: dir,
            plan,
            throttled: rng.gen_bool(0.8),
            original,
            targets,
            priors,
            log: Vec::new(),
        }
    }

    /// The JSON events of the latest run (`--output json`).
    fn events_path(&self) -> PathBuf {
        self.plan.with_file_name("events.jsonl")
    }

    /// The polls the latest run saw fail, for its log line: a run that waits out failed polls
    /// (1 s, 2 s, 4 s … up to 30 s apart) is slow for that reason, not for the copies.
    fn failed_polls(&self) -> String {
        let text = std::fs::read_to_string(self.events_path()).unwrap_or_default();
        let failed: Vec<&str> = text.lines().filter(|l| l.contains("poll_failed")).collect();
        match failed.first() {
            None => String::new(),
            Some(first) => format!("; {} failed poll(s), the first: {first}", failed.len()),
        }
    }

    fn state_path(&self) -> PathBuf {
        PathBuf::from(format!("{}.state", self.plan.display()))
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "seed {}: {what}\n  throttled: {}\n  runs:\n    {}",
            self.seed,
            self.throttled,
            self.log.join("\n    ")
        );
    }

    fn spawn(&self, args: &[&str]) -> Child {
        Command::new(env!("CARGO_BIN_EXE_kplan"))
            .args(args)
            .stdout(std::fs::File::create(self.events_path()).unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn execute(&self) -> Child {
        let bs = self.sim.bootstrap();
        let mut args = vec![
            "execute",
            "--bootstrap-server",
            &bs,
            "--plan",
            self.plan.to_str().unwrap(),
            "--max-moves-per-broker",
            "2",
            "--wait",
            "--poll-interval",
            "50ms",
            // The simulated topics take no produce traffic: the default 5 s sample of a
            // throttled start would measure nothing, and each fresh start would spend its first
            // 5 s there (most "random time" kills landed in it, before anything changed).
            "--traffic-sample",
            "0s",
            "--output",
            "json",
        ];
        if self.throttled {
            args.extend(["--throttle", RATE]);
        }
        self.spawn(&args)
    }

    fn cancel(&self) -> Child {
        let bs = self.sim.bootstrap();
        self.spawn(&[
            "cancel",
            "--bootstrap-server",
            &bs,
            "--plan",
            self.plan.to_str().unwrap(),
        ])
    }

    /// Runs `child` until it ends or `moment` comes (then SIGKILL). Checks, all along, that no
    /// move copies without its throttle. Returns whether it was killed.
    fn run(&mut self, what: &str, mut child: Child, moment: Option<Moment>) -> bool {
        if let Some(Moment::ConfigChange { nth }) = moment {
            self.sim.inject(Fault::ApiDelay {
                api: ApiKey::IncrementalAlterConfigs,
                delay: Duration::from_millis(300),
                times: nth as u32,
            });
        }
        let configs0 = handled(&self.sim, ApiKey::IncrementalAlterConfigs);
        let submits0 = handled(&self.sim, ApiKey::AlterPartitionReassignments);
        let started = Instant::now();
        let mut submitted_at: Option<Instant> = None;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                use std::io::Read;
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                self.log.push(format!(
                    "{what} {moment:?}: ran to the end in {:?} ({status}){}",
                    started.elapsed(),
                    self.failed_polls()
                ));
                if !status.success() {
                    self.fail(&format!("{what} failed: {err}"));
                }
                return false;
            }
            if started.elapsed() > RUN_LIMIT {
                let _ = child.kill();
                self.fail(&format!("{what} did not finish in {RUN_LIMIT:?}"));
            }
            if self.throttled {
                if let Some(bad) = self.sim.with_state(unthrottled_move) {
                    let _ = child.kill();
                    self.fail(&format!(
                        "{what}: a move copies without its throttle: {bad}"
                    ));
                }
            }
            let configs_changed = || handled(&self.sim, ApiKey::IncrementalAlterConfigs) - configs0;
            let due = match moment {
                None => false,
                Some(Moment::ConfigChange { nth }) => configs_changed() >= nth,
                Some(Moment::AfterSubmit { nth, after_us }) => {
                    let n = handled(&self.sim, ApiKey::AlterPartitionReassignments) - submits0;
                    if n >= nth && submitted_at.is_none() {
                        submitted_at = Some(Instant::now());
                    }
                    submitted_at.is_some_and(|t| t.elapsed() >= Duration::from_micros(after_us))
                }
                Some(Moment::Anytime { after_ms }) => {
                    started.elapsed() >= Duration::from_millis(after_ms)
                }
            };
            if due {
                child.kill().unwrap();
                child.wait().unwrap();
                let leftover = self.temp_files();
                self.log.push(format!(
                    "{what} {moment:?}: killed at {:?}{}{}",
                    started.elapsed(),
                    if leftover > 0 {
                        " while writing the state file"
                    } else {
                        ""
                    },
                    self.failed_polls()
                ));
                self.assert_state_readable();
                return true;
            }
            // Close to the submission the watch spins; otherwise it naps.
            if !matches!(moment, Some(Moment::AfterSubmit { .. })) {
                std::thread::sleep(Duration::from_micros(500));
            }
        }
    }

    /// Half-written state files a killed run left (never read: the state file is renamed
    /// into place whole).
    fn temp_files(&self) -> usize {
        let dir = self.plan.parent().unwrap();
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(".plan.json.state.") && n.ends_with(".tmp")
            })
            .count()
    }

    fn assert_state_readable(&self) {
        let path = self.state_path();
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Err(e) = ExecutionState::parse(&path, &text) {
                self.fail(&format!("the state file does not read: {e}\n{text}"));
            }
        }
    }

    fn state(&self) -> ExecutionState {
        let path = self.state_path();
        ExecutionState::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    /// Nothing in flight, every throttle config as before.
    fn assert_quiet_and_restored(&self) {
        let in_flight = self.sim.with_state(|s| s.reassignments().len());
        if in_flight > 0 {
            self.fail(&format!("{in_flight} reassignment(s) still in flight"));
        }
        let now = self.sim.with_state(throttle_configs);
        if now != self.priors {
            self.fail(&format!(
                "throttle configs not restored:\n  before {:?}\n  after  {:?}",
                self.priors, now
            ));
        }
    }

    /// After execute: every plan partition at its target, each submitted once at most (once
    /// when it had to change).
    fn assert_complete(&self) {
        let state = self.state();
        if !state.finished {
            self.fail("the state file is not finished");
        }
        self.sim.with_state(|s| {
            for ((topic, p), target) in &self.targets {
                let replicas = &s.partition(topic, *p).unwrap().replicas;
                if replicas != target {
                    self.fail(&format!("{topic}-{p} is on {replicas:?}, not {target:?}"));
                }
                let n = s.submissions(topic, *p);
                let changed = self.original[&(topic.clone(), *p)] != *target;
                if n > 1 || (changed && n == 0) {
                    self.fail(&format!("{topic}-{p} was submitted {n} times"));
                }
            }
        });
        self.assert_quiet_and_restored();
    }
}

/// Random targets for about 70% of the partitions: a new replica list of the same size, or
/// the same replicas in another order (a leader-only change); at least one data move.
fn random_targets(
    rng: &mut ChaCha8Rng,
    original: &BTreeMap<(String, i32), Vec<i32>>,
) -> BTreeMap<(String, i32), Vec<i32>> {
    let brokers: Vec<i32> = (1..=6).collect();
    let mut out = BTreeMap::new();
    for (tp, replicas) in original {
        let roll: f64 = rng.gen();
        let target = if roll < 0.6 || out.is_empty() {
            let mut t: Vec<i32> = brokers
                .choose_multiple(rng, replicas.len())
                .copied()
                .collect();
            t.shuffle(rng);
            t
        } else if roll < 0.7 {
            let mut t = replicas.clone();
            t.rotate_left(1);
            t
        } else {
            continue;
        };
        if &target != replicas {
            out.insert(tp.clone(), target);
        }
    }
    out
}

/// The plan in Kafka's reassignment format.
fn plan_json(targets: &BTreeMap<(String, i32), Vec<i32>>) -> String {
    let partitions: Vec<serde_json::Value> = targets
        .iter()
        .map(|((t, p), r)| serde_json::json!({"topic": t, "partition": p, "replicas": r}))
        .collect();
    serde_json::json!({"version": 1, "partitions": partitions}).to_string()
}

/// Every throttle config set on a broker or topic, in a fixed order.
fn throttle_configs(s: &ClusterState) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for b in 1..=6 {
        for key in [LEADER_RATE, FOLLOWER_RATE] {
            let v = s
                .broker_configs
                .get(&b.to_string())
                .and_then(|c| c.get(key))
                .cloned();
            out.push((format!("broker {b}"), key.to_owned(), v));
        }
    }
    for (topic, _, _) in TOPICS {
        for key in [LEADER_LIST, FOLLOWER_LIST] {
            let v = s.topics[topic].configs.get(key).cloned();
            out.push((format!("topic {topic}"), key.to_owned(), v));
        }
    }
    out
}

/// A move in flight whose receiving broker lacks kplan's follower rate, or whose topic does
/// not list the new replica as follower-throttled.
fn unthrottled_move(s: &ClusterState) -> Option<String> {
    for (topic, p, _, m) in s.reassignments() {
        let list = s.topics[&topic].configs.get(FOLLOWER_LIST);
        for b in &m.adding {
            let rate = s
                .broker_configs
                .get(&b.to_string())
                .and_then(|c| c.get(FOLLOWER_RATE));
            let listed = list.is_some_and(|l| l.split(',').any(|e| e == format!("{p}:{b}")));
            if rate.map(String::as_str) != Some(RATE) || !listed {
                return Some(format!(
                    "{topic}-{p} adding {b}: rate {rate:?}, follower list {list:?}"
                ));
            }
        }
    }
    None
}

fn trials(var: &str, default: u64) -> std::ops::Range<u64> {
    let n = std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    let from: u64 = std::env::var("KPLAN_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    from..from + n
}

/// `execute --wait` killed one to three times per trial, then run to the end.
#[test]
fn execute_killed_at_random_moments_resumes_to_the_same_end() {
    let mut kills = BTreeMap::<&str, usize>::new();
    for seed in trials("KPLAN_CRASH_TRIALS", 24) {
        let trial_started = Instant::now();
        let mut t = Trial::start(seed, 20.0, 100 * MB);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
        for _ in 0..rng.gen_range(1..=3) {
            let moment = Moment::random(&mut rng);
            let child = t.execute();
            if t.run("execute", child, Some(moment)) {
                *kills
                    .entry(match moment {
                        Moment::ConfigChange { .. } => "during a config change",
                        Moment::AfterSubmit { .. } => "after a submission",
                        Moment::Anytime { .. } => "at a random time",
                    })
                    .or_default() += 1;
            }
        }
        let child = t.execute();
        t.run("execute", child, None);
        t.assert_complete();
        // Each trial's runs and their times: a slow run shows here (`--nocapture`).
        eprintln!(
            "seed {seed}: {:.1} s\n    {}",
            trial_started.elapsed().as_secs_f64(),
            t.log.join("\n    ")
        );
    }
    eprintln!("kills: {kills:?}");
    assert!(
        kills.values().sum::<usize>() >= 20,
        "too few kills: {kills:?}"
    );
}

/// `cancel` killed half-way through (while its cancellations or its throttle restores are in
/// flight, or at a random time) after `execute --wait` was killed with moves in flight; the
/// second `cancel` finishes the job, and a later `execute` submits nothing more.
#[test]
fn cancel_killed_half_way_finishes_when_run_again() {
    let mut killed = 0;
    for seed in trials("KPLAN_CRASH_CANCEL_TRIALS", 12) {
        let mut t = Trial::start(1000 + seed, 2.0, 100 * MB);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xca9c);
        // Execute until a data move is in flight.
        let mut child = t.execute();
        let after_ms = rng.gen_range(0..400);
        let started = Instant::now();
        while t.sim.with_state(|s| s.reassignments().is_empty()) {
            assert!(started.elapsed() < RUN_LIMIT, "seed {seed}: nothing moved");
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(after_ms));
        let _ = child.kill();
        child.wait().unwrap();
        t.log.push(format!(
            "execute: killed {after_ms} ms into the first moves"
        ));
        t.assert_state_readable();
        let moment = match rng.gen_range(0..3) {
            0 => {
                t.sim.inject(Fault::ApiDelay {
                    api: ApiKey::AlterPartitionReassignments,
                    delay: Duration::from_millis(300),
                    times: 1,
                });
                Moment::AfterSubmit {
                    nth: 1,
                    after_us: 1000,
                }
            }
            1 => Moment::ConfigChange {
                nth: rng.gen_range(1..=4),
            },
            _ => Moment::Anytime {
                after_ms: rng.gen_range(0..300),
            },
        };
        let child = t.cancel();
        killed += usize::from(t.run("cancel", child, Some(moment)));
        let child = t.cancel();
        t.run("cancel", child, None);
        t.assert_quiet_and_restored();
        if !t.state().finished {
            t.fail("a cancelled execution is left to resume");
        }
        // Each partition is where it was, or at its target if its move ended before the cancel.
        t.sim.with_state(|s| {
            for (tp, target) in &t.targets {
                let mut now = s.partition(&tp.0, tp.1).unwrap().replicas.clone();
                now.sort_unstable();
                let mut before = t.original[tp].clone();
                before.sort_unstable();
                let mut after = target.clone();
                after.sort_unstable();
                if now != before && now != after {
                    t.fail(&format!("{}-{} is on {now:?}", tp.0, tp.1));
                }
            }
        });
        let submitted: BTreeSet<(String, i32, u32)> = t.sim.with_state(|s| {
            t.targets
                .keys()
                .map(|(topic, p)| (topic.clone(), *p, s.submissions(topic, *p)))
                .collect()
        });
        let child = t.execute();
        t.run("execute after cancel", child, None);
        let again: BTreeSet<(String, i32, u32)> = t.sim.with_state(|s| {
            t.targets
                .keys()
                .map(|(topic, p)| (topic.clone(), *p, s.submissions(topic, *p)))
                .collect()
        });
        if again != submitted {
            t.fail("execute after a cancel submitted moves again");
        }
    }
    eprintln!("cancel runs killed: {killed}");
    assert!(killed >= 3, "too few cancels were killed: {killed}");
}
