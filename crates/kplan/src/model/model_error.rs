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
}
