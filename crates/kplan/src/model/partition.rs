use super::{BrokerId, ReplicaLogDirs, ReplicaSet};

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
    /// The log directory of each replica, where known (JBOD).
    pub log_dirs: ReplicaLogDirs,
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
            log_dirs: ReplicaLogDirs::default(),
        }
    }

    pub fn with_load(mut self, size_bytes: u64, bytes_in: f64, bytes_out: f64) -> Self {
        self.size_bytes = size_bytes;
        self.bytes_in_per_sec = bytes_in;
        self.bytes_out_per_sec = bytes_out;
        self
    }

    /// The same partition with its replicas' directories (ids of the cluster's [`LogDirs`](super::LogDirs)).
    pub fn with_log_dirs(mut self, log_dirs: ReplicaLogDirs) -> Self {
        self.log_dirs = log_dirs;
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
