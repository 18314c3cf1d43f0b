//! Every comfy-table the commands print, built here with one look (UTF-8, condensed).

use std::collections::BTreeMap;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use super::{copy_time, human};
use kplan::exec::{
    CopySchedule, CopyTime, MoveSpec, PartitionProgress, PartitionStatus, ReassignmentStatus,
    ThrottleSetting, Wave,
};
use kplan::kafka::PerPartition;
use kplan::model::{BrokerId, Cluster, Resource, TopicPartition};
use kplan::plan::{GoalState, GoalStatus, Plan, PlanRequest};

/// An empty table with the house style and this header.
pub fn table(header: Vec<&str>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(header);
    t
}

fn ids(v: &[BrokerId]) -> Vec<i32> {
    v.iter().map(|b| b.0).collect()
}

/// Waves a table shows; the rest are summed up in one row.
const WAVES_SHOWN: usize = 40;

/// Each wave's partitions, bytes, the copy-time estimate and the broker that sets its pace, and
/// (the first six) moves; past [`WAVES_SHOWN`] waves, one row sums up the rest.
pub fn wave_table(
    waves: &[Wave],
    moves: &BTreeMap<TopicPartition, MoveSpec>,
    estimate: &CopyTime,
) -> Table {
    let mut t = table(vec![
        "wave",
        "partitions",
        "data to copy",
        "estimate",
        "pace set by",
        "moves",
    ]);
    for (i, w) in waves.iter().enumerate().take(WAVES_SHOWN) {
        let bytes: u64 = w
            .iter()
            .filter_map(|tp| moves.get(tp))
            .map(MoveSpec::bytes_to_copy)
            .sum();
        let list: Vec<String> = w
            .iter()
            .filter_map(|tp| moves.get(tp))
            .map(|m| format!("{} {:?}→{:?}", m.tp, ids(&m.current), ids(&m.target)))
            .collect();
        let shown = if list.len() > 6 {
            format!("{}\n… and {} more", list[..6].join("\n"), list.len() - 6)
        } else {
            list.join("\n")
        };
        t.add_row(vec![
            (i + 1).to_string(),
            w.len().to_string(),
            human::bytes(bytes as f64),
            copy_time::seconds(estimate.waves.get(i).and_then(|e| e.seconds)),
            copy_time::slowest(estimate, i)
                .map(copy_time::pace)
                .unwrap_or_else(|| "no copy".to_owned()),
            shown,
        ]);
    }
    if waves.len() > WAVES_SHOWN {
        let rest = &waves[WAVES_SHOWN..];
        let bytes: u64 = rest
            .iter()
            .flatten()
            .filter_map(|tp| moves.get(tp))
            .map(MoveSpec::bytes_to_copy)
            .sum();
        let secs: Option<f64> = estimate
            .waves
            .iter()
            .skip(WAVES_SHOWN)
            .map(|w| w.seconds)
            .sum();
        t.add_row(vec![
            format!("{}–{}", WAVES_SHOWN + 1, waves.len()),
            rest.iter().map(Vec::len).sum::<usize>().to_string(),
            human::bytes(bytes as f64),
            copy_time::seconds(secs),
            String::new(),
            format!("{} more wave(s)", rest.len()),
        ]);
    }
    t
}

/// `verify`: each partition of the plan, its target and where it stands.
pub fn verify_table(partitions: &[PartitionProgress]) -> Table {
    let mut t = table(vec!["partition", "target", "status", "detail"]);
    for p in partitions {
        let detail = match &p.status {
            PartitionStatus::InProgress if !p.stalled_on.is_empty() => format!(
                "{} left; stalled: {} not answering",
                human::bytes(p.bytes_remaining as f64),
                brokers_phrase(&p.stalled_on)
            ),
            PartitionStatus::InProgress => {
                format!("{} left", human::bytes(p.bytes_remaining as f64))
            }
            PartitionStatus::Diverged { replicas } => format!("replicas {:?}", ids(replicas)),
            PartitionStatus::WrongLogDir { broker, dir } => {
                format!(
                    "replica on broker {broker} is in (or moving to) {dir}, not the plan's log dir"
                )
            }
            _ => String::new(),
        };
        t.add_row(vec![
            p.tp.to_string(),
            format!("{:?}", ids(&p.target)),
            p.status.label().to_owned(),
            detail,
        ]);
    }
    t
}

/// "broker 4 is" / "brokers 4, 5 are".
pub fn brokers_phrase(brokers: &[BrokerId]) -> String {
    let list = brokers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if brokers.len() == 1 {
        format!("broker {list} is")
    } else {
        format!("brokers {list} are")
    }
}

/// `throttle show`: every throttle config set in the cluster.
pub fn throttle_table(settings: &[ThrottleSetting]) -> Table {
    let mut t = table(vec!["resource", "config", "value"]);
    for s in settings {
        t.add_row(vec![
            s.resource.to_string(),
            s.key.to_owned(),
            s.value.clone(),
        ]);
    }
    t
}

/// `cancel`: the controller's answer per partition.
pub fn cancel_table(results: &PerPartition<()>) -> Table {
    let mut t = table(vec!["partition", "cancel"]);
    for (tp, r) in results {
        t.add_row(vec![
            tp.to_string(),
            match r {
                Ok(()) => "cancelled: back to the original replicas".to_owned(),
                Err(e) => e.clone(),
            },
        ]);
    }
    t
}

/// `status`: the reassignments in flight.
pub fn status_table(rows: &[ReassignmentStatus]) -> Table {
    let mut t = table(vec![
        "partition",
        "replicas",
        "adding",
        "removing",
        "left to copy",
        "pace",
        "ETA",
    ]);
    for r in rows {
        t.add_row(vec![
            r.tp.to_string(),
            format!("{:?}", ids(&r.ongoing.replicas)),
            format!("{:?}", ids(&r.ongoing.adding)),
            format!("{:?}", ids(&r.ongoing.removing)),
            human::bytes(r.bytes_remaining as f64),
            r.pace.map_or_else(String::new, |p| human::rate(p as f64)),
            match (r.pace, r.eta_seconds()) {
                (_, Some(s)) => human::duration(s as f64),
                (Some(_), None) if r.bytes_remaining > 0 => "no progress".to_owned(),
                _ => String::new(),
            },
        ]);
    }
    t
}

/// The row of `snapshot`'s summary table.
pub struct SnapshotRow {
    pub cluster: String,
    pub brokers: String,
    pub topics: usize,
    pub partitions: usize,
    pub leader_bytes: u64,
    pub bytes_in: f64,
    pub bytes_out: f64,
    pub traffic_source: String,
    pub moving: usize,
}

/// `snapshot`: what was captured.
pub fn snapshot_table(row: &SnapshotRow) -> Table {
    let mut t = table(vec![
        "cluster",
        "brokers",
        "topics",
        "partitions",
        "data (leaders)",
        "bytes in",
        "bytes out",
        "traffic from",
        "moving",
    ]);
    t.add_row(vec![
        row.cluster.clone(),
        row.brokers.clone(),
        row.topics.to_string(),
        row.partitions.to_string(),
        human::bytes(row.leader_bytes as f64),
        human::rate(row.bytes_in),
        human::rate(row.bytes_out),
        row.traffic_source.clone(),
        row.moving.to_string(),
    ]);
    t
}

fn arrow(before: String, after: String) -> String {
    if before == after {
        before
    } else {
        format!("{before} → {after}")
    }
}

/// `generate`: per-broker before → after.
pub fn broker_table(cluster: &Cluster, plan: &Plan, request: &PlanRequest) -> Table {
    let mut t = table(BROKER_COLUMNS.to_vec());
    for b in cluster.brokers() {
        let before = plan.metrics.before[&b.id];
        let after = plan.metrics.after[&b.id];
        let count = |r: Resource| arrow(format!("{}", before[r]), format!("{}", after[r]));
        let shown = |r: Resource, f: fn(f64) -> String| {
            Cell::new(arrow(f(before[r]), f(after[r]))).set_alignment(CellAlignment::Right)
        };
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
            shown(Resource::Disk, human::bytes),
            shown(Resource::BytesIn, human::rate),
            shown(Resource::BytesOut, human::rate),
            Cell::new(note),
        ]);
    }
    t
}

/// `generate`'s totals against their lower bounds, and the copy-time estimate (given a throttle
/// or a target duration), as (name, value) rows: the terminal table and the review report show
/// the same.
pub fn summary_rows(plan: &Plan, copy: Option<&CopySchedule>) -> Vec<(String, String)> {
    let m = &plan.metrics;
    let lb = &plan.report.lower_bound;
    let mut rows = vec![
        (
            "partitions changed".to_owned(),
            m.partitions_changed.to_string(),
        ),
        (
            "replicas moved".to_owned(),
            // The bounds are what reaching every band (or its proven limit) needs; a plan that
            // stops short, under a budget, can be below.
            format!(
                "{} (reaching the bands needs ≥ {})",
                m.replicas_moved, lb.replicas
            ),
        ),
        (
            "data to copy".to_owned(),
            format!(
                "{} (reaching the bands needs ≥ {})",
                human::bytes(m.bytes_moved as f64),
                human::bytes(lb.bytes as f64)
            ),
        ),
        ("leader changes".to_owned(), m.leader_changes.to_string()),
    ];
    if plan.report.log_dirs.is_some() {
        rows.push((
            "log dir moves (intra-broker, disk only)".to_owned(),
            format!(
                "{} ({})",
                m.log_dir_moves,
                human::bytes(m.log_dir_bytes as f64)
            ),
        ));
    }
    if let Some(s) = copy {
        rows.push(copy_time_row(s));
    }
    rows
}

/// "copy time at 50.0 MB/s": the estimate, with the waves it assumes.
fn copy_time_row(s: &CopySchedule) -> (String, String) {
    let at = match s.throttle {
        Some(r) => format!("copy time at {}", human::rate(r as f64)),
        None => "copy time unthrottled".to_owned(),
    };
    let how = match s.target {
        Some(t) => format!(
            "auto: the smallest throttle within {}; ",
            human::duration(t.as_secs_f64())
        ),
        None => String::new(),
    };
    (
        at,
        format!(
            "{} ({how}{} wave(s) as execute plans them by default; produce traffic counted)",
            copy_time::seconds(s.copy_time.total_seconds),
            s.waves.len()
        ),
    )
}

/// `generate`: the totals of [`summary_rows`] as a table.
pub fn summary_table(plan: &Plan, copy: Option<&CopySchedule>) -> Table {
    let mut t = table(vec!["", "value"]);
    for (name, value) in summary_rows(plan, copy) {
        t.add_row(vec![name, value]);
    }
    t
}

/// The columns of a per-broker table (generate's before → after, describe's load, the review
/// report's brokers).
pub const BROKER_COLUMNS: &[&str] = &[
    "broker",
    "rack",
    "replicas",
    "leaders",
    "disk",
    "bytes in",
    "bytes out",
    "note",
];

/// The columns of the goal table, in every rendering (terminal, Markdown, HTML).
pub const GOAL_COLUMNS: &[&str] = &[
    "goal", "weight", "met", "max/mean", "bound", "min/mean", "detail",
];

/// A goal's status in words: met, at its proven best, or not met.
pub fn goal_status_word(g: &GoalStatus) -> &'static str {
    match g.status {
        _ if g.weight == 0.0 => "off",
        GoalState::Met => "yes",
        GoalState::BestPossible => "best possible",
        GoalState::Unmet => "NO",
    }
}

/// One goal's cells under [`GOAL_COLUMNS`]; "bound" is the proven lower bound on max/mean
/// that no valid plan beats.
pub fn goal_cells(g: &GoalStatus) -> Vec<String> {
    let ratio = |v: Option<f64>| v.map_or("-".to_owned(), |x| format!("{x:.3}"));
    vec![
        g.goal.to_string(),
        format!("{}", g.weight),
        goal_status_word(g).to_owned(),
        ratio(g.max_over_mean),
        g.bound.map_or("-".to_owned(), |b| format!("≥\u{a0}{b:.3}")),
        ratio(g.min_over_mean),
        g.detail.clone(),
    ]
}

/// `generate`: each goal, its weight, whether it is met (or at its proven best), how far
/// from the mean and how close any plan could get.
pub fn goal_table(plan: &Plan) -> Table {
    goals_table(&plan.report.goals)
}

/// The goal table of [`goal_table`] for any list of goals (`describe` has no plan).
pub fn goals_table(goals: &[GoalStatus]) -> Table {
    let mut t = table(GOAL_COLUMNS.to_vec());
    for g in goals {
        t.add_row(goal_cells(g));
    }
    t
}

/// `generate` with log dirs: per broker, its directories' spread (worst max/mean and min/mean
/// of their usage) before → after, the proven bound and the intra-broker moves.
pub fn log_dir_table(plan: &Plan) -> Option<Table> {
    let report = plan.report.log_dirs.as_ref()?;
    let mut t = table(vec![
        "broker",
        "log dirs",
        "max/mean",
        "min/mean",
        "bound",
        "fullest dir after",
        "intra-broker moves",
    ]);
    let ratio = |v: Option<f64>| v.map_or("-".to_owned(), |x| format!("{x:.3}"));
    for b in &report.brokers {
        let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
        t.add_row(vec![
            right(b.broker.to_string()),
            right(b.dirs.to_string()),
            right(arrow(
                ratio(b.before_max_over_mean),
                ratio(b.after_max_over_mean),
            )),
            right(arrow(
                ratio(b.before_min_over_mean),
                ratio(b.after_min_over_mean),
            )),
            right(format!("{:.3}", b.bound)),
            Cell::new(b.worst_dir.as_deref().unwrap_or("-")),
            right(format!(
                "{} ({})",
                b.intra_broker_moves,
                human::bytes(b.intra_broker_bytes as f64)
            )),
        ]);
    }
    Some(t)
}
