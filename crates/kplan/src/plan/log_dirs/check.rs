//! The verifier's directory checks, independent of how the plan was made: every named directory
//! is one its broker lists and may take the replica, what each directory receives fits its usable
//! bytes, a directory `--remove-log-dirs` empties ends empty of the replicas that stay on its
//! broker, and (when directories are planned) every replica arriving on a broker with known
//! directories has one. It also counts intra-broker moves.

use std::collections::BTreeMap;

use crate::model::{BrokerId, Cluster, LogDirId, Partition, TopicPartition};
use crate::plan::{PartitionReassignment, PlanRequest, Reassignment, Violation};

/// Replicas that change directory on a broker that keeps them, and their bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IntraBrokerMoves {
    pub replicas: usize,
    pub bytes: u64,
}

/// Checks the directories of `plan`; returns the intra-broker moves.
pub fn check_log_dirs(
    cluster: &Cluster,
    request: &PlanRequest,
    plan: &Reassignment,
    v: &mut Vec<Violation>,
) -> IntraBrokerMoves {
    let mut moves = IntraBrokerMoves::default();
    let mut arrivals: BTreeMap<(BrokerId, LogDirId), u64> = BTreeMap::new();
    let entries: BTreeMap<TopicPartition, &PartitionReassignment> = plan
        .partitions
        .iter()
        .map(|e| (e.topic_partition(), e))
        .collect();
    for (tp, entry) in &entries {
        let Some(p) = cluster.partition(tp) else {
            continue; // reported by the entry checks
        };
        for (b, dir) in entry.brokers().iter().zip(&entry.log_dirs) {
            let mut fail = |m: String| v.push(violation(tp, m));
            let home = home_dir(p, *b);
            if dir == "any" {
                let arriving = !p.replicas.brokers().contains(b);
                if arriving && request.log_dirs && !cluster.log_dirs().of(*b).is_empty() {
                    fail(format!("replica arriving on broker {b} has no log dir"));
                }
                continue;
            }
            let known = cluster.log_dirs().of(*b);
            let Some(d) = known.iter().find(|d| &d.path == dir) else {
                if !known.is_empty() {
                    fail(format!("log dir {dir} is not one of broker {b}'s log dirs"));
                }
                continue;
            };
            if home == Some(d.id) {
                continue;
            }
            let why = if d.offline {
                Some("offline")
            } else if d.cordoned {
                Some("cordoned")
            } else if request.removes_log_dir(*b, dir) {
                Some("emptied by --remove-log-dirs")
            } else {
                None
            };
            if let Some(why) = why {
                fail(format!(
                    "replica placed in log dir {dir} of broker {b}, which is {why}"
                ));
            }
            *arrivals.entry((*b, d.id)).or_default() += p.size_bytes;
            if home.is_some() {
                moves.replicas += 1;
                moves.bytes += p.size_bytes;
            }
        }
    }
    check_room(cluster, &arrivals, v);
    check_removed(cluster, request, &entries, v);
    moves
}

/// What the plan puts in each directory fits its usable bytes.
fn check_room(
    cluster: &Cluster,
    arrivals: &BTreeMap<(BrokerId, LogDirId), u64>,
    v: &mut Vec<Violation>,
) {
    for (&(b, id), &bytes) in arrivals {
        let Some((_, d)) = cluster.log_dirs().find(b, id) else {
            continue;
        };
        if let Some(usable) = d.usable_bytes.filter(|u| bytes > *u) {
            v.push(Violation {
                partition: None,
                message: format!(
                    "log dir {} of broker {b} receives {bytes} bytes but has {usable} usable bytes",
                    d.path
                ),
            });
        }
    }
}

/// No replica that stays on its broker stays in a directory `--remove-log-dirs` empties.
fn check_removed(
    cluster: &Cluster,
    request: &PlanRequest,
    entries: &BTreeMap<TopicPartition, &PartitionReassignment>,
    v: &mut Vec<Violation>,
) {
    if request.remove_log_dirs.is_empty() {
        return;
    }
    for (tp, p) in cluster.partitions() {
        for (i, b) in p.replicas.brokers().iter().enumerate() {
            let Some(home) = p.log_dirs.get(i) else {
                continue;
            };
            let path = cluster.log_dirs().path(home);
            if !request.removes_log_dir(*b, path) {
                continue;
            }
            let stays = match entries.get(&tp) {
                None => true,
                Some(e) => e
                    .brokers()
                    .iter()
                    .zip(&e.log_dirs)
                    .any(|(x, d)| x == b && (d == "any" || d == path)),
            };
            if stays {
                let m = format!("replica on broker {b} stays in log dir {path}, which --remove-log-dirs empties");
                v.push(violation(&tp, m));
            }
        }
    }
}

/// The directory holding the replica of `p` on `broker` now, when known.
fn home_dir(p: &Partition, broker: BrokerId) -> Option<LogDirId> {
    let i = p.replicas.brokers().iter().position(|b| *b == broker)?;
    p.log_dirs.get(i)
}

fn violation(tp: &TopicPartition, message: String) -> Violation {
    Violation {
        partition: Some(tp.to_string()),
        message,
    }
}
