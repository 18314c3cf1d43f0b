//! The cluster model: what a Kafka cluster looks like to a planner, with no Kafka client and no I/O.
//!
//! A [`Cluster`] is a validated, sorted set of [`Broker`]s and [`Topic`]s. Each topic owns its
//! [`Partition`]s; a partition's [`ReplicaSet`] is ordered, and its first broker is the preferred
//! leader, exactly as in Kafka's reassignment JSON. Load is measured per [`Resource`]: disk, bytes
//! in and replica count follow replicas; bytes out and leader count follow leadership.
//!
//! On JBOD brokers each replica also lives in one of its broker's log directories ([`LogDir`]):
//! the cluster's [`LogDirs`] list each broker's directories, and a partition's
//! [`ReplicaLogDirs`] name the directory of each of its replicas, by a [`LogDirId`] interned once
//! per cluster.
//!
//! Construction validates everything a planner relies on (no duplicate partitions, replicas only
//! on known brokers, no negative sizes), so the planner never re-checks input.

mod broker;
mod broker_id;
mod cluster;
mod log_dir;
mod log_dir_id;
mod log_dirs;
mod model_error;
mod partition;
mod replica_log_dirs;
mod replica_set;
mod resource;
mod topic;
mod topic_partition;

pub use broker::Broker;
pub use broker_id::BrokerId;
pub use cluster::Cluster;
pub use log_dir::LogDir;
pub use log_dir_id::LogDirId;
pub use log_dirs::LogDirs;
pub use model_error::ModelError;
pub use partition::Partition;
pub use replica_log_dirs::ReplicaLogDirs;
pub use replica_set::ReplicaSet;
pub use resource::{Resource, ResourceVector};
pub use topic::Topic;
pub use topic_partition::TopicPartition;
