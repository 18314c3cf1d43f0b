//! Faults with real processes, on a cluster of their own: a destination broker SIGKILLed mid-move,
//! the controller restarted mid-execute, `kplan execute` interrupted with SIGINT and resumed, a
//! cancel halfway, a stale plan, a dead broker before anything starts. After each: nothing was
//! submitted twice and no throttle is left behind.

#[path = "../common/mod.rs"]
mod common;
#[path = "../real_kafka_support/mod.rs"]
mod real_kafka_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use common::kplan;
use kafka_harness::{ClusterSpec, NodeState};
use kplan::exec::ExecutionState;
use real_kafka_support::*;

static CLUSTER: OnceLock<Mutex<Fixture>> = OnceLock::new();

/// The fault cluster (as the shared one: node 0 broker and controller, brokers 1–4), locked for
/// one test, reset to a clean state whatever a previous (failed) test left: every node running,
/// no reassignment, no throttle rate on any broker.
fn cluster() -> MutexGuard<'static, Fixture> {
    let m = CLUSTER.get_or_init(|| Mutex::new(Fixture::start(&ClusterSpec::kraft(4))));
    let mut f = m.lock().unwrap_or_else(|p| p.into_inner());
    for id in f.cluster.broker_ids() {
        if f.cluster.state(id) == Some(NodeState::Stopped) {
            f.cluster.restart(id).unwrap();
        }
    }
    f.wire().cancel_all();
    f.wait_no_reassignment(Duration::from_secs(60));
    for b in f.cluster.broker_ids() {
        let set: Vec<String> = f
            .broker_configs(b)
            .into_keys()
            .filter(|k| THROTTLE_KEYS.contains(&k.as_str()))
            .collect();
        if !set.is_empty() {
            let ops: Vec<(&str, Option<&str>)> = set.iter().map(|k| (k.as_str(), None)).collect();
            f.alter_broker(b, &ops);
        }
    }
    f
}

/// Waits until a reassignment of `topic` runs.
fn wait_moving(f: &Fixture, topic: &str) {
    f.wait_until(
        &format!("a move of {topic} is in flight"),
        Duration::from_secs(60),
        || f.wire().reassignments().keys().any(|(t, _)| t == topic),
    );
}

const THROTTLE_KEYS: [&str; 4] = [
    "leader.replication.throttled.rate",
    "follower.replication.throttled.rate",
    "leader.replication.throttled.replicas",
    "follower.replication.throttled.replicas",
];

/// Every throttle config left in the cluster, on brokers and on `topics`.
fn throttles_left(f: &Fixture, topics: &[&str]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut w = f.wire();
    let mut out = BTreeMap::new();
    let keep = |c: BTreeMap<String, String>| -> BTreeMap<String, String> {
        c.into_iter()
            .filter(|(k, _)| THROTTLE_KEYS.contains(&k.as_str()))
            .collect()
    };
    let running = f
        .cluster
        .broker_ids()
        .into_iter()
        .filter(|b| f.cluster.state(*b) == Some(NodeState::Running));
    for b in running {
        let c = keep(f.broker_configs(b));
        if !c.is_empty() {
            out.insert(format!("broker {b}"), c);
        }
    }
    for t in topics {
        let c = keep(w.topic_configs(t));
        if !c.is_empty() {
            out.insert(format!("topic {t}"), c);
        }
    }
    out
}

fn assert_no_throttles(f: &Fixture, topics: &[&str]) {
    let left = throttles_left(f, topics);
    assert!(left.is_empty(), "throttles left behind: {left:?}");
}

/// A topic of `assignment` with `records` records of 1000 bytes per partition.
fn filled(f: &Fixture, topic: &str, assignment: &[Vec<i32>], records: usize) {
    f.create_topic(topic, assignment, &[]);
    for p in 0..assignment.len() as i32 {
        f.produce(topic, p, records, 1000);
    }
}

/// A plan file moving each (partition, target).
fn plan_file(f: &Fixture, topic: &str, targets: &[(i32, &[i32])]) -> PathBuf {
    let partitions: Vec<serde_json::Value> = targets
        .iter()
        .map(|(p, r)| serde_json::json!({"topic": topic, "partition": p, "replicas": r}))
        .collect();
    let path = f.path(&format!("{topic}.plan.json"));
    std::fs::write(
        &path,
        serde_json::json!({"version": 1, "partitions": partitions}).to_string(),
    )
    .unwrap();
    path
}

fn run(f: &Fixture, command: &str, plan: &Path, extra: &[&str]) -> Output {
    let bs = f.bs();
    let mut args = vec![
        command,
        "--bootstrap-server",
        bs.as_str(),
        "--plan",
        path_str(plan),
    ];
    args.extend_from_slice(extra);
    kplan(&args)
}

fn execute(f: &Fixture, plan: &Path, rate: &str) -> Output {
    run(
        f,
        "execute",
        plan,
        &[
            "--throttle",
            rate,
            "--no-wait",
            "--max-moves-per-broker",
            "10",
        ],
    )
}

fn state(plan: &Path) -> ExecutionState {
    serde_json::from_str(&std::fs::read_to_string(format!("{}.state", plan.display())).unwrap())
        .unwrap()
}

/// No partition was submitted twice: the state's submissions are distinct.
fn assert_submitted_once(plan: &Path) {
    let s = state(plan);
    let mut seen = std::collections::BTreeSet::new();
    for tp in &s.submitted {
        assert!(
            seen.insert(tp.to_string()),
            "{tp} submitted twice: {:?}",
            s.submitted
        );
    }
}

/// `execute --no-wait` until the plan finishes.
fn finish(f: &Fixture, plan: &Path, rate: &str) {
    let start = Instant::now();
    loop {
        let o = execute(f, plan, rate);
        assert_eq!(code(&o), 0, "{}", text(&o));
        if state(plan).finished {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(240),
            "the plan did not finish: {}",
            text(&o)
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn replicas(f: &Fixture, topic: &str) -> Vec<Vec<i32>> {
    f.wire()
        .partitions(topic)
        .unwrap()
        .into_iter()
        .map(|p| p.replicas)
        .collect()
}

/// A destination broker is SIGKILLed mid-move: verify exits 2 naming it, execute names it;
/// once it is back the plan resumes to completion with nothing submitted twice.
#[test]
fn a_destination_killed_mid_move_then_restarted() {
    if !enabled("a_destination_killed_mid_move_then_restarted") {
        return;
    }
    let mut f = cluster();
    filled(&f, "fk", &[vec![1, 2], vec![2, 3]], 3000);
    let plan = plan_file(&f, "fk", &[(0, &[1, 4]), (1, &[4, 3])]);
    let o = execute(&f, &plan, "300KB/s");
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(!f.wire().reassignments().is_empty(), "moves in flight");

    f.cluster.kill(4).unwrap();
    let o = run(&f, "verify", &plan, &[]);
    assert_eq!(
        code(&o),
        2,
        "a stalled move is still in progress: {}",
        text(&o)
    );
    eprintln!("verify with broker 4 dead: {}", text(&o));
    // Each stalled partition names the broker it waits for.
    assert!(
        text(&o).contains("fk-0")
            && text(&o).contains("in progress")
            && text(&o).contains("stalled: broker 4 is not answering"),
        "{}",
        text(&o)
    );
    let o = execute(&f, &plan, "300KB/s");
    eprintln!("execute with broker 4 dead: {}", text(&o));
    // As documented for --no-wait: nothing new is submitted while moves are in flight, exit 0;
    // and the moves that wait for broker 4 are named.
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("still in flight"), "{}", text(&o));
    assert!(
        text(&o).contains("broker 4 is down or not answering: 2 move(s) to it (fk-0, fk-1)"),
        "{}",
        text(&o)
    );

    f.cluster.restart(4).unwrap();
    finish(&f, &plan, "5MB/s");
    assert_eq!(code(&run(&f, "verify", &plan, &[])), 0);
    assert_eq!(replicas(&f, "fk"), vec![vec![1, 4], vec![4, 3]]);
    assert_submitted_once(&plan);
    assert_no_throttles(&f, &["fk"]);
}

/// The controller (node 0, the only voter, also a broker the client knows) is restarted while
/// `execute --wait` follows a move: the failed polls are retried and the run finishes.
#[test]
fn the_controller_restarts_mid_execute() {
    if !enabled("the_controller_restarts_mid_execute") {
        return;
    }
    let mut f = cluster();
    filled(&f, "fc", &[vec![1, 2], vec![2, 3], vec![3, 1]], 3000);
    let plan = plan_file(&f, "fc", &[(0, &[4, 2]), (1, &[2, 4]), (2, &[3, 4])]);
    // The client is attached to node 0 only (its one bootstrap broker), and gives up on a request
    // after 2 s: while node 0 is away its polls fail, rather than wait inside the client.
    let node0 = f.cluster.broker_address(0).unwrap();
    let config = f.path("fc.client.properties");
    std::fs::write(&config, "request.timeout.ms=2000\n").unwrap();
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_kplan"))
        .args([
            "execute",
            "--bootstrap-server",
            &node0,
            "--command-config",
            path_str(&config),
            "--plan",
            path_str(&plan),
            "--throttle",
            "500KB/s",
        ])
        .args(["--wait", "--poll-interval", "500ms", "--output", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_moving(&f, "fc");
    f.cluster.stop_node(0, Duration::from_secs(20)).unwrap();
    std::thread::sleep(Duration::from_secs(10));
    f.cluster.restart(0).unwrap();
    let out = child.wait_with_output().unwrap();
    eprintln!(
        "execute across the controller restart: exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The polls that failed while the controller was away were retried: execute finished.
    assert_eq!(out.status.code(), Some(0));
    assert!(state(&plan).finished);
    let failed_polls = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"poll_failed\""))
        .count();
    eprintln!("failed polls retried across the controller restart: {failed_polls}");
    assert!(
        failed_polls >= 1,
        "node 0 was away for 10 s: some polls failed"
    );
    assert_eq!(code(&run(&f, "verify", &plan, &[])), 0);
    assert_eq!(replicas(&f, "fc"), vec![vec![4, 2], vec![2, 4], vec![3, 4]]);
    assert_submitted_once(&plan);
    assert_no_throttles(&f, &["fc"]);
}

/// SIGINT stops new waves and leaves in-flight moves running (exit 130); running execute again
/// resumes.
#[test]
fn sigint_then_resume() {
    if !enabled("sigint_then_resume") {
        return;
    }
    let f = cluster();
    filled(&f, "fi", &[vec![1, 2], vec![2, 3], vec![3, 1]], 2000);
    let plan = plan_file(&f, "fi", &[(0, &[4, 2]), (1, &[2, 4]), (2, &[3, 4])]);
    let bs = f.bs();
    let child = Command::new(env!("CARGO_BIN_EXE_kplan"))
        .args([
            "execute",
            "--bootstrap-server",
            &bs,
            "--plan",
            path_str(&plan),
            "--throttle",
            "300KB/s",
        ])
        .args([
            "--wait",
            "--max-moves-per-broker",
            "1",
            "--poll-interval",
            "200ms",
            "--output",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_moving(&f, "fi");
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"interrupted\""));
    assert!(!state(&plan).finished);
    assert!(
        !f.wire().reassignments().is_empty(),
        "in-flight moves keep running"
    );
    finish(&f, &plan, "5MB/s");
    assert_eq!(code(&run(&f, "verify", &plan, &[])), 0);
    assert_submitted_once(&plan);
    assert_no_throttles(&f, &["fi"]);
}

/// Cancel halfway: the original replicas come back, no reassignment runs, the throttles are
/// restored (an operator's rate included).
#[test]
fn cancel_halfway_restores_replicas_and_throttles() {
    if !enabled("cancel_halfway_restores_replicas_and_throttles") {
        return;
    }
    let f = cluster();
    filled(&f, "fx", &[vec![1, 2], vec![2, 3]], 3000);
    let before = replicas(&f, "fx");
    f.alter_broker(
        2,
        &[("follower.replication.throttled.rate", Some("55555555"))],
    );
    let plan = plan_file(&f, "fx", &[(0, &[4, 2]), (1, &[2, 4])]);
    let o = execute(&f, &plan, "300KB/s");
    assert_eq!(code(&o), 0, "{}", text(&o));
    // Halfway: some bytes are on broker 4, not all.
    f.wait_until("the copy is under way", Duration::from_secs(60), || {
        let dirs = Wire::connect(&f.cluster.broker_address(4).unwrap()).log_dirs();
        dirs.iter().any(|(k, v)| k.0 == "fx" && v[0].1 > 200_000)
    });
    assert!(!f.wire().reassignments().is_empty(), "still moving");
    let o = run(&f, "cancel", &plan, &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    f.wait_no_reassignment(Duration::from_secs(30));
    // KRaft reverts to the in-flight replicas minus the adding ones, in in-flight order: the
    // original set, not always the original order ([1,2]→[4,2] cancelled is [2,1]). kplan then
    // reorders fx-0 back to [1,2] (no data copied).
    eprintln!("cancel: {}", text(&o));
    assert!(
        text(&o).contains("replica order restored for 1 partition(s)") && text(&o).contains("fx-0"),
        "{}",
        text(&o)
    );
    f.wait_until(
        &format!(
            "the original replicas {before:?}, in order, are back (cancel said: {})",
            text(&o)
        ),
        Duration::from_secs(30),
        || replicas(&f, "fx") == before,
    );
    f.wait_no_reassignment(Duration::from_secs(30));
    let left = throttles_left(&f, &["fx"]);
    f.alter_broker(2, &[("follower.replication.throttled.rate", None)]);
    assert_eq!(
        left,
        BTreeMap::from([(
            "broker 2".to_owned(),
            BTreeMap::from([(
                "follower.replication.throttled.rate".to_owned(),
                "55555555".to_owned()
            )])
        )]),
        "only the operator's rate is left"
    );
}

/// A plan whose partitions moved since planning is refused, naming them; a plan naming a dead
/// broker is refused before anything is changed.
#[test]
fn stale_plans_and_dead_brokers_are_refused_before_anything_changes() {
    if !enabled("stale_plans_and_dead_brokers_are_refused_before_anything_changes") {
        return;
    }
    let mut f = cluster();
    filled(&f, "fs", &[vec![1, 2], vec![2, 3], vec![3, 1]], 100);
    let snap = f.path("fs.snapshot.json");
    let o = common::snapshot(&f.bs(), "0s", &["--topics", "^fs$"], &snap);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let plan = f.path("fs.plan.json");
    let o = kplan(&[
        "generate",
        "--snapshot",
        path_str(&snap),
        "--brokers",
        "2-4",
        "--time-limit",
        "10s",
        "-o",
        path_str(&plan),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    // Someone moves fs-0 after planning (Kafka's own tool).
    let drift = f.path("drift.json");
    std::fs::write(
        &drift,
        r#"{"version":1,"partitions":[{"topic":"fs","partition":0,"replicas":[2,1]}]}"#,
    )
    .unwrap();
    let o = f.kafka_reassign(&["--execute", "--reassignment-json-file", path_str(&drift)]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    f.wait_no_reassignment(Duration::from_secs(30));
    let o = execute(&f, &plan, "10MB/s");
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(
        text(&o).contains("stale") && text(&o).contains("fs-0"),
        "{}",
        text(&o)
    );
    assert!(f.wire().reassignments().is_empty());
    assert_no_throttles(&f, &["fs"]);

    // A dead broker of the plan: refused before any throttle is set (KAFKA-13392).
    let plan2 = plan_file(&f, "fs", &[(1, &[4, 3])]);
    // Broker 4 holds a replica (of another topic): the cluster knows it exists.
    filled(&f, "fs4", &[vec![4, 1]], 1);
    f.cluster.kill(4).unwrap();
    f.wait_until(
        "broker 4 is gone from the cluster",
        Duration::from_secs(30),
        || !Wire::connect(&f.any_broker()).broker_ids().contains(&4),
    );
    let o = execute(&f, &plan2, "10MB/s");
    assert_eq!(code(&o), 1, "{}", text(&o));
    // A killed KRaft broker stays registered but fenced, and DescribeCluster (v0–v1, what krafka
    // sends) leaves it out. It holds a replica, so kplan knows it exists and says it is down
    // (a broker with no replica at all reads "Unknown broker id 4: … a typo, or a broker that is
    // down or fenced", see the simulator test).
    eprintln!("execute with broker 4 dead: {}", text(&o));
    assert!(
        text(&o).contains("broker 4 is not alive: it holds replicas but is not in the cluster's live broker list (down or fenced)"),
        "{}",
        text(&o)
    );
    assert!(f.wire().reassignments().is_empty());
    assert_no_throttles(&f, &["fs"]);
    f.cluster.restart(4).unwrap();
}
