use thiserror::Error;

use super::{BrokerId, TopicPartition};

/// Why a set of brokers and topics is not a cluster the planner can work with.
#[derive(Debug, Error, PartialEq)]
pub enum ModelError {
    #[error("broker {0} is listed twice")]
    DuplicateBroker(BrokerId),
    #[error("topic {0} is listed twice")]
    DuplicateTopic(String),
    #[error("partition {0} is listed twice")]
    DuplicatePartition(TopicPartition),
    #[error("partition {0} has a negative partition number")]
    NegativePartition(TopicPartition),
    #[error("partition {0} has no replicas")]
    NoReplicas(TopicPartition),
    #[error("partition {tp} lists broker {broker} twice in its replicas")]
    DuplicateReplica {
        tp: TopicPartition,
        broker: BrokerId,
    },
    #[error("partition {tp} has a replica on broker {broker}, which is not in the broker list")]
    UnknownBroker {
        tp: TopicPartition,
        broker: BrokerId,
    },
    #[error("partition {tp} has leader {leader}, which is not one of its replicas")]
    LeaderNotReplica {
        tp: TopicPartition,
        leader: BrokerId,
    },
    #[error("partition {tp} has {broker} in its ISR, which is not one of its replicas")]
    IsrNotReplica {
        tp: TopicPartition,
        broker: BrokerId,
    },
    #[error("partition {tp} has an invalid {field}: {value} (must be a finite number >= 0)")]
    InvalidRate {
        tp: TopicPartition,
        field: &'static str,
        value: f64,
    },
    #[error("topic name must not be empty")]
    EmptyTopicName,
    #[error("log dirs are listed for broker {0}, which is not in the broker list")]
    LogDirsOfUnknownBroker(BrokerId),
    #[error("broker {broker} lists log dir {path} twice")]
    DuplicateLogDir { broker: BrokerId, path: String },
    #[error(
        "partition {tp} has its replica on broker {broker} in log dir {path}, which is not one of broker {broker}'s log dirs"
    )]
    UnknownLogDir {
        tp: TopicPartition,
        broker: BrokerId,
        path: String,
    },
    #[error("partition {tp} has {dirs} log dir entries for {replicas} replicas")]
    LogDirCount {
        tp: TopicPartition,
        dirs: usize,
        replicas: usize,
    },
    #[error("partition {tp} names a log dir on broker {broker}, which is not one of its replicas")]
    LogDirOfNonReplica {
        tp: TopicPartition,
        broker: BrokerId,
    },
    #[error("partition {tp} names two log dirs for its replica on broker {broker}")]
    ReplicaLogDirTwice {
        tp: TopicPartition,
        broker: BrokerId,
    },
    #[error("more than {0} distinct log dir paths")]
    TooManyLogDirPaths(usize),
}
