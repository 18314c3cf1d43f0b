//! Where replicas are on disk, as DescribeLogDirs last said: each replica's directory and size,
//! its future replica when it is moving between directories (KIP-113), and each broker's
//! directories.

use std::collections::BTreeMap;

use crate::kafka::{BrokerLogDirs, LogDirInfo, Replica};
use crate::model::{BrokerId, TopicPartition};

/// A replica on its broker's disks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicaOnDisk {
    /// The directory holding the replica, when the broker reported it.
    pub dir: Option<String>,
    pub size: u64,
    /// The future replica — the copy being made in another directory — with its size so far.
    pub future: Option<(String, u64)>,
}

/// Where a replica stands against the directory a plan names for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirState {
    /// The broker does not hold the replica (yet).
    Absent,
    /// In the named directory, nothing moving.
    InPlace,
    /// A future replica in the named directory is catching up; bytes still to copy.
    Moving { bytes_left: u64 },
    /// In another directory (or moving to one), and no move towards the named one is under
    /// way: `dir` is where it is heading, else where it is.
    Elsewhere { dir: String },
}

/// Every replica's directory and every broker's directories.
#[derive(Clone, Debug, Default)]
pub struct LiveLogDirs {
    pub replicas: BTreeMap<Replica, ReplicaOnDisk>,
    pub brokers: BTreeMap<BrokerId, Vec<LogDirInfo>>,
}

impl LiveLogDirs {
    pub fn clear(&mut self) {
        self.replicas.clear();
        self.brokers.clear();
    }

    /// Records one broker's answer.
    pub fn add_broker(&mut self, broker: BrokerId, dirs: &BrokerLogDirs) {
        self.brokers.insert(broker, dirs.dirs.clone());
        for r in &dirs.replicas {
            let on_disk = self.replicas.entry((r.tp.clone(), broker)).or_default();
            if r.is_future {
                on_disk.future = Some((r.log_dir.clone(), r.size));
            } else {
                on_disk.dir = Some(r.log_dir.clone());
                on_disk.size = r.size;
            }
        }
    }

    /// The directory holding the replica of `tp` on `broker`.
    pub fn dir_of(&self, tp: &TopicPartition, broker: BrokerId) -> Option<&str> {
        self.replicas.get(&(tp.clone(), broker))?.dir.as_deref()
    }

    /// Where the replica of `tp` on `broker` stands against directory `target`.
    pub fn state(&self, tp: &TopicPartition, broker: BrokerId, target: &str) -> DirState {
        let Some(r) = self.replicas.get(&(tp.clone(), broker)) else {
            return DirState::Absent;
        };
        match (&r.dir, &r.future) {
            (_, Some((dir, copied))) if dir == target => DirState::Moving {
                bytes_left: r.size.saturating_sub(*copied),
            },
            (Some(dir), None) if dir == target => DirState::InPlace,
            // Moving somewhere else: it is leaving the named directory.
            (_, Some((dir, _))) => DirState::Elsewhere { dir: dir.clone() },
            (Some(dir), None) => DirState::Elsewhere { dir: dir.clone() },
            (None, _) => DirState::Absent,
        }
    }

    /// The directories `broker` reported (empty when it did not answer).
    pub fn dirs_of(&self, broker: BrokerId) -> &[LogDirInfo] {
        self.brokers.get(&broker).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::ReplicaDir;

    #[test]
    fn a_future_replica_is_a_move_in_progress() {
        let tp = TopicPartition::new("t", 0);
        let mut live = LiveLogDirs::default();
        let dir = |log_dir: &str, size, is_future| ReplicaDir {
            tp: tp.clone(),
            log_dir: log_dir.into(),
            size,
            is_future,
        };
        live.add_broker(
            BrokerId(1),
            &BrokerLogDirs {
                replicas: vec![dir("/d1", 100, false), dir("/d2", 30, true)],
                ..BrokerLogDirs::default()
            },
        );
        assert_eq!(
            live.state(&tp, BrokerId(1), "/d2"),
            DirState::Moving { bytes_left: 70 }
        );
        // Asked for /d1 while moving to /d2: it is on its way elsewhere.
        assert_eq!(
            live.state(&tp, BrokerId(1), "/d1"),
            DirState::Elsewhere { dir: "/d2".into() }
        );
        assert_eq!(live.state(&tp, BrokerId(2), "/d1"), DirState::Absent);
    }
}
