//! The runbook end to end against the simulated cluster: snapshot → generate → execute in
//! waves with a throttle → verify through its exit codes → throttles restored to what was there
//! (an operator's own rate survives). Faults: a dead destination, controller failover, a dropped
//! response, Ctrl-C then resume, cancel halfway.

mod common;

use common::{kplan, snapshot, write_private};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use kplan::exec::ExecutionState;
use kplan_sim::{ApiKey, Fault, SimOptions, SimSpec, Simulator};

const MB: u64 = 1_000_000;
const OPERATOR_RATE: &str = "12345678";

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Rehearsal {
    sim: Simulator,
    dir: tempfile::TempDir,
    plan: PathBuf,
}

impl Rehearsal {
    /// 5 brokers in 2 racks (broker 5 to be drained), 1 GB partitions, no traffic; the operator
    /// already runs a leader throttle of their own on broker 1.
    fn start() -> Self {
        let mut spec = SimSpec::with_brokers(5, 0).topic("orders", 6, 2, 1000 * MB, 0.0);
        spec.topics[0].assignment = Some(vec![
            vec![1, 5],
            vec![5, 2],
            vec![3, 5],
            vec![5, 4],
            vec![1, 2],
            vec![3, 4],
        ]);
        spec.line_rate = 100.0 * MB as f64;
        spec.broker_configs.insert(
            "1".into(),
            [(
                "leader.replication.throttled.rate".to_owned(),
                OPERATOR_RATE.to_owned(),
            )]
            .into(),
        );
        let sim = Simulator::start(&spec, SimOptions::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let snap = dir.path().join("cluster.json");
        let o = snapshot(&sim.bootstrap(), "0s", &[], &snap);
        assert_eq!(code(&o), 0, "{}", err(&o));
        let plan = dir.path().join("plan.json");
        let o = kplan(&[
            "generate",
            "--snapshot",
            snap.to_str().unwrap(),
            "--decommission",
            "5",
            "--time-limit",
            "5s",
            "-o",
            plan.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", err(&o));
        Rehearsal { sim, dir, plan }
    }

    fn bs(&self) -> String {
        self.sim.bootstrap()
    }

    fn plan(&self) -> &str {
        self.plan.to_str().unwrap()
    }

    fn execute(&self, extra: &[&str]) -> Output {
        let bs = self.bs();
        let mut args = vec![
            "execute",
            "--bootstrap-server",
            &bs,
            "--plan",
            self.plan(),
            "--throttle",
            "10MB/s",
            "--max-moves-per-broker",
            "1",
            "--no-wait",
            "--poll-interval",
            "100ms",
        ];
        args.extend_from_slice(extra);
        kplan(&args)
    }

    fn verify(&self) -> Output {
        kplan(&[
            "verify",
            "--bootstrap-server",
            &self.bs(),
            "--plan",
            self.plan(),
        ])
    }

    fn state(&self) -> ExecutionState {
        let path = format!("{}.state", self.plan());
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn broker_config(&self, broker: i32, key: &str) -> Option<String> {
        self.sim.with_state(|s| {
            s.broker_configs
                .get(&broker.to_string())
                .and_then(|c| c.get(key).cloned())
        })
    }

    fn topic_config(&self, key: &str) -> Option<String> {
        self.sim
            .with_state(|s| s.topics["orders"].configs.get(key).cloned())
    }

    /// Runs `execute` and the simulated clock until the plan is done.
    fn finish(&self) {
        for _ in 0..20 {
            self.sim.advance(Duration::from_secs(1000));
            let o = self.execute(&[]);
            assert_eq!(code(&o), 0, "{}", err(&o));
            if self.state().finished {
                return;
            }
        }
        panic!("the plan did not finish");
    }

    fn on_5(&self) -> usize {
        self.sim.with_state(|s| {
            s.topics["orders"]
                .partitions
                .iter()
                .filter(|p| p.replicas.contains(&5))
                .count()
        })
    }
}

fn assert_restored(r: &Rehearsal) {
    assert_eq!(
        r.broker_config(1, "leader.replication.throttled.rate")
            .as_deref(),
        Some(OPERATOR_RATE),
        "the operator's rate survives"
    );
    for b in 2..=5 {
        assert_eq!(
            r.broker_config(b, "leader.replication.throttled.rate"),
            None,
            "broker {b}"
        );
        assert_eq!(
            r.broker_config(b, "follower.replication.throttled.rate"),
            None,
            "broker {b}"
        );
    }
    assert_eq!(
        r.topic_config("leader.replication.throttled.replicas"),
        None
    );
    assert_eq!(
        r.topic_config("follower.replication.throttled.replicas"),
        None
    );
}

#[test]
fn runbook_with_waves_throttles_and_exit_codes() {
    let r = Rehearsal::start();
    // Before anything runs, the plan is neither done nor moving: diverged (3).
    assert_eq!(code(&r.verify()), 3);

    let o = r.execute(&[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        err(&o).contains("Save this to use as the --reassignment-json-file option during rollback")
    );
    let state = r.state();
    assert!(state.waves.len() >= 2, "bounded waves: {:?}", state.waves);
    // Throttles as Kafka defines them, rates on senders and receivers, priors in the ledger.
    assert_eq!(
        r.broker_config(1, "leader.replication.throttled.rate")
            .as_deref(),
        Some("10000000")
    );
    assert!(r
        .topic_config("follower.replication.throttled.replicas")
        .is_some());
    assert!(state
        .ledger
        .entries
        .iter()
        .any(|e| e.key == "leader.replication.throttled.rate"
            && e.prior.as_deref() == Some(OPERATOR_RATE)));
    // A copy takes 1 GB / 10 MB/s = 100 simulated seconds; at time 0 nothing has moved.
    let o = r.verify();
    assert_eq!(code(&o), 2, "in progress: {}", err(&o));
    // Running again while a wave is in flight submits nothing new.
    let submitted = r.state().submitted.len();
    assert_eq!(code(&r.execute(&[])), 0);
    assert_eq!(r.state().submitted.len(), submitted);

    r.finish();
    let o = r.verify();
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert_eq!(r.on_5(), 0, "broker 5 drained");
    assert_restored(&r);
    // The preferred leaders lead.
    r.sim.with_state(|s| {
        for p in &s.topics["orders"].partitions {
            assert_eq!(p.leader, p.replicas[0], "orders-{}", p.index);
        }
    });

    // Someone moves a partition elsewhere: diverged.
    r.sim.with_state_mut(|s| {
        let cur = s.partition("orders", 0).unwrap().replicas.clone();
        let other: Vec<i32> = cur.iter().rev().copied().collect();
        s.reassign("orders", 0, Some(&other)).unwrap();
    });
    assert_eq!(code(&r.verify()), 3);
}

#[test]
fn a_dead_destination_stalls_then_resumes_and_the_controller_can_fail_over() {
    let r = Rehearsal::start();
    assert_eq!(code(&r.execute(&[])), 0);
    let state = r.state();
    let first: Vec<_> = state.waves.iter().find(|w| !w.is_empty()).unwrap().clone();
    // Kill a broker that receives data in the first data wave.
    let dest = r.sim.with_state(|s| {
        s.reassignments()
            .into_iter()
            .find_map(|(_, _, _, m)| m.adding.first().copied())
    });
    let dest = dest.expect("a data move in flight");
    r.sim.inject(Fault::BrokerDown(dest));
    r.sim.advance(Duration::from_secs(1000));
    let o = r.verify();
    assert_eq!(code(&o), 2, "stalled, still in progress: {}", err(&o));
    // execute refuses nothing already submitted, and reports the moves still in flight.
    let o = r.execute(&[]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(err(&o).contains("still in flight"), "{}", err(&o));
    r.sim.inject(Fault::BrokerUp(dest));
    r.sim.inject(Fault::ControllerFailover(None));
    r.finish();
    assert_eq!(code(&r.verify()), 0);
    assert!(first.iter().all(|tp| r.state().submitted.contains(tp)));
    assert_restored(&r);
}

#[test]
fn a_dropped_response_is_reconciled_without_resubmitting() {
    let r = Rehearsal::start();
    let props = r.dir.path().join("client.properties");
    write_private(&props, "request.timeout.ms=1500\n");
    // Wave 1 is accepted by the controller but the answer never arrives.
    r.sim.inject(Fault::DropResponse {
        api: ApiKey::AlterPartitionReassignments,
        times: 1,
    });
    let o = r.execute(&["--command-config", props.to_str().unwrap()]);
    eprintln!("first run: exit {} {}", code(&o), err(&o));
    let ongoing = r.sim.with_state(|s| s.reassignments().len());
    assert!(ongoing > 0, "the request took effect");
    // The next run learns from ListPartitionReassignments that wave 1 is running.
    let o = r.execute(&["--command-config", props.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(!r.state().submitted.is_empty());
    r.finish();
    assert_eq!(code(&r.verify()), 0);
}

#[test]
fn ctrl_c_then_resume() {
    let r = Rehearsal::start();
    let bs = r.bs();
    let child = Command::new(env!("CARGO_BIN_EXE_kplan"))
        .args([
            "execute",
            "--bootstrap-server",
            &bs,
            "--plan",
            r.plan(),
            "--throttle",
            "10MB/s",
            "--max-moves-per-broker",
            "1",
            "--wait",
            "--poll-interval",
            "100ms",
            "--output",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until a wave with data is in flight (time stands still at speed 0).
    let mut waited = 0;
    while r.sim.with_state(|s| s.reassignments().is_empty()) {
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
        assert!(waited < 200, "execute never submitted");
    }
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"interrupted\""));
    let in_flight = r.sim.with_state(|s| s.reassignments().len());
    assert!(in_flight > 0, "in-flight moves keep running");
    assert!(!r.state().finished);
    r.finish();
    assert_eq!(code(&r.verify()), 0);
    assert_restored(&r);
}

#[test]
fn cancel_halfway_restores_replicas_and_throttles() {
    let r = Rehearsal::start();
    let before = r.sim.with_state(|s| {
        s.topics["orders"]
            .partitions
            .iter()
            .map(|p| p.replicas.clone())
            .collect::<Vec<_>>()
    });
    assert_eq!(code(&r.execute(&[])), 0);
    r.sim.advance(Duration::from_secs(50)); // halfway through a 100 s copy
    let moving = r.sim.with_state(|s| s.reassignments().len());
    assert!(moving > 0);
    let o = kplan(&["cancel", "--bootstrap-server", &r.bs(), "--plan", r.plan()]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    assert!(
        err(&o).contains(&format!("{moving} cancelled")),
        "{}",
        err(&o)
    );
    r.sim.with_state(|s| {
        assert!(s.reassignments().is_empty());
        for (p, orig) in s.topics["orders"].partitions.iter().zip(&before) {
            // Cancelled partitions are back where they were; reorders of wave 1 may have completed.
            let mut a = p.replicas.clone();
            let mut b = orig.clone();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "orders-{}", p.index);
        }
    });
    assert_restored(&r);
}

#[test]
fn execute_refuses_a_stale_plan_and_dead_brokers() {
    let r = Rehearsal::start();
    // Drift one planned partition after planning.
    let plan = kplan::exec::read_plan(Path::new(r.plan())).unwrap();
    let first = plan.partitions[0].topic_partition();
    r.sim.with_state_mut(|s| {
        let cur = s
            .partition(&first.topic, first.partition)
            .unwrap()
            .replicas
            .clone();
        let other: Vec<i32> = cur.iter().rev().copied().collect();
        s.reassign(&first.topic, first.partition, Some(&other))
            .unwrap();
    });
    let o = r.execute(&[]);
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).contains("stale") && err(&o).contains(&first.to_string()),
        "{}",
        err(&o)
    );
    // A dead broker in the plan is refused before anything is touched.
    let dest = plan
        .partitions
        .iter()
        .flat_map(|p| p.brokers().iter().map(|b| b.0))
        .max()
        .unwrap();
    r.sim.inject(Fault::BrokerDown(dest));
    let o = r.execute(&["--force"]);
    assert_eq!(code(&o), 1);
    assert!(
        err(&o).contains(&format!("broker {dest} is not alive")),
        "{}",
        err(&o)
    );
    assert_eq!(
        r.broker_config(2, "leader.replication.throttled.rate"),
        None,
        "nothing was changed"
    );
}

#[test]
fn waves_keep_a_destination_disk_from_overflowing() {
    // Four 1 GB partitions on broker 1 all go to broker 2, whose volume holds 2.5 GB.
    let mut spec = SimSpec::with_brokers(2, 0).topic("big", 4, 1, 1000 * MB, 0.0);
    spec.topics[0].assignment = Some(vec![vec![1]; 4]);
    spec.brokers[1].disk_bytes = Some(2500 * MB);
    let sim = Simulator::start(&spec, SimOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    std::fs::write(
        &plan,
        r#"{"version":1,"partitions":[{"topic":"big","partition":0,"replicas":[2]},{"topic":"big","partition":1,"replicas":[2]},
            {"topic":"big","partition":2,"replicas":[2]},{"topic":"big","partition":3,"replicas":[2]}]}"#,
    )
    .unwrap();
    let o = kplan(&[
        "execute",
        "--bootstrap-server",
        &sim.bootstrap(),
        "--plan",
        plan.to_str().unwrap(),
        "--max-moves-per-broker",
        "10",
        "--dry-run",
        "--output",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let event: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sizes: Vec<usize> = event["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![2, 2], "two 1 GB copies fit in 2.5 GB at a time");
    assert!(
        sim.with_state(|s| s.reassignments().is_empty()),
        "a dry run changes nothing"
    );
}
