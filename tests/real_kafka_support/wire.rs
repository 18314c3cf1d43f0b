//! Typed helpers over [`WireClient`] for test setup and assertions: create topics, read
//! partitions, reassignments, configs and log dirs, set configs — all straight on Kafka's protocol.

use std::collections::BTreeMap;
use std::time::Duration;

use kafka_harness::kafka_protocol::messages::create_topics_request::{
    CreatableReplicaAssignment, CreatableTopic, CreatableTopicConfig,
};
use kafka_harness::kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_harness::kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_harness::kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_harness::kafka_protocol::messages::{
    BrokerId as KBrokerId, CreateTopicsRequest, DescribeConfigsRequest, DescribeLogDirsRequest,
    IncrementalAlterConfigsRequest, ListPartitionReassignmentsRequest, MetadataRequest, TopicName,
};
use kafka_harness::kafka_protocol::protocol::StrBytes;
use kafka_harness::WireClient;

pub const TOPIC: i8 = 2;
pub const BROKER: i8 = 4;

/// Config sources (DescribeConfigs v1+).
pub const DYNAMIC_TOPIC_CONFIG: i8 = 1;
pub const DYNAMIC_BROKER_CONFIG: i8 = 2;

pub fn s(v: &str) -> StrBytes {
    StrBytes::from_string(v.to_owned())
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionInfo {
    pub partition: i32,
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub offline: Vec<i32>,
}

/// One replica in a log dir: (topic, partition) → (dir, size, is_future).
pub type LogDirReplicas = BTreeMap<(String, i32), Vec<(String, i64, bool)>>;

pub struct Wire(pub WireClient);

impl Wire {
    pub fn connect(addr: &str) -> Self {
        Wire(WireClient::connect(addr, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{e}")))
    }

    pub fn create_topic(&mut self, topic: &str, assignment: &[Vec<i32>], configs: &[(&str, &str)]) {
        let t = CreatableTopic::default()
            .with_name(TopicName(s(topic)))
            .with_num_partitions(-1)
            .with_replication_factor(-1)
            .with_assignments(
                assignment
                    .iter()
                    .enumerate()
                    .map(|(p, r)| {
                        CreatableReplicaAssignment::default()
                            .with_partition_index(p as i32)
                            .with_broker_ids(r.iter().map(|b| KBrokerId(*b)).collect())
                    })
                    .collect(),
            )
            .with_configs(
                configs
                    .iter()
                    .map(|(k, v)| {
                        CreatableTopicConfig::default()
                            .with_name(s(k))
                            .with_value(Some(s(v)))
                    })
                    .collect(),
            );
        let r = self
            .0
            .send(
                &CreateTopicsRequest::default()
                    .with_topics(vec![t])
                    .with_timeout_ms(30_000),
                7,
            )
            .unwrap();
        let t = &r.topics[0];
        assert_eq!(
            t.error_code, 0,
            "CreateTopics {topic}: {:?}",
            t.error_message
        );
    }

    /// A topic's partitions, sorted; `None` when the topic does not exist.
    pub fn partitions(&mut self, topic: &str) -> Option<Vec<PartitionInfo>> {
        let r = self
            .0
            .send(
                &MetadataRequest::default().with_topics(Some(vec![MetadataRequestTopic::default(
                )
                .with_name(Some(TopicName(s(topic))))])),
                12,
            )
            .unwrap();
        let t = r.topics.into_iter().next()?;
        if t.error_code != 0 {
            return None;
        }
        let mut out: Vec<PartitionInfo> = t
            .partitions
            .into_iter()
            .map(|p| PartitionInfo {
                partition: p.partition_index,
                leader: p.leader_id.0,
                replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
                isr: p.isr_nodes.iter().map(|b| b.0).collect(),
                offline: p.offline_replicas.iter().map(|b| b.0).collect(),
            })
            .collect();
        out.sort_by_key(|p| p.partition);
        Some(out)
    }

    /// The brokers Metadata lists (registered and not fenced).
    pub fn broker_ids(&mut self) -> Vec<i32> {
        let r = self
            .0
            .send(&MetadataRequest::default().with_topics(Some(vec![])), 12)
            .unwrap();
        let mut ids: Vec<i32> = r.brokers.iter().map(|b| b.node_id.0).collect();
        ids.sort();
        ids
    }

    /// Ongoing reassignments: (topic, partition) → (replicas, adding, removing).
    #[allow(clippy::type_complexity)]
    pub fn reassignments(&mut self) -> BTreeMap<(String, i32), (Vec<i32>, Vec<i32>, Vec<i32>)> {
        let r = self
            .0
            .send(
                &ListPartitionReassignmentsRequest::default()
                    .with_timeout_ms(30_000)
                    .with_topics(None),
                0,
            )
            .unwrap();
        assert_eq!(
            r.error_code, 0,
            "ListPartitionReassignments: {:?}",
            r.error_message
        );
        let ids = |v: &[KBrokerId]| v.iter().map(|b| b.0).collect::<Vec<_>>();
        r.topics
            .iter()
            .flat_map(|t| {
                t.partitions.iter().map(move |p| {
                    (
                        (t.name.0.to_string(), p.partition_index),
                        (
                            ids(&p.replicas),
                            ids(&p.adding_replicas),
                            ids(&p.removing_replicas),
                        ),
                    )
                })
            })
            .collect()
    }

    /// Cancels every ongoing reassignment (test hygiene after a failed test).
    pub fn cancel_all(&mut self) {
        use kafka_harness::kafka_protocol::messages::alter_partition_reassignments_request::{
            ReassignablePartition, ReassignableTopic,
        };
        use kafka_harness::kafka_protocol::messages::AlterPartitionReassignmentsRequest;
        let ongoing = self.reassignments();
        if ongoing.is_empty() {
            return;
        }
        let mut topics: BTreeMap<String, Vec<i32>> = BTreeMap::new();
        for (t, p) in ongoing.keys() {
            topics.entry(t.clone()).or_default().push(*p);
        }
        let req = AlterPartitionReassignmentsRequest::default()
            .with_timeout_ms(30_000)
            .with_topics(
                topics
                    .into_iter()
                    .map(|(t, ps)| {
                        ReassignableTopic::default()
                            .with_name(TopicName(s(&t)))
                            .with_partitions(
                                ps.into_iter()
                                    .map(|p| {
                                        ReassignablePartition::default()
                                            .with_partition_index(p)
                                            .with_replicas(None)
                                    })
                                    .collect(),
                            )
                    })
                    .collect(),
            );
        self.0.send(&req, 0).unwrap();
    }

    /// The configs set dynamically on the resource itself (what `kafka-configs --describe` lists).
    pub fn dynamic_configs(&mut self, resource_type: i8, name: &str) -> BTreeMap<String, String> {
        let own = if resource_type == TOPIC {
            DYNAMIC_TOPIC_CONFIG
        } else {
            DYNAMIC_BROKER_CONFIG
        };
        let r = self
            .0
            .send(
                &DescribeConfigsRequest::default().with_resources(vec![
                    DescribeConfigsResource::default()
                        .with_resource_type(resource_type)
                        .with_resource_name(s(name))
                        .with_configuration_keys(None),
                ]),
                4,
            )
            .unwrap();
        let res = &r.results[0];
        assert_eq!(
            res.error_code, 0,
            "DescribeConfigs {name}: {:?}",
            res.error_message
        );
        res.configs
            .iter()
            .filter(|c| c.config_source == own)
            .map(|c| {
                (
                    c.name.to_string(),
                    c.value.as_deref().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    pub fn topic_configs(&mut self, topic: &str) -> BTreeMap<String, String> {
        self.dynamic_configs(TOPIC, topic)
    }

    pub fn broker_configs(&mut self, broker: i32) -> BTreeMap<String, String> {
        self.dynamic_configs(BROKER, &broker.to_string())
    }

    /// IncrementalAlterConfigs: `Some(v)` sets, `None` deletes.
    pub fn alter_configs(&mut self, resource_type: i8, name: &str, ops: &[(&str, Option<&str>)]) {
        let r = self
            .0
            .send(
                &IncrementalAlterConfigsRequest::default().with_resources(vec![
                    AlterConfigsResource::default()
                        .with_resource_type(resource_type)
                        .with_resource_name(s(name))
                        .with_configs(
                            ops.iter()
                                .map(|(k, v)| {
                                    AlterableConfig::default()
                                        .with_name(s(k))
                                        .with_config_operation(if v.is_some() { 0 } else { 1 })
                                        .with_value(v.map(s))
                                })
                                .collect(),
                        ),
                ]),
                1,
            )
            .unwrap();
        let res = &r.responses[0];
        assert_eq!(
            res.error_code, 0,
            "IncrementalAlterConfigs {name}: {:?}",
            res.error_message
        );
    }

    /// DescribeLogDirs of the broker this client is connected to.
    pub fn log_dirs(&mut self) -> LogDirReplicas {
        let r = self
            .0
            .send(&DescribeLogDirsRequest::default().with_topics(None), 4)
            .unwrap();
        let mut out: LogDirReplicas = BTreeMap::new();
        for d in r.results {
            assert_eq!(d.error_code, 0, "log dir {}", d.log_dir);
            for t in d.topics {
                for p in t.partitions {
                    out.entry((t.name.0.to_string(), p.partition_index))
                        .or_default()
                        .push((d.log_dir.to_string(), p.partition_size, p.is_future_key));
                }
            }
        }
        out
    }
}

/// An ACL binding: ALLOW `principal` (e.g. `User:alice`) `operation` on a resource, from any
/// host. Codes are Kafka's: resource type TOPIC 2, GROUP 3, CLUSTER 4; pattern LITERAL 3,
/// PREFIXED 4; operation ALTER 7, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acl {
    pub principal: String,
    pub resource_type: i8,
    pub resource_name: String,
    pub pattern_type: i8,
    pub operation: i8,
}

pub const GROUP: i8 = 3;
pub const CLUSTER: i8 = 4;
pub const LITERAL: i8 = 3;
pub const PREFIXED: i8 = 4;
pub const OP_ALTER: i8 = 7;
pub const OP_DESCRIBE: i8 = 8;
pub const OP_DESCRIBE_CONFIGS: i8 = 10;
pub const OP_ALTER_CONFIGS: i8 = 11;

impl Wire {
    /// CreateAcls (the StandardAuthorizer stores them in the metadata log; they apply on every
    /// broker once it has caught up).
    pub fn create_acls(&mut self, acls: &[Acl]) {
        use kafka_harness::kafka_protocol::messages::create_acls_request::AclCreation;
        use kafka_harness::kafka_protocol::messages::CreateAclsRequest;
        let req = CreateAclsRequest::default().with_creations(
            acls.iter()
                .map(|a| {
                    AclCreation::default()
                        .with_resource_type(a.resource_type)
                        .with_resource_name(s(&a.resource_name))
                        .with_resource_pattern_type(a.pattern_type)
                        .with_principal(s(&a.principal))
                        .with_host(s("*"))
                        .with_operation(a.operation)
                        .with_permission_type(3) // ALLOW
                })
                .collect(),
        );
        let r = self.0.send(&req, 3).unwrap();
        for (a, res) in acls.iter().zip(&r.results) {
            assert_eq!(
                res.error_code, 0,
                "CreateAcls {a:?}: {:?}",
                res.error_message
            );
        }
    }
}
