//! What kplan reads from and writes to a cluster, in kplan's own types (no client types leak).

use std::collections::BTreeMap;

use crate::model::{BrokerId, TopicPartition};

/// A live broker (DescribeCluster, or Metadata before 2.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerInfo {
    pub id: BrokerId,
    pub host: String,
    pub port: i32,
    pub rack: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterInfo {
    pub cluster_id: String,
    pub controller: Option<BrokerId>,
    pub brokers: Vec<BrokerInfo>,
}

/// One partition as Metadata describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionState {
    pub partition: i32,
    pub replicas: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub offline: Vec<BrokerId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicState {
    pub name: String,
    pub internal: bool,
    pub partitions: Vec<PartitionState>,
}

/// One replica in a broker's log dir (DescribeLogDirs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaDir {
    pub tp: TopicPartition,
    pub log_dir: String,
    pub size: u64,
    pub is_future: bool,
}

/// A broker's log dirs: its replicas, each directory, and the volume space summed over the
/// directories when the broker reports it (v4+).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrokerLogDirs {
    /// Replicas of the directories that answered; a future replica (a move between directories
    /// in progress, KIP-113) has `is_future` set.
    pub replicas: Vec<ReplicaDir>,
    pub total_bytes: Option<u64>,
    pub usable_bytes: Option<u64>,
    /// Every directory the broker listed, in path order.
    pub dirs: Vec<LogDirInfo>,
}

/// One log directory of a broker, as DescribeLogDirs describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogDirInfo {
    pub path: String,
    /// Volume size and free space (DescribeLogDirs v4+).
    pub total_bytes: Option<u64>,
    pub usable_bytes: Option<u64>,
    /// Takes no new replicas (KIP-1066; DescribeLogDirs v5+).
    pub cordoned: bool,
    /// The broker cannot use the directory (KAFKA_STORAGE_ERROR: a failed disk): the error.
    pub error: Option<String>,
}

/// Why a broker did not move a replica to the directory asked (AlterReplicaLogDirs, KIP-113).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplicaLogDirError {
    /// REPLICA_NOT_AVAILABLE: the broker does not host the replica yet. It remembers the
    /// directory and creates the replica there when a reassignment brings it; asking again
    /// once the replica exists confirms it (Kafka's tool retries exactly this error).
    NotYetCreated,
    /// The request got no answer (the broker is unreachable); it may be asked again.
    NoAnswer(String),
    /// Any other refusal (LOG_DIR_NOT_FOUND, KAFKA_STORAGE_ERROR, …), as the broker worded it.
    Refused(String),
}

impl std::fmt::Display for ReplicaLogDirError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplicaLogDirError::NotYetCreated => {
                f.write_str("the broker does not host the replica yet")
            }
            ReplicaLogDirError::NoAnswer(e) => write!(f, "no answer: {e}"),
            ReplicaLogDirError::Refused(e) => f.write_str(e),
        }
    }
}

/// One replica: a partition on a broker (Kafka's `TopicPartitionReplica`).
pub type Replica = (TopicPartition, BrokerId);

/// A config resource kplan reads or changes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConfigTarget {
    Topic(String),
    Broker(BrokerId),
    /// The cluster-wide broker default (resource name "").
    BrokerDefault,
}

impl std::fmt::Display for ConfigTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigTarget::Topic(t) => write!(f, "topic {t}"),
            ConfigTarget::Broker(b) => write!(f, "broker {b}"),
            ConfigTarget::BrokerDefault => write!(f, "the cluster-wide broker default"),
        }
    }
}

/// A config value and whether it is set dynamically on this very resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigValue {
    pub value: Option<String>,
    /// Set on this resource (DYNAMIC_TOPIC_CONFIG / DYNAMIC_BROKER_CONFIG), as opposed to
    /// inherited or default; only these can be restored by SET/DELETE on the resource.
    pub dynamic_here: bool,
    pub sensitive: bool,
}

/// One IncrementalAlterConfigs operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigChange {
    Set(String, String),
    Delete(String),
}

/// An ongoing reassignment (ListPartitionReassignments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OngoingReassignment {
    pub replicas: Vec<BrokerId>,
    pub adding: Vec<BrokerId>,
    pub removing: Vec<BrokerId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetKind {
    Earliest,
    Latest,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElectionKind {
    Preferred,
    Unclean,
}

/// Per-item results of a call that succeeded as a whole.
pub type PerPartition<T> = BTreeMap<TopicPartition, Result<T, String>>;
