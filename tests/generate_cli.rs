//! `kplan generate` end to end: the binary on fixtures, golden plans, errors and exit codes.

mod common;

use common::{fixture, kplan};

use std::path::{Path, PathBuf};

fn golden(name: &str, actual: &str) {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    if std::env::var_os("KPLAN_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing (KPLAN_BLESS=1 writes it)", path.display()));
    assert_eq!(
        actual,
        expected,
        "plan differs from golden {}",
        path.display()
    );
}

#[test]
fn add_broker_fills_the_new_broker() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let rollback = dir.path().join("rollback.json");
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "-o",
        plan.to_str().unwrap(),
        "--rollback",
        rollback.to_str().unwrap(),
        "--throttle",
        "50MB/s",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0 → 4"),
        "broker 3 gets replicas:\n{stderr}"
    );
    assert!(stderr.contains("copy time at 50.0 MB/s"), "{stderr}");
    let text = std::fs::read_to_string(&plan).unwrap();
    golden("add-broker.plan.json", &text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], 1);
    let entries = v["partitions"].as_array().unwrap();
    assert!(entries
        .iter()
        .any(|e| e["replicas"].as_array().unwrap().contains(&3.into())));
    // The rollback lists the same partitions with their current replicas.
    let rb: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&rollback).unwrap()).unwrap();
    assert_eq!(rb["partitions"].as_array().unwrap().len(), entries.len());
}

#[test]
fn move_topics_onto_new_brokers() {
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("move-topics.json"),
        "--topics",
        "foo.*",
        "--brokers",
        "5,6",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    golden("move-topics.plan.json", &text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entries = v["partitions"].as_array().unwrap();
    assert_eq!(entries.len(), 6, "every foo partition moves");
    for e in entries {
        assert!(e["topic"].as_str().unwrap().starts_with("foo"));
        for b in e["replicas"].as_array().unwrap() {
            assert!(b == 5 || b == 6, "{e}");
        }
        assert_eq!(e["log_dirs"], serde_json::json!(["any", "any"]));
    }
}

#[test]
fn json_summary_is_structured() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.json");
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "-o",
        plan.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cluster_id"], "worked-example-a");
    assert_eq!(v["brokers"].as_array().unwrap().len(), 4);
    assert_eq!(v["brokers"][3]["after"]["replicas"], 4);
    assert!(
        v["replicas_moved"].as_u64().unwrap() >= v["lower_bound"]["replicas"].as_u64().unwrap()
    );
    assert!(v.get("plan").is_none(), "the plan went to -o");
}

#[test]
fn bad_snapshot_names_file_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"version":1,"brokers":[{"id":0}],"topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0,4]}]}]}"#,
    )
    .unwrap();
    let plan = dir.path().join("plan.json");
    let out = kplan(&[
        "generate",
        "--snapshot",
        bad.to_str().unwrap(),
        "-o",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.json: at topics[0].partitions[0].replicas"),
        "{err}"
    );
    assert!(err.contains("broker 4"), "{err}");
    assert!(!plan.exists(), "nothing written on error");
}

#[test]
fn infeasible_request_exits_one_with_reason() {
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "--decommission",
        "0-2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("topic T0 needs replication factor 2 but only 1 broker(s) may host it"),
        "{err}"
    );
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "--brokers",
        "5-2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("backwards"));
    let out = kplan(&["generate", "--help"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes:"));
}

/// A snapshot where topic `clicks` sits on brokers 1 and 2 only and `orders` on 3 and 4: every
/// band is met, so only `--spread-topics` copies data to spread `clicks`.
fn lopsided_snapshot(dir: &Path) -> PathBuf {
    let partition = |p: usize, a: i32, b: i32| {
        let (x, y) = if p.is_multiple_of(2) { (a, b) } else { (b, a) };
        serde_json::json!({"partition": p, "replicas": [x, y], "size_bytes": 1_000_000_000u64,
            "bytes_in_per_sec": 1_000_000, "bytes_out_per_sec": 2_000_000})
    };
    let topic = |name: &str, a: i32, b: i32| {
        let parts: Vec<_> = (0..8).map(|p| partition(p, a, b)).collect();
        serde_json::json!({"name": name, "partitions": parts})
    };
    let snapshot = serde_json::json!({
        "version": 1,
        "cluster_id": "lopsided",
        "brokers": (1..=4).map(|id| serde_json::json!({"id": id})).collect::<Vec<_>>(),
        "topics": [topic("clicks", 1, 2), topic("orders", 3, 4)],
    });
    let path = dir.join("lopsided.json");
    std::fs::write(&path, snapshot.to_string()).unwrap();
    path
}

/// Replicas and leaders of `topic` per broker after `plan` (a reassignment JSON) on `snapshot`.
fn topic_counts(
    snapshot: &Path,
    plan: &serde_json::Value,
    topic: &str,
) -> Vec<(i64, usize, usize)> {
    let snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(snapshot).unwrap()).unwrap();
    let t = snap["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == topic)
        .unwrap();
    let mut lists: Vec<Vec<i64>> = t["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["replicas"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_i64().unwrap())
                .collect()
        })
        .collect();
    for e in plan["partitions"].as_array().unwrap() {
        if e["topic"] == topic {
            let p = e["partition"].as_u64().unwrap() as usize;
            lists[p] = e["replicas"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_i64().unwrap())
                .collect();
        }
    }
    (1..=4)
        .map(|b| {
            let replicas = lists.iter().filter(|l| l.contains(&b)).count();
            let leaders = lists.iter().filter(|l| l[0] == b).count();
            (b, replicas, leaders)
        })
        .collect()
}

#[test]
fn spread_topics_copies_data_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = lopsided_snapshot(dir.path());
    let plan_path = dir.path().join("plan.json");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "generate",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "-o",
            plan_path.to_str().unwrap(),
            "--output",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = kplan(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
        (summary, plan)
    };
    // By default spread is a tie-breaker: no clicks replica changes broker.
    let (summary, plan) = run(&[]);
    assert_eq!(summary["replicas_moved"], 0, "{summary}");
    let before = topic_counts(&snapshot, &plan, "clicks");
    assert!(before.iter().any(|&(_, r, _)| r == 0), "{before:?}");

    let (summary, plan) = run(&["--spread-topics", "click.*"]);
    // 16 replicas over 4 brokers: within one of 4 is 3..=5; 8 leaders: 1..=3.
    for (b, replicas, leaders) in topic_counts(&snapshot, &plan, "clicks") {
        assert!(
            (3..=5).contains(&replicas),
            "broker {b}: {replicas} clicks replicas"
        );
        assert!(
            (1..=3).contains(&leaders),
            "broker {b}: leads {leaders} clicks partitions"
        );
    }
    let goal = summary["goals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["goal"] == "topic-spread")
        .unwrap()
        .clone();
    assert_eq!(goal["status"], "met", "{goal}");
    let detail = goal["detail"].as_str().unwrap();
    assert!(
        detail.contains("--spread-topics") && detail.contains("extra replica move"),
        "{detail}"
    );
    assert!(
        summary["replicas_moved"].as_u64().unwrap() >= 6,
        "{summary}"
    );
}

/// Paths of the plan entries' directories for `broker`, from plan text.
fn dirs_on(plan: &serde_json::Value, broker: i64) -> Vec<String> {
    let mut out = Vec::new();
    for e in plan["partitions"].as_array().unwrap() {
        let replicas = e["replicas"].as_array().unwrap();
        let dirs = e["log_dirs"].as_array().unwrap();
        for (b, d) in replicas.iter().zip(dirs) {
            if b.as_i64() == Some(broker) {
                out.push(d.as_str().unwrap().to_owned());
            }
        }
    }
    out
}

#[test]
fn jbod_plans_directories_with_the_brokers() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let run = |extra: &[&str]| {
        let snapshot = fixture("jbod.json");
        let plan = plan.to_str().unwrap().to_owned();
        let mut args = vec!["generate", "--snapshot", &snapshot, "-o", &plan];
        args.extend(extra);
        let out = kplan(&args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let text = std::fs::read_to_string(dir.path().join("plan.json")).unwrap_or_default();
        (out.status.code(), stderr, text)
    };
    let (code, stderr, text) = run(&[]);
    assert_eq!(code, Some(0), "{stderr}");
    golden("jbod.plan.json", &text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Broker 3 is new: every replica it receives has a directory.
    let new = dirs_on(&v, 3);
    assert!(
        !new.is_empty() && new.iter().all(|d| d.starts_with("/data/d0")),
        "{new:?}"
    );
    // Broker 1's /data/d03 is cordoned: nothing lands there.
    assert!(!dirs_on(&v, 1).contains(&"/data/d03".to_owned()), "{text}");
    assert!(stderr.contains("log dir moves (intra-broker"), "{stderr}");
    assert!(stderr.contains("fullest dir after"), "{stderr}");
    assert!(stderr.contains("log-dirs"), "the goal row:\n{stderr}");

    // Emptying broker 0's /data/d01: its replicas that stay on broker 0 go elsewhere.
    let (code, stderr, text) = run(&["--remove-log-dirs", "0:/data/d01"]);
    assert_eq!(code, Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(!dirs_on(&v, 0).contains(&"/data/d01".to_owned()), "{text}");

    // Brokers only.
    let (code, stderr, text) = run(&["--no-log-dirs"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!text.contains("/data/"), "{text}");
    assert!(!stderr.contains("fullest dir after"), "{stderr}");

    // A directory the broker does not have.
    std::fs::remove_file(&plan).unwrap();
    let (code, stderr, _) = run(&["--remove-log-dirs", "0:/data/d09"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("--remove-log-dirs names /data/d09 on broker 0, which is not one of its log dirs (/data/d01, /data/d02, /data/d03)"),
        "{stderr}"
    );
    assert!(!plan.exists(), "nothing written on error");
}
