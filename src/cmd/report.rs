//! The plan summary for people (comfy-table) and machines (JSON).

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use serde::Serialize;

use super::human;
use kplan::model::{BrokerId, Cluster, Resource};
use kplan::plan::{Plan, PlanRequest};

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

fn arrow(before: String, after: String) -> String {
    if before == after {
        before
    } else {
        format!("{before} → {after}")
    }
}

/// Per-broker before → after table.
pub fn broker_table(cluster: &Cluster, plan: &Plan, request: &PlanRequest) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "broker",
        "rack",
        "replicas",
        "leaders",
        "disk",
        "bytes in",
        "bytes out",
        "note",
    ]);
    for b in cluster.brokers() {
        let before = plan.metrics.before[&b.id];
        let after = plan.metrics.after[&b.id];
        let count = |r: Resource| arrow(format!("{}", before[r]), format!("{}", after[r]));
        let note = if request.decommission.contains(&b.id) {
            "decommissioned"
        } else if !plan.report.eligible_brokers.contains(&b.id) {
            "not in --brokers"
        } else if before[Resource::Replicas] == 0.0 && after[Resource::Replicas] > 0.0 {
            "new"
        } else {
            ""
        };
        t.add_row(vec![
            Cell::new(b.id).set_alignment(CellAlignment::Right),
            Cell::new(b.rack.as_deref().unwrap_or("-")),
            Cell::new(count(Resource::Replicas)).set_alignment(CellAlignment::Right),
            Cell::new(count(Resource::Leaders)).set_alignment(CellAlignment::Right),
            Cell::new(arrow(
                human::bytes(before[Resource::Disk]),
                human::bytes(after[Resource::Disk]),
            ))
            .set_alignment(CellAlignment::Right),
            Cell::new(arrow(
                human::rate(before[Resource::BytesIn]),
                human::rate(after[Resource::BytesIn]),
            ))
            .set_alignment(CellAlignment::Right),
            Cell::new(arrow(
                human::rate(before[Resource::BytesOut]),
                human::rate(after[Resource::BytesOut]),
            ))
            .set_alignment(CellAlignment::Right),
            Cell::new(note),
        ]);
    }
    t
}

/// Totals and goals.
pub fn summary_table(plan: &Plan, throttle: Option<u64>) -> Table {
    let m = &plan.metrics;
    let lb = &plan.report.lower_bound;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["", "value"]);
    t.add_row(vec![
        "partitions changed".to_owned(),
        m.partitions_changed.to_string(),
    ]);
    t.add_row(vec![
        "replicas moved".to_owned(),
        // The bounds are what meeting every band needs; a plan that leaves a goal unmet can be below.
        format!(
            "{} (every goal met needs ≥ {})",
            m.replicas_moved, lb.replicas
        ),
    ]);
    t.add_row(vec![
        "data to copy".to_owned(),
        format!(
            "{} (every goal met needs ≥ {})",
            human::bytes(m.bytes_moved as f64),
            human::bytes(lb.bytes as f64)
        ),
    ]);
    t.add_row(vec![
        "leader changes".to_owned(),
        m.leader_changes.to_string(),
    ]);
    if let Some(rate) = throttle {
        t.add_row(vec![
            format!("copy time at {}", human::rate(rate as f64)),
            human::duration(copy_seconds(plan, rate)),
        ]);
    }
    t
}

pub fn goal_table(plan: &Plan) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "goal", "weight", "met", "max/mean", "min/mean", "detail",
    ]);
    for g in &plan.report.goals {
        let ratio = |v: Option<f64>| v.map_or("-".to_owned(), |x| format!("{x:.3}"));
        t.add_row(vec![
            g.goal.to_string(),
            format!("{}", g.weight),
            if g.weight == 0.0 {
                "off".to_owned()
            } else if g.met {
                "yes".to_owned()
            } else {
                "NO".to_owned()
            },
            ratio(g.max_over_mean),
            ratio(g.min_over_mean),
            g.detail.clone(),
        ]);
    }
    t
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
