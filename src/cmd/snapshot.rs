//! `kplan snapshot`: capture a live cluster into a snapshot file.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use comfy_table::Table;
use indicatif::{ProgressBar, ProgressStyle};

use super::{connect, human};
use crate::cli::{OutputFormat, SnapshotArgs};
use kplan::files::{parse_capacity, write_atomic, BrokerCapacity, SnapshotFile};
use kplan::kafka::{anonymize, capture, parse_traffic, CaptureEvent, CaptureOptions, TrafficInput};

fn read_capacity(path: &std::path::Path) -> anyhow::Result<BTreeMap<i32, BrokerCapacity>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(parse_capacity(path, &text)?)
}

pub fn run(args: &SnapshotArgs) -> anyhow::Result<()> {
    if args.output == OutputFormat::Json && args.output_file.is_none() {
        anyhow::bail!(
            "--output json prints the summary on stdout; give the snapshot a file with -o"
        );
    }
    let traffic = match &args.traffic {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let (source, bytes_in) =
                parse_traffic(&path.display().to_string(), &text).map_err(anyhow::Error::msg)?;
            TrafficInput::Imported { source, bytes_in }
        }
        None => TrafficInput::Sample(args.sample),
    };
    let options = CaptureOptions {
        topics: args.topics.clone(),
        traffic,
        capacity: match &args.capacity {
            Some(p) => read_capacity(p)?,
            None => BTreeMap::new(),
        },
        strict: args.strict,
    };
    let settings = connect::settings(&args.connection)?;
    let rt = connect::runtime()?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("static template"));
    bar.enable_steady_tick(Duration::from_millis(120));
    let mut warnings = Vec::new();
    let mut file = rt.block_on(async {
        let admin = connect::admin(&settings).await?;
        let mut on_event = |e: CaptureEvent| match e {
            CaptureEvent::Stage(s) => bar.set_message(s.to_owned()),
            CaptureEvent::Sampling { elapsed, total } => bar.set_message(format!(
                "sampling end offsets: {:.0}/{:.0} s",
                elapsed.as_secs_f64(),
                total.as_secs_f64()
            )),
            CaptureEvent::Warning(w) => warnings.push(w),
        };
        let file = capture(&admin, &options, &mut on_event).await;
        admin.close().await;
        anyhow::Ok(file?)
    })?;
    bar.finish_and_clear();
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
    summary(&file, args)
}

fn summary(file: &SnapshotFile, args: &SnapshotArgs) -> anyhow::Result<()> {
    let partitions: usize = file.topics.iter().map(|t| t.partitions.len()).sum();
    let replicas: usize = file
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| p.replicas.len())
        .sum();
    let bytes: u64 = file
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| p.size_bytes)
        .sum();
    let bytes_in: f64 = file
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| p.bytes_in_per_sec)
        .sum();
    let bytes_out: f64 = file
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| p.bytes_out_per_sec)
        .sum();
    let offline: Vec<i32> = file
        .brokers
        .iter()
        .filter(|b| b.offline)
        .map(|b| b.id)
        .collect();
    let source = file
        .capture
        .as_ref()
        .map_or("none", |c| c.traffic_source.as_str());
    if args.output == OutputFormat::Json {
        println!(
            "{}",
            serde_json::json!({
                "cluster_id": file.cluster_id,
                "brokers": file.brokers.len(),
                "offline_brokers": offline,
                "topics": file.topics.len(),
                "partitions": partitions,
                "replicas": replicas,
                "leader_bytes": bytes,
                "bytes_in_per_sec": bytes_in,
                "bytes_out_per_sec": bytes_out,
                "traffic_source": source,
                "ongoing_reassignments": file.reassignments.len(),
            })
        );
        return Ok(());
    }
    let mut t = Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(vec![
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
        file.cluster_id.clone().unwrap_or_default(),
        if offline.is_empty() {
            file.brokers.len().to_string()
        } else {
            format!(
                "{} ({} down: {:?})",
                file.brokers.len(),
                offline.len(),
                offline
            )
        },
        file.topics.len().to_string(),
        partitions.to_string(),
        human::bytes(bytes as f64),
        human::rate(bytes_in),
        human::rate(bytes_out),
        source.to_owned(),
        file.reassignments.len().to_string(),
    ]);
    eprintln!("{t}");
    if let Some(path) = &args.output_file {
        eprintln!("snapshot written to {}", path.display());
    }
    Ok(())
}
