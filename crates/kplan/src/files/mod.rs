//! The file edge: reading snapshots and plans, writing outputs atomically.
mod atomic_write;
mod file_error;
mod json_file;
mod snapshot_file;
mod topics_to_move;

pub use atomic_write::write_atomic;
pub use file_error::FileError;
pub use json_file::parse_json;
pub use snapshot_file::{
    read_snapshot, snapshot_file_from_str, snapshot_from_str, BrokerCapacity, BrokerEntry,
    CaptureInfo, PartitionEntry, ReassignmentEntry, ReplicaLogDir, SnapshotFile, TopicEntry,
};
pub use topics_to_move::parse_topics_to_move;
