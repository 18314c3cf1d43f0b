//! `kplan verify`: done / in progress / diverged, by exit code; restores throttles when done.

use std::time::Instant;

use anyhow::Context;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use super::cluster_view::ClusterView;
use super::execute::{load_state, save_state, state_path};
use super::{connect, human, throttles};
use crate::cli::{OutputFormat, VerifyArgs};
use kplan::exec::{classify, exit_code, read_plan, throttle_plan, PartitionStatus};
use kplan::kafka::KafkaAdmin;
use kplan::model::TopicPartition;
use kplan::plan::Reassignment;

pub fn run(args: &VerifyArgs) -> anyhow::Result<u8> {
    let plan = read_plan(&args.plan)?;
    let settings = connect::settings(&args.connection)?;
    let rt = connect::runtime()?;
    rt.block_on(async {
        let admin = connect::admin(&settings).await?;
        let r = verify(&admin, &plan, args).await;
        admin.close().await;
        r
    })
}

fn statuses(
    plan: &Reassignment,
    view: &ClusterView,
    queued: &std::collections::BTreeSet<TopicPartition>,
) -> Vec<(TopicPartition, PartitionStatus, u64)> {
    plan.partitions
        .iter()
        .map(|p| {
            let tp = p.topic_partition();
            let live = view.partitions.get(&tp).map(|s| s.replicas.as_slice());
            let ongoing = view
                .ongoing
                .get(&tp)
                .map(|o| (o.replicas.as_slice(), o.removing.as_slice()));
            let status = match classify(p.brokers(), live, ongoing) {
                PartitionStatus::Diverged { .. }
                    if queued.contains(&tp)
                        && ongoing.is_none()
                        && view.original(&tp).is_some_and(|o| {
                            plan.kplan
                                .as_ref()
                                .and_then(|c| {
                                    c.current.iter().find(|c| {
                                        c.topic == tp.topic && c.partition == tp.partition
                                    })
                                })
                                .is_none_or(|c| c.replicas == o)
                        }) =>
                {
                    PartitionStatus::Pending
                }
                other => other,
            };
            let remaining = if status == PartitionStatus::InProgress {
                view.bytes_remaining(&tp)
            } else {
                0
            };
            (tp, status, remaining)
        })
        .collect()
}

async fn verify<A: KafkaAdmin>(
    admin: &A,
    plan: &Reassignment,
    args: &VerifyArgs,
) -> anyhow::Result<u8> {
    let started = Instant::now();
    let state_file = state_path(&args.plan, args.state.as_deref());
    let (view, rows) = loop {
        // Partitions an unfinished execution of this very plan has not submitted yet.
        let queued: std::collections::BTreeSet<TopicPartition> = match load_state(&state_file)? {
            Some(s)
                if !s.finished
                    && s.plan_digest
                        == kplan::exec::digest(&std::fs::read_to_string(&args.plan)?) =>
            {
                s.waves
                    .iter()
                    .flatten()
                    .filter(|tp| !s.submitted.contains(*tp))
                    .cloned()
                    .collect()
            }
            _ => Default::default(),
        };
        let view = ClusterView::fetch(admin, plan, true).await?;
        let rows = statuses(plan, &view, &queued);
        let in_progress = rows
            .iter()
            .any(|(_, s, _)| matches!(s, PartitionStatus::InProgress | PartitionStatus::Pending));
        if !(args.wait && in_progress && started.elapsed() < args.timeout) {
            break (view, rows);
        }
        if args.output == OutputFormat::Table {
            let left: u64 = rows.iter().map(|r| r.2).sum();
            eprintln!(
                "{} partition(s) in progress, {} left to copy",
                rows.iter()
                    .filter(|r| r.1 == PartitionStatus::InProgress)
                    .count(),
                human::bytes(left as f64)
            );
        }
        tokio::time::sleep(args.poll_interval).await;
    };
    let statuses: Vec<PartitionStatus> = rows.iter().map(|r| r.1.clone()).collect();
    let code = exit_code(&statuses);

    // Throttles come off only when every partition of the plan is done.
    let mut restored = None;
    if code == 0 && !args.preserve_throttles {
        match load_state(&state_file)? {
            Some(state) if !state.ledger.is_empty() && state.throttles_restored => {
                restored = Some("already restored to their previous values".to_owned());
            }
            Some(mut state) if !state.ledger.is_empty() => {
                throttles::apply(admin, &throttles::restore_changes(&state.ledger))
                    .await
                    .context("restoring throttles from the ledger")?;
                state.throttles_restored = true;
                save_state(&state_file, &state)?;
                restored = Some("restored from the ledger".to_owned());
            }
            _ => {
                // No ledger: take out only this plan's list entries (computed from the rollback
                // a kplan plan carries, or the plan alone); never touch rates we did not record.
                let moves: Vec<kplan::exec::MoveSpec> = match &plan.kplan {
                    Some(ctx) => ctx
                        .current
                        .iter()
                        .filter_map(|c| {
                            let target = plan
                                .partitions
                                .iter()
                                .find(|p| p.topic == c.topic && p.partition == c.partition)?;
                            Some(kplan::exec::MoveSpec {
                                tp: TopicPartition::new(&c.topic, c.partition),
                                current: c.replicas.clone(),
                                target: target.brokers().to_vec(),
                                size: 0,
                            })
                        })
                        .collect(),
                    None => Vec::new(),
                };
                let tplan = throttle_plan(&moves);
                let current = throttles::current_configs(admin, &tplan).await?;
                let changes = throttles::unthrottle_changes(&tplan, &current);
                throttles::apply(admin, &changes).await?;
                restored = Some(if changes.is_empty() {
                    "no throttled-replica entries of this plan were left; throttle rates untouched (no ledger)".to_owned()
                } else {
                    "this plan's throttled-replica entries removed; throttle rates untouched (no ledger)".to_owned()
                });
            }
        }
    }

    if args.output == OutputFormat::Json {
        let parts: Vec<serde_json::Value> = rows
            .iter()
            .map(|(tp, s, rem)| {
                let mut v = serde_json::json!({"topic": tp.topic, "partition": tp.partition, "status": s.label()});
                if let PartitionStatus::Diverged { replicas } = s {
                    v["replicas"] = serde_json::json!(replicas.iter().map(|b| b.0).collect::<Vec<_>>());
                }
                if *s == PartitionStatus::InProgress {
                    v["bytes_remaining"] = serde_json::json!(rem);
                }
                v
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({"exit_code": code, "partitions": parts, "throttles": restored})
        );
    } else {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
            "partition",
            "target",
            "status",
            "detail",
        ]);
        for ((tp, s, rem), p) in rows.iter().zip(&plan.partitions) {
            let detail = match s {
                PartitionStatus::InProgress => format!("{} left", human::bytes(*rem as f64)),
                PartitionStatus::Diverged { replicas } => {
                    format!(
                        "replicas {:?}",
                        replicas.iter().map(|b| b.0).collect::<Vec<_>>()
                    )
                }
                _ => String::new(),
            };
            t.add_row(vec![
                tp.to_string(),
                format!("{:?}", p.brokers().iter().map(|b| b.0).collect::<Vec<_>>()),
                s.label().to_owned(),
                detail,
            ]);
        }
        eprintln!("{t}");
        let count = |f: fn(&PartitionStatus) -> bool| rows.iter().filter(|r| f(&r.1)).count();
        eprintln!(
            "{} done, {} in progress, {} pending, {} diverged, {} missing",
            count(|s| *s == PartitionStatus::Done),
            count(|s| *s == PartitionStatus::InProgress),
            count(|s| *s == PartitionStatus::Pending),
            count(|s| matches!(s, PartitionStatus::Diverged { .. })),
            count(|s| *s == PartitionStatus::Missing)
        );
        if let Some(r) = restored {
            eprintln!("throttles: {r}");
        } else if code == 0 {
            eprintln!("throttles: left in place (--preserve-throttles)");
        }
    }
    let _ = view;
    Ok(code)
}
