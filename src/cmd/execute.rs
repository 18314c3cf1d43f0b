//! `kplan execute`: apply a plan in waves, with throttles and a resumable state file.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use indicatif::{ProgressBar, ProgressStyle};

use super::cluster_view::ClusterView;
use super::{connect, human, throttles};
use crate::cli::{ExecuteArgs, OutputFormat};
use kplan::exec::{
    digest, parse_plan, plan_waves, throttle_plan, ExecutionState, MoveSpec, WaveLimits,
};
use kplan::files::{read_snapshot, write_atomic};
use kplan::kafka::{ElectionKind, KafkaAdmin, PartitionState};
use kplan::model::{BrokerId, TopicPartition};
use kplan::plan::{PartitionReassignment, Reassignment};

/// `plan.json` → `plan.json.state`.
pub fn state_path(plan: &Path, explicit: Option<&Path>) -> PathBuf {
    explicit.map_or_else(
        || PathBuf::from(format!("{}.state", plan.display())),
        Path::to_path_buf,
    )
}

pub fn load_state(path: &Path) -> anyhow::Result<Option<ExecutionState>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(serde_json::from_str(&text).with_context(|| {
            format!("{}: not a kplan state file", path.display())
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!("cannot read {}: {e}", path.display())),
    }
}

pub fn save_state(path: &Path, state: &ExecutionState) -> anyhow::Result<()> {
    write_atomic(
        path,
        (serde_json::to_string_pretty(state)? + "\n").as_bytes(),
    )?;
    Ok(())
}

/// Ctrl-C: the first stops new waves; the second exits at once.
fn interrupts() -> Arc<AtomicUsize> {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if c.fetch_add(1, Ordering::SeqCst) >= 1 {
                eprintln!("\ninterrupted twice: exiting now (the state file is intact)");
                std::process::exit(130);
            }
        }
    });
    count
}

struct Out {
    json: bool,
}

impl Out {
    fn event(&self, value: serde_json::Value) {
        if self.json {
            println!("{value}");
        }
    }
    fn say(&self, line: impl AsRef<str>) {
        if !self.json {
            eprintln!("{}", line.as_ref());
        }
    }
}

/// Pre-flight checks against the live cluster; returns the plan to run (drifted partitions
/// removed with --force) and the problems found.
fn preflight(
    plan: &Reassignment,
    view: &ClusterView,
    args: &ExecuteArgs,
    out: &Out,
) -> anyhow::Result<Reassignment> {
    let mut errors: Vec<String> = Vec::new();
    for t in &view.missing_topics {
        errors.push(format!("Topic {t} not found"));
    }
    for p in &plan.partitions {
        let tp = p.topic_partition();
        if !view.missing_topics.contains(&p.topic) && !view.partitions.contains_key(&tp) {
            errors.push(format!("Unable to find partition: {tp}"));
        }
    }
    let plan_brokers: BTreeSet<BrokerId> = plan
        .partitions
        .iter()
        .flat_map(|p| p.brokers().iter().copied())
        .collect();
    let known: BTreeSet<BrokerId> = view
        .partitions
        .values()
        .flat_map(|p| p.replicas.iter().copied())
        .chain(view.alive.iter().copied())
        .collect();
    for b in &plan_brokers {
        if !known.contains(b) {
            errors.push(format!("Unknown broker id {b}"));
        } else if !view.alive.contains(b) {
            errors.push(format!(
                "broker {b} is not alive: a move to or from it would hang (Kafka's tool waits forever); bring it back or plan without it"
            ));
        }
    }
    if let (Some(ctx), Some(live)) = (plan.kplan.as_ref(), view.cluster_id.as_ref()) {
        if let Some(planned) = &ctx.cluster_id {
            if planned != live && planned != "kplan-sandbox-anonymized" {
                errors.push(format!(
                    "the plan was made for cluster {planned}, this is cluster {live}"
                ));
            }
        }
    }
    if !errors.is_empty() {
        bail!("refusing to execute:\n  {}", errors.join("\n  "));
    }
    let mut drifted: Vec<String> = Vec::new();
    let mut skip: BTreeSet<TopicPartition> = BTreeSet::new();
    if let Some(ctx) = &plan.kplan {
        for c in &ctx.current {
            let tp = TopicPartition::new(&c.topic, c.partition);
            let Some(now) = view.original(&tp) else {
                continue;
            };
            if now != c.replicas {
                drifted.push(format!(
                    "{tp}: planned from {:?}, now {:?}",
                    ids(&c.replicas),
                    ids(&now)
                ));
                skip.insert(tp);
            }
        }
    }
    if !drifted.is_empty() {
        if !args.force {
            bail!(
                "the plan is stale: {} partition(s) changed since planning (re-run kplan generate, or --force to execute the rest):\n  {}",
                drifted.len(),
                drifted.join("\n  ")
            );
        }
        out.say(format!(
            "warning: skipping {} drifted partition(s) (--force):\n  {}",
            drifted.len(),
            drifted.join("\n  ")
        ));
    }
    let moving: Vec<String> = plan
        .partitions
        .iter()
        .map(PartitionReassignment::topic_partition)
        .filter(|tp| view.ongoing.contains_key(tp) && !skip.contains(tp))
        .map(|tp| tp.to_string())
        .collect();
    if !moving.is_empty() && !args.additional {
        bail!(
            "{} partition(s) are already being reassigned (use --additional to replace their targets): {}",
            moving.len(),
            moving.join(", ")
        );
    }
    let mut kept = plan.clone();
    kept.partitions
        .retain(|p| !skip.contains(&p.topic_partition()));
    Ok(kept)
}

fn ids(v: &[BrokerId]) -> Vec<i32> {
    v.iter().map(|b| b.0).collect()
}

fn rollback_of(plan: &Reassignment, view: &ClusterView) -> Reassignment {
    Reassignment::new(
        plan.partitions
            .iter()
            .filter_map(|p| {
                let tp = p.topic_partition();
                Some(PartitionReassignment::new(
                    &tp,
                    kplan::model::ReplicaSet::new(view.original(&tp)?),
                ))
            })
            .collect(),
    )
}

fn limits(args: &ExecuteArgs, view: &ClusterView) -> WaveLimits {
    let last = view
        .partitions
        .iter()
        .filter(|(tp, p)| p.isr.len() < view.min_isr.get(&tp.topic).copied().unwrap_or(1))
        .map(|(tp, _)| tp.clone())
        .collect();
    WaveLimits {
        max_moves_per_broker: args.max_moves_per_broker,
        max_inflight_bytes: args.max_inflight_bytes,
        free_disk: view.free_disk.clone(),
        last,
    }
}

fn wave_table(waves: &[Vec<TopicPartition>], moves: &BTreeMap<TopicPartition, MoveSpec>) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "wave",
        "partitions",
        "data to copy",
        "moves",
    ]);
    for (i, w) in waves.iter().enumerate() {
        let bytes: u64 = w
            .iter()
            .filter_map(|tp| moves.get(tp))
            .map(|m| m.size * m.adding().len() as u64)
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
            shown,
        ]);
    }
    t
}

/// The offline view of `--dry-run --snapshot`.
fn view_from_snapshot(path: &Path, plan: &Reassignment) -> anyhow::Result<ClusterView> {
    let cluster = read_snapshot(path)?;
    let mut view = ClusterView {
        cluster_id: cluster.cluster_id().map(str::to_owned),
        alive: cluster.brokers().iter().map(|b| b.id).collect(),
        ..ClusterView::default()
    };
    let topics: BTreeSet<&str> = plan.partitions.iter().map(|p| p.topic.as_str()).collect();
    for (tp, p) in cluster.partitions() {
        if topics.contains(tp.topic.as_str()) {
            if let Some(l) = p.leader {
                view.replica_sizes.insert((tp.clone(), l), p.size_bytes);
            }
            view.partitions.insert(
                tp,
                PartitionState {
                    partition: p.partition,
                    replicas: p.replicas.brokers().to_vec(),
                    leader: p.leader,
                    isr: p.isr.clone(),
                    offline: Vec::new(),
                },
            );
        }
    }
    view.missing_topics = topics
        .iter()
        .filter(|t| cluster.topic(t).is_none())
        .map(|t| t.to_string())
        .collect();
    Ok(view)
}

pub fn run(args: &ExecuteArgs) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&args.plan)
        .with_context(|| format!("cannot read {}", args.plan.display()))?;
    let plan = parse_plan(&args.plan, &text)?;
    let state_file = state_path(&args.plan, args.state.as_deref());
    let rollback_file = args
        .rollback
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.rollback.json", args.plan.display())));
    let out = Out {
        json: args.output == OutputFormat::Json,
    };
    let wait = if args.no_wait {
        false
    } else {
        args.wait || std::io::stdout().is_terminal()
    };

    if args.dry_run {
        if let Some(snapshot) = &args.snapshot {
            let view = view_from_snapshot(snapshot, &plan)?;
            return dry_run(&plan, &view, args, &out, None);
        }
    }
    let settings = connect::settings(&args.connection)?;
    let rt = connect::runtime()?;
    rt.block_on(async {
        let admin = connect::admin(&settings).await?;
        let result = execute(
            &admin,
            &plan,
            &text,
            args,
            &state_file,
            &rollback_file,
            wait,
            &out,
        )
        .await;
        admin.close().await;
        result
    })
}

fn dry_run(
    plan: &Reassignment,
    view: &ClusterView,
    args: &ExecuteArgs,
    out: &Out,
    current: Option<
        &BTreeMap<kplan::kafka::ConfigTarget, BTreeMap<String, kplan::kafka::ConfigValue>>,
    >,
) -> anyhow::Result<u8> {
    let plan = preflight(plan, view, args, out)?;
    let moves = view.moves(&plan);
    let waves = plan_waves(&moves, &limits(args, view));
    let by_tp: BTreeMap<TopicPartition, MoveSpec> =
        moves.iter().map(|m| (m.tp.clone(), m.clone())).collect();
    let mut changes = Vec::new();
    if let Some(rate) = args.throttle {
        let tp = throttle_plan(&moves);
        let empty = BTreeMap::new();
        let mut ledger = Default::default();
        changes = throttles::describe(&throttles::throttle_changes(
            &tp,
            rate,
            current.unwrap_or(&empty),
            &mut ledger,
        ));
    }
    if out.json {
        out.event(
            serde_json::json!({"event": "dry_run", "config_changes": changes, "waves": waves}),
        );
        return Ok(0);
    }
    eprintln!("dry run: nothing is changed.");
    eprintln!(
        "Current assignment (save it to roll back):\n{}",
        rollback_of(&plan, view).to_json()
    );
    if changes.is_empty() {
        eprintln!("no throttle (--throttle not given)");
    } else {
        eprintln!("IncrementalAlterConfigs it would send:");
        for c in &changes {
            match &c.value {
                Some(v) => eprintln!("  {}: SET {}={v}", c.resource, c.key),
                None => eprintln!("  {}: DELETE {}", c.resource, c.key),
            }
        }
    }
    eprintln!("{}", wave_table(&waves, &by_tp));
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
async fn execute<A: KafkaAdmin>(
    admin: &A,
    plan: &Reassignment,
    text: &str,
    args: &ExecuteArgs,
    state_file: &Path,
    rollback_file: &Path,
    wait: bool,
    out: &Out,
) -> anyhow::Result<u8> {
    let plan_digest = digest(text);
    let mut view = ClusterView::fetch(admin, plan, true).await?;
    if args.dry_run {
        let tp = throttle_plan(&view.moves(plan));
        let current = throttles::current_configs(admin, &tp).await?;
        return dry_run(plan, &view, args, out, Some(&current));
    }
    let existing = load_state(state_file)?.filter(|s| s.plan_digest == plan_digest);
    let (plan, mut state) = match existing {
        Some(state) if !state.finished => {
            out.say(format!("resuming from {}", state_file.display()));
            let submitted: BTreeSet<&TopicPartition> = state.waves.iter().flatten().collect();
            let mut kept = plan.clone();
            kept.partitions
                .retain(|p| submitted.contains(&p.topic_partition()));
            (kept, state)
        }
        Some(_) => {
            out.say(format!(
                "{} says this plan already finished; kplan verify checks it",
                state_file.display()
            ));
            return Ok(0);
        }
        None => {
            let kept = preflight(plan, &view, args, out)?;
            let rollback = rollback_of(&kept, &view);
            write_atomic(rollback_file, rollback.to_json().as_bytes())?;
            out.say(format!(
                "Current partition replica assignment\n\n{}\nSave this to use as the --reassignment-json-file option during rollback (written to {})",
                rollback.to_json(),
                rollback_file.display()
            ));
            out.event(serde_json::json!({"event": "rollback", "file": rollback_file.display().to_string()}));
            let moves = view.moves(&kept);
            let waves = plan_waves(&moves, &limits(args, &view));
            let by_tp: BTreeMap<TopicPartition, MoveSpec> =
                moves.iter().map(|m| (m.tp.clone(), m.clone())).collect();
            out.say(wave_table(&waves, &by_tp).to_string());
            let mut state = ExecutionState::new(
                plan_digest.clone(),
                view.cluster_id.clone(),
                waves,
                args.throttle,
            );
            if let Some(rate) = args.throttle {
                let tplan = throttle_plan(&moves);
                let current = throttles::current_configs(admin, &tplan).await?;
                let changes =
                    throttles::throttle_changes(&tplan, rate, &current, &mut state.ledger);
                // The ledger is saved before the change, so a crash in between still restores.
                save_state(state_file, &state)?;
                throttles::apply(admin, &changes).await?;
                for line in throttles::list_summary(&tplan) {
                    out.say(format!("throttle: {line}"));
                }
                out.say(format!(
                    "throttle: {} on {} sending and {} receiving broker(s)",
                    human::rate(rate as f64),
                    tplan.senders.len(),
                    tplan.receivers.len()
                ));
                out.event(serde_json::json!({"event": "throttled", "rate": rate, "changes": throttles::describe(&changes)}));
            }
            save_state(state_file, &state)?;
            (kept, state)
        }
    };
    let targets: BTreeMap<TopicPartition, Vec<BrokerId>> = plan
        .partitions
        .iter()
        .map(|p| (p.topic_partition(), p.brokers().to_vec()))
        .collect();
    let total_bytes: u64 = view
        .moves(&plan)
        .iter()
        .map(|m| m.size * m.adding().len() as u64)
        .sum();
    let interrupted = interrupts();
    let bar = (!out.json && wait).then(|| {
        let b = ProgressBar::new(total_bytes.max(1));
        b.set_style(
            ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
            )
            .expect("static template"),
        );
        b
    });
    loop {
        // Reconcile with the controller: a move it runs, or that already finished, was submitted
        // (this is what makes a dropped response and a second run harmless).
        view.refresh_partitions(admin).await?;
        for (tp, target) in &targets {
            let at_target = view
                .partitions
                .get(tp)
                .is_some_and(|p| &p.replicas == target)
                && !view.ongoing.contains_key(tp);
            let towards = view.ongoing.get(tp).is_some_and(|o| {
                o.replicas
                    .iter()
                    .copied()
                    .filter(|b| !o.removing.contains(b))
                    .collect::<Vec<_>>()
                    == *target
            });
            if (at_target || towards) && state.waves.iter().flatten().any(|x| x == tp) {
                state.submitted.insert(tp.clone());
            }
        }
        let in_flight: Vec<&TopicPartition> = state
            .submitted
            .iter()
            .filter(|tp| view.ongoing.contains_key(*tp))
            .collect();
        let done = state.submitted.len() - in_flight.len();
        let left = targets.len() - state.submitted.len();
        view.refresh_sizes(admin).await?;
        let adding: BTreeMap<TopicPartition, u64> = view
            .moves(&plan)
            .into_iter()
            .map(|m| (m.tp.clone(), m.adding().len() as u64))
            .collect();
        let remaining: u64 = in_flight
            .iter()
            .map(|tp| view.bytes_remaining(tp))
            .sum::<u64>()
            + state
                .waves
                .iter()
                .flatten()
                .filter(|tp| !state.submitted.contains(*tp))
                .map(|tp| view.size(tp) * adding.get(tp).copied().unwrap_or(0))
                .sum::<u64>();
        if let Some(b) = &bar {
            b.set_position(total_bytes.saturating_sub(remaining));
            b.set_message(format!(
                "{done} done, {} in flight, {left} left",
                in_flight.len()
            ));
        }
        out.event(serde_json::json!({"event": "progress", "done": done, "in_flight": in_flight.len(), "left": left, "bytes_remaining": remaining, "bytes_total": total_bytes}));
        save_state(state_file, &state)?;

        if interrupted.load(Ordering::SeqCst) > 0 {
            if let Some(b) = &bar {
                b.abandon();
            }
            out.say(format!(
                "\ninterrupted: no new waves are submitted; {} move(s) in flight keep running (that is safe).\n  resume:  kplan execute --plan {} (same flags)\n  cancel:  kplan cancel --plan {}\n  state:   {}",
                in_flight.len(),
                args.plan.display(),
                args.plan.display(),
                state_file.display()
            ));
            out.event(serde_json::json!({"event": "interrupted", "in_flight": in_flight.len()}));
            return Ok(130);
        }

        if in_flight.is_empty() {
            match state.next_wave() {
                Some(w) => {
                    let batch: Vec<(TopicPartition, Option<Vec<BrokerId>>)> = state.waves[w]
                        .iter()
                        .filter(|tp| !state.submitted.contains(*tp))
                        .map(|tp| (tp.clone(), Some(targets[tp].clone())))
                        .collect();
                    out.say(format!(
                        "submitting wave {}/{}: {} partition(s)",
                        w + 1,
                        state.waves.len(),
                        batch.len()
                    ));
                    out.event(serde_json::json!({"event": "wave", "wave": w + 1, "waves": state.waves.len(), "partitions": batch.len()}));
                    match admin.alter_reassignments(&batch).await {
                        Ok(results) => {
                            let mut refused = Vec::new();
                            for (tp, r) in results {
                                match r {
                                    Ok(()) => {
                                        state.submitted.insert(tp);
                                    }
                                    Err(e) => refused.push(format!("{tp}: {e}")),
                                }
                            }
                            save_state(state_file, &state)?;
                            if !refused.is_empty() {
                                bail!(
                                    "the controller refused {} move(s):\n  {}",
                                    refused.len(),
                                    refused.join("\n  ")
                                );
                            }
                        }
                        // No answer: the request may have taken effect. The next pass reconciles
                        // from ListPartitionReassignments and never submits a move twice.
                        Err(e) => out.say(format!("warning: {e}; reconciling with the controller")),
                    }
                    if !wait {
                        out.say(format!(
                            "wave {} submitted. Run kplan execute again to continue with the next wave, kplan verify --plan {} to check.",
                            w + 1,
                            args.plan.display()
                        ));
                        return Ok(0);
                    }
                    continue;
                }
                None if left == 0 => break,
                None => {}
            }
        } else if !wait {
            out.say(format!(
                "{} move(s) still in flight; run again when they finish to submit the next wave",
                in_flight.len()
            ));
            return Ok(0);
        }
        tokio::time::sleep(args.poll_interval).await;
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if !args.no_elect_leaders {
        let elect: Vec<TopicPartition> = targets
            .iter()
            .filter(|(tp, t)| {
                view.partitions
                    .get(*tp)
                    .is_some_and(|p| p.leader != t.first().copied())
            })
            .map(|(tp, _)| tp.clone())
            .collect();
        if !elect.is_empty() {
            let res = admin.elect_leaders(ElectionKind::Preferred, &elect).await?;
            let failed: Vec<String> = res
                .iter()
                .filter_map(|(tp, r)| r.as_ref().err().map(|e| format!("{tp}: {e}")))
                .collect();
            out.say(format!(
                "preferred leader election: {} partition(s), {} failed",
                elect.len(),
                failed.len()
            ));
            for f in &failed {
                out.say(format!("  warning: {f}"));
            }
        }
    }
    if !state.ledger.is_empty() && !state.throttles_restored {
        throttles::apply(admin, &throttles::restore_changes(&state.ledger)).await?;
        state.throttles_restored = true;
        out.say("throttles restored to their previous values");
    }
    state.finished = true;
    save_state(state_file, &state)?;
    out.say(format!(
        "done: {} partition(s) at their targets",
        targets.len()
    ));
    out.event(serde_json::json!({"event": "done", "partitions": targets.len()}));
    Ok(0)
}
