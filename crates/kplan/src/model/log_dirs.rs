use std::collections::{BTreeMap, HashMap};

use super::{BrokerId, LogDir, LogDirId, ModelError};

/// The log directories of a cluster: every path interned once ([`LogDirId`]), and each broker's
/// directories, sorted by path.
///
/// A broker's list comes from the snapshot (`brokers[].log_dirs`, from DescribeLogDirs); a broker
/// without one gets, when the cluster is built, the directories its replicas name, with nothing
/// known about their volumes. A cluster where no broker has directories plans brokers only.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogDirs {
    paths: Vec<String>,
    ids: HashMap<String, LogDirId>,
    brokers: BTreeMap<BrokerId, Vec<LogDir>>,
}

impl LogDirs {
    /// The id of `path`, interning it on first sight.
    pub fn intern(&mut self, path: &str) -> Result<LogDirId, ModelError> {
        if let Some(&id) = self.ids.get(path) {
            return Ok(id);
        }
        if self.paths.len() >= LogDirId::MAX_PATHS {
            return Err(ModelError::TooManyLogDirPaths(LogDirId::MAX_PATHS));
        }
        let id = LogDirId(self.paths.len() as u16);
        self.paths.push(path.to_owned());
        self.ids.insert(path.to_owned(), id);
        Ok(id)
    }

    /// The same directories with their ids in path order, and the new id of each old one: the
    /// model then does not depend on the order in which a file, or a capture, first named the
    /// paths (a snapshot read back from its own file form is the same cluster, ids included).
    pub(super) fn renumbered(self) -> (LogDirs, Vec<LogDirId>) {
        let mut order: Vec<usize> = (0..self.paths.len()).collect();
        order.sort_by(|&a, &b| self.paths[a].cmp(&self.paths[b]));
        let mut new_id = vec![LogDirId(0); self.paths.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old] = LogDirId(new as u16);
        }
        let mut paths = self.paths;
        let paths: Vec<String> = order
            .iter()
            .map(|&old| std::mem::take(&mut paths[old]))
            .collect();
        let ids = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), LogDirId(i as u16)))
            .collect();
        let mut brokers = self.brokers;
        // Each broker's list stays sorted by path; only the ids change.
        for d in brokers.values_mut().flatten() {
            d.id = new_id[d.id.index()];
        }
        (
            LogDirs {
                paths,
                ids,
                brokers,
            },
            new_id,
        )
    }

    /// The path of an interned id.
    pub fn path(&self, id: LogDirId) -> &str {
        self.paths.get(id.index()).map_or("?", String::as_str)
    }

    /// The id of `path`, if some directory has it.
    pub fn id(&self, path: &str) -> Option<LogDirId> {
        self.ids.get(path).copied()
    }

    /// Sets a broker's directories (sorted by path here). Duplicates are refused when the
    /// cluster is built.
    pub fn set_broker(&mut self, broker: BrokerId, mut dirs: Vec<LogDir>) {
        dirs.sort_by(|a, b| a.path.cmp(&b.path));
        self.brokers.insert(broker, dirs);
    }

    /// The directories of `broker`, sorted by path; empty when unknown.
    pub fn of(&self, broker: BrokerId) -> &[LogDir] {
        self.brokers.get(&broker).map_or(&[], Vec::as_slice)
    }

    /// The position of directory `id` in `broker`'s list, and the directory.
    pub fn find(&self, broker: BrokerId, id: LogDirId) -> Option<(usize, &LogDir)> {
        self.of(broker).iter().enumerate().find(|(_, d)| d.id == id)
    }

    /// Brokers with known directories, in id order.
    pub fn brokers(&self) -> impl Iterator<Item = (BrokerId, &[LogDir])> {
        self.brokers.iter().map(|(b, d)| (*b, d.as_slice()))
    }

    /// True when no broker has a known directory.
    pub fn is_empty(&self) -> bool {
        self.brokers.values().all(Vec::is_empty)
    }

    /// Adds directory `id` to a broker whose list is derived from its replicas.
    pub(super) fn derive(&mut self, broker: BrokerId, id: LogDirId) {
        let path = self.path(id).to_owned();
        let dirs = self.brokers.entry(broker).or_default();
        if let Err(at) = dirs.binary_search_by(|d| d.path.cmp(&path)) {
            dirs.insert(at, LogDir::new(id, path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_interned_once_and_lists_sorted() {
        let mut d = LogDirs::default();
        let a = d.intern("/data/d02").unwrap();
        let b = d.intern("/data/d01").unwrap();
        assert_eq!(d.intern("/data/d02").unwrap(), a);
        assert_eq!(d.path(b), "/data/d01");
        d.set_broker(
            BrokerId(1),
            vec![LogDir::new(a, "/data/d02"), LogDir::new(b, "/data/d01")],
        );
        assert_eq!(d.of(BrokerId(1))[0].path, "/data/d01");
        assert_eq!(d.find(BrokerId(1), a).map(|(i, _)| i), Some(1));
        assert!(d.of(BrokerId(2)).is_empty());
        d.derive(BrokerId(2), a);
        d.derive(BrokerId(2), a);
        assert_eq!(d.of(BrokerId(2)).len(), 1);
    }
}
