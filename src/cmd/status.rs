//! `kplan status`: the reassignments in flight, with their measured pace and ETA, as a table
//! or JSON.

use serde_json::json;

use super::connect;
use super::render::{human, tables};
use crate::cli::{OutputFormat, StatusArgs};
use kplan::exec::{self, ReassignmentStatus};
use kplan::model::BrokerId;

pub fn run(a: &StatusArgs) -> anyhow::Result<u8> {
    let rows = connect::with_admin(&a.connection, async |admin| {
        Ok(exec::status(admin, a.sample).await?)
    })?;
    if a.output == OutputFormat::Json {
        let ids = |v: &[BrokerId]| v.iter().map(|b| b.0).collect::<Vec<_>>();
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                json!({"topic": r.tp.topic, "partition": r.tp.partition, "replicas": ids(&r.ongoing.replicas),
                    "adding": ids(&r.ongoing.adding), "removing": ids(&r.ongoing.removing), "bytes_remaining": r.bytes_remaining,
                    "pace": r.pace, "eta_seconds": r.eta_seconds()})
            })
            .collect();
        println!(
            "{}",
            json!({"reassignments": rows, "sample_seconds": a.sample.as_secs_f64()})
        );
        return Ok(0);
    }
    eprintln!("{}", tables::status_table(&rows));
    eprintln!(
        "{} reassignment(s) in progress{}",
        rows.len(),
        summary(&rows, a)
    );
    Ok(0)
}

/// When the reassignments in flight will be done at the measured pace, and how many did not
/// move during the sample.
fn summary(rows: &[ReassignmentStatus], a: &StatusArgs) -> String {
    if a.sample.is_zero() || rows.is_empty() {
        return String::new();
    }
    let stuck = rows
        .iter()
        .filter(|r| r.pace == Some(0) && r.bytes_remaining > 0)
        .count();
    let last = rows
        .iter()
        .filter_map(ReassignmentStatus::eta_seconds)
        .max();
    let mut s = match last {
        Some(secs) => format!(
            "; the last done in about {} at the pace measured over {}",
            human::duration(secs as f64),
            human::duration(a.sample.as_secs_f64())
        ),
        None => String::new(),
    };
    if stuck > 0 {
        s.push_str(&format!(
            "; {stuck} did not move in {} (stuck: a throttle the produce traffic fills, a broker down — or a sample too short to see it)",
            human::duration(a.sample.as_secs_f64())
        ));
    }
    s
}
