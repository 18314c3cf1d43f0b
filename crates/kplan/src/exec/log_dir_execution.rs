//! The log-dir part of an execution (JBOD, KIP-113), done the way `kafka-reassign-partitions.sh`
//! does it.
//!
//! Every replica the plan puts in a named directory is requested with AlterReplicaLogDirs on its
//! broker. A replica *arriving* on a broker does not exist there yet: the broker answers
//! REPLICA_NOT_AVAILABLE and remembers the directory, so the replica is created there and copied
//! once. The request is therefore sent before the reassignment, and again at every poll until the
//! broker accepts it, which it does once the replica exists (in that directory, or moving to it if
//! the broker forgot, e.g. after a restart). A replica the broker already holds is moved directly:
//! the broker copies it into a *future* replica in the new directory, at most at
//! `replica.alter.log.dirs.io.max.bytes.per.second` (`--log-dir-throttle`, recorded in the ledger
//! like the replication throttles), and swaps it in when it has caught up.
//!
//! A move is done when DescribeLogDirs shows the replica in its directory with no future replica.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::throttle_changes::own_value;
use super::{
    ClusterView, ConfigChanges, CurrentConfigs, DirState, ExecError, LedgerTarget, LogDirMove,
    ThrottleLedger,
};
use crate::kafka::{ConfigChange, ConfigTarget, KafkaAdmin, ReplicaLogDirError};
use crate::model::BrokerId;

/// The broker config that caps the copy between a broker's directories.
pub const LOG_DIR_RATE: &str = "replica.alter.log.dirs.io.max.bytes.per.second";

/// The directory moves of an execution, in the state file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogDirProgress {
    pub moves: Vec<LogDirMove>,
    /// Moves the broker accepted: the replica exists and is in, or copying to, its directory.
    pub accepted: BTreeSet<LogDirMove>,
}

/// Where the directory moves stand after a poll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogDirCounts {
    /// Not in their directory yet (requested or copying).
    pub left: usize,
    /// Bytes the future replicas still have to copy.
    pub bytes_remaining: u64,
}

impl LogDirProgress {
    pub fn new(moves: Vec<LogDirMove>) -> Self {
        LogDirProgress {
            moves,
            accepted: BTreeSet::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.moves.is_empty()
    }

    /// Brokers that copy between their own directories.
    pub fn intra_broker_brokers(&self) -> BTreeSet<BrokerId> {
        self.moves
            .iter()
            .filter(|m| m.intra_broker)
            .map(|m| m.broker)
            .collect()
    }

    /// Where the moves stand in `view`; an accepted move whose replica is found in another
    /// directory with nothing moving (the broker lost the request) is asked again.
    pub fn counts(&mut self, view: &ClusterView) -> LogDirCounts {
        let mut out = LogDirCounts::default();
        for m in &self.moves {
            match view
                .log_dirs
                .state(&m.topic_partition(), m.broker, &m.log_dir)
            {
                DirState::InPlace => continue,
                DirState::Moving { bytes_left } => out.bytes_remaining += bytes_left,
                DirState::Elsewhere { .. } => {
                    self.accepted.remove(m);
                }
                DirState::Absent => {}
            }
            out.left += 1;
        }
        out
    }

    /// Sends AlterReplicaLogDirs for every move not accepted yet. Accepted moves are recorded;
    /// REPLICA_NOT_AVAILABLE (the replica does not exist yet) and no answer leave a move to ask
    /// again at the next poll; any other refusal is an error.
    pub async fn request<A: KafkaAdmin>(&mut self, admin: &A) -> Result<usize, ExecError> {
        let pending: Vec<&LogDirMove> = self
            .moves
            .iter()
            .filter(|m| !self.accepted.contains(*m))
            .collect();
        if pending.is_empty() {
            return Ok(0);
        }
        let requests: Vec<_> = pending.iter().map(|m| m.request()).collect();
        let by_replica: BTreeMap<_, &LogDirMove> =
            pending.iter().map(|m| (m.replica(), *m)).collect();
        let results = admin.alter_replica_log_dirs(&requests).await?;
        let mut accepted = Vec::new();
        let mut refused = Vec::new();
        for (replica, r) in results {
            let Some(m) = by_replica.get(&replica) else {
                continue;
            };
            match r {
                Ok(()) => accepted.push((*m).clone()),
                Err(ReplicaLogDirError::NotYetCreated | ReplicaLogDirError::NoAnswer(_)) => {}
                Err(ReplicaLogDirError::Refused(e)) => refused.push((
                    m.topic_partition(),
                    format!("log dir {} on broker {}: {e}", m.log_dir, m.broker),
                )),
            }
        }
        let n = accepted.len();
        self.accepted.extend(accepted);
        if refused.is_empty() {
            Ok(n)
        } else {
            Err(ExecError::MovesRefused(refused))
        }
    }
}

/// The changes that set `--log-dir-throttle` on `brokers` at `rate`, given their current
/// configs; records the values they replace in the ledger (the first record of a key wins, so a
/// resumed run keeps the operator's value). The caller saves the ledger before sending them.
pub fn log_dir_throttle_changes(
    brokers: &BTreeSet<BrokerId>,
    rate: u64,
    current: &CurrentConfigs,
    ledger: &mut ThrottleLedger,
) -> ConfigChanges {
    let empty = BTreeMap::new();
    brokers
        .iter()
        .map(|b| {
            let target = ConfigTarget::Broker(*b);
            let configs = current.get(&target).unwrap_or(&empty);
            ledger.record(
                LedgerTarget::Broker(b.0),
                LOG_DIR_RATE,
                own_value(configs, LOG_DIR_RATE),
            );
            (
                target,
                vec![ConfigChange::Set(LOG_DIR_RATE.to_owned(), rate.to_string())],
            )
        })
        .collect()
}
