//! What a simulated cluster looks like when it starts: brokers, racks, topics and their traffic.
//!
//! A spec comes from a JSON file (`kplan sandbox --config`), from flags, or from a snapshot file
//! (`--from-snapshot`), so a rehearsal runs against a cluster shaped like the real one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::KafkaVersion;
use kplan::files::{parse_json, FileError};
use kplan::model::{Broker, BrokerId, Cluster};
use kplan::synthetic::{rack_aware_assignment, SplitMix64};

/// The whole simulated cluster before it starts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimSpec {
    #[serde(default = "default_cluster_id")]
    pub cluster_id: String,
    /// Which Kafka release the brokers claim to be (API versions, DescribeCluster, forwarding).
    #[serde(default)]
    pub version: KafkaVersion,
    pub brokers: Vec<SimBrokerSpec>,
    /// The controller; the lowest broker id when absent.
    #[serde(default)]
    pub controller: Option<i32>,
    #[serde(default)]
    pub topics: Vec<SimTopicSpec>,
    /// Copy speed of an unthrottled replica, bytes/s (a broker's network and disk, simplified).
    #[serde(default = "default_line_rate")]
    pub line_rate: f64,
    /// An extra SASL_PLAINTEXT listener per broker, with these users.
    #[serde(default)]
    pub sasl: Option<SaslSpec>,
    /// Dynamic broker configs at start: broker id (or "" for the cluster default) → key → value.
    #[serde(default)]
    pub broker_configs: BTreeMap<String, BTreeMap<String, String>>,
    /// Before 2.8 the reassignment APIs answer NOT_CONTROLLER on other brokers; with this set,
    /// later versions do too (a ZooKeeper-mode cluster) instead of forwarding as KRaft does.
    #[serde(default)]
    pub strict_controller: bool,
    /// Seed of the replica placement of topics without an explicit assignment.
    #[serde(default)]
    pub seed: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimBrokerSpec {
    pub id: i32,
    #[serde(default)]
    pub rack: Option<String>,
    /// Log dir volume size reported by DescribeLogDirs (v4+); 1 TiB when absent.
    #[serde(default)]
    pub disk_bytes: Option<u64>,
    /// `log.dirs`; one dir (`/var/lib/kafka/data`) when empty.
    #[serde(default)]
    pub log_dirs: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimTopicSpec {
    pub name: String,
    /// Number of partitions (ignored when `assignment` is given).
    #[serde(default = "one")]
    pub partitions: u32,
    #[serde(default = "one_u16")]
    pub replication_factor: u16,
    /// Replica lists per partition; Kafka's rack-aware placement when absent.
    #[serde(default)]
    pub assignment: Option<Vec<Vec<i32>>>,
    /// Log size of each partition at start, bytes (same for all partitions unless `partition_sizes`).
    #[serde(default)]
    pub size_bytes: u64,
    #[serde(default)]
    pub partition_sizes: Option<Vec<u64>>,
    /// Produce rate per partition, bytes/s (unless `partition_rates`).
    #[serde(default)]
    pub bytes_in_per_sec: f64,
    #[serde(default)]
    pub partition_rates: Option<Vec<f64>>,
    /// Average record size; with the sizes it sets how fast end offsets move.
    #[serde(default = "default_message_bytes")]
    pub message_bytes: u32,
    /// Consumer groups with committed offsets on the topic (the fan-out kplan snapshot counts).
    #[serde(default)]
    pub consumer_groups: u32,
    #[serde(default)]
    pub configs: BTreeMap<String, String>,
    #[serde(default)]
    pub internal: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SaslSpec {
    /// User → password, for PLAIN and SCRAM-SHA-256/512 alike.
    pub users: BTreeMap<String, String>,
}

fn default_cluster_id() -> String {
    "kplan-sandbox".to_owned()
}
fn default_line_rate() -> f64 {
    200.0 * 1024.0 * 1024.0
}
fn default_message_bytes() -> u32 {
    1024
}
fn one() -> u32 {
    1
}
fn one_u16() -> u16 {
    1
}

/// A spec that makes no sense (the simulator refuses to start).
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("the simulated cluster needs at least one broker")]
    NoBrokers,
    #[error("broker {0} is listed twice")]
    DuplicateBroker(i32),
    #[error("controller {0} is not one of the brokers")]
    UnknownController(i32),
    #[error("topic {0} is listed twice")]
    DuplicateTopic(String),
    #[error(
        "topic {topic}: replication factor {rf} needs {rf} brokers, the cluster has {brokers}"
    )]
    ReplicationFactor {
        topic: String,
        rf: u16,
        brokers: usize,
    },
    #[error("topic {topic} partition {partition}: {problem}")]
    Partition {
        topic: String,
        partition: usize,
        problem: String,
    },
    #[error("topic {topic}: {what} has {got} entries for {want} partitions")]
    Length {
        topic: String,
        what: &'static str,
        got: usize,
        want: usize,
    },
}

impl SimSpec {
    /// Parses a spec file's text (`kplan sandbox --config`); `path` names the source in
    /// errors, which carry the JSON path.
    pub fn parse(path: &Path, text: &str) -> Result<Self, FileError> {
        parse_json(path, text)
    }

    /// `n` brokers spread round-robin over `racks` racks (no racks when 0), no topics.
    pub fn with_brokers(n: usize, racks: usize) -> Self {
        SimSpec {
            cluster_id: default_cluster_id(),
            version: KafkaVersion::default(),
            brokers: (0..n)
                .map(|i| SimBrokerSpec {
                    id: i as i32 + 1,
                    rack: (racks > 0)
                        .then(|| format!("rack-{}", (b'a' + (i % racks) as u8) as char)),
                    disk_bytes: None,
                    log_dirs: Vec::new(),
                })
                .collect(),
            controller: None,
            topics: Vec::new(),
            line_rate: default_line_rate(),
            sasl: None,
            broker_configs: BTreeMap::new(),
            strict_controller: false,
            seed: 0,
        }
    }

    /// A topic of `partitions` × `rf`, each partition `size_bytes` big and produced at `rate`.
    pub fn topic(
        mut self,
        name: &str,
        partitions: u32,
        rf: u16,
        size_bytes: u64,
        rate: f64,
    ) -> Self {
        self.topics.push(SimTopicSpec {
            name: name.to_owned(),
            partitions,
            replication_factor: rf,
            assignment: None,
            size_bytes,
            partition_sizes: None,
            bytes_in_per_sec: rate,
            partition_rates: None,
            message_bytes: default_message_bytes(),
            consumer_groups: 1,
            configs: BTreeMap::new(),
            internal: false,
        });
        self
    }

    /// A cluster shaped like a snapshot: same brokers, racks, replica lists, sizes and rates.
    /// Consumer fan-out is recovered from bytes out ÷ bytes in (at least one group when there is
    /// traffic out).
    pub fn from_cluster(cluster: &Cluster) -> Self {
        let mut spec = SimSpec::with_brokers(0, 0);
        spec.cluster_id = cluster.cluster_id().unwrap_or("kplan-sandbox").to_owned();
        spec.brokers = cluster
            .brokers()
            .iter()
            .map(|b| SimBrokerSpec {
                id: b.id.0,
                rack: b.rack.clone(),
                disk_bytes: None,
                log_dirs: Vec::new(),
            })
            .collect();
        for topic in cluster.topics() {
            let parts = &topic.partitions;
            let bytes_in: f64 = parts.iter().map(|p| p.bytes_in_per_sec).sum();
            let bytes_out: f64 = parts.iter().map(|p| p.bytes_out_per_sec).sum();
            let fan_out = if bytes_in > 0.0 {
                (bytes_out / bytes_in).round() as u32
            } else {
                0
            };
            spec.topics.push(SimTopicSpec {
                name: topic.name.clone(),
                partitions: parts.len() as u32,
                replication_factor: parts.first().map_or(1, |p| p.replication_factor() as u16),
                assignment: Some(
                    parts
                        .iter()
                        .map(|p| p.replicas.brokers().iter().map(|b| b.0).collect())
                        .collect(),
                ),
                size_bytes: 0,
                partition_sizes: Some(parts.iter().map(|p| p.size_bytes).collect()),
                bytes_in_per_sec: 0.0,
                partition_rates: Some(parts.iter().map(|p| p.bytes_in_per_sec).collect()),
                message_bytes: default_message_bytes(),
                consumer_groups: if bytes_out > 0.0 { fan_out.max(1) } else { 0 },
                configs: BTreeMap::new(),
                internal: topic.name.starts_with("__"),
            });
        }
        spec
    }

    /// The controller this spec starts with.
    pub fn controller_id(&self) -> i32 {
        self.controller
            .unwrap_or_else(|| self.brokers.iter().map(|b| b.id).min().unwrap_or(-1))
    }

    /// Checks the spec and resolves every topic to explicit replica lists.
    pub fn resolve(&self) -> Result<Vec<ResolvedTopic>, SpecError> {
        let ids = self.broker_ids()?;
        let brokers: Vec<Broker> = self
            .brokers
            .iter()
            .map(|b| Broker::new(BrokerId(b.id), b.rack.as_deref()))
            .collect();
        let mut rng = SplitMix64::new(self.seed);
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::with_capacity(self.topics.len());
        for t in &self.topics {
            if !seen.insert(t.name.as_str()) {
                return Err(SpecError::DuplicateTopic(t.name.clone()));
            }
            let assignment = match &t.assignment {
                Some(a) => a.clone(),
                None => placed(t, &brokers, &mut rng)?,
            };
            check_assignment(&t.name, &assignment, &ids)?;
            let n = assignment.len();
            let sizes = per_partition(
                &t.name,
                "partition_sizes",
                &t.partition_sizes,
                t.size_bytes,
                n,
            )?;
            let rates = per_partition(
                &t.name,
                "partition_rates",
                &t.partition_rates,
                t.bytes_in_per_sec,
                n,
            )?;
            out.push(ResolvedTopic {
                name: t.name.clone(),
                internal: t.internal,
                assignment,
                sizes,
                rates,
                message_bytes: f64::from(t.message_bytes.max(1)),
                consumer_groups: t.consumer_groups,
                configs: t.configs.clone(),
            });
        }
        Ok(out)
    }

    /// The broker ids, sorted: at least one, none twice, the controller among them.
    fn broker_ids(&self) -> Result<Vec<i32>, SpecError> {
        if self.brokers.is_empty() {
            return Err(SpecError::NoBrokers);
        }
        let mut ids: Vec<i32> = self.brokers.iter().map(|b| b.id).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(SpecError::DuplicateBroker(w[0]));
        }
        match self.controller {
            Some(c) if !ids.contains(&c) => Err(SpecError::UnknownController(c)),
            _ => Ok(ids),
        }
    }
}

/// A topic without an explicit assignment, placed the way Kafka places a new topic.
fn placed(
    t: &SimTopicSpec,
    brokers: &[Broker],
    rng: &mut SplitMix64,
) -> Result<Vec<Vec<i32>>, SpecError> {
    if usize::from(t.replication_factor) > brokers.len() || t.replication_factor == 0 {
        return Err(SpecError::ReplicationFactor {
            topic: t.name.clone(),
            rf: t.replication_factor,
            brokers: brokers.len(),
        });
    }
    Ok(rack_aware_assignment(
        t.partitions as usize,
        usize::from(t.replication_factor),
        brokers,
        rng,
    )
    .into_iter()
    .map(|rs| rs.brokers().iter().map(|b| b.0).collect())
    .collect())
}

/// Every partition has replicas, all on known brokers, none twice.
fn check_assignment(topic: &str, assignment: &[Vec<i32>], ids: &[i32]) -> Result<(), SpecError> {
    for (p, replicas) in assignment.iter().enumerate() {
        let problem = if replicas.is_empty() {
            Some("no replicas".to_owned())
        } else if let Some(b) = replicas.iter().find(|b| !ids.contains(b)) {
            Some(format!(
                "replica on broker {b}, which is not in the broker list"
            ))
        } else {
            let mut r = replicas.clone();
            r.sort_unstable();
            r.windows(2)
                .any(|w| w[0] == w[1])
                .then(|| "a broker is listed twice".to_owned())
        };
        if let Some(problem) = problem {
            return Err(SpecError::Partition {
                topic: topic.to_owned(),
                partition: p,
                problem,
            });
        }
    }
    Ok(())
}

fn per_partition<T: Copy>(
    topic: &str,
    what: &'static str,
    list: &Option<Vec<T>>,
    each: T,
    n: usize,
) -> Result<Vec<T>, SpecError> {
    match list {
        Some(v) if v.len() != n => Err(SpecError::Length {
            topic: topic.to_owned(),
            what,
            got: v.len(),
            want: n,
        }),
        Some(v) => Ok(v.clone()),
        None => Ok(vec![each; n]),
    }
}

/// A topic with every partition spelled out.
#[derive(Clone, Debug)]
pub struct ResolvedTopic {
    pub name: String,
    pub internal: bool,
    pub assignment: Vec<Vec<i32>>,
    pub sizes: Vec<u64>,
    pub rates: Vec<f64>,
    pub message_bytes: f64,
    pub consumer_groups: u32,
    pub configs: BTreeMap<String, String>,
}
