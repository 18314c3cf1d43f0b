//! The cluster as it is, judged as `generate` would judge a plan (`kplan describe`): each
//! broker's load, the partitions that break a hard rule or are unhealthy today, and every goal's
//! status with the proven bound on what any plan could reach. Nothing is planned.

use std::collections::BTreeSet;

use serde::Serialize;

use super::bounds::resource_bounds;
use super::goal_report::{goal_status, spread_excess};
use super::placement::Placement;
use super::problem::Problem;
use super::rack_rule::{RackRule, RackShortfall};
use super::report::{GoalStatus, ResourceBand};
use super::{PlanError, PlanRequest};
use crate::model::{BrokerId, Cluster, Resource, TopicPartition};

/// One broker's load today.
#[derive(Clone, Debug, Serialize)]
pub struct BrokerState {
    pub broker: BrokerId,
    pub rack: Option<String>,
    pub replicas: u64,
    pub leaders: u64,
    pub disk_bytes: f64,
    pub bytes_in_per_sec: f64,
    pub bytes_out_per_sec: f64,
    /// Outside the request's eligible brokers (`--decommission`, `--brokers`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub excluded: bool,
}

/// A partition spanning fewer racks than `min(#racks, RF)`.
#[derive(Clone, Debug, Serialize)]
pub struct RackViolation {
    #[serde(flatten)]
    pub partition: TopicPartition,
    pub spans: usize,
    pub needs: usize,
}

/// What `kplan describe` reports.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterState {
    pub cluster_id: Option<String>,
    pub partitions: usize,
    pub replicas: usize,
    pub brokers: Vec<BrokerState>,
    /// Partitions whose in-sync replicas are fewer than their replicas.
    pub under_replicated: Vec<TopicPartition>,
    /// Partitions with no leader.
    pub offline: Vec<TopicPartition>,
    /// Empty when rack awareness is off or no broker has a rack.
    pub rack_violations: Vec<RackViolation>,
    pub bands: Vec<ResourceBand>,
    pub goals: Vec<GoalStatus>,
}

/// Describes `cluster` under `request` (its tolerance, goals, rack awareness and eligible
/// brokers decide the bands, statuses and bounds).
pub fn describe(cluster: &Cluster, request: &PlanRequest) -> Result<ClusterState, PlanError> {
    let pb = Problem::new(cluster, request)?;
    let st = Placement::current(&pb, &request.goals);
    let bounds = resource_bounds(&st, request);
    let goals = goal_status(&st, request, spread_excess(&st), &bounds, None);
    let eligible: BTreeSet<BrokerId> = pb.eligible_brokers().map(|b| pb.broker_ids[b]).collect();
    let brokers = cluster
        .brokers()
        .iter()
        .zip(&st.load)
        .map(|(b, load)| BrokerState {
            broker: b.id,
            rack: b.rack.clone(),
            replicas: load[Resource::Replicas.index()] as u64,
            leaders: load[Resource::Leaders.index()] as u64,
            disk_bytes: load[Resource::Disk.index()],
            bytes_in_per_sec: load[Resource::BytesIn.index()],
            bytes_out_per_sec: load[Resource::BytesOut.index()],
            excluded: !eligible.contains(&b.id),
        })
        .collect();
    let health = health(cluster);
    Ok(ClusterState {
        cluster_id: cluster.cluster_id().map(str::to_owned),
        partitions: cluster.partition_count(),
        replicas: cluster.partitions().map(|(_, p)| p.replicas.len()).sum(),
        brokers,
        under_replicated: health.under_replicated,
        offline: health.offline,
        rack_violations: if pb.rack_aware {
            rack_violations(cluster, request)
        } else {
            Vec::new()
        },
        bands: Resource::ALL
            .iter()
            .map(|&r| ResourceBand {
                resource: r,
                band: *pb.band(r),
            })
            .collect(),
        goals,
    })
}

struct Health {
    under_replicated: Vec<TopicPartition>,
    offline: Vec<TopicPartition>,
}

fn health(cluster: &Cluster) -> Health {
    let mut h = Health {
        under_replicated: Vec::new(),
        offline: Vec::new(),
    };
    for (tp, p) in cluster.partitions() {
        if p.leader.is_none() {
            h.offline.push(tp.clone());
        }
        if p.isr.len() < p.replicas.len() {
            h.under_replicated.push(tp);
        }
    }
    h
}

/// Partitions below `min(#racks, RF)` racks, counted as the verifier counts them.
fn rack_violations(cluster: &Cluster, request: &PlanRequest) -> Vec<RackViolation> {
    let Some(rule) = RackRule::new(cluster, request) else {
        return Vec::new();
    };
    cluster
        .partitions()
        .filter_map(|(tp, p)| {
            rule.shortfall(p.replicas.brokers())
                .map(|RackShortfall { spans, needs }| RackViolation {
                    partition: tp,
                    spans,
                    needs,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Broker, Partition, Topic};
    use crate::plan::GoalState;

    #[test]
    fn loads_health_rack_violations_and_goals() {
        let brokers = vec![
            Broker::new(1, Some("a")),
            Broker::new(2, Some("a")),
            Broker::new(3, Some("b")),
        ];
        let mut urp = Partition::new(0, vec![1, 3]).with_load(100, 1.0, 2.0);
        urp.isr = vec![BrokerId(1)];
        let short = Partition::new(1, vec![1, 2]).with_load(100, 1.0, 2.0);
        let mut offline = Partition::new(2, vec![3, 1]).with_load(100, 1.0, 2.0);
        offline.leader = None;
        let cluster = Cluster::new(
            None,
            brokers,
            vec![Topic::new("t", vec![urp, short, offline])],
        )
        .unwrap();
        let d = describe(&cluster, &PlanRequest::default()).unwrap();
        assert_eq!((d.partitions, d.replicas), (3, 6));
        assert_eq!(d.under_replicated, vec![TopicPartition::new("t", 0)]);
        assert_eq!(d.offline, vec![TopicPartition::new("t", 2)]);
        assert_eq!(d.rack_violations.len(), 1);
        assert_eq!(d.rack_violations[0].partition, TopicPartition::new("t", 1));
        assert_eq!(
            (d.rack_violations[0].spans, d.rack_violations[0].needs),
            (1, 2)
        );
        let one = &d.brokers[0];
        assert_eq!(
            (one.broker, one.replicas, one.disk_bytes),
            (BrokerId(1), 3, 300.0)
        );
        // Rack b is broker 3 alone, and every partition needs rack b: broker 3 holds all three
        // replicas in any valid plan, so max/mean 1.5 (broker 1 today) is the best possible.
        let replicas = d
            .goals
            .iter()
            .find(|g| g.goal.to_string() == "replicas")
            .unwrap();
        assert_eq!(replicas.status, GoalState::BestPossible);
        assert_eq!(replicas.bound, Some(1.5));
        let off = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        assert!(describe(&cluster, &off).unwrap().rack_violations.is_empty());
    }
}
