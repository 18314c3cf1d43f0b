//! What the real-Kafka test binaries share: whether to run, one cluster per binary, and small admin
//! helpers that talk Kafka's protocol directly (never through kplan, which is what is under test).
//!
//! Tests of one binary share its cluster and run one at a time (a lock), because broker throttle
//! rates are cluster state: two executes at once would see each other's throttles. Each test
//! uses topics of its own. Destructive fault tests live in a binary of their own, with their own
//! cluster.

#![allow(dead_code)] // each binary uses part of it

pub mod wire;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use kafka_harness::{ClusterSpec, RealCluster};

pub use wire::*;

/// Whether real-Kafka tests run here. They always run in CI; locally `KPLAN_SKIP_REAL_KAFKA=1`
/// skips them (they start JVMs and take minutes).
pub fn enabled(test: &str) -> bool {
    let skip = std::env::var("KPLAN_SKIP_REAL_KAFKA").is_ok_and(|v| v == "1");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    if skip && ci {
        panic!("KPLAN_SKIP_REAL_KAFKA=1 is set in CI: real-Kafka tests are never skipped there");
    }
    if skip {
        eprintln!("{test}: skipped (KPLAN_SKIP_REAL_KAFKA=1)");
    }
    !skip
}

/// The cluster the tests of one binary share, and a scratch directory.
pub struct Fixture {
    pub cluster: RealCluster,
    pub scratch: tempfile::TempDir,
}

static SHARED: OnceLock<Mutex<Fixture>> = OnceLock::new();

/// The binary's shared cluster (started on first use: node 0 broker+controller, brokers 1–4,
/// two racks, two log dirs each), locked for the calling test. A test that panicked while holding
/// it does not stop the others: the lock's poison is ignored, every test uses its own topics.
pub fn shared() -> MutexGuard<'static, Fixture> {
    let m = SHARED.get_or_init(|| Mutex::new(Fixture::start(&ClusterSpec::kraft(4))));
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Fixture {
    pub fn start(spec: &ClusterSpec) -> Self {
        Self::start_with_scratch(spec, tempfile::tempdir().unwrap())
    }

    /// Starts `spec` with a scratch directory made beforehand (one the spec's files live in).
    pub fn start_with_scratch(spec: &ClusterSpec, scratch: tempfile::TempDir) -> Self {
        let t = Instant::now();
        let cluster = RealCluster::start(spec).unwrap_or_else(|e| panic!("starting Kafka: {e}"));
        eprintln!(
            "real Kafka: {} brokers ready in {:.1}s at {}",
            cluster.broker_ids().len(),
            t.elapsed().as_secs_f64(),
            cluster.bootstrap()
        );
        Fixture { cluster, scratch }
    }

    pub fn bs(&self) -> String {
        self.cluster.bootstrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.scratch.path().join(name)
    }

    /// An address of a broker that runs (for the wire helpers).
    pub fn any_broker(&self) -> String {
        self.cluster
            .broker_ids()
            .into_iter()
            .filter(|b| self.cluster.state(*b) == Some(kafka_harness::NodeState::Running))
            .find_map(|b| self.cluster.broker_address(b))
            .expect("a running broker")
    }

    pub fn wire(&self) -> Wire {
        Wire::connect(&self.any_broker())
    }

    /// A connection to one broker: broker config resources must be asked of (and changed at)
    /// the broker itself, or Kafka answers INVALID_REQUEST ("Unexpected broker id").
    pub fn broker_wire(&self, broker: i32) -> Wire {
        Wire::connect(
            &self
                .cluster
                .broker_address(broker)
                .expect("a broker of the cluster"),
        )
    }

    /// The configs set dynamically on one broker.
    pub fn broker_configs(&self, broker: i32) -> std::collections::BTreeMap<String, String> {
        self.broker_wire(broker).broker_configs(broker)
    }

    /// Sets (`Some`) or deletes (`None`) dynamic configs of one broker.
    pub fn alter_broker(&self, broker: i32, ops: &[(&str, Option<&str>)]) {
        self.broker_wire(broker)
            .alter_configs(BROKER, &broker.to_string(), ops)
    }

    /// Creates `topic` with explicit replica lists and topic configs; waits until every
    /// partition has a leader.
    pub fn create_topic(&self, topic: &str, assignment: &[Vec<i32>], configs: &[(&str, &str)]) {
        self.wire().create_topic(topic, assignment, configs);
        self.wait_until(
            &format!("topic {topic} has leaders"),
            Duration::from_secs(60),
            || {
                self.wire().partitions(topic).is_some_and(|ps| {
                    ps.len() == assignment.len() && ps.iter().all(|p| p.leader >= 0)
                })
            },
        );
    }

    /// Produces `messages` records of `bytes` each into one partition with kcat and waits until
    /// they are acknowledged.
    pub fn produce(&self, topic: &str, partition: i32, messages: usize, bytes: usize) {
        let mut kcat = kcat_producer(&self.bs(), topic, Some(partition));
        {
            use std::io::Write;
            let stdin = kcat.stdin.as_mut().unwrap();
            let line = record(bytes);
            for _ in 0..messages {
                stdin.write_all(&line).unwrap();
            }
        }
        drop(kcat.stdin.take());
        let status = kcat.wait().unwrap();
        assert!(
            status.success(),
            "kcat produce into {topic}-{partition}: {status}"
        );
    }

    /// Polls `cond` every 200 ms until it holds; panics after `timeout` naming `what`.
    pub fn wait_until(&self, what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
        let start = Instant::now();
        while !cond() {
            assert!(
                start.elapsed() < timeout,
                "timed out after {timeout:?} waiting until {what}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until no reassignment runs in the cluster.
    pub fn wait_no_reassignment(&self, timeout: Duration) {
        self.wait_until("no reassignment runs", timeout, || {
            self.wire().reassignments().is_empty()
        });
    }

    /// Runs Kafka's `kafka-reassign-partitions` (ReassignPartitionsCommand) with
    /// `--bootstrap-server` added.
    pub fn kafka_reassign(&self, args: &[&str]) -> Output {
        let bs = self.bs();
        let mut all = vec!["--bootstrap-server", bs.as_str()];
        all.extend_from_slice(args);
        self.cluster
            .tool(
                "org.apache.kafka.tools.reassign.ReassignPartitionsCommand",
                &all,
            )
            .unwrap()
    }
}

/// One record: `bytes` − 1 characters and the newline kcat splits on.
pub fn record(bytes: usize) -> Vec<u8> {
    let mut line: Vec<u8> = (0..bytes.saturating_sub(1))
        .map(|i| b'a' + (i % 26) as u8)
        .collect();
    line.push(b'\n');
    line
}

/// A kcat producer reading records (one per line) on its stdin.
pub fn kcat_producer(bootstrap: &str, topic: &str, partition: Option<i32>) -> Child {
    let mut cmd = Command::new("kcat");
    cmd.args([
        "-P",
        "-b",
        bootstrap,
        "-t",
        topic,
        "-X",
        "linger.ms=5",
        "-X",
        "acks=all",
    ]);
    if let Some(p) = partition {
        cmd.args(["-p", &p.to_string()]);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("kcat runs (install it: apt-get install kcat)")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}
