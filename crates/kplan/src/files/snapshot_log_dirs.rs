//! The log directories of a snapshot (JBOD): each broker's directories (`brokers[].log_dirs`)
//! and each replica's (`partitions[].log_dirs`), between the file form and the model.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use super::ReplicaLogDir;
use crate::model::{
    BrokerId, Cluster, LogDir, LogDirId, LogDirs, ModelError, Partition, ReplicaLogDirs,
    TopicPartition,
};

thread_local! {
    /// The directory paths of the snapshot being parsed on this thread. Serde's derived parse
    /// carries no state down to a partition, and keeping a path string per replica until the
    /// whole file is read would double the memory of a million-partition parse; so each
    /// partition interns its paths here as it is parsed (see [`interning`]).
    static PARSING: RefCell<LogDirs> = RefCell::new(LogDirs::default());
}

/// Runs `parse`, collecting the log dir paths its partitions intern.
pub(super) fn interning<T>(parse: impl FnOnce() -> T) -> (T, LogDirs) {
    PARSING.with(|p| p.take());
    let out = parse();
    (out, PARSING.with(|p| p.take()))
}

/// One entry of a partition's `log_dirs`, its path interned.
pub(super) struct InternedReplicaDir {
    broker: BrokerId,
    dir: LogDirId,
}

impl InternedReplicaDir {
    /// Interns the paths of a partition's entries into the table of the parse under way.
    pub(super) fn intern_all(entries: &[ReplicaLogDir]) -> Result<Vec<Self>, ModelError> {
        PARSING.with(|p| {
            let mut dirs = p.borrow_mut();
            entries
                .iter()
                .map(|e| {
                    Ok(InternedReplicaDir {
                        broker: BrokerId(e.broker),
                        dir: dirs.intern(&e.log_dir)?,
                    })
                })
                .collect()
        })
    }
}

/// One directory of a broker, as DescribeLogDirs and `cordoned.log.dirs` describe it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LogDirEntry {
    /// The absolute path, as in the broker's `log.dirs`.
    pub path: String,
    /// The volume's size (DescribeLogDirs v4+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_bytes: Option<u64>,
    /// The volume's free space (DescribeLogDirs v4+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usable_bytes: Option<u64>,
    /// Takes no new replicas (KIP-1066).
    #[serde(default)]
    pub cordoned: bool,
    /// The broker cannot use it (a failed disk).
    #[serde(default)]
    pub offline: bool,
}

/// Adds a broker's listed directories to `dirs` (none listed: nothing known about them).
pub(super) fn add_broker_dirs(
    dirs: &mut LogDirs,
    broker: i32,
    entries: &[LogDirEntry],
) -> Result<(), ModelError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut list = Vec::with_capacity(entries.len());
    for e in entries {
        list.push(LogDir {
            id: dirs.intern(&e.path)?,
            path: e.path.clone(),
            total_bytes: e.total_bytes,
            usable_bytes: e.usable_bytes,
            cordoned: e.cordoned,
            offline: e.offline,
        });
    }
    dirs.set_broker(BrokerId(broker), list);
    Ok(())
}

/// The directory of each replica from a partition's `log_dirs` entries: an entry must name one
/// of the partition's replicas, at most once; a replica without an entry has no known directory.
pub(super) fn replica_dirs(
    tp: impl Fn() -> TopicPartition,
    replicas: &[BrokerId],
    entries: &[InternedReplicaDir],
) -> Result<ReplicaLogDirs, ModelError> {
    if entries.is_empty() {
        return Ok(ReplicaLogDirs::default());
    }
    let mut ids = vec![None; replicas.len()];
    for e in entries {
        let Some(i) = replicas.iter().position(|b| *b == e.broker) else {
            return Err(ModelError::LogDirOfNonReplica {
                tp: tp(),
                broker: e.broker,
            });
        };
        if ids[i].is_some() {
            return Err(ModelError::ReplicaLogDirTwice {
                tp: tp(),
                broker: e.broker,
            });
        }
        ids[i] = Some(e.dir);
    }
    Ok(ReplicaLogDirs::new(ids))
}

/// The file form of a broker's directories.
pub(super) fn broker_dir_entries(cluster: &Cluster, broker: BrokerId) -> Vec<LogDirEntry> {
    cluster
        .log_dirs()
        .of(broker)
        .iter()
        .map(|d| LogDirEntry {
            path: d.path.clone(),
            total_bytes: d.total_bytes,
            usable_bytes: d.usable_bytes,
            cordoned: d.cordoned,
            offline: d.offline,
        })
        .collect()
}

/// The file form of a partition's replica directories (each replica at the partition's size).
pub(super) fn replica_dir_entries(cluster: &Cluster, p: &Partition) -> Vec<ReplicaLogDir> {
    p.replicas
        .brokers()
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let id = p.log_dirs.get(i)?;
            Some(ReplicaLogDir {
                broker: b.0,
                log_dir: cluster.log_dirs().path(id).to_owned(),
                size_bytes: p.size_bytes,
            })
        })
        .collect()
}
