//! `status`: the reassignments in flight in the whole cluster, with what each still has to copy
//! and — measured over a short window — how fast that shrinks and when it will be done.
//!
//! The pace of a copy is the shrinking of the bytes it still lacks (the leader's log size minus
//! the copy's) between two reads of the log dirs: its copy rate less the produce traffic that
//! keeps growing the log. A copy whose backlog does not shrink has no ETA: it is stuck (a
//! throttle the traffic fills, a dead broker) or the window was too short to see it move.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::{ClusterView, ExecError};
use crate::kafka::{KafkaAdmin, OngoingReassignment};
use crate::model::{ReplicaSet, TopicPartition};
use crate::plan::{PartitionReassignment, Reassignment};

/// One reassignment in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReassignmentStatus {
    pub tp: TopicPartition,
    pub ongoing: OngoingReassignment,
    /// Σ over the adding replicas of (leader's size − copied so far).
    pub bytes_remaining: u64,
    /// How fast `bytes_remaining` shrank over the sampling window, bytes/s (0 when it did not);
    /// `None` without a window.
    pub pace: Option<u64>,
}

impl ReassignmentStatus {
    /// Seconds until the copy is done at its measured pace; `None` unmeasured or not shrinking.
    pub fn eta_seconds(&self) -> Option<u64> {
        let pace = self.pace.filter(|p| *p > 0)?;
        Some(self.bytes_remaining.div_ceil(pace))
    }
}

/// Every reassignment in flight, by partition; with a `window`, the log dirs are read twice
/// that far apart and each carries its pace.
pub async fn status<A: KafkaAdmin>(
    admin: &A,
    window: Duration,
) -> Result<Vec<ReassignmentStatus>, ExecError> {
    let ongoing: BTreeMap<TopicPartition, OngoingReassignment> = admin.list_reassignments().await?;
    if ongoing.is_empty() {
        return Ok(Vec::new());
    }
    // The moving partitions as a plan, to read their sizes like any plan's.
    let moving = Reassignment::new(
        ongoing
            .iter()
            .map(|(tp, o)| PartitionReassignment::new(tp, ReplicaSet::new(o.replicas.clone())))
            .collect(),
    );
    let mut view = ClusterView::fetch(admin, &moving, true).await?;
    let first: BTreeMap<TopicPartition, u64> = ongoing
        .keys()
        .map(|tp| (tp.clone(), view.bytes_remaining(tp)))
        .collect();
    let paces = if window.is_zero() {
        BTreeMap::new()
    } else {
        let started = Instant::now();
        tokio::time::sleep(window).await;
        view.refresh_sizes(admin).await?;
        let secs = started.elapsed().as_secs_f64();
        first
            .iter()
            .map(|(tp, before)| {
                let shrank = before.saturating_sub(view.bytes_remaining(tp)) as f64;
                (tp.clone(), (shrank / secs).round() as u64)
            })
            .collect()
    };
    Ok(ongoing
        .into_iter()
        .map(|(tp, ongoing)| ReassignmentStatus {
            bytes_remaining: view.bytes_remaining(&tp),
            pace: paces.get(&tp).copied(),
            tp,
            ongoing,
        })
        .collect())
}
