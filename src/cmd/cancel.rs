//! `kplan cancel`: KIP-455 cancellation through [`kplan::exec::cancel`], per-partition report.

use super::connect;
use super::render::tables;
use crate::cli::CancelArgs;
use std::path::PathBuf;

use kplan::exec::{self, read_plan, CancelEvent, CancelOptions, CancelScope, StateFile};
use kplan::model::BrokerId;
use kplan::plan::Reassignment;

pub fn run(a: &CancelArgs) -> anyhow::Result<u8> {
    let scope = match &a.plan {
        Some(p) => CancelScope::Plan {
            plan: read_plan(p)?,
            state_file: StateFile::for_plan(p, a.state.as_deref()),
        },
        None => CancelScope::All,
    };
    let options = CancelOptions {
        scope,
        preserve_throttles: a.preserve_throttles,
        original_order: original_order(a)?,
    };
    let all = a.plan.is_none();
    let report = connect::with_admin(&a.connection, async |admin| {
        let mut on_event = |e: CancelEvent| {
            match e {
            CancelEvent::Cancelled(results) => {
                let failed = results.values().filter(|r| r.is_err()).count();
                eprintln!("{}", tables::cancel_table(&results));
                eprintln!("{} cancelled, {failed} failed", results.len() - failed);
                if all && results.len() > failed {
                    eprintln!("note: KRaft puts back the original replicas in in-flight order, so a partition's preferred leader may have changed; with --plan, kplan restores the order from the rollback file");
                }
            }
            CancelEvent::OrderRestored(tps) => eprintln!(
                "replica order restored for {} partition(s) (KRaft had put them back in another order; a reorder, no data copied): {}",
                tps.len(),
                tps.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
            ),
            CancelEvent::OrderChanged(changed) => {
                for c in changed {
                    let was = c
                        .original
                        .as_ref()
                        .map(|o| format!(" (before the moves: {:?})", ids(o)))
                        .unwrap_or_default();
                    eprintln!(
                        "warning: {} is now {:?}{was}, its preferred leader may have changed: {}",
                        c.tp,
                        ids(&c.now),
                        c.reason
                    );
                }
            }
            CancelEvent::ThrottlesRestored => {
                eprintln!("throttles restored to their previous values")
            }
        }
        };
        Ok(exec::cancel(admin, &options, &mut on_event).await?)
    })?;
    Ok(if report.failed > 0 { 1 } else { 0 })
}

/// The replicas in their order before the moves: `--rollback`, or the plan's default rollback
/// file when `execute` wrote one.
fn original_order(a: &CancelArgs) -> anyhow::Result<Option<Reassignment>> {
    let Some(plan) = &a.plan else {
        return Ok(None);
    };
    let path = a
        .rollback
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{}.rollback.json", plan.display())));
    if a.rollback.is_none() && !path.exists() {
        return Ok(None);
    }
    Ok(Some(read_plan(&path)?))
}

fn ids(brokers: &[BrokerId]) -> Vec<i32> {
    brokers.iter().map(|b| b.0).collect()
}
