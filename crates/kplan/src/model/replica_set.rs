use std::fmt;

use serde::{Deserialize, Serialize};

use super::BrokerId;

/// The ordered replica list of a partition. Order matters: the first broker is the preferred
/// leader, which Kafka elects on a preferred leader election.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct ReplicaSet(Vec<BrokerId>);

impl ReplicaSet {
    pub fn new(brokers: Vec<BrokerId>) -> Self {
        ReplicaSet(brokers)
    }

    pub fn brokers(&self) -> &[BrokerId] {
        &self.0
    }

    /// The preferred leader (first replica), if the set is not empty.
    pub fn preferred_leader(&self) -> Option<BrokerId> {
        self.0.first().copied()
    }

    pub fn contains(&self, broker: BrokerId) -> bool {
        self.0.contains(&broker)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first broker listed twice, if any.
    pub fn first_duplicate(&self) -> Option<BrokerId> {
        self.0
            .iter()
            .enumerate()
            .find(|(i, b)| self.0[..*i].contains(b))
            .map(|(_, b)| *b)
    }

    /// True when both sets hold the same brokers, in any order.
    pub fn same_brokers(&self, other: &ReplicaSet) -> bool {
        self.0.len() == other.0.len() && self.0.iter().all(|b| other.contains(*b))
    }
}

impl fmt::Display for ReplicaSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ",")?;
            }
            write!(f, "{b}")?;
        }
        write!(f, "]")
    }
}

impl From<Vec<i32>> for ReplicaSet {
    fn from(ids: Vec<i32>) -> Self {
        ReplicaSet(ids.into_iter().map(BrokerId).collect())
    }
}
