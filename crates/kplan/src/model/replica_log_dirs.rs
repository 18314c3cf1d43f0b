use super::LogDirId;

/// The log directory of each replica of one partition, in replica order — two bytes a replica,
/// nothing at all when no directory is known (a snapshot without `log_dirs`).
///
/// An entry can be unknown on its own: a replica on a broker that did not answer DescribeLogDirs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicaLogDirs(Option<Box<[u16]>>);

/// The stored value of an unknown entry; [`LogDirId::MAX_PATHS`] keeps real ids below it.
const UNKNOWN: u16 = u16::MAX;

impl ReplicaLogDirs {
    /// One entry per replica; all unknown is stored as nothing.
    pub fn new(dirs: impl IntoIterator<Item = Option<LogDirId>>) -> Self {
        let ids: Box<[u16]> = dirs
            .into_iter()
            .map(|d| d.map_or(UNKNOWN, |d| d.0))
            .collect();
        if ids.iter().all(|&d| d == UNKNOWN) {
            ReplicaLogDirs(None)
        } else {
            ReplicaLogDirs(Some(ids))
        }
    }

    /// The directory of the replica at position `i` of the replica list.
    pub fn get(&self, i: usize) -> Option<LogDirId> {
        let ids = self.0.as_ref()?;
        ids.get(i).filter(|&&d| d != UNKNOWN).map(|&d| LogDirId(d))
    }

    /// The same entries with every id `d` replaced by `new_id[d]`.
    pub(super) fn renumber(&mut self, new_id: &[LogDirId]) {
        for d in self.0.iter_mut().flatten().filter(|d| **d != UNKNOWN) {
            *d = new_id[*d as usize].0;
        }
    }

    /// True when no replica's directory is known.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Entries stored (0 when none is known, else the replication factor).
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |ids| ids.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_entries_cost_nothing_when_all_are_unknown() {
        assert!(ReplicaLogDirs::new([None, None]).is_empty());
        let d = ReplicaLogDirs::new([Some(LogDirId(3)), None]);
        assert_eq!(d.get(0), Some(LogDirId(3)));
        assert_eq!(d.get(1), None);
        assert_eq!(d.get(7), None);
        assert_eq!(d.len(), 2);
    }
}
