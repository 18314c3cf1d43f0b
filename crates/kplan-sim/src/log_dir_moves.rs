//! Moves between the log dirs of one broker (KIP-113): AlterReplicaLogDirs, future replicas and
//! their copy rate.
//!
//! Model, as Kafka's broker behaves:
//! - For a replica the broker holds, AlterReplicaLogDirs to another of its dirs creates a *future*
//!   replica there, which copies the current one and replaces it once caught up; asking for the
//!   dir the replica is in cancels a future replica, and asking again for the same target is a
//!   no-op. DescribeLogDirs lists the future replica in its dir with `is_future_key`.
//! - For a replica the broker does not hold, the broker remembers the dir and answers
//!   REPLICA_NOT_AVAILABLE; a reassignment that later adds the replica there creates it in that
//!   dir.
//! - A future replica copies at the broker's `replica.alter.log.dirs.io.max.bytes.per.second`,
//!   shared equally by the broker's future replicas, and at most at its line rate (divided by its
//!   slow-disk factor) likewise shared; it stalls while the broker is down. The replica it copies
//!   keeps growing with the produce rate, so the copy catches up when it reaches the replica's
//!   size, exactly as an adding replica does (see [`ClusterState::advance_to`]).

use std::collections::BTreeMap;

use kafka_protocol::error::ResponseError;

use super::cluster_state::{ClusterState, ItemError};

/// The broker config capping copies between its dirs.
pub const LOG_DIR_RATE: &str = "replica.alter.log.dirs.io.max.bytes.per.second";

/// A replica being copied into another dir of its broker.
#[derive(Clone, Debug, PartialEq)]
pub struct FutureReplica {
    /// Index of the target dir in the broker's `log_dirs`.
    pub dir: usize,
    /// Bytes copied so far.
    pub copied: f64,
}

/// A future replica's copy for the current interval.
#[derive(Clone, Debug)]
pub(crate) struct FutureCopy {
    pub topic: String,
    pub partition: usize,
    pub broker: i32,
    pub rate: f64,
}

impl ClusterState {
    /// AlterReplicaLogDirs for one replica, on `broker`.
    pub fn alter_replica_log_dir(
        &mut self,
        broker: i32,
        topic: &str,
        partition: i32,
        path: &str,
    ) -> Result<(), ItemError> {
        let Some(dir) = self
            .brokers
            .get(&broker)
            .and_then(|b| b.log_dirs.iter().position(|d| d == path))
        else {
            return Err(ItemError::new(
                ResponseError::LogDirNotFound,
                format!("Log dir {path} does not exist on broker {broker}"),
            ));
        };
        let holds = self
            .partition(topic, partition)
            .is_some_and(|p| p.replicas.contains(&broker));
        if !holds {
            self.preferred_dirs
                .insert((topic.to_owned(), partition, broker), dir);
            return Err(ItemError::new(
                ResponseError::ReplicaNotAvailable,
                format!("Replica {broker} of {topic}-{partition} is not available"),
            ));
        }
        let p = self
            .topics
            .get_mut(topic)
            .and_then(|t| t.partitions.get_mut(partition as usize))
            .expect("checked above");
        if p.copied.contains_key(&broker) {
            // Still being created by a reassignment: it is created in the new dir instead.
            p.log_dir.insert(broker, dir);
            p.future.remove(&broker);
        } else if p.log_dir.get(&broker) == Some(&dir) {
            p.future.remove(&broker);
        } else if p.future.get(&broker).is_none_or(|f| f.dir != dir) {
            p.future.insert(broker, FutureReplica { dir, copied: 0.0 });
        }
        Ok(())
    }

    /// The dir a replica created on `broker` goes to: the one asked for, else Kafka's rule.
    pub(crate) fn dir_for_new_replica(
        &mut self,
        topic: &str,
        partition: i32,
        broker: i32,
    ) -> usize {
        match self
            .preferred_dirs
            .remove(&(topic.to_owned(), partition, broker))
        {
            Some(d) => d,
            None => self.pick_log_dir(broker),
        }
    }

    /// Every future replica that can copy now, and its rate (see the module docs).
    pub(crate) fn future_copies(&self) -> Vec<FutureCopy> {
        let mut out = Vec::new();
        for (name, t) in &self.topics {
            for (i, p) in t.partitions.iter().enumerate() {
                for &b in p.future.keys().filter(|b| self.alive(**b)) {
                    out.push(FutureCopy {
                        topic: name.clone(),
                        partition: i,
                        broker: b,
                        rate: 0.0,
                    });
                }
            }
        }
        let mut share: BTreeMap<i32, usize> = BTreeMap::new();
        for c in &out {
            *share.entry(c.broker).or_default() += 1;
        }
        for c in &mut out {
            let n = share[&c.broker] as f64;
            let line = self.line_rate / self.brokers[&c.broker].slowdown.max(1e-9);
            let cap = self
                .broker_config(c.broker, LOG_DIR_RATE)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|v| *v > 0 && *v < i64::MAX)
                .map_or(f64::INFINITY, |v| v as f64);
            c.rate = line.min(cap) / n;
        }
        out
    }

    /// Bytes a future replica still has to copy at `now`, and the rate at which that gap closes.
    pub(crate) fn future_gap(&self, c: &FutureCopy) -> (f64, f64) {
        let p = &self.topics[&c.topic].partitions[c.partition];
        let size = p.replica_size_at(c.broker, self.now);
        let copied = p.future.get(&c.broker).map_or(0.0, |f| f.copied);
        (size - copied, c.rate - p.bytes_in_per_sec)
    }

    /// Copies `dt` seconds of every future replica.
    pub(crate) fn advance_futures(&mut self, copies: &[FutureCopy], dt: f64) {
        for c in copies {
            let p = &mut self.topics.get_mut(&c.topic).expect("topic").partitions[c.partition];
            if let Some(f) = p.future.get_mut(&c.broker) {
                f.copied += c.rate * dt;
            }
        }
    }

    /// Future replicas that caught up replace their replica: it is now in the new dir.
    pub(crate) fn finish_futures(&mut self) {
        let now = self.now;
        for t in self.topics.values_mut() {
            for p in &mut t.partitions {
                let done: Vec<(i32, usize)> = p
                    .future
                    .iter()
                    .filter(|(b, f)| f.copied + 1e-6 >= p.replica_size_at(**b, now))
                    .map(|(b, f)| (*b, f.dir))
                    .collect();
                for (b, dir) in done {
                    p.future.remove(&b);
                    p.log_dir.insert(b, dir);
                }
            }
        }
    }
}
