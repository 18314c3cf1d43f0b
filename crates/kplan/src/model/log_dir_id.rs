use std::fmt;

use serde::Serialize;

/// A log directory path, interned once per cluster (see [`LogDirs`](super::LogDirs)): what each
/// replica records, so that a replica's directory costs two bytes rather than a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct LogDirId(pub u16);

impl LogDirId {
    /// The largest number of distinct paths a cluster may have (one id is reserved for
    /// "unknown" in [`ReplicaLogDirs`](super::ReplicaLogDirs)).
    pub const MAX_PATHS: usize = u16::MAX as usize;

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for LogDirId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}
