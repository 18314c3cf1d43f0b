//! The file edge: reading snapshots and other JSON input with errors that name the file and the
//! JSON path, writing outputs atomically.
mod atomic_write;
mod capacity_file;
mod file_error;
mod json_file;
mod snapshot_file;
mod snapshot_log_dirs;
mod topics_to_move;

pub use atomic_write::write_atomic;
pub use capacity_file::parse_capacity;
pub use file_error::FileError;
pub use json_file::{parse_json, parse_json_file, read_text, TOP_LEVEL};
pub use snapshot_file::{
    read_snapshot, snapshot_file_from_str, snapshot_from_str, BrokerCapacity, BrokerEntry,
    CaptureInfo, PartitionEntry, ReassignmentEntry, ReplicaLogDir, SnapshotFile, TopicEntry,
};
pub use snapshot_log_dirs::LogDirEntry;
pub use topics_to_move::parse_topics_to_move;
