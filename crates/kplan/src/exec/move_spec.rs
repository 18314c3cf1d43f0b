//! One partition's move, the unit the executor schedules, throttles and follows.

use crate::model::{BrokerId, TopicPartition};

/// One partition's move: where it is (its original replicas) and where it goes.
///
/// `current` is what Kafka calls the original replicas: for a partition already being
/// reassigned, the replicas it had before, not the ones still being added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveSpec {
    pub tp: TopicPartition,
    pub current: Vec<BrokerId>,
    pub target: Vec<BrokerId>,
    /// Bytes to copy to each added replica (the leader's size).
    pub size: u64,
}

impl MoveSpec {
    pub fn adding(&self) -> Vec<BrokerId> {
        self.target
            .iter()
            .copied()
            .filter(|b| !self.current.contains(b))
            .collect()
    }

    pub fn removing(&self) -> Vec<BrokerId> {
        self.current
            .iter()
            .copied()
            .filter(|b| !self.target.contains(b))
            .collect()
    }

    /// Only the order changes: no data is copied.
    pub fn is_leader_only(&self) -> bool {
        self.adding().is_empty() && self.removing().is_empty()
    }

    /// Bytes the move copies: the partition's size once per added replica.
    pub fn bytes_to_copy(&self) -> u64 {
        self.size * self.adding().len() as u64
    }
}

/// A wave: partitions submitted together, the next wave only once they are all done.
pub type Wave = Vec<TopicPartition>;
