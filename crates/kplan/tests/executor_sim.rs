//! The executor in process: `kplan::exec`'s entry points against the simulated cluster, through
//! the `KafkaAdmin` trait (krafka on the wire), with simulated time standing still until a test
//! moves it. Events are asserted, not printed text.
//!
//! The cluster: five brokers, `orders` (6 partitions of 1 GB, RF 2); the plan drains broker 5
//! (four data moves) and reorders orders-4 (a leader-only change); the operator already runs a
//! leader throttle of their own on broker 1, which must survive.

use std::path::PathBuf;
use std::time::Duration;

use kplan::exec::{
    self, CancelEvent, CancelOptions, CancelScope, ClearScope, Clock, ElectionScope, ExecError,
    ExecuteEvent, ExecuteOptions, ExecuteOutcome, PartitionStatus, PlanFile, PreflightRules,
    Progress, Refusal, StateFile, StopSignal, ThrottleCleared, ThrottleRestore, ThrottleScope,
    TrafficSource, VerifyEvent, VerifyOptions,
};
use kplan::kafka::{ConnectionSettings, ElectionKind, KrafkaAdmin};
use kplan::model::{BrokerId, TopicPartition};
use kplan_sim::{ApiKey, Fault, SimOptions, SimSpec, Simulator};

const MB: u64 = 1_000_000;
const OPERATOR_RATE: &str = "12345678";
const RATE: u64 = 10 * MB;
const LEADER_RATE: &str = "leader.replication.throttled.rate";
const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";

const PLAN: &str = r#"{"version":1,"partitions":[
{"topic":"orders","partition":0,"replicas":[1,3],"log_dirs":["any","any"]},
{"topic":"orders","partition":1,"replicas":[4,2],"log_dirs":["any","any"]},
{"topic":"orders","partition":2,"replicas":[3,2],"log_dirs":["any","any"]},
{"topic":"orders","partition":3,"replicas":[1,4],"log_dirs":["any","any"]},
{"topic":"orders","partition":4,"replicas":[2,1],"log_dirs":["any","any"]}],
"kplan":{"cluster_id":"kplan-sandbox","current":[
{"topic":"orders","partition":0,"replicas":[1,5]},
{"topic":"orders","partition":1,"replicas":[5,2]},
{"topic":"orders","partition":2,"replicas":[3,5]},
{"topic":"orders","partition":3,"replicas":[5,4]},
{"topic":"orders","partition":4,"replicas":[1,2]}]}}
"#;

const BEFORE: [[i32; 2]; 6] = [[1, 5], [5, 2], [3, 5], [5, 4], [1, 2], [3, 4]];

async fn connect(sim: &Simulator) -> KrafkaAdmin {
    let mut settings = ConnectionSettings::plaintext(sim.bootstrap());
    // A dropped response is noticed quickly.
    settings.request_timeout = Duration::from_millis(1500);
    KrafkaAdmin::connect(&settings).await.unwrap()
}

struct Rehearsal {
    sim: Simulator,
    _dir: tempfile::TempDir,
    plan: PlanFile,
    admin: KrafkaAdmin,
}

impl Rehearsal {
    async fn start() -> Self {
        let mut spec = SimSpec::with_brokers(5, 0).topic("orders", 6, 2, 1000 * MB, 0.0);
        spec.topics[0].assignment = Some(BEFORE.iter().map(|r| r.to_vec()).collect());
        spec.line_rate = 100.0 * MB as f64;
        spec.broker_configs.insert(
            "1".into(),
            [(LEADER_RATE.to_owned(), OPERATOR_RATE.to_owned())].into(),
        );
        let sim = Simulator::start(&spec, SimOptions::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, PLAN).unwrap();
        let plan = PlanFile::read(&path).unwrap();
        let admin = connect(&sim).await;
        Rehearsal {
            sim,
            _dir: dir,
            plan,
            admin,
        }
    }

    fn state_file(&self) -> StateFile {
        StateFile::for_plan(&self.plan.path, None)
    }

    fn options(&self, wait: bool) -> ExecuteOptions {
        ExecuteOptions {
            log_dir_throttle: None,
            throttle: Some(RATE),
            target_duration: None,
            line_rate: 100.0 * MB as f64,
            traffic: TrafficSource::Unknown,
            max_moves_per_broker: 1,
            max_inflight_bytes: None,
            wait,
            preflight: PreflightRules::default(),
            elect_leaders: true,
            state_file: self.state_file(),
            rollback_file: PathBuf::from(format!("{}.rollback.json", self.plan.path.display())),
            poll_interval: Duration::from_millis(5),
            clock: Clock::wall(),
        }
    }

    /// Runs `execute`; every poll moves simulated time by `step` (a 1 GB copy at 10 MB/s
    /// takes 100 s). `on_event` sees each event first.
    async fn execute(
        &self,
        options: &ExecuteOptions,
        stop: &StopSignal,
        step: Duration,
        on_event: &mut dyn FnMut(&ExecuteEvent),
    ) -> (Result<ExecuteOutcome, ExecError>, Vec<ExecuteEvent>) {
        let mut seen = Vec::new();
        let outcome = exec::execute(&self.admin, &self.plan, options, stop, &mut |e| {
            on_event(&e);
            if matches!(e, ExecuteEvent::Progress(_)) {
                self.sim.advance(step);
            }
            seen.push(e);
        })
        .await;
        (outcome, seen)
    }

    fn replicas(&self) -> Vec<Vec<i32>> {
        self.sim.with_state(|s| {
            s.topics["orders"]
                .partitions
                .iter()
                .map(|p| p.replicas.clone())
                .collect()
        })
    }

    fn broker_config(&self, broker: i32, key: &str) -> Option<String> {
        self.sim
            .with_state(|s| s.broker_config(broker, key).map(str::to_owned))
    }

    fn topic_config(&self, key: &str) -> Option<String> {
        self.sim
            .with_state(|s| s.topics["orders"].configs.get(key).cloned())
    }

    fn moving(&self) -> usize {
        self.sim.with_state(|s| s.reassignments().len())
    }

    /// Only the operator's own throttle is left.
    fn assert_throttles_restored(&self) {
        assert_eq!(
            self.broker_config(1, LEADER_RATE).as_deref(),
            Some(OPERATOR_RATE),
            "the operator's rate survives"
        );
        for b in 2..=5 {
            assert_eq!(self.broker_config(b, LEADER_RATE), None, "broker {b}");
            assert_eq!(self.broker_config(b, FOLLOWER_RATE), None, "broker {b}");
        }
        assert_eq!(self.topic_config(exec::LEADER_REPLICAS), None);
        assert_eq!(self.topic_config(exec::FOLLOWER_REPLICAS), None);
    }
}

fn submitted_waves(events: &[ExecuteEvent]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            ExecuteEvent::SubmittingWave { wave, .. } => Some(*wave),
            _ => None,
        })
        .collect()
}

fn progress(events: &[ExecuteEvent]) -> Vec<Progress> {
    events
        .iter()
        .filter_map(|e| match e {
            ExecuteEvent::Progress(p) => Some(*p),
            _ => None,
        })
        .collect()
}

fn b(ids: &[i32]) -> std::collections::BTreeSet<BrokerId> {
    ids.iter().copied().map(BrokerId).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_runs_in_waves_under_a_throttle_and_everything_is_put_back() {
    let r = Rehearsal::start().await;
    let stop = StopSignal::new();
    let step = Duration::from_secs(60);
    let (outcome, events) = r.execute(&r.options(true), &stop, step, &mut |_| {}).await;
    assert_eq!(outcome.unwrap(), ExecuteOutcome::Done { partitions: 5 });

    // The start: rollback, waves (the reorder first, then one move out of broker 5 at a time),
    // throttles as KIP-73 defines them.
    let ExecuteEvent::RollbackWritten { rollback, .. } = &events[0] else {
        panic!("{:?}", events[0]);
    };
    assert_eq!(rollback.len(), 5);
    let ExecuteEvent::WavesPlanned { waves, moves, .. } = &events[1] else {
        panic!("{:?}", events[1]);
    };
    assert_eq!(waves.len(), 5);
    assert_eq!(waves[0], vec![TopicPartition::new("orders", 4)]);
    assert!(moves[&TopicPartition::new("orders", 4)].is_leader_only());
    let ExecuteEvent::Throttled { rate, plan, .. } = &events[2] else {
        panic!("{:?}", events[2]);
    };
    assert_eq!(*rate, RATE);
    // Both rates on every broker of a moving partition, as Kafka's own tool sets them
    // (tests/real_kafka/runbook.rs compares the two on Kafka 4.1).
    assert_eq!(plan.senders, b(&[1, 2, 3, 4, 5]));
    assert_eq!(plan.receivers, b(&[1, 2, 3, 4, 5]));
    assert_eq!(
        events[3],
        ExecuteEvent::Watching {
            bytes_total: 4 * 1000 * MB
        }
    );

    // Every wave once, in order; progress only goes forward.
    assert_eq!(submitted_waves(&events), vec![1, 2, 3, 4, 5]);
    let p = progress(&events);
    assert!(p
        .windows(2)
        .all(|w| w[1].bytes_remaining <= w[0].bytes_remaining));
    let last = p.last().unwrap();
    assert_eq!((last.done, last.in_flight, last.left), (5, 0, 0));
    assert_eq!(last.bytes_remaining, 0);

    // The end: leaders, throttles, state.
    let n = events.len();
    assert_eq!(events[n - 3], ExecuteEvent::MovesComplete);
    assert!(
        matches!(&events[n - 2], ExecuteEvent::LeadersElected { failed, .. } if failed.is_empty()),
        "{:?}",
        events[n - 2]
    );
    assert_eq!(events[n - 1], ExecuteEvent::ThrottlesRestored);
    assert!(
        r.replicas().iter().all(|rs| !rs.contains(&5)),
        "broker 5 drained"
    );
    r.sim.with_state(|s| {
        for p in &s.topics["orders"].partitions {
            assert_eq!(p.leader, p.replicas[0], "orders-{}", p.index);
        }
    });
    r.assert_throttles_restored();
    let state = r.state_file().load().unwrap().unwrap();
    assert!(state.finished && state.throttles_restored);

    // Running the finished plan again does nothing.
    let (again, events) = r.execute(&r.options(true), &stop, step, &mut |_| {}).await;
    assert_eq!(again.unwrap(), ExecuteOutcome::AlreadyFinished);
    assert!(events.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_leaves_moves_running_and_a_second_run_resumes_without_resubmitting() {
    let r = Rehearsal::start().await;
    let stop = StopSignal::new();
    let step = Duration::from_secs(10);
    // Stop as soon as the first data wave is out.
    let (outcome, first) = r
        .execute(&r.options(true), &stop, step, &mut |e| {
            if matches!(e, ExecuteEvent::SubmittingWave { wave: 2, .. }) {
                stop.stop();
            }
        })
        .await;
    assert_eq!(
        outcome.unwrap(),
        ExecuteOutcome::Interrupted { in_flight: 1 }
    );
    assert_eq!(r.moving(), 1, "the move in flight keeps running");
    assert!(!r.state_file().load().unwrap().unwrap().finished);

    let (outcome, second) = r
        .execute(&r.options(true), &StopSignal::new(), step, &mut |_| {})
        .await;
    assert_eq!(outcome.unwrap(), ExecuteOutcome::Done { partitions: 5 });
    assert_eq!(second[0], ExecuteEvent::Resuming);
    assert!(
        !second.iter().any(|e| matches!(
            e,
            ExecuteEvent::RollbackWritten { .. } | ExecuteEvent::Throttled { .. }
        )),
        "a resumed run neither rewrites the rollback nor re-records throttles"
    );
    assert_eq!(submitted_waves(&first), vec![1, 2]);
    assert_eq!(submitted_waves(&second), vec![3, 4, 5]);
    r.assert_throttles_restored();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_waiting_each_run_submits_at_most_one_wave() {
    let r = Rehearsal::start().await;
    let options = r.options(false);
    let stop = StopSignal::new();
    let still = Duration::ZERO;
    let (outcome, _) = r.execute(&options, &stop, still, &mut |_| {}).await;
    assert_eq!(outcome.unwrap(), ExecuteOutcome::WaveSubmitted { wave: 1 });
    // The reorder completes at once; the next run sends the first data wave.
    let (outcome, _) = r.execute(&options, &stop, still, &mut |_| {}).await;
    assert_eq!(outcome.unwrap(), ExecuteOutcome::WaveSubmitted { wave: 2 });
    let (outcome, events) = r.execute(&options, &stop, still, &mut |_| {}).await;
    assert_eq!(
        outcome.unwrap(),
        ExecuteOutcome::StillInFlight { in_flight: 1 }
    );
    assert!(submitted_waves(&events).is_empty());
    let mut outcomes = Vec::new();
    for _ in 0..10 {
        r.sim.advance(Duration::from_secs(200));
        let (outcome, _) = r.execute(&options, &stop, still, &mut |_| {}).await;
        outcomes.push(outcome.unwrap());
        if outcomes.last() == Some(&ExecuteOutcome::Done { partitions: 5 }) {
            break;
        }
    }
    assert_eq!(
        outcomes,
        vec![
            ExecuteOutcome::WaveSubmitted { wave: 3 },
            ExecuteOutcome::WaveSubmitted { wave: 4 },
            ExecuteOutcome::WaveSubmitted { wave: 5 },
            ExecuteOutcome::Done { partitions: 5 },
        ]
    );
    r.assert_throttles_restored();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_response_is_reconciled_and_nothing_is_submitted_twice() {
    let r = Rehearsal::start().await;
    // The first data wave is accepted by the controller; its answer never arrives.
    let stop = StopSignal::new();
    let mut dropped = false;
    let (outcome, events) = r
        .execute(&r.options(true), &stop, Duration::from_secs(60), &mut |e| {
            if matches!(e, ExecuteEvent::SubmittingWave { wave: 2, .. }) && !dropped {
                dropped = true;
                r.sim.inject(Fault::DropResponse {
                    api: ApiKey::AlterPartitionReassignments,
                    times: 1,
                });
            }
        })
        .await;
    assert_eq!(outcome.unwrap(), ExecuteOutcome::Done { partitions: 5 });
    let no_answer = events
        .iter()
        .position(|e| matches!(e, ExecuteEvent::NoAnswer { .. }))
        .expect("the client noticed");
    assert!(matches!(
        events[no_answer - 1],
        ExecuteEvent::SubmittingWave { wave: 2, .. }
    ));
    assert_eq!(submitted_waves(&events), vec![1, 2, 3, 4, 5]);
    r.assert_throttles_restored();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_plan_and_a_dead_broker_are_refused_before_anything_changes() {
    let mut r = Rehearsal::start().await;
    r.sim.with_state_mut(|s| {
        s.reassign("orders", 0, Some(&[5, 1])).unwrap();
    });
    let stop = StopSignal::new();
    let (outcome, events) = r
        .execute(&r.options(true), &stop, Duration::ZERO, &mut |_| {})
        .await;
    match outcome {
        Err(ExecError::Stale(drifted)) => {
            assert_eq!(drifted.len(), 1);
            assert_eq!(drifted[0].tp, TopicPartition::new("orders", 0));
            assert_eq!(
                drifted[0].to_string(),
                "orders-0: planned from [1, 5], now [5, 1]"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(events.is_empty());

    r.sim.inject(Fault::BrokerDown(3));
    // A client that was talking to broker 3 loses that connection; a new run connects afresh
    // (as the command does), through the brokers that answer.
    r.admin = connect(&r.sim).await;
    let mut options = r.options(true);
    options.preflight.skip_drifted = true;
    let (outcome, _) = r
        .execute(&options, &stop, Duration::ZERO, &mut |_| {})
        .await;
    match outcome {
        Err(ExecError::Refused(refusals)) => {
            assert_eq!(refusals, vec![Refusal::DeadBroker(BrokerId(3))])
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.broker_config(2, LEADER_RATE), None, "nothing was changed");
    assert!(r.state_file().load().unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_changes_nothing_and_shows_what_a_throttle_would_replace() {
    let r = Rehearsal::start().await;
    let dry = exec::dry_run(
        &r.admin,
        &r.plan.reassignment,
        &r.options(true),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(dry.waves.len(), 5);
    assert_eq!(dry.rollback.len(), 5);
    assert!(dry.config_changes.iter().any(|c| c.resource == "broker 1"
        && c.key == LEADER_RATE
        && c.value.as_deref() == Some("10000000")));
    assert_eq!(r.moving(), 0);
    assert_eq!(
        r.broker_config(1, LEADER_RATE).as_deref(),
        Some(OPERATOR_RATE)
    );
    assert!(r.state_file().load().unwrap().is_none());
}

impl Rehearsal {
    fn verify_options(&self) -> VerifyOptions {
        VerifyOptions {
            state_file: self.state_file(),
            wait: false,
            timeout: Duration::from_secs(3600),
            preserve_throttles: false,
            poll_interval: Duration::from_millis(5),
            clock: Clock::wall(),
        }
    }

    /// `cancel --plan` on this plan's partitions, throttles restored.
    fn cancel_options(&self) -> CancelOptions {
        CancelOptions {
            scope: CancelScope::Plan {
                plan: self.plan.reassignment.clone(),
                state_file: self.state_file(),
            },
            preserve_throttles: false,
            original_order: None,
        }
    }

    /// Runs `execute` without waiting `n` times (time standing still): waves 1..=n go out.
    async fn submit_waves(&self, n: usize) {
        for _ in 0..n {
            let (o, _) = self
                .execute(
                    &self.options(false),
                    &StopSignal::new(),
                    Duration::ZERO,
                    &mut |_| {},
                )
                .await;
            o.unwrap();
        }
    }
}

fn count(report: &kplan::exec::VerifyReport, status: PartitionStatus) -> usize {
    report
        .partitions
        .iter()
        .filter(|p| p.status == status)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_tells_diverged_pending_in_progress_and_done_apart() {
    let r = Rehearsal::start().await;
    let options = r.verify_options();
    let report = exec::verify(&r.admin, &r.plan, &options, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.exit_code, 3, "nothing moved yet: diverged");

    // Two waves out: the reorder is done, one data move in progress, three pending.
    r.submit_waves(2).await;
    let report = exec::verify(&r.admin, &r.plan, &options, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.exit_code, 2);
    assert_eq!(count(&report, PartitionStatus::Done), 1);
    assert_eq!(count(&report, PartitionStatus::InProgress), 1);
    assert_eq!(count(&report, PartitionStatus::Pending), 3);
    let moving = report
        .partitions
        .iter()
        .find(|p| p.status == PartitionStatus::InProgress)
        .unwrap();
    assert_eq!(moving.bytes_remaining, 1000 * MB);
    assert_eq!(
        report.throttles, None,
        "throttles stay while anything moves"
    );

    let (o, _) = r
        .execute(
            &r.options(true),
            &StopSignal::new(),
            Duration::from_secs(60),
            &mut |_| {},
        )
        .await;
    o.unwrap();
    let report = exec::verify(&r.admin, &r.plan, &options, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.exit_code, 0);
    assert_eq!(report.throttles, Some(ThrottleRestore::AlreadyRestored));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_waits_reporting_each_round_then_restores_the_ledger() {
    let r = Rehearsal::start().await;
    // Up to five moves per broker: the four data moves share one wave, so two runs without
    // waiting submit everything and leave the finishing to verify.
    let options = ExecuteOptions {
        max_moves_per_broker: 5,
        ..r.options(false)
    };
    for wave in 1..=2 {
        let (o, _) = r
            .execute(&options, &StopSignal::new(), Duration::ZERO, &mut |_| {})
            .await;
        assert_eq!(o.unwrap(), ExecuteOutcome::WaveSubmitted { wave });
    }
    let options = VerifyOptions {
        wait: true,
        ..r.verify_options()
    };
    let mut rounds = Vec::new();
    let report = exec::verify(&r.admin, &r.plan, &options, &mut |e| {
        if let VerifyEvent::StillMoving { in_progress, .. } = e {
            rounds.push(in_progress);
        }
        r.sim.advance(Duration::from_secs(60));
    })
    .await
    .unwrap();
    assert!(rounds.len() >= 2, "{rounds:?}");
    assert_eq!(rounds[0], 4);
    assert_eq!(report.exit_code, 0);
    assert_eq!(report.throttles, Some(ThrottleRestore::FromLedger));
    r.assert_throttles_restored();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_halfway_puts_replicas_and_throttles_back() {
    let r = Rehearsal::start().await;
    r.submit_waves(2).await;
    r.sim.advance(Duration::from_secs(50)); // halfway through a 100 s copy
    assert_eq!(r.moving(), 1);
    let options = r.cancel_options();
    let mut events = Vec::new();
    let report = exec::cancel(&r.admin, &options, &mut |e| events.push(e))
        .await
        .unwrap();
    assert_eq!((report.cancelled, report.failed), (1, 0));
    assert!(matches!(&events[0], CancelEvent::Cancelled(results) if results.len() == 1));
    assert_eq!(events[1], CancelEvent::ThrottlesRestored);
    assert_eq!(r.moving(), 0);
    // Back where they were, but for the reorder of the first wave.
    let mut expected: Vec<Vec<i32>> = BEFORE.iter().map(|r| r.to_vec()).collect();
    expected[4] = vec![2, 1];
    assert_eq!(r.replicas(), expected);
    r.assert_throttles_restored();
    assert!(r.state_file().load().unwrap().unwrap().finished);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttles_set_shown_and_cleared_outside_an_execution() {
    let r = Rehearsal::start().await;
    let scope = ThrottleScope::Plan {
        plan: r.plan.clone(),
        state_file: r.state_file(),
    };
    let set = exec::set_throttle(&r.admin, 20 * MB, &scope)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        set.receivers,
        b(&[1, 2, 3, 4, 5]),
        "as Kafka's tool: every broker"
    );
    let listing = exec::show_throttles(&r.admin).await.unwrap();
    assert!(listing.leftover(), "set, and nothing is moving");
    assert!(listing
        .settings
        .iter()
        .any(|s| s.key == FOLLOWER_RATE && s.value == "20000000"));

    let clear = ClearScope::Plan {
        plan: r.plan.path.clone(),
        state_file: r.state_file(),
    };
    let cleared = exec::clear_throttle(&r.admin, &clear).await.unwrap();
    assert_eq!(cleared, ThrottleCleared::RestoredFromLedger);
    r.assert_throttles_restored();
    let listing = exec::show_throttles(&r.admin).await.unwrap();
    assert_eq!(listing.settings.len(), 1, "{:?}", listing.settings);
    assert_eq!(listing.settings[0].value, OPERATOR_RATE);

    let brokers = ThrottleScope::Brokers(b(&[2, 3]));
    assert_eq!(
        exec::set_throttle(&r.admin, MB, &brokers).await.unwrap(),
        None
    );
    assert_eq!(
        r.broker_config(3, FOLLOWER_RATE).as_deref(),
        Some("1000000")
    );
    let all = exec::clear_throttle(&r.admin, &ClearScope::All)
        .await
        .unwrap();
    assert_eq!(
        all,
        ThrottleCleared::All {
            brokers: 5,
            topics: 1
        }
    );
    assert_eq!(r.broker_config(1, LEADER_RATE), None, "--all means all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_elections() {
    let r = Rehearsal::start().await;
    assert!(exec::status(&r.admin, Duration::ZERO)
        .await
        .unwrap()
        .is_empty());
    r.submit_waves(2).await;
    r.sim.advance(Duration::from_secs(25));
    let rows = exec::status(&r.admin, Duration::ZERO).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].bytes_remaining, 750 * MB);

    // orders-4 was reordered to [2, 1]; leadership stays with 1 until an election.
    let tp = TopicPartition::new("orders", 4);
    let results = exec::elect_leaders(
        &r.admin,
        ElectionKind::Preferred,
        ElectionScope::Partitions(vec![tp.clone()]),
    )
    .await
    .unwrap();
    assert_eq!(results[&tp], Ok(()));
    assert_eq!(
        r.sim
            .with_state(|s| s.partition("orders", 4).unwrap().leader),
        2
    );
    assert!(matches!(
        exec::elect_leaders(
            &r.admin,
            ElectionKind::Preferred,
            ElectionScope::Partitions(vec![])
        )
        .await,
        Err(ExecError::NothingToElect)
    ));
    let all = exec::elect_leaders(
        &r.admin,
        ElectionKind::Preferred,
        ElectionScope::AllTopicPartitions,
    )
    .await
    .unwrap();
    assert_eq!(all.len(), 6);
}

/// The partition of the plan in flight and the broker it is being added to.
fn in_flight(report: &kplan::exec::VerifyReport) -> (TopicPartition, i32) {
    let p = report
        .partitions
        .iter()
        .find(|p| p.status == PartitionStatus::InProgress)
        .expect("a partition in progress");
    let before = &BEFORE[p.tp.partition as usize];
    let adding = p.target.iter().find(|b| !before.contains(&b.0)).unwrap();
    (p.tp.clone(), adding.0)
}

/// A destination that goes down mid-move: verify names it per partition, and execute says which
/// moves wait for it; once it is back the plan finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destination_down_mid_move_is_named_by_verify_and_execute() {
    let mut r = Rehearsal::start().await;
    r.submit_waves(2).await;
    r.sim.advance(Duration::from_secs(30));
    let report = exec::verify(&r.admin, &r.plan, &r.verify_options(), &mut |_| {})
        .await
        .unwrap();
    let (tp, dest) = in_flight(&report);
    assert!(report.partitions.iter().all(|p| p.stalled_on.is_empty()));

    r.sim.inject(Fault::BrokerDown(dest));
    r.admin = connect(&r.sim).await;
    let report = exec::verify(&r.admin, &r.plan, &r.verify_options(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.exit_code, 2, "stalled is still in progress");
    let row = report.partitions.iter().find(|p| p.tp == tp).unwrap();
    assert_eq!(row.status, PartitionStatus::InProgress);
    assert_eq!(row.stalled_on, vec![BrokerId(dest)]);

    let (outcome, events) = r
        .execute(
            &r.options(false),
            &StopSignal::new(),
            Duration::ZERO,
            &mut |_| {},
        )
        .await;
    assert_eq!(
        outcome.unwrap(),
        ExecuteOutcome::StillInFlight { in_flight: 1 }
    );
    assert!(
        events.contains(&ExecuteEvent::Stalled(
            [(BrokerId(dest), vec![tp.clone()])].into()
        )),
        "{events:?}"
    );

    r.sim.inject(Fault::BrokerUp(dest));
    let (outcome, _) = r
        .execute(
            &r.options(true),
            &StopSignal::new(),
            Duration::from_secs(60),
            &mut |_| {},
        )
        .await;
    assert_eq!(outcome.unwrap(), ExecuteOutcome::Done { partitions: 5 });
    r.assert_throttles_restored();
}

/// `execute --wait` outlives polls that fail: each is reported, retried after a pause, and the
/// run finishes with nothing submitted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_waits_through_failed_polls() {
    let r = Rehearsal::start().await;
    let mut injected = false;
    let (outcome, events) = r
        .execute(
            &r.options(true),
            &StopSignal::new(),
            Duration::from_secs(30),
            &mut |e| {
                if matches!(e, ExecuteEvent::SubmittingWave { wave: 2, .. }) && !injected {
                    injected = true;
                    r.sim.inject(Fault::ApiError {
                        api: ApiKey::ListPartitionReassignments,
                        error: kplan_sim::ResponseError::ClusterAuthorizationFailed,
                        times: 2,
                    });
                }
            },
        )
        .await;
    assert_eq!(outcome.unwrap(), ExecuteOutcome::Done { partitions: 5 });
    let failed: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            ExecuteEvent::PollFailed { attempt, error, .. } => {
                assert!(error.contains("ListPartitionReassignments"), "{error}");
                Some(*attempt)
            }
            _ => None,
        })
        .collect();
    assert_eq!(failed, vec![1, 2]);
    assert_eq!(submitted_waves(&events), vec![1, 2, 3, 4, 5]);
    r.assert_throttles_restored();
}

/// KRaft cancels to the original replicas in in-flight order ([5, 2] → [4, 2] comes back as
/// [2, 5]); cancel puts the original order back with a reorder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_puts_the_original_replica_order_back() {
    let r = Rehearsal::start().await;
    r.sim.with_state_mut(|s| {
        s.reassign("orders", 1, Some(&[4, 2])).unwrap();
    });
    r.sim.advance(Duration::from_secs(5));
    assert_eq!(r.moving(), 1);
    let options = r.cancel_options();
    let mut events = Vec::new();
    exec::cancel(&r.admin, &options, &mut |e| events.push(e))
        .await
        .unwrap();
    assert_eq!(
        events[1],
        CancelEvent::OrderRestored(vec![TopicPartition::new("orders", 1)])
    );
    assert_eq!(r.moving(), 0);
    assert_eq!(r.replicas()[1], vec![5, 2], "the original order");
}

/// `verify --wait` outlives looks that fail, as execute does: reported, retried, then done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_waits_through_failed_looks() {
    let r = Rehearsal::start().await;
    let options = ExecuteOptions {
        max_moves_per_broker: 5,
        ..r.options(false)
    };
    for _ in 1..=2 {
        let (o, _) = r
            .execute(&options, &StopSignal::new(), Duration::ZERO, &mut |_| {})
            .await;
        o.unwrap();
    }
    r.sim.inject(Fault::ApiError {
        api: ApiKey::ListPartitionReassignments,
        error: kplan_sim::ResponseError::ClusterAuthorizationFailed,
        times: 2,
    });
    let options = VerifyOptions {
        wait: true,
        ..r.verify_options()
    };
    let mut failed = Vec::new();
    let report = exec::verify(&r.admin, &r.plan, &options, &mut |e| match e {
        VerifyEvent::PollFailed { attempt, .. } => failed.push(attempt),
        VerifyEvent::StillMoving { .. } => r.sim.advance(Duration::from_secs(60)),
    })
    .await
    .unwrap();
    assert_eq!(failed, vec![1, 2]);
    assert_eq!(report.exit_code, 0);
    r.assert_throttles_restored();
}
