//! JBOD on real Kafka: every broker of the shared cluster has two log dirs.

use std::collections::BTreeMap;

use crate::real_kafka_support::*;
use crate::*;

const LOG_DIR_RATE: &str = "replica.alter.log.dirs.io.max.bytes.per.second";

/// (partition, broker) → the log dir holding that replica.
type ReplicaDirs = BTreeMap<(i64, i64), String>;

/// Where each replica of `topic` is, from `kplan snapshot`, and each broker's log dirs.
fn dirs_of(f: &Fixture, topic: &str) -> (ReplicaDirs, BTreeMap<i64, Vec<String>>) {
    let snap = f.path(&format!("{topic}.dirs.json"));
    let o = common::snapshot(&f.bs(), "0s", &["--topics", &format!("^{topic}$")], &snap);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    let mut replicas = BTreeMap::new();
    for p in v["topics"][0]["partitions"].as_array().unwrap() {
        for d in p["log_dirs"].as_array().unwrap() {
            replicas.insert(
                (
                    p["partition"].as_i64().unwrap(),
                    d["broker"].as_i64().unwrap(),
                ),
                d["log_dir"].as_str().unwrap().to_owned(),
            );
        }
    }
    let brokers = v["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let dirs = b["log_dirs"].as_array().map_or(Vec::new(), |d| {
                d.iter()
                    .map(|x| x["path"].as_str().unwrap().to_owned())
                    .collect()
            });
            (b["id"].as_i64().unwrap(), dirs)
        })
        .collect();
    (replicas, brokers)
}

/// (12) `kplan snapshot` records both log dirs of every broker and each replica's; `generate
/// --remove-log-dirs` empties the fuller dir of broker 0; `execute --log-dir-throttle` moves those
/// replicas with AlterReplicaLogDirs (and places arriving replicas in the dirs the plan names);
/// `verify` exits 0 once DescribeLogDirs shows each replica in its dir, and Kafka's own `--verify`
/// agrees; the log-dir throttle is restored.
#[test]
fn replicas_move_between_the_log_dirs_of_a_broker() {
    if !enabled("replicas_move_between_the_log_dirs_of_a_broker") {
        return;
    }
    let f = shared();
    let assignment = vec![vec![0, 1], vec![1, 0], vec![0, 2], vec![2, 0], vec![0, 1]];
    filled_topic(&f, "jbod", &assignment, 2000);
    let (before, brokers) = dirs_of(&f, "jbod");
    assert!(
        brokers.values().all(|d| d.len() == 2),
        "two log dirs per broker: {brokers:?}"
    );
    let on_0 = |dir: &str| {
        before
            .iter()
            .filter(|((_, b), d)| *b == 0 && d == &dir)
            .count()
    };
    let removed = brokers[&0].iter().max_by_key(|d| on_0(d)).unwrap().clone();
    assert!(on_0(&removed) > 0, "broker 0 has replicas in {removed}");

    let arg = format!("0:{removed}");
    let plan = plan_for(&f, "jbod", &["--remove-log-dirs", &arg]);
    let text_plan = std::fs::read_to_string(&plan).unwrap();
    assert!(
        !text_plan.contains(&format!("\"{removed}\"")),
        "{text_plan}"
    );

    let o = kplan_at(
        &f,
        "execute",
        &plan,
        &[
            "--throttle",
            "10MB/s",
            "--log-dir-throttle",
            "2MB/s",
            "--wait",
            "--max-moves-per-broker",
            "10",
            "--poll-interval",
            "200ms",
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = kplan_at(&f, "verify", &plan, &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = f.kafka_reassign(&[
        "--verify",
        "--preserve-throttles",
        "--reassignment-json-file",
        path_str(&plan),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("in progress"), "Kafka's --verify:\n{out}");

    let (after, _) = dirs_of(&f, "jbod");
    let v: serde_json::Value = serde_json::from_str(&text_plan).unwrap();
    for e in v["partitions"].as_array().unwrap() {
        let p = e["partition"].as_i64().unwrap();
        let pairs = e["replicas"]
            .as_array()
            .unwrap()
            .iter()
            .zip(e["log_dirs"].as_array().unwrap());
        for (b, d) in pairs {
            let d = d.as_str().unwrap();
            if d != "any" {
                assert_eq!(
                    after[&(p, b.as_i64().unwrap())],
                    d,
                    "jbod-{p} on broker {b}"
                );
            }
        }
    }
    assert!(
        !after.iter().any(|((_, b), d)| *b == 0 && d == &removed),
        "{removed} of broker 0 holds no replica of jbod: {after:?}"
    );
    assert!(
        !f.broker_configs(0).contains_key(LOG_DIR_RATE),
        "the log-dir throttle is restored"
    );
}
