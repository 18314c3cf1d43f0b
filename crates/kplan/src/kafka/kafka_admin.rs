//! The one trait through which kplan talks to Kafka. `snapshot`, `execute`, `verify` and the
//! helpers are written against it; `KrafkaAdmin` implements it with the krafka client, and a
//! different client would only need another implementation.

use std::collections::BTreeMap;

use super::admin_types::*;
use super::authorization::Authorizations;
use super::KafkaError;
use crate::model::{BrokerId, TopicPartition};

#[allow(async_fn_in_trait)] // used with concrete types only; no Send bound is needed
pub trait KafkaAdmin {
    /// Brokers, racks, controller, cluster id.
    async fn describe_cluster(&self) -> Result<ClusterInfo, KafkaError>;

    /// Every topic (or those named) with its partitions.
    async fn describe_topics(&self, only: Option<&[String]>)
        -> Result<Vec<TopicState>, KafkaError>;

    /// Each broker's replicas and sizes; a broker that fails is an `Err` beside the others.
    async fn describe_log_dirs(
        &self,
        brokers: &[BrokerId],
    ) -> Result<BTreeMap<BrokerId, Result<BrokerLogDirs, KafkaError>>, KafkaError>;

    /// AlterReplicaLogDirs (KIP-113): moves each replica to a directory of the broker that holds
    /// it; each request goes to that broker. One result per replica.
    async fn alter_replica_log_dirs(
        &self,
        moves: &[(Replica, String)],
    ) -> Result<BTreeMap<Replica, Result<(), ReplicaLogDirError>>, KafkaError>;

    /// Offsets of partitions, each asked of its leader.
    async fn list_offsets(
        &self,
        partitions: &[TopicPartition],
        kind: OffsetKind,
    ) -> Result<PerPartition<i64>, KafkaError>;

    /// Configs of resources (a broker resource is asked of that broker).
    async fn describe_configs(
        &self,
        targets: &[ConfigTarget],
    ) -> Result<BTreeMap<ConfigTarget, Result<BTreeMap<String, ConfigValue>, KafkaError>>, KafkaError>;

    /// IncrementalAlterConfigs; never the legacy AlterConfigs (it would drop other keys).
    async fn alter_configs(
        &self,
        changes: &[(ConfigTarget, Vec<ConfigChange>)],
    ) -> Result<BTreeMap<ConfigTarget, Result<(), KafkaError>>, KafkaError>;

    async fn list_reassignments(
        &self,
    ) -> Result<BTreeMap<TopicPartition, OngoingReassignment>, KafkaError>;

    /// New targets, or `None` to cancel.
    async fn alter_reassignments(
        &self,
        targets: &[(TopicPartition, Option<Vec<BrokerId>>)],
    ) -> Result<PerPartition<()>, KafkaError>;

    /// Leader election; ELECTION_NOT_NEEDED counts as success.
    async fn elect_leaders(
        &self,
        kind: ElectionKind,
        partitions: &[TopicPartition],
    ) -> Result<PerPartition<()>, KafkaError>;

    /// The operations the connection's principal may perform on the cluster and on `topics`
    /// (KIP-430's authorized operations), to refuse before changing anything.
    async fn authorized_operations(&self, topics: &[String]) -> Result<Authorizations, KafkaError>;

    /// Consumer groups and the topics each has committed offsets on.
    async fn group_topics(&self) -> Result<BTreeMap<String, Vec<String>>, KafkaError>;
}
