//! A running KRaft cluster of real Kafka JVMs on 127.0.0.1.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use kafka_protocol::messages::MetadataRequest;

use crate::process_group::signal;
use crate::{ClusterSpec, HarnessError, KafkaJars, NodeSpec, ProcessGroup, WireClient};

/// How long a node may take to answer after its JVM starts (two cores shared with the build).
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// Whether a node's JVM runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeState {
    Running,
    Stopped,
}

struct Node {
    spec: NodeSpec,
    /// The PLAINTEXT listener every broker has (also inter-broker).
    client_port: Option<u16>,
    controller_port: Option<u16>,
    /// Extra listeners by name.
    listener_ports: BTreeMap<String, u16>,
    properties: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl Node {
    fn address(&self) -> Option<String> {
        self.client_port.map(|p| format!("127.0.0.1:{p}"))
    }
}

/// A started cluster. Dropping it kills every JVM it started and removes its data.
pub struct RealCluster {
    jars: KafkaJars,
    dir: PathBuf,
    cluster_id: String,
    nodes: BTreeMap<i32, Node>,
    heap_mb: u32,
    jvm_properties: BTreeMap<String, String>,
    scram_users: Vec<crate::ScramUser>,
    group: Option<ProcessGroup>,
}

/// A port the OS had free a moment ago.
fn free_port() -> Result<u16, HarnessError> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(HarnessError::io("finding a free port"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(HarnessError::io("finding a free port"))
}

/// A KRaft cluster id: 16 bytes, URL-safe base64 without padding, as `kafka-storage random-uuid`
/// prints. Unique enough for a test cluster (time and pid); it need not be unpredictable.
fn cluster_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut bytes = [0u8; 16];
    bytes[..12].copy_from_slice(&nanos.to_le_bytes()[..12]);
    bytes[12..].copy_from_slice(&std::process::id().to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // a version-4 UUID, as Kafka generates
                                         // Like Kafka's Uuid.randomUuid, never an id starting with '-' (62 in the alphabet): the
                                         // storage tool would read `--cluster-id -…` as a missing argument. The first character is
                                         // the top six bits of the first byte; with the top bit clear it is a letter.
    bytes[0] &= 0x7f;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out.push(ALPHABET[((acc >> bits) & 63) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (6 - bits)) & 63) as usize] as char);
    }
    out
}

/// JVM flags for a small machine: small heap, fast start (C1 only), one GC thread.
fn jvm_flags(heap_mb: u32) -> Vec<String> {
    vec![
        format!("-Xmx{heap_mb}m"),
        "-Xms64m".into(),
        "-XX:+UseSerialGC".into(),
        "-XX:TieredStopAtLevel=1".into(),
        "-XX:CICompilerCount=1".into(),
        "-Xss512k".into(),
        "-Djava.awt.headless=true".into(),
    ]
}

const NODE_LOG4J: &str = "\
status = error
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
";

const TOOL_LOG4J: &str = "\
status = error
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = err
";

impl RealCluster {
    /// Starts `spec` in a fresh directory under the system temp dir; the JVMs die with this
    /// process.
    pub fn start(spec: &ClusterSpec) -> Result<Self, HarnessError> {
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kplan-kafka-{}-{n}", std::process::id()));
        let group = ProcessGroup::watching(std::process::id(), Some(&dir))?;
        Self::start_in(spec, dir, group)
    }

    /// Starts `spec` in `dir` (created; must not hold a cluster already), its JVMs in `group`.
    pub fn start_in(
        spec: &ClusterSpec,
        dir: PathBuf,
        group: ProcessGroup,
    ) -> Result<Self, HarnessError> {
        spec.check().map_err(HarnessError::Spec)?;
        let jars = KafkaJars::ensure()?;
        std::fs::create_dir_all(&dir)
            .map_err(HarnessError::io(format!("creating {}", dir.display())))?;
        let mut cluster = RealCluster {
            jars,
            dir,
            cluster_id: cluster_id(),
            nodes: BTreeMap::new(),
            heap_mb: spec.heap_mb,
            jvm_properties: spec.jvm_properties.clone(),
            scram_users: spec.scram_users.clone(),
            group: Some(group),
        };
        cluster.write_configs(spec)?;
        cluster.format()?;
        let ids: Vec<i32> = cluster.nodes.keys().copied().collect();
        for id in &ids {
            cluster.spawn(*id)?;
        }
        cluster.wait_ready(&ids)?;
        Ok(cluster)
    }

    fn write_configs(&mut self, spec: &ClusterSpec) -> Result<(), HarnessError> {
        std::fs::write(self.dir.join("log4j2.properties"), NODE_LOG4J)
            .and_then(|_| std::fs::write(self.dir.join("tools-log4j2.properties"), TOOL_LOG4J))
            .map_err(HarnessError::io("writing log4j2 configs"))?;
        for n in &spec.nodes {
            let ports = (
                n.role.is_broker().then(free_port).transpose()?,
                n.role.is_controller().then(free_port).transpose()?,
            );
            let mut listener_ports = BTreeMap::new();
            if n.role.is_broker() {
                for l in &spec.listeners {
                    listener_ports.insert(l.name.clone(), free_port()?);
                }
            }
            let node_dir = self.dir.join(format!("node-{}", n.id));
            std::fs::create_dir_all(&node_dir)
                .map_err(HarnessError::io(format!("creating {}", node_dir.display())))?;
            self.nodes.insert(
                n.id,
                Node {
                    spec: n.clone(),
                    client_port: ports.0,
                    controller_port: ports.1,
                    listener_ports,
                    properties: node_dir.join("server.properties"),
                    log: node_dir.join("server.log"),
                    child: None,
                },
            );
        }
        let voters: Vec<String> = self
            .nodes
            .values()
            .filter_map(|n| {
                n.controller_port
                    .map(|p| format!("{}@127.0.0.1:{p}", n.spec.id))
            })
            .collect();
        let broker_count = spec.brokers().count();
        for node in self.nodes.values() {
            let text = node_properties(spec, node, &self.dir, &voters.join(","), broker_count);
            std::fs::write(&node.properties, text).map_err(HarnessError::io(format!(
                "writing {}",
                node.properties.display()
            )))?;
        }
        Ok(())
    }

    /// `kafka-storage format` for every node, in parallel; a node whose format fails is formatted
    /// once more on its own (a JVM can fail to start on a machine under load), then the error
    /// carries the tool's output, since the directory goes when the cluster is dropped.
    fn format(&mut self) -> Result<(), HarnessError> {
        let ids: Vec<i32> = self.nodes.keys().copied().collect();
        let mut running = Vec::new();
        for id in &ids {
            running.push((*id, self.spawn_format(*id, false)?));
        }
        let mut failed = Vec::new();
        for (id, mut child) in running {
            if !child.wait().is_ok_and(|s| s.success()) {
                failed.push(id);
            }
        }
        for id in failed {
            let ok = self
                .spawn_format(id, true)?
                .wait()
                .is_ok_and(|s| s.success());
            if !ok {
                let log = self.node(id)?.properties.with_file_name("format.log");
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let tail = text[text.len().saturating_sub(3000)..].to_owned();
                return Err(HarnessError::Format {
                    node: id,
                    log,
                    output: tail,
                });
            }
        }
        Ok(())
    }

    fn spawn_format(&self, id: i32, retry: bool) -> Result<Child, HarnessError> {
        let node = self.node(id)?;
        let log = node.properties.with_file_name("format.log");
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(HarnessError::io(format!("creating {}", log.display())))?;
        let mut cmd = self.java("kafka.tools.StorageTool", 256, "tools-log4j2.properties");
        cmd.args(["format", "--cluster-id", &self.cluster_id, "--config"])
            .arg(&node.properties)
            .args(self.scram_users.iter().flat_map(|u| {
                [
                    "--add-scram".to_owned(),
                    format!("{}=[name={},password={}]", u.mechanism, u.name, u.password),
                ]
            }))
            .stdout(out.try_clone().map_err(HarnessError::io("format log"))?)
            .stderr(out);
        if retry {
            // Whatever the first attempt wrote with the same cluster id is kept.
            cmd.arg("--ignore-formatted");
        }
        cmd.spawn()
            .map_err(HarnessError::io("running java (kafka-storage format)"))
    }

    /// A `java` command with the Kafka classpath, in the cluster's process group.
    fn java(&self, main_class: &str, heap_mb: u32, log4j: &str) -> Command {
        let mut cmd = Command::new("java");
        cmd.args(jvm_flags(heap_mb))
            .args(
                self.jvm_properties
                    .iter()
                    .map(|(k, v)| format!("-D{k}={v}")),
            )
            .arg(format!(
                "-Dlog4j2.configurationFile={}",
                self.dir.join(log4j).display()
            ))
            .arg("-cp")
            .arg(self.jars.classpath())
            .arg(main_class)
            .stdin(Stdio::null());
        if let Some(g) = &self.group {
            g.adopt(&mut cmd);
        }
        cmd
    }

    fn spawn(&mut self, id: i32) -> Result<(), HarnessError> {
        let node = self.node(id)?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&node.log)
            .map_err(HarnessError::io(format!("opening {}", node.log.display())))?;
        // The node's own log4j2 config: INFO into its server.log (the tools' config says WARN).
        let mut cmd = self.java("kafka.Kafka", self.heap_mb, "log4j2.properties");
        cmd.arg(&node.properties)
            .stdout(log.try_clone().map_err(HarnessError::io("node log"))?)
            .stderr(log);
        let child = cmd
            .spawn()
            .map_err(HarnessError::io(format!("starting node {id}")))?;
        self.nodes.get_mut(&id).expect("node exists").child = Some(child);
        Ok(())
    }

    fn node(&self, id: i32) -> Result<&Node, HarnessError> {
        self.nodes
            .get(&id)
            .ok_or_else(|| HarnessError::Spec(format!("the cluster has no node {id}")))
    }

    /// Waits until each of `ids` runs and every broker among them answers a Metadata request that
    /// lists all the running brokers.
    pub fn wait_ready(&mut self, ids: &[i32]) -> Result<(), HarnessError> {
        let start = Instant::now();
        let expected: Vec<i32> = self
            .nodes
            .values()
            .filter(|n| n.spec.role.is_broker() && n.child.is_some())
            .map(|n| n.spec.id)
            .collect();
        for &id in ids {
            loop {
                let node = self.nodes.get_mut(&id).expect("node exists");
                if let Some(child) = node.child.as_mut() {
                    if let Ok(Some(status)) = child.try_wait() {
                        let log = node.log.clone();
                        node.child = None;
                        return Err(HarnessError::Exited {
                            node: id,
                            status: status.to_string(),
                            log,
                        });
                    }
                }
                let Some(addr) = node.address() else {
                    // A controller alone: ready once a broker sees the quorum, checked below.
                    break;
                };
                let reason = match probe(&addr, &expected) {
                    Ok(()) => break,
                    Err(reason) => reason,
                };
                if start.elapsed() > READY_TIMEOUT {
                    return Err(HarnessError::NotReady {
                        node: id,
                        seconds: READY_TIMEOUT.as_secs(),
                        log: node.log.clone(),
                        reason,
                    });
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        }
        Ok(())
    }

    /// SIGKILLs a node (a crash: no controlled shutdown) and reaps it.
    pub fn kill(&mut self, id: i32) -> Result<(), HarnessError> {
        self.node(id)?;
        let node = self.nodes.get_mut(&id).expect("node exists");
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        Ok(())
    }

    /// SIGTERMs a node (controlled shutdown) and waits up to `grace` before SIGKILL.
    pub fn stop_node(&mut self, id: i32, grace: Duration) -> Result<(), HarnessError> {
        self.node(id)?;
        let node = self.nodes.get_mut(&id).expect("node exists");
        if let Some(mut child) = node.child.take() {
            signal(child.id(), "TERM");
            let until = Instant::now() + grace;
            while Instant::now() < until {
                if let Ok(Some(_)) = child.try_wait() {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Ok(())
    }

    /// Starts a stopped node again and waits until it answers.
    pub fn restart(&mut self, id: i32) -> Result<(), HarnessError> {
        self.start_node(id)?;
        self.wait_ready(&[id])
    }

    /// Starts a stopped node without waiting.
    pub fn start_node(&mut self, id: i32) -> Result<(), HarnessError> {
        if self.node(id)?.child.is_none() {
            self.spawn(id)?;
        }
        Ok(())
    }

    pub fn state(&self, id: i32) -> Option<NodeState> {
        self.nodes.get(&id).map(|n| {
            if n.child.is_some() {
                NodeState::Running
            } else {
                NodeState::Stopped
            }
        })
    }

    /// `host:port,…` of every broker's PLAINTEXT listener.
    pub fn bootstrap(&self) -> String {
        self.nodes
            .values()
            .filter_map(Node::address)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `host:port,…` of an extra listener.
    pub fn bootstrap_of(&self, listener: &str) -> String {
        self.nodes
            .values()
            .filter_map(|n| {
                n.listener_ports
                    .get(listener)
                    .map(|p| format!("127.0.0.1:{p}"))
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// One broker's PLAINTEXT address.
    pub fn broker_address(&self, id: i32) -> Option<String> {
        self.nodes.get(&id).and_then(Node::address)
    }

    pub fn broker_ids(&self) -> Vec<i32> {
        self.nodes
            .values()
            .filter(|n| n.spec.role.is_broker())
            .map(|n| n.spec.id)
            .collect()
    }

    /// The node ids that are controllers (quorum voters).
    pub fn controller_ids(&self) -> Vec<i32> {
        self.nodes
            .values()
            .filter(|n| n.spec.role.is_controller())
            .map(|n| n.spec.id)
            .collect()
    }

    pub fn cluster_id(&self) -> &str {
        &self.cluster_id
    }

    /// A broker's log directories, in `log.dirs` order.
    pub fn log_dirs(&self, id: i32) -> Vec<PathBuf> {
        self.nodes
            .get(&id)
            .and_then(|n| log_dirs_of(&n.properties))
            .map(|d| d.split(',').map(PathBuf::from).collect())
            .unwrap_or_default()
    }

    pub fn node_log(&self, id: i32) -> Option<&Path> {
        self.nodes.get(&id).map(|n| n.log.as_path())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs one of Kafka's command-line tools (a main class from `kafka-tools` or `kafka_2.13`,
    /// e.g. `org.apache.kafka.tools.reassign.ReassignPartitionsCommand`) to completion.
    pub fn tool(&self, main_class: &str, args: &[&str]) -> Result<Output, HarnessError> {
        self.java(main_class, 256, "tools-log4j2.properties")
            .args(args)
            .output()
            .map_err(HarnessError::io(format!("running {main_class}")))
    }

    /// Kills every JVM (and tool) of the cluster and removes its directory.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        for node in self.nodes.values_mut() {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if let Some(mut g) = self.group.take() {
            g.kill_all();
        }
    }

    /// Hands the JVMs over to the watchdog for good (a cluster a person started from the command
    /// line): returns the group id that [`ProcessGroup::terminate`] stops.
    pub fn detach(mut self) -> u32 {
        for node in self.nodes.values_mut() {
            node.child.take();
        }
        self.group.take().map_or(0, ProcessGroup::detach)
    }
}

impl Drop for RealCluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Asks `addr` for Metadata; ready when every expected broker is listed.
fn probe(addr: &str, expected: &[i32]) -> Result<(), String> {
    let mut c = WireClient::connect(addr, Duration::from_secs(2)).map_err(|e| e.to_string())?;
    let r = c
        .send(&MetadataRequest::default().with_topics(Some(vec![])), 12)
        .map_err(|e| e.to_string())?;
    let listed: Vec<i32> = r.brokers.iter().map(|b| b.node_id.0).collect();
    let missing: Vec<i32> = expected
        .iter()
        .copied()
        .filter(|b| !listed.contains(b))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("brokers {missing:?} not registered yet"))
    }
}

fn node_properties(
    spec: &ClusterSpec,
    node: &Node,
    root: &Path,
    voters: &str,
    brokers: usize,
) -> String {
    let n = &node.spec;
    let node_dir = root.join(format!("node-{}", n.id));
    let mut listeners = Vec::new();
    let mut protocols = vec!["CONTROLLER:PLAINTEXT".to_owned()];
    let mut advertised = Vec::new();
    if let Some(p) = node.client_port {
        listeners.push(format!("CLIENT://127.0.0.1:{p}"));
        advertised.push(format!("CLIENT://127.0.0.1:{p}"));
        protocols.push("CLIENT:PLAINTEXT".into());
    }
    for l in &spec.listeners {
        if let Some(p) = node.listener_ports.get(&l.name) {
            listeners.push(format!("{}://127.0.0.1:{p}", l.name));
            advertised.push(format!("{}://127.0.0.1:{p}", l.name));
            protocols.push(format!("{}:{}", l.name, l.security_protocol));
        }
    }
    if let Some(p) = node.controller_port {
        listeners.push(format!("CONTROLLER://127.0.0.1:{p}"));
    }
    let log_dirs: Vec<String> = if n.role.is_broker() {
        (0..spec.log_dirs_per_broker)
            .map(|i| node_dir.join(format!("data-{i}")).display().to_string())
            .collect()
    } else {
        vec![node_dir.join("metadata").display().to_string()]
    };

    let mut s = String::new();
    // A multi-line value (inline PEM) is one line with `\n` escapes, as Java reads it.
    let mut put = |k: &str, v: &str| {
        let _ = writeln!(s, "{k}={}", v.replace('\n', "\\n"));
    };
    put("process.roles", n.role.process_roles());
    put("node.id", &n.id.to_string());
    put("controller.quorum.voters", voters);
    put("controller.listener.names", "CONTROLLER");
    put("listeners", &listeners.join(","));
    if !advertised.is_empty() {
        put("advertised.listeners", &advertised.join(","));
        put("inter.broker.listener.name", "CLIENT");
    }
    put("listener.security.protocol.map", &protocols.join(","));
    put("log.dirs", &log_dirs.join(","));
    if let Some(rack) = &n.rack {
        if n.role.is_broker() {
            put("broker.rack", rack);
        }
    }
    for (k, v) in ClusterSpec::test_defaults(brokers) {
        put(k, &v);
    }
    for l in &spec.listeners {
        for (k, v) in &l.properties {
            put(&format!("listener.name.{}.{k}", l.name.to_lowercase()), v);
        }
    }
    for (k, v) in &spec.properties {
        put(k, v);
    }
    s
}

fn property(path: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .map(str::to_owned)
}

fn log_dirs_of(path: &Path) -> Option<String> {
    property(path, "log.dirs")
}
