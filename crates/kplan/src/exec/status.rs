//! `status`: the reassignments in flight in the whole cluster, with what each still has to copy.

use std::collections::BTreeMap;

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
}

/// Every reassignment in flight, by partition.
pub async fn status<A: KafkaAdmin>(admin: &A) -> Result<Vec<ReassignmentStatus>, ExecError> {
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
    let view = ClusterView::fetch(admin, &moving, true).await?;
    Ok(ongoing
        .into_iter()
        .map(|(tp, ongoing)| ReassignmentStatus {
            bytes_remaining: view.bytes_remaining(&tp),
            tp,
            ongoing,
        })
        .collect())
}
