//! The plan summary for machines (`generate --output json`) and the copy-time estimate; the
//! tables for people are in [`render::tables`](super::render::tables).

use serde::Serialize;

use kplan::model::{BrokerId, Cluster, Resource};
use kplan::plan::Plan;

/// Seconds to copy the plan's data when every broker's replication is throttled to `rate`:
/// the busiest broker, in or out, sets the pace.
pub fn copy_seconds(plan: &Plan, rate: u64) -> f64 {
    let m = &plan.metrics;
    let busiest = m
        .copy_in
        .values()
        .chain(m.copy_out.values())
        .copied()
        .max()
        .unwrap_or(0);
    busiest as f64 / rate as f64
}

/// The machine-readable summary of `--output json`.
#[derive(Serialize)]
pub struct JsonSummary<'a> {
    pub cluster_id: Option<&'a str>,
    pub partitions_changed: usize,
    pub replicas_moved: usize,
    pub bytes_moved: u64,
    pub leader_changes: usize,
    pub copy_seconds: Option<f64>,
    pub lower_bound: &'a kplan::plan::LowerBound,
    pub goals: &'a [kplan::plan::GoalStatus],
    pub warnings: &'a [String],
    pub brokers: Vec<JsonBroker>,
    pub report: &'a kplan::plan::PlanReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<&'a kplan::plan::Reassignment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback: Option<&'a kplan::plan::Reassignment>,
}

#[derive(Serialize)]
pub struct JsonBroker {
    pub id: BrokerId,
    pub rack: Option<String>,
    pub before: BrokerLoadJson,
    pub after: BrokerLoadJson,
}

#[derive(Serialize)]
pub struct BrokerLoadJson {
    pub replicas: u64,
    pub leaders: u64,
    pub disk_bytes: u64,
    pub bytes_in_per_sec: f64,
    pub bytes_out_per_sec: f64,
}

impl From<kplan::model::ResourceVector> for BrokerLoadJson {
    fn from(v: kplan::model::ResourceVector) -> Self {
        BrokerLoadJson {
            replicas: v[Resource::Replicas] as u64,
            leaders: v[Resource::Leaders] as u64,
            disk_bytes: v[Resource::Disk] as u64,
            bytes_in_per_sec: v[Resource::BytesIn],
            bytes_out_per_sec: v[Resource::BytesOut],
        }
    }
}

pub fn json_brokers(cluster: &Cluster, plan: &Plan) -> Vec<JsonBroker> {
    cluster
        .brokers()
        .iter()
        .map(|b| JsonBroker {
            id: b.id,
            rack: b.rack.clone(),
            before: plan.metrics.before[&b.id].into(),
            after: plan.metrics.after[&b.id].into(),
        })
        .collect()
}
