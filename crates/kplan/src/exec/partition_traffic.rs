//! The live traffic of the partitions a plan moves: who leads each and how fast producers write
//! to it. The copy-time model needs it (a copy also carries the partition's new produce
//! traffic), and so does the wave planner (it keeps each broker's concurrent ingest in check).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::{ClusterView, ExecuteEvent, MoveSpec};
use crate::kafka::{KafkaAdmin, KafkaError, OffsetSample};
use crate::model::{BrokerId, Cluster, TopicPartition};

/// One partition's leader and produce rate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct PartitionTraffic {
    /// The broker that serves the copies (None when the partition has no leader).
    pub leader: Option<BrokerId>,
    /// Bytes per second producers write to it; every replica receives them.
    pub bytes_in_per_sec: f64,
}

/// Traffic by partition; a partition that is absent has no produce traffic and is led by its
/// first replica.
pub type TrafficMap = BTreeMap<TopicPartition, PartitionTraffic>;

/// The traffic a snapshot recorded (what `generate` planned with).
pub fn snapshot_traffic(cluster: &Cluster) -> TrafficMap {
    cluster
        .partitions()
        .map(|(tp, p)| {
            (
                tp,
                PartitionTraffic {
                    leader: p.leader,
                    bytes_in_per_sec: p.bytes_in_per_sec,
                },
            )
        })
        .collect()
}

/// The leaders of the live cluster with produce rates measured elsewhere (sampled, or taken
/// from a snapshot); partitions without a rate have none.
pub fn live_traffic(view: &ClusterView, rates: &BTreeMap<TopicPartition, f64>) -> TrafficMap {
    view.partitions
        .iter()
        .map(|(tp, p)| {
            (
                tp.clone(),
                PartitionTraffic {
                    leader: p.leader,
                    bytes_in_per_sec: rates.get(tp).copied().unwrap_or(0.0),
                },
            )
        })
        .collect()
}

/// Where the produce rates of a plan's moving partitions come from.
#[derive(Clone, Debug, PartialEq)]
pub enum TrafficSource {
    /// Measured before anything changes: end offsets read twice, this far apart.
    Sample(Duration),
    /// Known already (a snapshot's), bytes/s by partition.
    Rates(BTreeMap<TopicPartition, f64>),
    /// Not measured: the estimate and the convergence check assume no produce traffic.
    Unknown,
}

/// The traffic of the partitions `moves` copy, from `source`; sampling is announced with
/// [`ExecuteEvent::SamplingTraffic`].
pub async fn measure_traffic<A: KafkaAdmin>(
    admin: &A,
    view: &ClusterView,
    moves: &[MoveSpec],
    source: &TrafficSource,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<TrafficMap, KafkaError> {
    let rates = match source {
        TrafficSource::Rates(r) => r.clone(),
        TrafficSource::Unknown => BTreeMap::new(),
        TrafficSource::Sample(window) => {
            let copying: Vec<TopicPartition> = moves
                .iter()
                .filter(|m| !m.adding().is_empty())
                .map(|m| m.tp.clone())
                .collect();
            if copying.is_empty() {
                BTreeMap::new()
            } else {
                events(ExecuteEvent::SamplingTraffic {
                    window: *window,
                    partitions: copying.len(),
                });
                let sample = OffsetSample::take(admin, &copying, *window, &mut |_, _| {}).await?;
                copying
                    .iter()
                    .filter_map(|tp| Some((tp.clone(), sample.bytes_in(tp, view.size(tp))?)))
                    .collect()
            }
        }
    };
    Ok(live_traffic(view, &rates))
}
