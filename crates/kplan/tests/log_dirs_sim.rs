//! Log-dir moves (JBOD, KIP-113) end to end against the simulated cluster: `execute` places an
//! arriving replica in the directory the plan names and moves a replica between two directories
//! of its broker under `--log-dir-throttle`; `verify` follows the future replica until it is
//! there; the throttle is restored from the ledger.
//!
//! The cluster: three brokers with two log dirs each, `orders` (3 partitions of 1 GB, RF 2).

use std::path::PathBuf;
use std::time::Duration;

use kplan::exec::{
    self, Clock, ExecError, ExecuteEvent, ExecuteOptions, ExecuteOutcome, ExecutionState,
    LedgerEntry, LedgerTarget, PartitionStatus, PlanFile, PreflightRules, StateFile, StopSignal,
    TrafficSource, VerifyOptions, LOG_DIR_RATE,
};
use kplan::kafka::{ConnectionSettings, KrafkaAdmin};
use kplan_sim::{ApiKey, Fault, SimOptions, SimSpec, Simulator};

const MB: u64 = 1_000_000;
const DIRS: [&str; 2] = ["/data/d1", "/data/d2"];

struct Jbod {
    moves: Moves,
    sim: Simulator,
    _dir: tempfile::TempDir,
    plan: PlanFile,
    admin: KrafkaAdmin,
}

/// What the plan holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Moves {
    /// orders-0 between the dirs of broker 1, and orders-1 from [2,3] to [2,1] in `/data/d2`.
    DirAndReplica,
    /// Only orders-0 between the dirs of broker 1: nothing is reassigned.
    DirOnly,
}

impl Jbod {
    /// The plan: orders-0 moves its replica on broker 1 to the other dir of broker 1; orders-1
    /// moves from [2,3] to [2,1], its new replica on broker 1 in `/data/d2`.
    async fn start() -> Self {
        Self::with(Moves::DirAndReplica, None).await
    }

    /// `moves` planned; `operator_rate`: the operator's own log-dir throttle on broker 1.
    async fn with(moves: Moves, operator_rate: Option<&str>) -> Self {
        let mut spec = SimSpec::with_brokers(3, 0).topic("orders", 3, 2, 1000 * MB, 0.0);
        spec.topics[0].assignment = Some(vec![vec![1, 2], vec![2, 3], vec![3, 1]]);
        spec.line_rate = 100.0 * MB as f64;
        for b in &mut spec.brokers {
            b.log_dirs = DIRS.iter().map(|d| d.to_string()).collect();
        }
        if let Some(rate) = operator_rate {
            spec.broker_configs.insert(
                "1".into(),
                [(LOG_DIR_RATE.to_owned(), rate.to_owned())].into(),
            );
        }
        let sim = Simulator::start(&spec, SimOptions::default()).unwrap();
        let here = sim.with_state(|s| s.topics["orders"].partitions[0].log_dir[&1]);
        let other = DIRS[1 - here];
        let replica_move = match moves {
            Moves::DirAndReplica => {
                r#",
{"topic":"orders","partition":1,"replicas":[2,1],"log_dirs":["any","/data/d2"]}"#
            }
            Moves::DirOnly => "",
        };
        let text = format!(
            r#"{{"version":1,"partitions":[
{{"topic":"orders","partition":0,"replicas":[1,2],"log_dirs":["{other}","any"]}}{replica_move}]}}
"#
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, text).unwrap();
        let plan = PlanFile::read(&path).unwrap();
        let mut settings = ConnectionSettings::plaintext(sim.bootstrap());
        settings.request_timeout = Duration::from_millis(1500);
        let admin = KrafkaAdmin::connect(&settings).await.unwrap();
        Jbod {
            moves,
            sim,
            _dir: dir,
            plan,
            admin,
        }
    }

    fn options(&self, wait: bool) -> ExecuteOptions {
        ExecuteOptions {
            // A dir-only plan copies nothing between brokers: no replication throttle.
            throttle: (self.moves == Moves::DirAndReplica).then_some(50 * MB),
            target_duration: None,
            line_rate: 100.0 * MB as f64,
            traffic: TrafficSource::Unknown,
            log_dir_throttle: Some(10 * MB),
            max_moves_per_broker: 5,
            max_inflight_bytes: None,
            wait,
            preflight: PreflightRules::default(),
            elect_leaders: true,
            state_file: StateFile::for_plan(&self.plan.path, None),
            rollback_file: PathBuf::from(format!("{}.rollback.json", self.plan.path.display())),
            poll_interval: Duration::from_millis(5),
            clock: Clock::wall(),
        }
    }

    fn verify_options(&self) -> VerifyOptions {
        VerifyOptions {
            state_file: StateFile::for_plan(&self.plan.path, None),
            wait: false,
            timeout: Duration::from_secs(3600),
            preserve_throttles: false,
            poll_interval: Duration::from_millis(5),
            clock: Clock::wall(),
        }
    }

    /// The dir of `orders-partition` on `broker`, and the dir of its future replica if any.
    fn dirs(&self, partition: usize, broker: i32) -> (String, Option<String>) {
        self.sim.with_state(|s| {
            let p = &s.topics["orders"].partitions[partition];
            let paths = &s.brokers[&broker].log_dirs;
            (
                paths[p.log_dir[&broker]].clone(),
                p.future.get(&broker).map(|f| paths[f.dir].clone()),
            )
        })
    }

    fn log_dir_rate(&self, broker: i32) -> Option<String> {
        self.sim
            .with_state(|s| s.broker_config(broker, LOG_DIR_RATE).map(str::to_owned))
    }

    /// A first run that ends at its first IncrementalAlterConfigs, refused — as a run killed
    /// after saving its ledger and before its config change took effect ends.
    async fn first_run_refused_at_first_config_change(&self) -> ExecutionState {
        self.sim.inject(Fault::ApiError {
            api: ApiKey::IncrementalAlterConfigs,
            error: kplan_sim::ResponseError::PolicyViolation,
            times: 1,
        });
        let result = exec::execute(
            &self.admin,
            &self.plan,
            &self.options(false),
            &StopSignal::new(),
            &mut |_| {},
        )
        .await;
        assert!(
            matches!(result, Err(ExecError::ConfigsRefused(_))),
            "{result:?}"
        );
        let state = self.options(false).state_file.load_for(&self.plan.digest);
        let state = state.unwrap().expect("the first run saved its state");
        assert!(!state.finished);
        state
    }

    /// Runs the plan to the end, simulated time moving 30 s a poll; at each poll `check` sees
    /// the cluster.
    async fn run_to_the_end(&self, mut check: impl FnMut(&Self)) -> Vec<ExecuteEvent> {
        let mut seen = Vec::new();
        let outcome = exec::execute(
            &self.admin,
            &self.plan,
            &self.options(true),
            &StopSignal::new(),
            &mut |e| {
                if matches!(e, ExecuteEvent::Progress(_)) {
                    check(self);
                    self.sim.advance(Duration::from_secs(30));
                }
                seen.push(e);
            },
        )
        .await;
        assert_eq!(
            outcome.unwrap(),
            ExecuteOutcome::Done {
                partitions: self.plan.reassignment.partitions.len()
            }
        );
        seen
    }

    /// How every resumed run must end: partition 0's replica on broker 1 sits in the directory
    /// the plan names with nothing left copying, and broker 1's log-dir rate is the operator's
    /// again (`None`: there was none).
    fn assert_moved_and_restored(&self, target0: &str, operator_rate: Option<&str>) {
        assert_eq!(
            self.dirs(0, 1),
            (target0.to_owned(), None),
            "moved between the dirs"
        );
        assert_eq!(
            self.log_dir_rate(1).as_deref(),
            operator_rate,
            "the operator's log-dir rate is back"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directories_are_placed_moved_followed_and_unthrottled() {
    let j = Jbod::start().await;
    let target0 = j.plan.reassignment.partitions[0].log_dirs[0].clone();

    // First run, without waiting: both directory requests go out, the wave is submitted.
    let mut events = Vec::new();
    let outcome = exec::execute(
        &j.admin,
        &j.plan,
        &j.options(false),
        &StopSignal::new(),
        &mut |e| events.push(e),
    )
    .await
    .unwrap();
    // orders-0 already has its replicas (only a directory changes): the data wave goes out.
    assert_eq!(outcome, ExecuteOutcome::WaveSubmitted { wave: 2 });
    assert!(
        events.contains(&ExecuteEvent::LogDirsRequested {
            moves: 2,
            accepted: 1
        }),
        "the intra-broker move starts at once, the arrival waits for its replica: {events:?}"
    );
    assert_eq!(j.log_dir_rate(1).as_deref(), Some("10000000"));
    assert_eq!(
        j.dirs(0, 1).1.as_deref(),
        Some(target0.as_str()),
        "a future replica"
    );

    // 10 s at 10 MB/s: the future replica has 100 MB of 1 GB; verify says in progress.
    j.sim.advance(Duration::from_secs(10));
    let report = exec::verify(&j.admin, &j.plan, &j.verify_options(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.exit_code, 2);
    let p0 = &report.partitions[0];
    assert_eq!(p0.status, PartitionStatus::InProgress);
    assert!(
        (890 * MB..=910 * MB).contains(&p0.bytes_remaining),
        "{}",
        p0.bytes_remaining
    );

    // Then to the end, simulated time moving 30 s a poll.
    let (outcome, _) = {
        let mut seen = Vec::new();
        let o = exec::execute(
            &j.admin,
            &j.plan,
            &j.options(true),
            &StopSignal::new(),
            &mut |e| {
                if matches!(e, ExecuteEvent::Progress(_)) {
                    j.sim.advance(Duration::from_secs(30));
                }
                seen.push(e);
            },
        )
        .await;
        (o, seen)
    };
    assert_eq!(outcome.unwrap(), ExecuteOutcome::Done { partitions: 2 });
    assert_eq!(
        j.dirs(0, 1),
        (target0, None),
        "moved between the dirs of broker 1"
    );
    assert_eq!(
        j.dirs(1, 1),
        ("/data/d2".to_owned(), None),
        "created in the dir named"
    );
    assert_eq!(j.log_dir_rate(1), None, "the log-dir throttle is restored");

    let report = exec::verify(&j.admin, &j.plan, &j.verify_options(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.exit_code, 0, "{:?}", report.partitions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_in_the_wrong_directory_with_nothing_moving_is_diverged() {
    let j = Jbod::start().await;
    // Nothing executed: orders-0's replica on broker 1 is in its old dir, not moving.
    let report = exec::verify(&j.admin, &j.plan, &j.verify_options(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.exit_code, 3);
    assert!(
        matches!(&report.partitions[0].status, PartitionStatus::WrongLogDir { broker, .. } if broker.0 == 1),
        "{:?}",
        report.partitions[0]
    );
}

/// A dir-only plan whose first run saved its ledger but never set `--log-dir-throttle` (its
/// IncrementalAlterConfigs refused, as a kill in between leaves it): the resumed run sets the
/// throttle before the directory copy starts, and the operator's own value comes back at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_run_sets_the_log_dir_throttle_the_first_run_missed() {
    let j = Jbod::with(Moves::DirOnly, Some("3333333")).await;
    let target0 = j.plan.reassignment.partitions[0].log_dirs[0].clone();
    let state = j.first_run_refused_at_first_config_change().await;
    assert_eq!(
        state.ledger.entries,
        vec![LedgerEntry {
            target: LedgerTarget::Broker(1),
            key: LOG_DIR_RATE.to_owned(),
            prior: Some("3333333".to_owned()),
        }],
        "the first run recorded the operator's rate, then its change was refused"
    );
    assert_eq!(j.log_dir_rate(1).as_deref(), Some("3333333"));
    assert_eq!(j.dirs(0, 1).1, None, "nothing copies yet");

    let mut copying_polls = 0;
    let events = j
        .run_to_the_end(|j| {
            if j.dirs(0, 1).1.is_some() {
                copying_polls += 1;
                assert_eq!(
                    j.log_dir_rate(1).as_deref(),
                    Some("10000000"),
                    "the directory copy runs under --log-dir-throttle"
                );
            }
        })
        .await;
    assert!(copying_polls > 0, "the copy was seen: {events:?}");
    assert!(
        events.iter().any(|e| matches!(
            e,
            ExecuteEvent::LogDirThrottled { rate, changes } if *rate == 10 * MB && changes.len() == 1
        )),
        "{events:?}"
    );
    j.assert_moved_and_restored(&target0, Some("3333333"));
}

/// A run that ends at its replication throttle (its first IncrementalAlterConfigs) has saved
/// its state; the resumed run still moves the directories, under their throttle, and restores
/// everything. (The directory moves used to be put in the state only after that first save, so
/// the resumed run finished without them.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_ended_at_its_first_throttle_resumes_its_directory_moves() {
    let j = Jbod::start().await;
    let target0 = j.plan.reassignment.partitions[0].log_dirs[0].clone();
    j.first_run_refused_at_first_config_change().await;

    let mut dir_copy_unthrottled = false;
    j.run_to_the_end(|j| {
        dir_copy_unthrottled |= j.dirs(0, 1).1.is_some() && j.log_dir_rate(1).is_none();
    })
    .await;
    assert!(!dir_copy_unthrottled, "the directory copy ran unthrottled");
    j.assert_moved_and_restored(&target0, None);
    assert_eq!(
        j.dirs(1, 1),
        ("/data/d2".to_owned(), None),
        "created in the dir named"
    );
    let report = exec::verify(&j.admin, &j.plan, &j.verify_options(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.exit_code, 0, "{:?}", report.partitions);
}
