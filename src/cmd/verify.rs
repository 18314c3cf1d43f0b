//! `kplan verify`: [`kplan::exec::verify`], its report as a table or JSON, its exit code as
//! the process's.

use serde_json::json;

use super::connect;
use super::render::{copy_time, human, tables};
use crate::cli::{OutputFormat, VerifyArgs};
use kplan::exec::{
    self, Clock, PartitionStatus, PlanFile, StateFile, VerifyEvent, VerifyOptions, VerifyReport,
};
use kplan::model::BrokerId;

pub fn run(args: &VerifyArgs) -> anyhow::Result<u8> {
    let plan = PlanFile::read(&args.plan)?;
    let options = VerifyOptions {
        state_file: StateFile::for_plan(&args.plan, args.state.as_deref()),
        wait: args.wait,
        timeout: args.timeout,
        preserve_throttles: args.preserve_throttles,
        poll_interval: args.poll_interval,
        clock: Clock::wall(),
    };
    let table = args.output == OutputFormat::Table;
    let report = connect::with_admin(&args.connection, async |admin| {
        let mut on_event = |e: VerifyEvent| match e {
            VerifyEvent::StillMoving {
                in_progress,
                bytes_remaining,
                eta,
            } if table => eprintln!(
                "{in_progress} partition(s) in progress, {} left to copy{}",
                human::bytes(bytes_remaining as f64),
                eta.map(|e| format!(", {}", copy_time::eta(&e)))
                    .unwrap_or_default()
            ),
            VerifyEvent::StillMoving { .. } => {}
            VerifyEvent::PollFailed {
                error,
                attempt,
                retry_in,
            } => eprintln!(
                "warning: looking at the cluster failed ({attempt}/{}): {error}; retrying in {}",
                exec::MAX_POLL_FAILURES,
                human::duration(retry_in.as_secs_f64())
            ),
        };
        Ok(exec::verify(admin, &plan, &options, &mut on_event).await?)
    })?;
    if table {
        print_table(&report);
    } else {
        print_json(&report);
    }
    Ok(report.exit_code)
}

fn print_json(report: &VerifyReport) {
    let parts: Vec<serde_json::Value> = report
        .partitions
        .iter()
        .map(|p| {
            let mut v = json!({"topic": p.tp.topic, "partition": p.tp.partition, "status": p.status.label()});
            if let PartitionStatus::Diverged { replicas } = &p.status {
                v["replicas"] = json!(replicas.iter().map(|b| b.0).collect::<Vec<_>>());
            }
            if let PartitionStatus::WrongLogDir { broker, dir } = &p.status {
                v["broker"] = json!(broker.0);
                v["log_dir"] = json!(dir);
            }
            if p.status == PartitionStatus::InProgress {
                v["bytes_remaining"] = json!(p.bytes_remaining);
                v["stalled_on"] = json!(p.stalled_on.iter().map(|b| b.0).collect::<Vec<_>>());
            }
            v
        })
        .collect();
    let throttles = report.throttles.map(|t| t.to_string());
    let eta = report
        .eta
        .map(|e| json!({"seconds": e.seconds, "pace": e.pace, "pace_measured": e.measured}));
    println!(
        "{}",
        json!({"exit_code": report.exit_code, "partitions": parts, "throttles": throttles, "eta": eta})
    );
}

fn print_table(report: &VerifyReport) {
    eprintln!("{}", tables::verify_table(&report.partitions));
    let count =
        |f: fn(&PartitionStatus) -> bool| report.partitions.iter().filter(|p| f(&p.status)).count();
    eprintln!(
        "{} done, {} in progress, {} pending, {} diverged, {} missing",
        count(|s| *s == PartitionStatus::Done),
        count(|s| *s == PartitionStatus::InProgress),
        count(|s| *s == PartitionStatus::Pending),
        count(|s| matches!(
            s,
            PartitionStatus::Diverged { .. } | PartitionStatus::WrongLogDir { .. }
        )),
        count(|s| *s == PartitionStatus::Missing)
    );
    let stalled: std::collections::BTreeSet<BrokerId> = report
        .partitions
        .iter()
        .flat_map(|p| p.stalled_on.iter().copied())
        .collect();
    if !stalled.is_empty() {
        let stalled: Vec<BrokerId> = stalled.into_iter().collect();
        let back = if stalled.len() == 1 {
            "it is"
        } else {
            "they are"
        };
        eprintln!(
            "stalled: {} not answering (down, fenced or unreachable); these moves stay in progress and resume once {back} back",
            tables::brokers_phrase(&stalled)
        );
    }
    if let Some(e) = &report.eta {
        eprintln!("{}", copy_time::eta(e));
    }
    if let Some(r) = report.throttles {
        eprintln!("throttles: {r}");
    } else if report.exit_code == 0 {
        eprintln!("throttles: left in place (--preserve-throttles)");
    }
}
