//! `kplan snapshot`'s work: read a live cluster through [`KafkaAdmin`] into a snapshot file.
//!
//! Traffic without a metrics pipeline: end offsets are read twice, `sample` apart; messages per
//! second times the average message size (log size ÷ (end − start offsets)) estimates bytes in
//! per partition, and bytes out is bytes in times the number of consumer groups with committed
//! offsets on the topic (each group reads everything once).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::admin_types::*;
use super::{KafkaAdmin, KafkaError, OffsetSample};
use crate::files::{
    BrokerCapacity, BrokerEntry, CaptureInfo, LogDirEntry, PartitionEntry, ReassignmentEntry,
    ReplicaLogDir, SnapshotFile, TopicEntry,
};
use crate::model::{BrokerId, TopicPartition};
use crate::stable_hash::stable_hash;

/// Topic configs worth keeping in a snapshot.
const TOPIC_KEYS: [&str; 6] = [
    "min.insync.replicas",
    "retention.ms",
    "retention.bytes",
    "cleanup.policy",
    "leader.replication.throttled.replicas",
    "follower.replication.throttled.replicas",
];

/// The broker config listing the directories that take no new replicas (KIP-1066).
const CORDONED_LOG_DIRS: &str = "cordoned.log.dirs";

/// Broker configs worth keeping.
const BROKER_KEYS: [&str; 3] = [
    "leader.replication.throttled.rate",
    "follower.replication.throttled.rate",
    "replica.alter.log.dirs.io.max.bytes.per.second",
];

/// Where traffic numbers come from.
#[derive(Clone, Debug)]
pub enum TrafficInput {
    /// Sample end offsets over this window.
    Sample(Duration),
    /// Per-topic bytes in per second from a file (Prometheus dump or CSV), spread evenly over
    /// the topic's partitions; `source` names the format.
    Imported {
        source: &'static str,
        bytes_in: BTreeMap<String, f64>,
    },
}

#[derive(Clone, Debug)]
pub struct CaptureOptions {
    pub topics: Option<regex::Regex>,
    pub traffic: TrafficInput,
    pub capacity: BTreeMap<i32, BrokerCapacity>,
    /// Fail when a broker does not answer, instead of marking its replicas offline.
    pub strict: bool,
}

/// What the capture reports as it goes.
pub enum CaptureEvent<'a> {
    Stage(&'a str),
    Sampling { elapsed: Duration, total: Duration },
    Warning(String),
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Reads the cluster into a snapshot, in stages: brokers and topics, log dirs, configs,
/// ongoing reassignments, traffic, consumer fan-out.
pub async fn capture<A: KafkaAdmin>(
    admin: &A,
    options: &CaptureOptions,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<SnapshotFile, KafkaError> {
    let (cluster, topics) = describe(admin, options, events).await?;
    let live: BTreeSet<BrokerId> = cluster.brokers.iter().map(|b| b.id).collect();
    let live: Vec<BrokerId> = live.into_iter().collect();
    let down = down_brokers(&topics, &live, options.strict, events)?;
    let dirs = log_dirs(admin, &live, options.strict, events).await?;
    hidden_topics(&topics, &dirs, options, events)?;
    let configs = configs(admin, &topics, &live, options.strict, events).await?;
    let reassignments = reassignments(admin, &topics, events).await?;
    let traffic = traffic(admin, &topics, &dirs, &options.traffic, events).await?;
    let fan_out = fan_out(admin, options.strict, events).await?;
    Ok(SnapshotFile {
        version: 1,
        brokers: broker_entries(&cluster, &down, &dirs, &configs, &options.capacity),
        topics: topic_entries(topics, &down, &dirs, configs.topics, &traffic, &fan_out),
        capture: Some(CaptureInfo {
            captured_at_ms: now_ms(),
            controller: cluster.controller.map(|b| b.0),
            traffic_source: traffic.source.to_owned(),
            sample_seconds: traffic.sample_seconds.map(round2),
            anonymized: false,
        }),
        cluster_id: (!cluster.cluster_id.is_empty()).then_some(cluster.cluster_id),
        broker_configs: configs.brokers,
        reassignments,
    })
}

/// The live brokers and the topics the options keep. A cluster older than DescribeCluster
/// (Kafka < 2.8) gets its brokers from the replica lists.
async fn describe<A: KafkaAdmin>(
    admin: &A,
    options: &CaptureOptions,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<(ClusterInfo, Vec<TopicState>), KafkaError> {
    events(CaptureEvent::Stage("describing the cluster"));
    let described = admin.describe_cluster().await;

    events(CaptureEvent::Stage("describing topics"));
    let all_topics = admin.describe_topics(None).await?;
    let cluster = match described {
        Ok(c) => c,
        Err(e) if e.to_string().contains("UnknownApiVersion") => {
            events(CaptureEvent::Warning(
                "the cluster predates DescribeCluster (Kafka < 2.8): brokers are taken from the replica lists \
                 and racks from each broker's broker.rack config; a broker that holds no replica is not seen"
                    .into(),
            ));
            fallback_cluster(admin, &all_topics).await?
        }
        Err(e) => return Err(e),
    };
    let topics = all_topics
        .into_iter()
        .filter(|t| {
            options
                .topics
                .as_ref()
                .is_none_or(|re| re.is_match(&t.name))
        })
        .collect();
    Ok((cluster, topics))
}

/// Brokers named by replicas but not alive: down at capture time (an error with `strict`).
fn down_brokers(
    topics: &[TopicState],
    live: &[BrokerId],
    strict: bool,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<BTreeSet<BrokerId>, KafkaError> {
    let down: BTreeSet<BrokerId> = topics
        .iter()
        .flat_map(|t| &t.partitions)
        .flat_map(|p| p.replicas.iter().copied())
        .filter(|b| !live.contains(b))
        .collect();
    if let (Some(b), true) = (down.first(), strict) {
        return Err(KafkaError::Api {
            api: "DescribeCluster",
            broker: Some(b.0),
            message: "broker is not alive (--strict)".into(),
        });
    }
    for b in &down {
        events(CaptureEvent::Warning(format!(
            "broker {b} is not answering: its replicas are marked offline and its rack is unknown \
             (plan with --decommission {b}, or --disable-rack-aware)"
        )));
    }
    Ok(down)
}

/// What DescribeLogDirs said: each partition's replicas with their directory and size, each
/// broker's volume size (v4+) and its directories.
struct LogDirs {
    replicas: BTreeMap<TopicPartition, Vec<ReplicaLogDir>>,
    volume: BTreeMap<i32, u64>,
    dirs: BTreeMap<i32, Vec<LogDirInfo>>,
}

impl LogDirs {
    /// A partition's size: the leader's replica (the copy source), else the largest replica.
    fn size(&self, tp: &TopicPartition, leader: Option<BrokerId>) -> u64 {
        let Some(dirs) = self.replicas.get(tp) else {
            return 0;
        };
        leader
            .and_then(|l| dirs.iter().find(|d| d.broker == l.0))
            .map(|d| d.size_bytes)
            .unwrap_or_else(|| dirs.iter().map(|d| d.size_bytes).max().unwrap_or(0))
    }
}

async fn log_dirs<A: KafkaAdmin>(
    admin: &A,
    live: &[BrokerId],
    strict: bool,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<LogDirs, KafkaError> {
    events(CaptureEvent::Stage("describing log dirs"));
    let mut out = LogDirs {
        replicas: BTreeMap::new(),
        volume: BTreeMap::new(),
        dirs: BTreeMap::new(),
    };
    for (broker, result) in admin.describe_log_dirs(live).await? {
        match result {
            Ok(d) => {
                if let Some(t) = d.total_bytes {
                    out.volume.insert(broker.0, t);
                }
                for dir in d.dirs.iter().filter(|d| d.error.is_some()) {
                    events(CaptureEvent::Warning(format!(
                        "broker {broker} cannot use log dir {}: it is recorded offline",
                        dir.path
                    )));
                }
                out.dirs.insert(broker.0, d.dirs);
                for r in d.replicas.into_iter().filter(|r| !r.is_future) {
                    out.replicas.entry(r.tp).or_default().push(ReplicaLogDir {
                        broker: broker.0,
                        log_dir: r.log_dir,
                        size_bytes: r.size,
                    });
                }
            }
            Err(e) if strict => return Err(e),
            Err(e) => events(CaptureEvent::Warning(format!(
                "{e}; sizes from this broker are missing"
            ))),
        }
    }
    Ok(out)
}

/// Topics the brokers hold replicas of (DescribeLogDirs lists every replica) that Metadata did
/// not list: the principal may not `Describe` them, and Kafka hides such topics instead of
/// refusing. A snapshot without them would plan brokers as emptier than they are, so they are
/// named — a warning, an error with `--strict`; `--topics` leaves them out on purpose.
fn hidden_topics(
    topics: &[TopicState],
    dirs: &LogDirs,
    options: &CaptureOptions,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<(), KafkaError> {
    let seen: BTreeSet<&str> = topics.iter().map(|t| t.name.as_str()).collect();
    let mut hidden: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    for (tp, replicas) in &dirs.replicas {
        let wanted = options
            .topics
            .as_ref()
            .is_none_or(|re| re.is_match(&tp.topic));
        if wanted && !seen.contains(tp.topic.as_str()) {
            let e = hidden.entry(tp.topic.as_str()).or_default();
            e.0 += replicas.len();
            e.1 += replicas.iter().map(|r| r.size_bytes).sum::<u64>();
        }
    }
    if hidden.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = hidden.keys().copied().collect();
    let shown = if names.len() > 5 {
        format!("{} (and {} more)", names[..5].join(", "), names.len() - 5)
    } else {
        names.join(", ")
    };
    let (replicas, bytes) = hidden
        .values()
        .fold((0, 0), |(r, b), (r2, b2)| (r + r2, b + b2));
    let missing = super::MissingAcl {
        operation: super::AclOperation::Describe,
        resource: super::AclResource::Topic(shown),
        purpose: format!(
            "the brokers hold {replicas} replica(s), {bytes} bytes, of them but Metadata hides them, so the snapshot and a plan made from it would not see them; grant it, or leave them out with --topics"
        ),
    };
    if options.strict {
        return Err(KafkaError::NotAuthorized {
            principal: None,
            missing,
        });
    }
    events(CaptureEvent::Warning(format!(
        "not authorized: this principal lacks {missing}"
    )));
    Ok(())
}

/// The configs a snapshot keeps: topic configs that matter to moves, and the throttle-related
/// configs set dynamically on each broker (sensitive values never); and each broker's cordoned
/// log dirs (`cordoned.log.dirs`, KIP-1066), wherever they are set.
struct Configs {
    topics: BTreeMap<String, BTreeMap<String, String>>,
    brokers: BTreeMap<String, BTreeMap<String, String>>,
    cordoned: BTreeMap<i32, BTreeSet<String>>,
}

async fn configs<A: KafkaAdmin>(
    admin: &A,
    topics: &[TopicState],
    live: &[BrokerId],
    strict: bool,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<Configs, KafkaError> {
    events(CaptureEvent::Stage("describing configs"));
    let mut targets: Vec<ConfigTarget> = topics
        .iter()
        .map(|t| ConfigTarget::Topic(t.name.clone()))
        .collect();
    targets.extend(live.iter().map(|b| ConfigTarget::Broker(*b)));
    let mut out = Configs {
        topics: BTreeMap::new(),
        brokers: BTreeMap::new(),
        cordoned: BTreeMap::new(),
    };
    for (target, result) in admin.describe_configs(&targets).await? {
        let values = match result {
            Ok(v) => v,
            Err(e) if strict => return Err(e),
            Err(e) => {
                events(CaptureEvent::Warning(e.to_string()));
                continue;
            }
        };
        match target {
            ConfigTarget::Topic(name) => {
                let kept = kept_values(values, |k, v| {
                    TOPIC_KEYS.contains(&k) && v.value.as_deref().is_some_and(|x| !x.is_empty())
                });
                out.topics.insert(name, kept);
            }
            ConfigTarget::Broker(b) => {
                if let Some(list) = values
                    .get(CORDONED_LOG_DIRS)
                    .and_then(|v| v.value.as_deref())
                {
                    let paths = list.split(',').map(str::trim).filter(|p| !p.is_empty());
                    out.cordoned.insert(b.0, paths.map(str::to_owned).collect());
                }
                let kept = kept_values(values, |k, v| {
                    BROKER_KEYS.contains(&k) && v.dynamic_here && !v.sensitive
                });
                if !kept.is_empty() {
                    out.brokers.insert(b.to_string(), kept);
                }
            }
            ConfigTarget::BrokerDefault => {}
        }
    }
    Ok(out)
}

/// The values of the keys `keep` accepts.
fn kept_values(
    values: BTreeMap<String, ConfigValue>,
    keep: impl Fn(&str, &ConfigValue) -> bool,
) -> BTreeMap<String, String> {
    values
        .into_iter()
        .filter(|(k, v)| keep(k, v))
        .filter_map(|(k, v)| v.value.map(|x| (k, x)))
        .collect()
}

/// Ongoing reassignments of the kept topics.
async fn reassignments<A: KafkaAdmin>(
    admin: &A,
    topics: &[TopicState],
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<Vec<ReassignmentEntry>, KafkaError> {
    events(CaptureEvent::Stage("listing reassignments"));
    let ids = |v: &[BrokerId]| v.iter().map(|b| b.0).collect();
    Ok(admin
        .list_reassignments()
        .await?
        .into_iter()
        .filter(|(tp, _)| topics.iter().any(|t| t.name == tp.topic))
        .map(|(tp, r)| ReassignmentEntry {
            topic: tp.topic,
            partition: tp.partition,
            replicas: ids(&r.replicas),
            adding: ids(&r.adding),
            removing: ids(&r.removing),
        })
        .collect())
}

/// Bytes in per partition, and where the numbers come from.
struct Traffic {
    bytes_in: BTreeMap<TopicPartition, f64>,
    source: &'static str,
    sample_seconds: Option<f64>,
}

async fn traffic<A: KafkaAdmin>(
    admin: &A,
    topics: &[TopicState],
    dirs: &LogDirs,
    input: &TrafficInput,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<Traffic, KafkaError> {
    match input {
        TrafficInput::Imported { source, bytes_in } => Ok(Traffic {
            bytes_in: spread_over_partitions(topics, bytes_in),
            source,
            sample_seconds: None,
        }),
        TrafficInput::Sample(window) => sample_traffic(admin, topics, dirs, *window, events).await,
    }
}

/// Per-topic rates spread evenly over the topic's partitions.
fn spread_over_partitions(
    topics: &[TopicState],
    bytes_in: &BTreeMap<String, f64>,
) -> BTreeMap<TopicPartition, f64> {
    let mut out = BTreeMap::new();
    for t in topics {
        if let Some(rate) = bytes_in.get(&t.name) {
            let n = t.partitions.len().max(1) as f64;
            for p in &t.partitions {
                out.insert(TopicPartition::new(t.name.clone(), p.partition), rate / n);
            }
        }
    }
    out
}

/// End offsets read twice, `window` apart: messages per second × the average message size.
async fn sample_traffic<A: KafkaAdmin>(
    admin: &A,
    topics: &[TopicState],
    dirs: &LogDirs,
    window: Duration,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<Traffic, KafkaError> {
    events(CaptureEvent::Stage("sampling end offsets"));
    let led: Vec<TopicPartition> = topics
        .iter()
        .flat_map(|t| {
            t.partitions
                .iter()
                .filter(|p| p.leader.is_some())
                .map(|p| TopicPartition::new(t.name.clone(), p.partition))
        })
        .collect();
    let sample = OffsetSample::take(admin, &led, window, &mut |elapsed, total| {
        events(CaptureEvent::Sampling { elapsed, total })
    })
    .await?;
    let mut bytes_in = BTreeMap::new();
    let mut failures = 0usize;
    for t in topics {
        for p in &t.partitions {
            let tp = TopicPartition::new(t.name.clone(), p.partition);
            match sample.bytes_in(&tp, dirs.size(&tp, p.leader)) {
                Some(rate) => {
                    bytes_in.insert(tp, rate);
                }
                None if p.leader.is_some() => failures += 1,
                None => {}
            }
        }
    }
    if failures > 0 {
        events(CaptureEvent::Warning(format!(
            "ListOffsets failed for {failures} partitions; their traffic is recorded as 0"
        )));
    }
    Ok(Traffic {
        bytes_in,
        source: "end-offset-sampling",
        sample_seconds: Some(sample.elapsed),
    })
}

/// Per topic, the consumer groups with committed offsets on it (each reads everything once).
async fn fan_out<A: KafkaAdmin>(
    admin: &A,
    strict: bool,
    events: &mut dyn FnMut(CaptureEvent),
) -> Result<BTreeMap<String, usize>, KafkaError> {
    events(CaptureEvent::Stage("counting consumer groups"));
    let mut fan_out: BTreeMap<String, usize> = BTreeMap::new();
    match admin.group_topics().await {
        Ok(groups) => {
            for t in groups.values().flatten() {
                *fan_out.entry(t.clone()).or_default() += 1;
            }
        }
        Err(e) if strict => return Err(e),
        Err(e) => events(CaptureEvent::Warning(format!(
            "{e}; bytes out is recorded as 0"
        ))),
    }
    Ok(fan_out)
}

/// Live brokers, then the down ones (offline, rack unknown), by id.
fn broker_entries(
    cluster: &ClusterInfo,
    down: &BTreeSet<BrokerId>,
    dirs: &LogDirs,
    configs: &Configs,
    capacity: &BTreeMap<i32, BrokerCapacity>,
) -> Vec<BrokerEntry> {
    let mut brokers: Vec<BrokerEntry> = cluster
        .brokers
        .iter()
        .map(|b| BrokerEntry {
            id: b.id.0,
            rack: b.rack.clone(),
            host: (!b.host.is_empty()).then(|| b.host.clone()),
            port: (b.port >= 0).then_some(b.port),
            offline: false,
            // --capacity wins; otherwise the log dir volume size the broker reports (v4+).
            capacity: capacity.get(&b.id.0).cloned().or_else(|| {
                dirs.volume.get(&b.id.0).map(|t| BrokerCapacity {
                    disk_bytes: Some(*t),
                    network_in_bytes_per_sec: None,
                    network_out_bytes_per_sec: None,
                })
            }),
            log_dirs: log_dir_entries(
                dirs.dirs.get(&b.id.0).map_or(&[], Vec::as_slice),
                configs.cordoned.get(&b.id.0),
            ),
        })
        .collect();
    brokers.extend(down.iter().map(|b| BrokerEntry {
        id: b.0,
        rack: None,
        host: None,
        port: None,
        offline: true,
        capacity: capacity.get(&b.0).cloned(),
        log_dirs: Vec::new(),
    }));
    brokers.sort_by_key(|b| b.id);
    brokers
}

/// A broker's directories for the snapshot: cordoned when DescribeLogDirs (v5+) or the broker's
/// `cordoned.log.dirs` says so, offline when the broker cannot use it.
fn log_dir_entries(dirs: &[LogDirInfo], cordoned: Option<&BTreeSet<String>>) -> Vec<LogDirEntry> {
    dirs.iter()
        .map(|d| LogDirEntry {
            path: d.path.clone(),
            total_bytes: d.total_bytes,
            usable_bytes: d.usable_bytes,
            cordoned: d.cordoned || cordoned.is_some_and(|c| c.contains(&d.path)),
            offline: d.error.is_some(),
        })
        .collect()
}

fn topic_entries(
    topics: Vec<TopicState>,
    down: &BTreeSet<BrokerId>,
    dirs: &LogDirs,
    mut configs: BTreeMap<String, BTreeMap<String, String>>,
    traffic: &Traffic,
    fan_out: &BTreeMap<String, usize>,
) -> Vec<TopicEntry> {
    topics
        .into_iter()
        .map(|t| {
            let fan = fan_out.get(&t.name).copied().unwrap_or(0) as f64;
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let tp = TopicPartition::new(t.name.clone(), p.partition);
                    let rate = traffic.bytes_in.get(&tp).copied().unwrap_or(0.0);
                    PartitionEntry {
                        partition: p.partition,
                        replicas: p.replicas.iter().map(|b| b.0).collect(),
                        leader: p.leader.map(|b| b.0),
                        isr: Some(p.isr.iter().map(|b| b.0).collect()),
                        size_bytes: dirs.size(&tp, p.leader),
                        bytes_in_per_sec: round2(rate),
                        bytes_out_per_sec: round2(rate * fan),
                        offline_replicas: p
                            .replicas
                            .iter()
                            .filter(|b| p.offline.contains(b) || down.contains(b))
                            .map(|b| b.0)
                            .collect(),
                        log_dirs: dirs.replicas.get(&tp).cloned().unwrap_or_default(),
                    }
                })
                .collect();
            TopicEntry {
                configs: configs.remove(&t.name).unwrap_or_default(),
                name: t.name,
                partitions,
                internal: t.internal,
            }
        })
        .collect()
}

/// Brokers of a pre-2.8 cluster: those named by replicas that answer DescribeConfigs (one broker
/// resource per request, sent to that broker), with their `broker.rack`.
async fn fallback_cluster<A: KafkaAdmin>(
    admin: &A,
    topics: &[TopicState],
) -> Result<ClusterInfo, KafkaError> {
    let ids: BTreeSet<BrokerId> = topics
        .iter()
        .flat_map(|t| t.partitions.iter().flat_map(|p| p.replicas.iter().copied()))
        .collect();
    let mut brokers = Vec::new();
    for id in ids {
        let res = admin.describe_configs(&[ConfigTarget::Broker(id)]).await?;
        if let Some(Ok(configs)) = res.get(&ConfigTarget::Broker(id)) {
            brokers.push(BrokerInfo {
                id,
                host: String::new(),
                port: -1,
                rack: configs.get("broker.rack").and_then(|v| v.value.clone()),
            });
        }
    }
    Ok(ClusterInfo {
        cluster_id: String::new(),
        controller: None,
        brokers,
    })
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Replaces topic names and hosts with stable hashes (internal topics keep their names), so a
/// snapshot can be shared; the same name always maps to the same hash.
pub fn anonymize(file: &mut SnapshotFile) {
    let rename = |name: &str| {
        if name.starts_with("__") {
            name.to_owned()
        } else {
            format!("topic-{}", &stable_hash(name)[..12])
        }
    };
    for t in &mut file.topics {
        t.name = rename(&t.name);
    }
    file.topics.sort_by(|a, b| a.name.cmp(&b.name));
    for r in &mut file.reassignments {
        r.topic = rename(&r.topic);
    }
    for b in &mut file.brokers {
        if let Some(h) = &b.host {
            b.host = Some(format!("host-{}", &stable_hash(h)[..12]));
        }
    }
    if let Some(c) = &mut file.capture {
        c.anonymized = true;
    }
}

/// Per-topic bytes in per second from a Prometheus text dump of
/// `kafka_server_brokertopicmetrics_bytesin_total{topic="..."}` (summed over brokers; a counter
/// dump is read as a rate only with `_rate`/`OneMinuteRate` series) or a CSV `topic,bytes_in_per_sec`.
pub fn parse_traffic(
    name: &str,
    text: &str,
) -> Result<(&'static str, BTreeMap<String, f64>), String> {
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    let looks_prometheus = text
        .lines()
        .any(|l| l.contains("bytesin") || l.starts_with("# TYPE"));
    if looks_prometheus {
        let re = regex::Regex::new(r#"^kafka_server_brokertopicmetrics_bytesin(?:_total|persec|_rate|_oneminuterate)?\{([^}]*)\}\s+([0-9.eE+-]+)"#)
            .expect("static regex");
        let topic_re = regex::Regex::new(r#"topic="([^"]+)""#).expect("static regex");
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let lower = l.to_ascii_lowercase();
            let Some(c) = re.captures(&lower) else {
                continue;
            };
            let Some(t) = topic_re.captures(&l[..l.find('}').unwrap_or(l.len())]) else {
                continue;
            };
            let v = rate(name, i + 1, &c[2])?;
            *out.entry(t[1].to_owned()).or_default() += v;
        }
        if out.is_empty() {
            return Err(format!(
                "{name}: no kafka_server_brokertopicmetrics_bytesin series with a topic label"
            ));
        }
        if let Some((topic, _)) = out.iter().find(|(_, v)| !v.is_finite()) {
            return Err(format!(
                "{name}: the rates of topic {topic} add up past any number"
            ));
        }
        return Ok(("prometheus", out));
    }
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty()
            || l.starts_with('#')
            || (i == 0 && l.to_ascii_lowercase().starts_with("topic"))
        {
            continue;
        }
        let mut cols = l.split(',');
        let (Some(topic), Some(rate_text), None) = (cols.next(), cols.next(), cols.next()) else {
            return Err(format!(
                "{name}:{}: expected 'topic,bytes_in_per_sec'",
                i + 1
            ));
        };
        let topic = topic.trim();
        if topic.is_empty() {
            return Err(format!("{name}:{}: empty topic name", i + 1));
        }
        // A topic on several rows (one per broker, as exports often have it) sums, as the
        // Prometheus series of several brokers do.
        *out.entry(topic.to_owned()).or_default() += rate(name, i + 1, rate_text)?;
    }
    if let Some((topic, _)) = out.iter().find(|(_, v)| !v.is_finite()) {
        return Err(format!(
            "{name}: the rates of topic {topic} add up past any number"
        ));
    }
    Ok(("csv", out))
}

/// One rate of a traffic file: a finite, non-negative number of bytes per second.
fn rate(name: &str, line: usize, text: &str) -> Result<f64, String> {
    let text = text.trim();
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(_) => Err(format!(
            "{name}:{line}: '{text}' is not a rate (bytes per second: a non-negative number)"
        )),
        Err(_) => Err(format!("{name}:{line}: '{text}' is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traffic_files() {
        let (src, m) =
            parse_traffic("t.csv", "topic,bytes_in_per_sec\norders,100\nclicks, 2.5\n").unwrap();
        assert_eq!(src, "csv");
        assert_eq!(m["clicks"], 2.5);
        let e = parse_traffic("t.csv", "orders,abc\n").unwrap_err();
        assert!(e.contains("t.csv:1"), "{e}");
        let prom = "# TYPE kafka_server_brokertopicmetrics_bytesin_rate gauge\n\
            kafka_server_brokertopicmetrics_bytesin_rate{broker=\"1\",topic=\"Orders\"} 10\n\
            kafka_server_brokertopicmetrics_bytesin_rate{broker=\"2\",topic=\"Orders\"} 5\n";
        let (src, m) = parse_traffic("p.txt", prom).unwrap();
        assert_eq!(src, "prometheus");
        assert_eq!(m["Orders"], 15.0);
    }

    /// Found by fuzzing (issue 14): negative and infinite rates, empty topic names, and a
    /// topic on two CSV rows (the second used to replace the first).
    #[test]
    fn traffic_rates_are_finite_and_non_negative_for_named_topics() {
        let prom =
            |v: &str| format!("kafka_server_brokertopicmetrics_bytesin_rate{{topic=\"a\"}} {v}\n");
        assert_eq!(
            parse_traffic("p.txt", &prom("-5")).unwrap_err(),
            "p.txt:1: '-5' is not a rate (bytes per second: a non-negative number)"
        );
        assert!(parse_traffic("p.txt", &prom("1e999")).is_err());
        let two = format!("{}{}", prom("1e308"), prom("1e308"));
        assert_eq!(
            parse_traffic("p.txt", &two).unwrap_err(),
            "p.txt: the rates of topic a add up past any number"
        );
        assert_eq!(
            parse_traffic("t.csv", " ,5\n").unwrap_err(),
            "t.csv:1: empty topic name"
        );
        assert!(parse_traffic("t.csv", "a,inf\n").is_err());
        let (_, m) = parse_traffic("t.csv", "a,1\nb,2\na,3\n").unwrap();
        assert_eq!(m["a"], 4.0);
    }
}
