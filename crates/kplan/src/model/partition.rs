use super::{BrokerId, ReplicaSet};

/// One partition with its placement and the load it puts on the brokers that host it.
///
/// Traffic is per partition: `bytes_in_per_sec` is what producers write (every replica receives it,
/// the leader from producers and each follower by replication); `bytes_out_per_sec` is what consumers
/// fetch from the leader. Replication traffic is derived, never stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    pub partition: i32,
    pub replicas: ReplicaSet,
    pub leader: Option<BrokerId>,
    pub isr: Vec<BrokerId>,
    pub size_bytes: u64,
    pub bytes_in_per_sec: f64,
    pub bytes_out_per_sec: f64,
}

impl Partition {
    /// A partition placed on `replicas` with no load; the leader is the preferred one.
    pub fn new(partition: i32, replicas: impl Into<ReplicaSet>) -> Self {
        let replicas = replicas.into();
        Partition {
            partition,
            leader: replicas.preferred_leader(),
            isr: replicas.brokers().to_vec(),
            replicas,
            size_bytes: 0,
            bytes_in_per_sec: 0.0,
            bytes_out_per_sec: 0.0,
        }
    }

    pub fn with_load(mut self, size_bytes: u64, bytes_in: f64, bytes_out: f64) -> Self {
        self.size_bytes = size_bytes;
        self.bytes_in_per_sec = bytes_in;
        self.bytes_out_per_sec = bytes_out;
        self
    }

    pub fn replication_factor(&self) -> usize {
        self.replicas.len()
    }

    /// Bytes per second the leader sends: consumer fetches plus one copy per follower.
    pub fn leader_bytes_out(&self, replication_factor: usize) -> f64 {
        self.bytes_out_per_sec + replication_factor.saturating_sub(1) as f64 * self.bytes_in_per_sec
    }
}
