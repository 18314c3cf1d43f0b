//! The directory stage (JBOD): which log directory of its broker each replica ends in.
//!
//! It runs after the broker stages, on their final replica lists, and balances each broker's
//! directories on its own: a directory's *usage* is the bytes of the replicas it holds divided by
//! its volume's `total_bytes` when every directory of the broker reports one (bytes alone
//! otherwise), and every directory that accepts replicas should end within the tolerance band
//! around its broker's mean usage, `mean = Σ load / Σ weight` over those directories.
//!
//! Hard constraints, per broker:
//! - a replica arriving on the broker, or leaving a directory `--remove-log-dirs` empties, is
//!   placed in a directory that accepts replicas (not cordoned, not offline, not removed);
//! - what the plan puts in a directory fits its usable bytes: `Σ arrivals(d) ≤ usable(d)`. The
//!   sources are not subtracted, since Kafka deletes a moved replica only once its copy is done.
//!
//! Costs: an arriving replica gets a directory for free (it is copied anyway); moving a replica
//! between two directories of the same broker (an *intra-broker* move, KIP-113) costs disk I/O on
//! that broker and no network, and is counted apart from inter-broker moves. The stage places the
//! replicas that must be placed largest first into the directory whose usage stays lowest, then
//! moves replicas from the fullest directory to the emptiest while a directory is out of band,
//! moving an arriving replica again (free) before a settled one.
//!
//! Replicas are not split, so a broker's directories cannot always all end in band. Each broker
//! reports a proven lower bound on its fullest directory's usage over the mean, and a broker
//! still out of band gets a bounded search over the placements of its replicas that either
//! finds a better one or proves none exists (see [`dir_bound`]): what stays out of band is
//! "best possible" with that bound, or unmet with the bound it could not reach.

mod broker_dirs;
mod check;
mod dir_bound;
mod dir_report;

use std::collections::BTreeMap;

use super::placement::Placement;
use super::problem::Bx;
use super::{PlanError, PlanRequest};
use crate::model::{BrokerId, Cluster, LogDirId};
use broker_dirs::{BrokerDirs, DirReplica};
pub(super) use check::check_log_dirs;
pub use dir_report::{BrokerDirSpread, LogDirReport};

/// The directories the plan names: per partition (problem index), the replicas that get an
/// absolute directory (arrivals on brokers with known directories, and intra-broker moves).
/// Every other replica's directory is `"any"`.
pub(super) struct DirPlan {
    pub named: BTreeMap<usize, Vec<(Bx, LogDirId)>>,
    pub report: LogDirReport,
}

impl DirPlan {
    /// The directory named for the replica of partition `p` on broker `b`, if any.
    pub fn dir(&self, p: usize, b: Bx) -> Option<LogDirId> {
        self.named
            .get(&p)?
            .iter()
            .find(|(x, _)| *x == b)
            .map(|(_, d)| *d)
    }
}

impl DirPlan {
    /// The `log_dirs` of a plan entry whose final list is `list`: the named directory or `"any"`
    /// for each replica; `None` when the plan names none for this partition.
    pub fn entry(&self, cluster: &Cluster, p: usize, list: &[Bx]) -> Option<Vec<String>> {
        self.named.get(&p)?;
        Some(
            list.iter()
                .map(|&b| self.dir(p, b).map_or("any", |d| cluster.log_dirs().path(d)))
                .map(str::to_owned)
                .collect(),
        )
    }

    /// The `log_dirs` of a rollback entry (the current list `current`): a replica the plan moves
    /// between directories goes back to the one it is in now; `None` when there is none.
    pub fn rollback_entry(
        &self,
        cluster: &Cluster,
        p: usize,
        current: &[Bx],
        partition: &crate::model::Partition,
    ) -> Option<Vec<String>> {
        let named = self.named.get(&p)?;
        let dirs: Vec<String> = current
            .iter()
            .enumerate()
            .map(
                |(i, b)| match (named.iter().any(|(x, _)| x == b), partition.log_dirs.get(i)) {
                    (true, Some(home)) => cluster.log_dirs().path(home).to_owned(),
                    _ => "any".to_owned(),
                },
            )
            .collect();
        dirs.iter().any(|d| d != "any").then_some(dirs)
    }
}

/// True when the stage runs: the snapshot knows directories and the request wants them.
pub(super) fn applies(cluster: &Cluster, request: &PlanRequest) -> bool {
    request.log_dirs && !request.leaders_only && !cluster.log_dirs().is_empty()
}

/// Request errors about directories, found before any stage runs.
pub(super) fn validate(cluster: &Cluster, request: &PlanRequest) -> Result<(), PlanError> {
    if request.remove_log_dirs.is_empty() {
        return Ok(());
    }
    if request.leaders_only {
        return Err(PlanError::LeadersOnlyConflict("empty log dirs"));
    }
    for (&broker, paths) in &request.remove_log_dirs {
        if cluster.broker(broker).is_none() {
            return Err(PlanError::UnknownBroker(broker));
        }
        let known = cluster.log_dirs().of(broker);
        for path in paths {
            if !known.iter().any(|d| &d.path == path) {
                let names: Vec<&str> = known.iter().map(|d| d.path.as_str()).collect();
                return Err(PlanError::UnknownLogDir {
                    broker,
                    path: path.clone(),
                    known: if names.is_empty() {
                        "the snapshot lists none".to_owned()
                    } else {
                        names.join(", ")
                    },
                });
            }
        }
    }
    Ok(())
}

/// Places every replica of the final lists `st` in a directory of its broker.
pub(super) fn plan_log_dirs(
    cluster: &Cluster,
    st: &Placement,
    request: &PlanRequest,
) -> Result<DirPlan, PlanError> {
    let pb = st.pb;
    let (mut per_broker, current) = replicas_per_broker(cluster, st);
    let mut named: BTreeMap<usize, Vec<(Bx, LogDirId)>> = BTreeMap::new();
    let mut spreads = Vec::new();
    for (b, replicas) in per_broker.iter_mut().enumerate() {
        let broker = pb.broker_ids[b];
        let dirs = cluster.log_dirs().of(broker);
        if dirs.is_empty() {
            continue;
        }
        let replicas = std::mem::take(replicas);
        let mut state = BrokerDirs::new(broker, dirs, request, replicas, &current[b]);
        state.check_removed(|p| pb.parts[p].movable, |p| pb.topic_partition(p))?;
        state.place_required(|p| pb.topic_partition(p).to_string())?;
        state.balance(request.tolerance);
        state.prove(request.tolerance);
        for (p, dir) in state.named() {
            named.entry(p).or_default().push((b, dir));
        }
        spreads.push(BrokerDirSpread::new(&state));
    }
    Ok(DirPlan {
        named,
        report: LogDirReport::new(spreads, request.tolerance),
    })
}

/// Per broker: the replicas it holds after the plan, with the directory each is in now (`None`
/// for one arriving or whose directory is unknown); and the bytes each directory holds now.
type BrokerReplicas = (Vec<Vec<DirReplica>>, Vec<BTreeMap<LogDirId, u64>>);

fn replicas_per_broker(cluster: &Cluster, st: &Placement) -> BrokerReplicas {
    let pb = st.pb;
    let mut out: Vec<Vec<DirReplica>> = vec![Vec::new(); pb.broker_count()];
    let mut now: Vec<BTreeMap<LogDirId, u64>> = vec![BTreeMap::new(); pb.broker_count()];
    let index: BTreeMap<BrokerId, Bx> = (0..pb.broker_count())
        .map(|b| (pb.broker_ids[b], b))
        .collect();
    for (p, (_, partition)) in cluster.partitions().enumerate() {
        let current = partition.replicas.brokers();
        for (i, id) in current.iter().enumerate() {
            if let (Some(dir), Some(&b)) = (partition.log_dirs.get(i), index.get(id)) {
                *now[b].entry(dir).or_default() += partition.size_bytes;
            }
        }
        for &b in &st.replicas[p] {
            let id: BrokerId = pb.broker_ids[b];
            let held = current.iter().position(|x| *x == id);
            out[b].push(DirReplica {
                p: p as u32,
                size: partition.size_bytes,
                arriving: held.is_none(),
                home: held.and_then(|i| partition.log_dirs.get(i)),
                movable: pb.parts[p].movable,
            });
        }
    }
    (out, now)
}

#[cfg(test)]
mod tests;
