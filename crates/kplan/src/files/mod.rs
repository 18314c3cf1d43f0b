//! The file edge: reading snapshots and plans, writing outputs atomically.
mod atomic_write;
mod file_error;
mod snapshot_file;

pub use atomic_write::write_atomic;
pub use file_error::FileError;
pub use snapshot_file::{
    read_snapshot, snapshot_file_from_str, snapshot_from_str, BrokerCapacity, BrokerEntry,
    CaptureInfo, PartitionEntry, ReassignmentEntry, ReplicaLogDir, SnapshotFile, TopicEntry,
};
