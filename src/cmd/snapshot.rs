//! `kplan snapshot`: the flags become [`CaptureOptions`]; [`capture`] reads the cluster; the
//! snapshot is written and summed up.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;

use super::connect;
use super::render::{progress, tables};
use crate::cli::{OutputFormat, SnapshotArgs};
use kplan::files::{parse_capacity, write_atomic, BrokerCapacity, SnapshotFile};
use kplan::kafka::{anonymize, capture, parse_traffic, CaptureEvent, CaptureOptions, TrafficInput};

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn read_capacity(path: &Path) -> anyhow::Result<BTreeMap<i32, BrokerCapacity>> {
    Ok(parse_capacity(path, &read_text(path)?)?)
}

fn options(args: &SnapshotArgs) -> anyhow::Result<CaptureOptions> {
    let traffic = match &args.traffic {
        Some(path) => {
            let (source, bytes_in) = parse_traffic(&path.display().to_string(), &read_text(path)?)
                .map_err(anyhow::Error::msg)?;
            TrafficInput::Imported { source, bytes_in }
        }
        None => TrafficInput::Sample(args.sample),
    };
    Ok(CaptureOptions {
        topics: args.topics.clone(),
        traffic,
        capacity: match &args.capacity {
            Some(p) => read_capacity(p)?,
            None => BTreeMap::new(),
        },
        strict: args.strict,
    })
}

pub fn run(args: &SnapshotArgs) -> anyhow::Result<()> {
    if args.output == OutputFormat::Json && args.output_file.is_none() {
        anyhow::bail!(
            "--output json prints the summary on stdout; give the snapshot a file with -o"
        );
    }
    let options = options(args)?;
    let mut warnings = Vec::new();
    let mut file = connect::with_admin(&args.connection, async |admin| {
        let bar = progress::spinner();
        let mut on_event = |e: CaptureEvent| match e {
            CaptureEvent::Stage(s) => bar.set_message(s.to_owned()),
            CaptureEvent::Sampling { elapsed, total } => bar.set_message(format!(
                "sampling end offsets: {:.0}/{:.0} s",
                elapsed.as_secs_f64(),
                total.as_secs_f64()
            )),
            CaptureEvent::Warning(w) => warnings.push(w),
        };
        let file = capture(admin, &options, &mut on_event).await;
        bar.finish_and_clear();
        Ok(file?)
    })?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    if args.anonymize {
        anonymize(&mut file);
    }
    let json = serde_json::to_string_pretty(&file)? + "\n";
    match &args.output_file {
        Some(path) => write_atomic(path, json.as_bytes())?,
        None => print!("{json}"),
    }
    summary(&file, args);
    Ok(())
}

/// The snapshot summed up: a table on stderr, or JSON on stdout.
fn summary(file: &SnapshotFile, args: &SnapshotArgs) {
    let partitions = file.topics.iter().flat_map(|t| &t.partitions);
    let offline: Vec<i32> = file
        .brokers
        .iter()
        .filter(|b| b.offline)
        .map(|b| b.id)
        .collect();
    let row = tables::SnapshotRow {
        cluster: file.cluster_id.clone().unwrap_or_default(),
        brokers: if offline.is_empty() {
            file.brokers.len().to_string()
        } else {
            let (n, down) = (file.brokers.len(), offline.len());
            format!("{n} ({down} down: {offline:?})")
        },
        topics: file.topics.len(),
        partitions: partitions.clone().count(),
        leader_bytes: partitions.clone().map(|p| p.size_bytes).sum(),
        bytes_in: partitions.clone().map(|p| p.bytes_in_per_sec).sum(),
        bytes_out: partitions.clone().map(|p| p.bytes_out_per_sec).sum(),
        traffic_source: file
            .capture
            .as_ref()
            .map_or("none", |c| c.traffic_source.as_str())
            .to_owned(),
        moving: file.reassignments.len(),
    };
    if args.output == OutputFormat::Json {
        let replicas: usize = partitions.map(|p| p.replicas.len()).sum();
        println!(
            "{}",
            serde_json::json!({
                "cluster_id": file.cluster_id,
                "brokers": file.brokers.len(),
                "offline_brokers": offline,
                "topics": row.topics,
                "partitions": row.partitions,
                "replicas": replicas,
                "leader_bytes": row.leader_bytes,
                "bytes_in_per_sec": row.bytes_in,
                "bytes_out_per_sec": row.bytes_out,
                "traffic_source": row.traffic_source,
                "ongoing_reassignments": row.moving,
            })
        );
        return;
    }
    eprintln!("{}", tables::snapshot_table(&row));
    if let Some(path) = &args.output_file {
        eprintln!("snapshot written to {}", path.display());
    }
}
