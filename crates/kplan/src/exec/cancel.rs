//! `cancel`: KIP-455 cancellation of in-flight reassignments — each partition goes back to its
//! original replicas and the copies being added are dropped — then the original replica order
//! put back, then the plan's throttles restored.
//!
//! On KRaft (measured on Kafka 4.1), a cancelled partition gets back its original replicas *in
//! in-flight order*: the in-flight list (target first, then the replicas being removed) minus
//! the ones being added. `[1, 2] → [4, 2]`, in flight `[4, 2, 1]`, cancelled is `[2, 1]`: the
//! same brokers, another preferred leader. (ZooKeeper-mode Kafka wrote the original list back.)
//! Where kplan knows the order from before the moves — the rollback file `execute` wrote, or the
//! replicas a kplan plan was made from — it submits a reorder to that list: a leader-only
//! reassignment, no data copied, done at once. Where it cannot, it says the order changed.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{cancel_needs, check_permissions, restore_ledger, ExecError, StateFile};
use crate::kafka::{KafkaAdmin, PerPartition};
use crate::model::{BrokerId, TopicPartition};
use crate::plan::Reassignment;

/// Which reassignments `cancel` stops.
#[derive(Clone, Debug)]
pub enum CancelScope {
    /// The plan's partitions that are moving; its state file's ledger is restored after.
    Plan {
        plan: Reassignment,
        state_file: StateFile,
    },
    /// Every reassignment in flight, whoever started it.
    All,
}

#[derive(Clone, Debug)]
pub struct CancelOptions {
    pub scope: CancelScope,
    /// Leave throttles in place.
    pub preserve_throttles: bool,
    /// The replicas, in order, from before the moves (the rollback file of `execute`); without
    /// it, a kplan plan's record of the replicas it was made from.
    pub original_order: Option<Reassignment>,
}

/// A cancelled partition that is back on its original replicas in another order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderChanged {
    pub tp: TopicPartition,
    pub now: Vec<BrokerId>,
    /// The order before the moves, when known.
    pub original: Option<Vec<BrokerId>>,
    /// Why it was not put back.
    pub reason: String,
}

/// What `cancel` reports as it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelEvent {
    /// The controller's answer, per partition (`Ok` = back to its original replicas).
    Cancelled(PerPartition<()>),
    /// These partitions came back in another order and were reordered to their original list
    /// (a leader-only reassignment: no data copied).
    OrderRestored(Vec<TopicPartition>),
    /// These partitions are back on their original replicas in another order (another
    /// preferred leader), and kplan could not put the order back.
    OrderChanged(Vec<OrderChanged>),
    /// The plan's ledger was restored (and its execution marked finished).
    ThrottlesRestored,
}

/// Counts of the cancellations; `failed` ones are still moving.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CancelReport {
    pub cancelled: usize,
    pub failed: usize,
}

/// How often, and how long, cancel looks for the reverted replica lists to show in metadata.
const SETTLE_LOOKS: u32 = 20;
const SETTLE_PAUSE: Duration = Duration::from_millis(250);

pub async fn cancel<A: KafkaAdmin>(
    admin: &A,
    options: &CancelOptions,
    events: &mut dyn FnMut(CancelEvent),
) -> Result<CancelReport, ExecError> {
    let (plan, restores) = match &options.scope {
        CancelScope::Plan { plan, state_file } => (
            Some(plan),
            !options.preserve_throttles
                && state_file
                    .load()?
                    .is_some_and(|s| s.has_throttles_to_restore()),
        ),
        CancelScope::All => (None, false),
    };
    check_permissions(admin, &cancel_needs(plan, restores)).await?;
    let ongoing = admin.list_reassignments().await?;
    let wanted: Vec<(TopicPartition, Option<Vec<BrokerId>>)> = match &options.scope {
        CancelScope::Plan { plan, .. } => plan
            .partitions
            .iter()
            .map(|p| p.topic_partition())
            .filter(|tp| ongoing.contains_key(tp))
            .map(|tp| (tp, None))
            .collect(),
        CancelScope::All => ongoing.keys().map(|tp| (tp.clone(), None)).collect(),
    };
    let results = if wanted.is_empty() {
        PerPartition::new()
    } else {
        admin.alter_reassignments(&wanted).await?
    };
    let failed = results.values().filter(|r| r.is_err()).count();
    let report = CancelReport {
        cancelled: results.len() - failed,
        failed,
    };
    let cancelled: Vec<TopicPartition> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(tp, _)| tp.clone())
        .collect();
    events(CancelEvent::Cancelled(results));
    let originals = original_orders(options);
    if !cancelled.is_empty() && !originals.is_empty() {
        restore_order(admin, &cancelled, &originals, events).await?;
    }
    if let CancelScope::Plan { state_file, .. } = &options.scope {
        end_execution(admin, state_file, options.preserve_throttles, events).await?;
    }
    Ok(report)
}

/// Each partition's replicas in their order before the moves: the rollback file's, else what
/// a kplan plan was made from.
fn original_orders(options: &CancelOptions) -> BTreeMap<TopicPartition, Vec<BrokerId>> {
    let mut out = BTreeMap::new();
    if let CancelScope::Plan { plan, .. } = &options.scope {
        for c in plan.kplan.iter().flat_map(|k| &k.current) {
            out.insert(
                TopicPartition::new(&c.topic, c.partition),
                c.replicas.clone(),
            );
        }
    }
    for p in options.original_order.iter().flat_map(|r| &r.partitions) {
        out.insert(p.topic_partition(), p.brokers().to_vec());
    }
    out
}

/// Puts the cancelled partitions that came back in another order back in their original order.
async fn restore_order<A: KafkaAdmin>(
    admin: &A,
    cancelled: &[TopicPartition],
    originals: &BTreeMap<TopicPartition, Vec<BrokerId>>,
    events: &mut dyn FnMut(CancelEvent),
) -> Result<(), ExecError> {
    let known: Vec<TopicPartition> = cancelled
        .iter()
        .filter(|tp| originals.contains_key(*tp))
        .cloned()
        .collect();
    let now = reverted_replicas(admin, &known, originals).await?;
    let mut changed = Vec::new();
    let reorders: Vec<(TopicPartition, Option<Vec<BrokerId>>)> = now
        .iter()
        .filter(|(tp, replicas)| *replicas != &originals[*tp])
        .filter_map(|(tp, replicas)| {
            let original = &originals[tp];
            if same_set(replicas, original) {
                Some((tp.clone(), Some(original.clone())))
            } else {
                changed.push(OrderChanged {
                    tp: tp.clone(),
                    now: replicas.clone(),
                    original: Some(original.clone()),
                    reason: "its replicas are not the ones it had before the moves".into(),
                });
                None
            }
        })
        .collect();
    if !reorders.is_empty() {
        let mut restored = Vec::new();
        let answers = match admin.alter_reassignments(&reorders).await {
            Ok(answers) => answers,
            Err(e) => reorders
                .iter()
                .map(|(tp, _)| (tp.clone(), Err(e.to_string())))
                .collect(),
        };
        for (tp, r) in answers {
            match r {
                Ok(()) => restored.push(tp),
                Err(e) => changed.push(OrderChanged {
                    now: now[&tp].clone(),
                    original: originals.get(&tp).cloned(),
                    reason: format!("the reorder was refused: {e}"),
                    tp,
                }),
            }
        }
        if !restored.is_empty() {
            events(CancelEvent::OrderRestored(restored));
        }
    }
    if !changed.is_empty() {
        events(CancelEvent::OrderChanged(changed));
    }
    Ok(())
}

/// The replicas of `tps` once the cancellation shows in metadata: no longer in flight, and the
/// original set (a broker's metadata can lag the controller by a moment). A partition that does
/// not settle within the looks is returned as it is last seen.
async fn reverted_replicas<A: KafkaAdmin>(
    admin: &A,
    tps: &[TopicPartition],
    originals: &BTreeMap<TopicPartition, Vec<BrokerId>>,
) -> Result<BTreeMap<TopicPartition, Vec<BrokerId>>, ExecError> {
    let mut topics: Vec<String> = tps.iter().map(|tp| tp.topic.clone()).collect();
    topics.dedup();
    let mut now = BTreeMap::new();
    for look in 0..SETTLE_LOOKS {
        if look > 0 {
            tokio::time::sleep(SETTLE_PAUSE).await;
        }
        let ongoing = admin.list_reassignments().await?;
        now.clear();
        for t in admin.describe_topics(Some(&topics)).await? {
            for p in t.partitions {
                let tp = TopicPartition::new(&t.name, p.partition);
                if tps.contains(&tp) {
                    now.insert(tp, p.replicas);
                }
            }
        }
        let settled = tps.iter().all(|tp| {
            !ongoing.contains_key(tp) && now.get(tp).is_some_and(|r| same_set(r, &originals[tp]))
        });
        if settled {
            break;
        }
    }
    Ok(now)
}

fn same_set(a: &[BrokerId], b: &[BrokerId]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// After a plan's cancellation nothing of its execution is left to resume: the state is marked
/// finished — throttled or not, or a later `execute` would submit the waves not sent yet — and
/// the ledger is restored unless the operator keeps the throttles. A cancel killed half-way
/// and run again does what is left: the first run's cancellations are no longer in flight, and
/// restoring a ledger twice puts back the same values.
async fn end_execution<A: KafkaAdmin>(
    admin: &A,
    state_file: &StateFile,
    preserve_throttles: bool,
    events: &mut dyn FnMut(CancelEvent),
) -> Result<(), ExecError> {
    let Some(mut state) = state_file.load()? else {
        return Ok(());
    };
    let restore = !preserve_throttles && state.has_throttles_to_restore();
    if restore {
        restore_ledger(admin, &mut state).await?;
    }
    if restore || !state.finished {
        state.finished = true;
        state_file.save(&state)?;
    }
    if restore {
        events(CancelEvent::ThrottlesRestored);
    }
    Ok(())
}
