//! `kplan snapshot` end to end against the simulated cluster: content, a broker that is down,
//! SASL PLAIN and SCRAM listeners, and the snapshot planning with `kplan generate` unchanged.

mod common;

use common::{kplan, snapshot, write_private};

use std::path::Path;

use kplan::files::SnapshotFile;
use kplan_sim::{Fault, SaslSpec, SimOptions, SimSpec, Simulator};

const MB: u64 = 1_000_000;

fn spec() -> SimSpec {
    let mut spec = SimSpec::with_brokers(4, 2)
        .topic("orders", 6, 2, 10 * MB, 100_000.0)
        .topic("clicks", 4, 3, 5 * MB, 50_000.0);
    spec.cluster_id = "snap-test".into();
    spec.topics[0].consumer_groups = 2;
    spec.topics[1].consumer_groups = 0;
    spec.topics[0]
        .configs
        .insert("min.insync.replicas".into(), "2".into());
    spec.broker_configs.insert(
        "1".into(),
        [(
            "leader.replication.throttled.rate".to_owned(),
            "5000000".to_owned(),
        )]
        .into(),
    );
    spec.users_for_sasl();
    spec
}

trait WithSasl {
    fn users_for_sasl(&mut self);
}

impl WithSasl for SimSpec {
    fn users_for_sasl(&mut self) {
        self.sasl = Some(SaslSpec {
            users: [("alice".to_owned(), "wonder-land".to_owned())].into(),
        });
    }
}

/// The brokers and racks of `spec()`, as the snapshot must record them.
fn assert_spec_racks(snap: &SnapshotFile) {
    let racks: Vec<(i32, Option<&str>)> = snap
        .brokers
        .iter()
        .map(|b| (b.id, b.rack.as_deref()))
        .collect();
    assert_eq!(
        racks,
        vec![
            (1, Some("rack-a")),
            (2, Some("rack-b")),
            (3, Some("rack-a")),
            (4, Some("rack-b"))
        ]
    );
}

/// The cluster, its time running with real time (traffic sampling measures over real seconds).
fn start(spec: &SimSpec) -> Simulator {
    Simulator::start(
        spec,
        SimOptions {
            speed: 1.0,
            base_port: 0,
        },
    )
    .unwrap()
}

fn read(path: &Path) -> SnapshotFile {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An ongoing, throttled reassignment that stays in flight during the capture.
fn start_a_throttled_move(sim: &Simulator) {
    sim.with_state_mut(|s| {
        s.topics
            .get_mut("clicks")
            .unwrap()
            .configs
            .insert("follower.replication.throttled.replicas".into(), "*".into());
        let current = s.partition("clicks", 0).unwrap().replicas.clone();
        // RF 3 on 4 brokers: exactly one broker does not hold clicks-0; move a replica there.
        let missing = (1..=4).find(|b| !current.contains(b)).unwrap();
        s.broker_configs
            .entry(missing.to_string())
            .or_default()
            .insert("follower.replication.throttled.rate".into(), "1".into());
        let mut target = current.clone();
        target[0] = missing;
        s.reassign("clicks", 0, Some(&target)).unwrap();
    });
}

/// Replicas, leaders, sizes and traffic of `orders` as the simulator holds them.
fn assert_orders_as_held(snap: &SnapshotFile, sim: &Simulator) {
    let orders = snap.topics.iter().find(|t| t.name == "orders").unwrap();
    assert_eq!(orders.partitions.len(), 6);
    assert_eq!(
        orders
            .configs
            .get("min.insync.replicas")
            .map(String::as_str),
        Some("2")
    );
    for p in &orders.partitions {
        let (replicas, leader) = sim.with_state(|s| {
            let sp = s.partition("orders", p.partition).unwrap();
            (sp.replicas.clone(), sp.leader)
        });
        assert_eq!(p.replicas, replicas);
        assert_eq!(p.leader, Some(leader));
        assert!(
            p.size_bytes >= 10 * MB && p.size_bytes < 12 * MB,
            "size {}",
            p.size_bytes
        );
        assert_eq!(p.log_dirs.len(), 2, "a log dir entry per replica");
        // 100 kB/s produced; sampling over real time at speed 1 recovers it within 10%.
        assert!(
            (p.bytes_in_per_sec - 100_000.0).abs() < 10_000.0,
            "bytes in {}",
            p.bytes_in_per_sec
        );
        // Two consumer groups read everything.
        assert!((p.bytes_out_per_sec - 2.0 * p.bytes_in_per_sec).abs() < 1.0);
    }
}

/// Throttle rates and the ongoing move are recorded.
fn assert_throttle_and_move_recorded(snap: &SnapshotFile) {
    assert_eq!(
        snap.broker_configs["1"]["leader.replication.throttled.rate"],
        "5000000"
    );
    assert_eq!(snap.reassignments.len(), 1);
    assert_eq!(
        (
            snap.reassignments[0].topic.as_str(),
            snap.reassignments[0].partition
        ),
        ("clicks", 0)
    );
    assert_eq!(snap.reassignments[0].adding.len(), 1);
}

#[test]
fn snapshot_records_what_the_cluster_holds_and_plans_unchanged() {
    let sim = start(&spec());
    start_a_throttled_move(&sim);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cluster.json");
    let res = snapshot(&sim.bootstrap(), "2s", &[], &out);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let snap = read(&out);

    assert_eq!(snap.cluster_id.as_deref(), Some("snap-test"));
    assert_spec_racks(&snap);
    assert_eq!(
        snap.capture.as_ref().unwrap().traffic_source,
        "end-offset-sampling"
    );
    assert_orders_as_held(&snap, &sim);
    let clicks = snap.topics.iter().find(|t| t.name == "clicks").unwrap();
    assert!(
        clicks.partitions.iter().all(|p| p.bytes_out_per_sec == 0.0),
        "no groups on clicks"
    );
    assert_throttle_and_move_recorded(&snap);

    // The snapshot plans unchanged.
    let plan = dir.path().join("plan.json");
    let res = kplan(&[
        "generate",
        "--snapshot",
        out.to_str().unwrap(),
        "--time-limit",
        "5s",
        "-o",
        plan.to_str().unwrap(),
    ]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
}

#[test]
fn a_broker_that_is_down_is_reported_and_strict_refuses() {
    let sim = start(&spec());
    sim.inject(Fault::BrokerDown(4));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cluster.json");
    let bootstrap = sim.broker_address(1).unwrap();
    let res = snapshot(&bootstrap, "1s", &[], &out);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{stderr}");
    assert!(stderr.contains("broker 4 is not answering"), "{stderr}");
    let snap = read(&out);
    let b4 = snap
        .brokers
        .iter()
        .find(|b| b.id == 4)
        .expect("broker 4 still listed");
    assert!(b4.offline);
    let with_4: Vec<_> = snap
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .filter(|p| p.replicas.contains(&4))
        .collect();
    assert!(!with_4.is_empty());
    assert!(with_4
        .iter()
        .all(|p| p.offline_replicas == vec![4] && p.leader != Some(4)));

    let res = snapshot(&bootstrap, "1s", &["--strict"], &out);
    assert_eq!(
        res.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
}

fn properties(dir: &Path, mechanism: &str, module: &str, password: &str) -> String {
    let p = dir.join(format!("{mechanism}.properties"));
    write_private(
        &p,
        &format!(
            "security.protocol=SASL_PLAINTEXT\nsasl.mechanism={mechanism}\n\
             sasl.jaas.config=org.apache.kafka.common.security.{module} required username=\"alice\" password=\"{password}\";\n"
        ),
    );
    p.to_str().unwrap().to_owned()
}

#[test]
fn sasl_plain_and_scram_listeners() {
    let sim = start(&spec());
    let sasl = sim.sasl_bootstrap().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cluster.json");
    for (mech, module) in [
        ("PLAIN", "plain.PlainLoginModule"),
        ("SCRAM-SHA-256", "scram.ScramLoginModule"),
        ("SCRAM-SHA-512", "scram.ScramLoginModule"),
    ] {
        let props = properties(dir.path(), mech, module, "wonder-land");
        let res = snapshot(&sasl, "0s", &["--command-config", &props], &out);
        assert!(
            res.status.success(),
            "{mech}: {}",
            String::from_utf8_lossy(&res.stderr)
        );
        assert_eq!(read(&out).topics.len(), 2, "{mech}");
    }
    // A wrong password fails, and the error never shows a password.
    let props = properties(
        dir.path(),
        "SCRAM-SHA-512",
        "scram.ScramLoginModule",
        "not-the-password",
    );
    let res = snapshot(&sasl, "0s", &["--command-config", &props], &out);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{stderr}");
    assert!(
        !stderr.contains("not-the-password") && !stderr.contains("wonder-land"),
        "{stderr}"
    );
    // The plaintext listener of a SASL cluster still works without credentials.
    let res = snapshot(&sim.bootstrap(), "0s", &[], &out);
    assert!(res.status.success());
}

#[test]
fn a_kafka_2_4_cluster_falls_back_to_metadata_and_broker_rack() {
    let mut spec = spec();
    spec.version = kplan_sim::KafkaVersion::V2_4;
    let sim = start(&spec);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cluster.json");
    let res = snapshot(&sim.bootstrap(), "0s", &[], &out);
    let stderr = String::from_utf8_lossy(&res.stderr);
    assert!(res.status.success(), "{stderr}");
    assert!(stderr.contains("predates DescribeCluster"), "{stderr}");
    let snap = read(&out);
    assert_spec_racks(&snap);
}
