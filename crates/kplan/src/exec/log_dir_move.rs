//! One replica a plan puts in a named log directory, the unit the executor requests with
//! AlterReplicaLogDirs (KIP-113) and follows until the replica is there.

use serde::{Deserialize, Serialize};

use super::{ClusterView, DirState};
use crate::kafka::Replica;
use crate::model::{BrokerId, TopicPartition};
use crate::plan::Reassignment;

/// A replica to put in a directory of its broker.
///
/// An *inter-broker* move lands on a broker that does not hold the replica yet: the directory
/// is requested before the reassignment (the broker answers REPLICA_NOT_AVAILABLE and remembers
/// it) and again until the replica exists, so the replica is created there and copied once. An
/// *intra-broker* move copies a replica the broker already holds into another of its
/// directories (a future replica), at the broker's `replica.alter.log.dirs.io.max.bytes.per.second`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LogDirMove {
    pub topic: String,
    pub partition: i32,
    pub broker: BrokerId,
    pub log_dir: String,
    /// The broker already holds the replica: a copy between its directories, disk I/O only.
    pub intra_broker: bool,
}

impl LogDirMove {
    pub fn topic_partition(&self) -> TopicPartition {
        TopicPartition::new(&self.topic, self.partition)
    }

    pub fn replica(&self) -> Replica {
        (self.topic_partition(), self.broker)
    }

    /// The request that asks for it.
    pub fn request(&self) -> (Replica, String) {
        (self.replica(), self.log_dir.clone())
    }
}

/// The directory moves of `plan` on this cluster: every replica with a named directory (not
/// `"any"`) that is not already there, in plan order. A replica staying on its broker is an
/// intra-broker move; one arriving, an inter-broker move.
pub fn log_dir_moves(plan: &Reassignment, view: &ClusterView) -> Vec<LogDirMove> {
    let mut out = Vec::new();
    for p in &plan.partitions {
        let tp = p.topic_partition();
        let original = view.original(&tp).unwrap_or_default();
        for (broker, dir) in p.brokers().iter().zip(&p.log_dirs) {
            if dir == "any" {
                continue;
            }
            let intra_broker = original.contains(broker);
            if intra_broker && view.log_dirs.state(&tp, *broker, dir) == DirState::InPlace {
                continue;
            }
            out.push(LogDirMove {
                topic: p.topic.clone(),
                partition: p.partition,
                broker: *broker,
                log_dir: dir.clone(),
                intra_broker,
            });
        }
    }
    out
}
