//! `kplan describe`: a snapshot as `generate` would judge it, without planning.

use std::io::Write;

use comfy_table::{Cell, CellAlignment};

use super::render::human;
use super::render::tables;
use crate::cli::{DescribeArgs, OutputFormat};
use kplan::files::read_snapshot;
use kplan::plan::{describe, ClusterState, PlanRequest};

pub fn run(args: &DescribeArgs) -> anyhow::Result<()> {
    let cluster = read_snapshot(&args.snapshot)?;
    let request = PlanRequest {
        decommission: args.decommission.clone().unwrap_or_default(),
        allowed_brokers: args.brokers.clone(),
        rack_aware: !args.disable_rack_aware,
        tolerance: args.tolerance,
        goals: args.goals.unwrap_or_default(),
        ..PlanRequest::default()
    };
    let state = describe(&cluster, &request)
        .map_err(|e| anyhow::anyhow!("cannot describe {}: {e}", args.snapshot.display()))?;
    let mut out = std::io::stdout().lock();
    match args.output {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &state)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            writeln!(out, "{}", broker_table(&state))?;
            writeln!(out, "{}", health_table(&state))?;
            writeln!(out, "{}", tables::goals_table(&state.goals))?;
        }
    }
    Ok(())
}

fn broker_table(state: &ClusterState) -> comfy_table::Table {
    let mut t = tables::table(tables::BROKER_COLUMNS.to_vec());
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    for b in &state.brokers {
        t.add_row(vec![
            right(b.broker.to_string()),
            Cell::new(b.rack.as_deref().unwrap_or("-")),
            right(b.replicas.to_string()),
            right(b.leaders.to_string()),
            right(human::bytes(b.disk_bytes)),
            right(human::rate(b.bytes_in_per_sec)),
            right(human::rate(b.bytes_out_per_sec)),
            Cell::new(if b.excluded { "excluded" } else { "" }),
        ]);
    }
    t
}

/// Counts with the first few partitions named, so a reader can look them up.
fn health_table(state: &ClusterState) -> comfy_table::Table {
    let named = |n: usize, names: Vec<String>| {
        if n == 0 {
            "0".to_owned()
        } else if n > names.len() {
            format!("{n} ({}, …)", names.join(", "))
        } else {
            format!("{n} ({})", names.join(", "))
        }
    };
    let first =
        |v: &[kplan::model::TopicPartition]| v.iter().take(5).map(|tp| tp.to_string()).collect();
    let racks = state
        .rack_violations
        .iter()
        .take(5)
        .map(|v| format!("{} spans {} of {}", v.partition, v.spans, v.needs))
        .collect();
    let mut t = tables::table(vec!["", "value"]);
    t.add_row(vec!["partitions".to_owned(), state.partitions.to_string()]);
    t.add_row(vec!["replicas".to_owned(), state.replicas.to_string()]);
    t.add_row(vec![
        "under-replicated".to_owned(),
        named(state.under_replicated.len(), first(&state.under_replicated)),
    ]);
    t.add_row(vec![
        "offline (no leader)".to_owned(),
        named(state.offline.len(), first(&state.offline)),
    ]);
    t.add_row(vec![
        "rack violations".to_owned(),
        named(state.rack_violations.len(), racks),
    ]);
    t
}
