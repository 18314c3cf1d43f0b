//! `kplan throttle`, `cancel`, `elect-leaders` and `status`.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use super::cluster_view::ClusterView;
use super::execute::{load_state, save_state, state_path};
use super::{connect, human, throttles};
use crate::cli::{
    CancelArgs, ElectLeadersArgs, OutputFormat, StatusArgs, ThrottleClearArgs, ThrottleCommand,
    ThrottleSetArgs, ThrottleShowArgs,
};
use kplan::exec::{
    digest, parse_election_file, read_plan, throttle_plan, ExecutionState, FOLLOWER_RATE,
    FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS,
};
use kplan::kafka::{ConfigChange, ConfigTarget, KafkaAdmin};
use kplan::model::{BrokerId, TopicPartition};

fn block_on<F, T>(
    conn: &crate::cli::ConnectionArgs,
    f: impl FnOnce(kplan::kafka::KrafkaAdmin) -> F,
) -> anyhow::Result<T>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let settings = connect::settings(conn)?;
    connect::runtime()?.block_on(async {
        let admin = connect::admin(&settings).await?;
        f(admin).await
    })
}

pub fn throttle(cmd: &ThrottleCommand) -> anyhow::Result<u8> {
    match cmd {
        ThrottleCommand::Set(a) => block_on(&a.connection, |admin| async move {
            throttle_set(&admin, a).await
        }),
        ThrottleCommand::Clear(a) => block_on(&a.connection, |admin| async move {
            throttle_clear(&admin, a).await
        }),
        ThrottleCommand::Show(a) => block_on(&a.connection, |admin| async move {
            throttle_show(&admin, a).await
        }),
    }
}

async fn throttle_set<A: KafkaAdmin>(admin: &A, a: &ThrottleSetArgs) -> anyhow::Result<u8> {
    if let Some(plan_path) = &a.plan {
        let text = std::fs::read_to_string(plan_path)
            .with_context(|| format!("cannot read {}", plan_path.display()))?;
        let plan = read_plan(plan_path)?;
        let view = ClusterView::fetch(admin, &plan, false).await?;
        let tplan = throttle_plan(&view.moves(&plan));
        let state_file = state_path(plan_path, a.state.as_deref());
        let mut state = load_state(&state_file)?
            .filter(|s| s.plan_digest == digest(&text))
            .unwrap_or_else(|| {
                ExecutionState::new(
                    digest(&text),
                    view.cluster_id.clone(),
                    Vec::new(),
                    Some(a.rate),
                )
            });
        let current = throttles::current_configs(admin, &tplan).await?;
        let changes = throttles::throttle_changes(&tplan, a.rate, &current, &mut state.ledger);
        state.throttle = Some(a.rate);
        state.throttles_restored = false;
        save_state(&state_file, &state)?;
        throttles::apply(admin, &changes).await?;
        eprintln!(
            "throttle {} set for {} ({} sending, {} receiving broker(s)); prior values are in {}",
            human::rate(a.rate as f64),
            plan_path.display(),
            tplan.senders.len(),
            tplan.receivers.len(),
            state_file.display()
        );
        return Ok(0);
    }
    let brokers = a.brokers.clone().unwrap_or_default();
    let changes: Vec<(ConfigTarget, Vec<ConfigChange>)> = brokers
        .iter()
        .map(|b| {
            (
                ConfigTarget::Broker(*b),
                vec![
                    ConfigChange::Set(LEADER_RATE.into(), a.rate.to_string()),
                    ConfigChange::Set(FOLLOWER_RATE.into(), a.rate.to_string()),
                ],
            )
        })
        .collect();
    throttles::apply(admin, &changes).await?;
    eprintln!(
        "throttle rates {} set on broker(s) {:?}",
        human::rate(a.rate as f64),
        brokers.iter().map(|b| b.0).collect::<Vec<_>>()
    );
    Ok(0)
}

async fn throttle_clear<A: KafkaAdmin>(admin: &A, a: &ThrottleClearArgs) -> anyhow::Result<u8> {
    if let Some(plan_path) = &a.plan {
        let state_file = state_path(plan_path, a.state.as_deref());
        match load_state(&state_file)? {
            Some(mut state) if !state.ledger.is_empty() && !state.throttles_restored => {
                throttles::apply(admin, &throttles::restore_changes(&state.ledger)).await?;
                state.throttles_restored = true;
                save_state(&state_file, &state)?;
                eprintln!(
                    "throttles of {} restored to their previous values",
                    plan_path.display()
                );
            }
            _ => {
                let plan = read_plan(plan_path)?;
                let view = ClusterView::fetch(admin, &plan, false).await?;
                let tplan = throttle_plan(&view.moves(&plan));
                let current = throttles::current_configs(admin, &tplan).await?;
                throttles::apply(admin, &throttles::unthrottle_changes(&tplan, &current)).await?;
                eprintln!("no ledger: removed this plan's throttled-replica entries; rates left as they are");
            }
        }
        return Ok(0);
    }
    let cluster = admin.describe_cluster().await?;
    let topics = admin.describe_topics(None).await?;
    let mut changes: Vec<(ConfigTarget, Vec<ConfigChange>)> = cluster
        .brokers
        .iter()
        .map(|b| {
            (
                ConfigTarget::Broker(b.id),
                vec![
                    ConfigChange::Delete(LEADER_RATE.into()),
                    ConfigChange::Delete(FOLLOWER_RATE.into()),
                ],
            )
        })
        .collect();
    changes.extend(topics.iter().map(|t| {
        (
            ConfigTarget::Topic(t.name.clone()),
            vec![
                ConfigChange::Delete(LEADER_REPLICAS.into()),
                ConfigChange::Delete(FOLLOWER_REPLICAS.into()),
            ],
        )
    }));
    throttles::apply(admin, &changes).await?;
    eprintln!(
        "every throttle rate and throttled-replicas list removed ({} brokers, {} topics)",
        cluster.brokers.len(),
        topics.len()
    );
    Ok(0)
}

async fn throttle_show<A: KafkaAdmin>(admin: &A, a: &ThrottleShowArgs) -> anyhow::Result<u8> {
    let cluster = admin.describe_cluster().await?;
    let topics = admin.describe_topics(None).await?;
    let moving = !admin.list_reassignments().await?.is_empty();
    let mut targets: Vec<ConfigTarget> = cluster
        .brokers
        .iter()
        .map(|b| ConfigTarget::Broker(b.id))
        .collect();
    targets.extend(topics.iter().map(|t| ConfigTarget::Topic(t.name.clone())));
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for (t, r) in admin.describe_configs(&targets).await? {
        let Ok(c) = r else { continue };
        for key in [
            LEADER_RATE,
            FOLLOWER_RATE,
            LEADER_REPLICAS,
            FOLLOWER_REPLICAS,
        ] {
            if let Some(v) = c
                .get(key)
                .filter(|v| v.dynamic_here)
                .and_then(|v| v.value.clone())
                .filter(|v| !v.is_empty())
            {
                rows.push((t.to_string(), key.to_owned(), v));
            }
        }
    }
    let leftover = !moving && !rows.is_empty();
    if a.output == OutputFormat::Json {
        println!(
            "{}",
            serde_json::json!({"reassignments_running": moving, "leftover": leftover,
                "throttles": rows.iter().map(|(r, k, v)| serde_json::json!({"resource": r, "key": k, "value": v})).collect::<Vec<_>>()})
        );
        return Ok(0);
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(vec!["resource", "config", "value"]);
    for (r, k, v) in &rows {
        t.add_row(vec![r.clone(), k.clone(), v.clone()]);
    }
    eprintln!("{t}");
    if leftover {
        eprintln!("warning: throttles are set but no reassignment is running: leftovers slow replication for nothing (kplan throttle clear)");
    }
    Ok(0)
}

pub fn cancel(a: &CancelArgs) -> anyhow::Result<u8> {
    block_on(&a.connection, |admin| async move {
        let ongoing = admin.list_reassignments().await?;
        let wanted: Vec<TopicPartition> = match &a.plan {
            Some(p) => read_plan(p)?
                .partitions
                .iter()
                .map(|x| x.topic_partition())
                .filter(|tp| ongoing.contains_key(tp))
                .collect(),
            None => ongoing.keys().cloned().collect(),
        };
        let targets: Vec<(TopicPartition, Option<Vec<BrokerId>>)> =
            wanted.iter().map(|tp| (tp.clone(), None)).collect();
        let results = if targets.is_empty() {
            Default::default()
        } else {
            admin.alter_reassignments(&targets).await?
        };
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED)
            .set_header(vec!["partition", "cancel"]);
        let mut failed = 0;
        for (tp, r) in &results {
            t.add_row(vec![
                tp.to_string(),
                match r {
                    Ok(()) => "cancelled: back to the original replicas".to_owned(),
                    Err(e) => {
                        failed += 1;
                        e.clone()
                    }
                },
            ]);
        }
        eprintln!("{t}");
        eprintln!("{} cancelled, {failed} failed", results.len() - failed);
        if let (Some(plan), false) = (&a.plan, a.preserve_throttles) {
            let state_file = state_path(plan, a.state.as_deref());
            if let Some(mut state) = load_state(&state_file)? {
                if !state.ledger.is_empty() && !state.throttles_restored {
                    throttles::apply(&admin, &throttles::restore_changes(&state.ledger)).await?;
                    state.throttles_restored = true;
                    state.finished = true;
                    save_state(&state_file, &state)?;
                    eprintln!("throttles restored to their previous values");
                }
            }
        }
        Ok(if failed > 0 { 1 } else { 0 })
    })
}

pub fn elect_leaders(a: &ElectLeadersArgs) -> anyhow::Result<u8> {
    block_on(&a.connection, |admin| async move {
        let partitions: Vec<TopicPartition> = if let Some(p) = &a.plan {
            read_plan(p)?
                .partitions
                .iter()
                .map(|x| x.topic_partition())
                .collect()
        } else if let Some(f) = &a.path_to_json_file {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read {}", f.display()))?;
            parse_election_file(f, &text)?
        } else {
            admin
                .describe_topics(None)
                .await?
                .into_iter()
                .flat_map(|t| {
                    t.partitions
                        .into_iter()
                        .map(move |p| TopicPartition::new(&t.name, p.partition))
                })
                .collect()
        };
        if partitions.is_empty() {
            bail!("no partitions to elect leaders for");
        }
        let res = admin
            .elect_leaders(a.election_type.into(), &partitions)
            .await?;
        let failed: BTreeMap<&TopicPartition, &String> = res
            .iter()
            .filter_map(|(tp, r)| r.as_ref().err().map(|e| (tp, e)))
            .collect();
        eprintln!(
            "{:?} leader election for {} partition(s): {} succeeded or not needed, {} failed",
            a.election_type,
            res.len(),
            res.len() - failed.len(),
            failed.len()
        );
        for (tp, e) in &failed {
            eprintln!("  {tp}: {e}");
        }
        Ok(if failed.is_empty() { 0 } else { 1 })
    })
}

pub fn status(a: &StatusArgs) -> anyhow::Result<u8> {
    block_on(&a.connection, |admin| async move {
        let ongoing = admin.list_reassignments().await?;
        let plan = kplan::plan::Reassignment::new(
            ongoing
                .iter()
                .map(|(tp, o)| {
                    kplan::plan::PartitionReassignment::new(
                        tp,
                        kplan::model::ReplicaSet::new(o.replicas.clone()),
                    )
                })
                .collect(),
        );
        let view = if plan.is_empty() {
            ClusterView::default()
        } else {
            ClusterView::fetch(&admin, &plan, true).await?
        };
        let ids = |v: &[BrokerId]| v.iter().map(|b| b.0).collect::<Vec<_>>();
        if a.output == OutputFormat::Json {
            let rows: Vec<serde_json::Value> = ongoing
                .iter()
                .map(|(tp, o)| serde_json::json!({"topic": tp.topic, "partition": tp.partition, "replicas": ids(&o.replicas),
                    "adding": ids(&o.adding), "removing": ids(&o.removing), "bytes_remaining": view.bytes_remaining(tp)}))
                .collect();
            println!("{}", serde_json::json!({"reassignments": rows}));
            return Ok(0);
        }
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
            "partition",
            "replicas",
            "adding",
            "removing",
            "left to copy",
        ]);
        for (tp, o) in &ongoing {
            t.add_row(vec![
                tp.to_string(),
                format!("{:?}", ids(&o.replicas)),
                format!("{:?}", ids(&o.adding)),
                format!("{:?}", ids(&o.removing)),
                human::bytes(view.bytes_remaining(tp) as f64),
            ]);
        }
        eprintln!("{t}");
        eprintln!("{} reassignment(s) in progress", ongoing.len());
        Ok(0)
    })
}
