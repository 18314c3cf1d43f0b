//! Log-dir moves (JBOD, KIP-113) end to end against the simulated cluster: `execute` places an
//! arriving replica in the directory the plan names and moves a replica between two directories
//! of its broker under `--log-dir-throttle`; `verify` follows the future replica until it is
//! there; the throttle is restored from the ledger.
//!
//! The cluster: three brokers with two log dirs each, `orders` (3 partitions of 1 GB, RF 2).

use std::path::PathBuf;
use std::time::Duration;

use kplan::exec::{
    self, Clock, ExecuteEvent, ExecuteOptions, ExecuteOutcome, PartitionStatus, PlanFile,
    PreflightRules, StateFile, StopSignal, TrafficSource, VerifyOptions, LOG_DIR_RATE,
};
use kplan::kafka::{ConnectionSettings, KrafkaAdmin};
use kplan_sim::{SimOptions, SimSpec, Simulator};

const MB: u64 = 1_000_000;
const DIRS: [&str; 2] = ["/data/d1", "/data/d2"];

struct Jbod {
    sim: Simulator,
    _dir: tempfile::TempDir,
    plan: PlanFile,
    admin: KrafkaAdmin,
}

impl Jbod {
    /// The plan: orders-0 moves its replica on broker 1 to the other dir of broker 1; orders-1
    /// moves from [2,3] to [2,1], its new replica on broker 1 in `/data/d2`.
    async fn start() -> Self {
        let mut spec = SimSpec::with_brokers(3, 0).topic("orders", 3, 2, 1000 * MB, 0.0);
        spec.topics[0].assignment = Some(vec![vec![1, 2], vec![2, 3], vec![3, 1]]);
        spec.line_rate = 100.0 * MB as f64;
        for b in &mut spec.brokers {
            b.log_dirs = DIRS.iter().map(|d| d.to_string()).collect();
        }
        let sim = Simulator::start(&spec, SimOptions::default()).unwrap();
        let here = sim.with_state(|s| s.topics["orders"].partitions[0].log_dir[&1]);
        let other = DIRS[1 - here];
        let text = format!(
            r#"{{"version":1,"partitions":[
{{"topic":"orders","partition":0,"replicas":[1,2],"log_dirs":["{other}","any"]}},
{{"topic":"orders","partition":1,"replicas":[2,1],"log_dirs":["any","/data/d2"]}}]}}
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
            sim,
            _dir: dir,
            plan,
            admin,
        }
    }

    fn options(&self, wait: bool) -> ExecuteOptions {
        ExecuteOptions {
            throttle: Some(50 * MB),
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
