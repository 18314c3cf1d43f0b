//! What a reviewer of a plan sees, gathered once from the plan and the snapshot: who moves where,
//! each broker before and after, the totals against their bounds, the goals and the warnings.
//! [`review_html`](super::review_html) and [`review_markdown`](super::review_markdown) lay the
//! same facts out for a browser and for a pull-request description. Nothing here depends on the
//! clock or the machine, so the report of a plan is as reproducible as the plan.

use std::path::Path;

use kplan::model::{BrokerId, Cluster, Resource, ResourceVector};
use kplan::plan::{Goal, GoalStatus, GoalWeights, Plan, PlanRequest};

use super::human;

/// The resources charted per broker, in the order a reviewer reads them.
pub const CHARTED: [Resource; 5] = [
    Resource::Disk,
    Resource::BytesIn,
    Resource::BytesOut,
    Resource::Replicas,
    Resource::Leaders,
];

pub struct Review<'a> {
    pub title: String,
    /// What was asked, as `flag value` lines.
    pub request: Vec<String>,
    pub brokers: Vec<BrokerLoad>,
    pub totals: Vec<(String, String)>,
    pub goals: &'a [GoalStatus],
    pub warnings: &'a [String],
}

pub struct BrokerLoad {
    pub id: BrokerId,
    pub rack: Option<String>,
    pub before: ResourceVector,
    pub after: ResourceVector,
    /// Why the broker stands out: new, decommissioned, outside `--brokers`.
    pub note: &'static str,
    /// Whether the plan balances this broker (eligible for the partitions being planned).
    pub eligible: bool,
}

impl<'a> Review<'a> {
    pub fn new(
        snapshot: &Path,
        cluster: &Cluster,
        plan: &'a Plan,
        request: &PlanRequest,
        totals: Vec<(String, String)>,
    ) -> Self {
        let title = match cluster.cluster_id() {
            Some(id) => format!("kplan plan for cluster {id}"),
            None => format!("kplan plan for {}", snapshot.display()),
        };
        let brokers = cluster
            .brokers()
            .iter()
            .map(|b| {
                let before = plan.metrics.before[&b.id];
                let after = plan.metrics.after[&b.id];
                let eligible = plan.report.eligible_brokers.contains(&b.id);
                BrokerLoad {
                    id: b.id,
                    rack: b.rack.clone(),
                    before,
                    after,
                    note: note(request, eligible, b.id, &before, &after),
                    eligible,
                }
            })
            .collect();
        Review {
            title,
            request: request_lines(snapshot, request),
            brokers,
            totals,
            goals: &plan.report.goals,
            warnings: &plan.report.warnings,
        }
    }

    /// The mean of `r` over the brokers the plan balances, after the plan.
    pub fn mean_after(&self, r: Resource) -> f64 {
        let eligible: Vec<f64> = self
            .brokers
            .iter()
            .filter(|b| b.eligible)
            .map(|b| b.after[r])
            .collect();
        if eligible.is_empty() {
            0.0
        } else {
            eligible.iter().sum::<f64>() / eligible.len() as f64
        }
    }

    /// The largest value of `r` on any broker, before or after: the scale of its chart.
    pub fn scale(&self, r: Resource) -> f64 {
        self.brokers
            .iter()
            .flat_map(|b| [b.before[r], b.after[r]])
            .fold(0.0, f64::max)
    }

    /// The resource whose worst eligible broker was furthest from the mean before the plan.
    pub fn furthest_from_balance(&self) -> Resource {
        let spread = |r: Resource| {
            let values: Vec<f64> = self
                .brokers
                .iter()
                .filter(|b| b.eligible)
                .map(|b| b.before[r])
                .collect();
            let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
            if mean <= 0.0 {
                return 0.0;
            }
            values
                .iter()
                .map(|v| (v / mean - 1.0).abs())
                .fold(0.0, f64::max)
        };
        CHARTED
            .into_iter()
            .fold((Resource::Disk, -1.0), |best, r| {
                let s = spread(r);
                if s > best.1 {
                    (r, s)
                } else {
                    best
                }
            })
            .0
    }
}

/// A resource's value as people read it: bytes, rates or counts.
pub fn shown(r: Resource, v: f64) -> String {
    match r {
        Resource::Disk => human::bytes(v),
        Resource::BytesIn | Resource::BytesOut => human::rate(v),
        Resource::Replicas | Resource::Leaders => format!("{v:.0}"),
    }
}

/// A resource's name in a heading.
pub fn label(r: Resource) -> &'static str {
    match r {
        Resource::Disk => "Disk",
        Resource::BytesIn => "Bytes in",
        Resource::BytesOut => "Bytes out",
        Resource::Replicas => "Replicas",
        Resource::Leaders => "Leaders",
    }
}

fn note(
    request: &PlanRequest,
    eligible: bool,
    id: BrokerId,
    before: &ResourceVector,
    after: &ResourceVector,
) -> &'static str {
    if request.decommission.contains(&id) {
        "decommissioned"
    } else if !eligible {
        "not in --brokers"
    } else if before[Resource::Replicas] == 0.0 && after[Resource::Replicas] > 0.0 {
        "new"
    } else {
        ""
    }
}

/// `disk,bytes-in=2`: the goals switched on, with their weights where not 1.
fn goal_list(w: &GoalWeights) -> String {
    Goal::ALL
        .iter()
        .filter(|&&g| g != Goal::LogDirs && w.get(g) > 0.0)
        .map(|&g| match w.get(g) {
            1.0 => g.to_string(),
            weight => format!("{g}={weight}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn request_lines(snapshot: &Path, r: &PlanRequest) -> Vec<String> {
    let brokers = |set: &std::collections::BTreeSet<BrokerId>| {
        set.iter()
            .map(|b| b.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut lines = vec![format!("--snapshot {}", snapshot.display())];
    if !r.decommission.is_empty() {
        lines.push(format!("--decommission {}", brokers(&r.decommission)));
    }
    if let Some(allowed) = &r.allowed_brokers {
        lines.push(format!("--brokers {}", brokers(allowed)));
    }
    if let Some(t) = &r.topics {
        lines.push(format!("--topics {}", t.as_str()));
    }
    if let Some(t) = &r.exclude_topics {
        lines.push(format!("--exclude-topics {}", t.as_str()));
    }
    for (re, rf) in &r.replication_factors {
        lines.push(format!("--replication-factor {}={rf}", re.as_str()));
    }
    if !r.rack_aware {
        lines.push("--disable-rack-aware".to_owned());
    }
    lines.push(format!("--tolerance {}%", r.tolerance * 100.0));
    if let Some(n) = r.max_moves {
        lines.push(format!("--max-moves {n}"));
    }
    if let Some(b) = r.max_move_bytes {
        lines.push(format!("--max-move-bytes {}", human::bytes(b as f64)));
    }
    if r.leaders_only {
        lines.push("--leaders-only".to_owned());
    }
    if r.goals != GoalWeights::default() {
        lines.push(format!("--goals {}", goal_list(&r.goals)));
    }
    if let Some(t) = &r.spread_topics {
        lines.push(format!("--spread-topics {}", t.as_str()));
    }
    if !r.log_dirs {
        lines.push("--no-log-dirs".to_owned());
    }
    if !r.remove_log_dirs.is_empty() {
        let dirs: Vec<String> = r
            .remove_log_dirs
            .iter()
            .flat_map(|(b, paths)| paths.iter().map(move |p| format!("{b}:{p}")))
            .collect();
        lines.push(format!("--remove-log-dirs {}", dirs.join(",")));
    }
    // A topics-to-move file of a thousand topics becomes one long pattern: show its start.
    for line in &mut lines {
        if line.chars().count() > 160 {
            *line = format!("{} …", line.chars().take(160).collect::<String>());
        }
    }
    lines
}
