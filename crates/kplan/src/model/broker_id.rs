use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A Kafka broker id (`node.id` in KRaft, `broker.id` before). Kafka uses a signed 32-bit int.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BrokerId(pub i32);

impl fmt::Display for BrokerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for BrokerId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(BrokerId)
    }
}

impl From<i32> for BrokerId {
    fn from(id: i32) -> Self {
        BrokerId(id)
    }
}
