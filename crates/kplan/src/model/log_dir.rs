use serde::Serialize;

use super::LogDirId;

/// One directory of a broker's `log.dirs` — on a JBOD broker, one disk.
///
/// Sizes are what the broker reports for the volume (DescribeLogDirs v4+): `total_bytes` is the
/// volume's size, `usable_bytes` its free space. A *cordoned* directory (KIP-1066) keeps its
/// replicas but takes no new ones; an *offline* one is a directory the broker cannot use (a
/// failed disk). Neither receives anything in a plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogDir {
    pub id: LogDirId,
    pub path: String,
    pub total_bytes: Option<u64>,
    pub usable_bytes: Option<u64>,
    pub cordoned: bool,
    pub offline: bool,
}

impl LogDir {
    /// A directory with nothing known about its volume.
    pub fn new(id: LogDirId, path: impl Into<String>) -> Self {
        LogDir {
            id,
            path: path.into(),
            total_bytes: None,
            usable_bytes: None,
            cordoned: false,
            offline: false,
        }
    }

    /// True when a plan may put replicas here.
    pub fn accepts_replicas(&self) -> bool {
        !self.cordoned && !self.offline
    }
}
