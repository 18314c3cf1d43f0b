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

/// A broker's log dirs: its replicas, and the volume space when the broker reports it (v4+).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrokerLogDirs {
    pub replicas: Vec<ReplicaDir>,
    pub total_bytes: Option<u64>,
    pub usable_bytes: Option<u64>,
}

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
