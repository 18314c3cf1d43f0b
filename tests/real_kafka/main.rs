//! kplan against real Apache Kafka (KRaft, started by `kafka-harness`): snapshot, the runbook with
//! throttles compared to Kafka's own tool, Kafka's `ReassignPartitionsCommand` as referee, a
//! replication-factor change (KIP-860) and leader election. The tests share one cluster and run
//! one at a time; each uses topics of its own. Destructive faults are in
//! `tests/real_kafka_faults/`. `fidelity.rs` sends the same requests to the simulator and to this
//! cluster and compares the answers field by field.

#[path = "../common/mod.rs"]
mod common;
#[path = "../real_kafka_support/mod.rs"]
mod real_kafka_support;

mod copy_time;
mod fidelity;
mod log_dirs;
mod runbook;
mod snapshot;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use common::kplan;
use real_kafka_support::*;

pub const THROTTLE_KEYS: [&str; 4] = [
    "leader.replication.throttled.rate",
    "follower.replication.throttled.rate",
    "leader.replication.throttled.replicas",
    "follower.replication.throttled.replicas",
];

pub fn throttles(configs: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    configs
        .iter()
        .filter(|(k, _)| THROTTLE_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Every broker's throttle configs (dynamic, set on the broker itself).
pub fn broker_throttles(f: &Fixture) -> BTreeMap<i32, BTreeMap<String, String>> {
    f.cluster
        .broker_ids()
        .into_iter()
        .map(|b| (b, throttles(&f.broker_configs(b))))
        .filter(|(_, c)| !c.is_empty())
        .collect()
}

/// A topic whose partitions hold `records` records of 1000 bytes each.
pub fn filled_topic(f: &Fixture, topic: &str, assignment: &[Vec<i32>], records: usize) {
    f.create_topic(topic, assignment, &[]);
    for p in 0..assignment.len() as i32 {
        f.produce(topic, p, records, 1000);
    }
}

/// `kplan snapshot --topics ^topic$` then `kplan generate`; returns the plan's path.
pub fn plan_for(f: &Fixture, topic: &str, extra: &[&str]) -> PathBuf {
    let snap = f.path(&format!("{topic}.snapshot.json"));
    let o = common::snapshot(&f.bs(), "0s", &["--topics", &format!("^{topic}$")], &snap);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let plan = f.path(&format!("{topic}.plan.json"));
    let mut args = vec![
        "generate",
        "--snapshot",
        path_str(&snap),
        "--time-limit",
        "10s",
        "-o",
        path_str(&plan),
    ];
    args.extend_from_slice(extra);
    let o = kplan(&args);
    assert_eq!(code(&o), 0, "{}", text(&o));
    plan
}

/// The plan's partitions with another topic name, as a plain reassignment file.
pub fn twin_plan(plan: &Path, twin: &str, out: &Path) {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan).unwrap()).unwrap();
    let partitions: Vec<serde_json::Value> = v["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| serde_json::json!({"topic": twin, "partition": p["partition"], "replicas": p["replicas"]}))
        .collect();
    std::fs::write(
        out,
        serde_json::json!({"version": 1, "partitions": partitions}).to_string(),
    )
    .unwrap();
}

pub fn plan_partitions(plan: &Path) -> Vec<(String, i32, Vec<i32>)> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan).unwrap()).unwrap();
    v["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["topic"].as_str().unwrap().to_owned(),
                p["partition"].as_i64().unwrap() as i32,
                p["replicas"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b.as_i64().unwrap() as i32)
                    .collect(),
            )
        })
        .collect()
}

pub fn kplan_at(f: &Fixture, command: &str, plan: &Path, extra: &[&str]) -> Output {
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

pub fn execute_no_wait(f: &Fixture, plan: &Path, rate: &str) -> Output {
    kplan_at(
        f,
        "execute",
        plan,
        &[
            "--throttle",
            rate,
            "--no-wait",
            "--max-moves-per-broker",
            "10",
            "--poll-interval",
            "200ms",
        ],
    )
}

pub fn execution_finished(plan: &Path) -> bool {
    let state: kplan::exec::ExecutionState = serde_json::from_str(
        &std::fs::read_to_string(format!("{}.state", plan.display())).unwrap(),
    )
    .unwrap();
    state.finished
}

/// Runs `execute --no-wait` until the state file says the plan finished.
pub fn execute_to_completion(f: &Fixture, plan: &Path, rate: &str) {
    let start = Instant::now();
    loop {
        let o = execute_no_wait(f, plan, rate);
        assert_eq!(code(&o), 0, "{}", text(&o));
        if execution_finished(plan) {
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

/// Kafka's `--verify` output says every partition of the plan is complete.
pub fn kafka_says_complete(f: &Fixture, plan: &Path) {
    let o = f.kafka_reassign(&[
        "--verify",
        "--preserve-throttles",
        "--reassignment-json-file",
        path_str(plan),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(code(&o), 0, "{}", text(&o));
    for (t, p, _) in plan_partitions(plan) {
        assert!(
            out.contains(&format!("Reassignment of partition {t}-{p} is completed")),
            "Kafka's --verify on {t}-{p}:\n{}",
            text(&o)
        );
    }
}
