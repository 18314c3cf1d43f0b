//! The plan summary for machines (`generate --output json`); the tables for people are in
//! [`render::tables`](super::render::tables), the copy-time estimate in
//! [`render::copy_time`](super::render::copy_time).

use serde::Serialize;

use kplan::model::{BrokerId, Cluster, Resource};
use kplan::plan::Plan;

/// The machine-readable summary of `--output json`.
#[derive(Serialize)]
pub struct JsonSummary<'a> {
    pub cluster_id: Option<&'a str>,
    pub partitions_changed: usize,
    pub replicas_moved: usize,
    pub bytes_moved: u64,
    pub leader_changes: usize,
    /// Intra-broker moves between log dirs (disk I/O only), apart from `replicas_moved`.
    pub log_dir_moves: usize,
    pub log_dir_bytes: u64,
    /// The copy-time estimate in total (`null` without a throttle, or when it never finishes).
    pub copy_seconds: Option<f64>,
    /// The estimate per wave, with the throttle it is for (see `render::copy_time::json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_time: Option<serde_json::Value>,
    pub lower_bound: &'a kplan::plan::LowerBound,
    pub goals: &'a [kplan::plan::GoalStatus],
    pub warnings: &'a [String],
    /// Warnings of the copy-time estimate: a throttle too low, thin headroom, a target no
    /// throttle meets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub copy_warnings: Vec<String>,
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
