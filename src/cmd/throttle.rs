//! `kplan throttle set|clear|show`: the flags become a scope, [`kplan::exec`] changes or reads
//! the throttles, the result is printed.

use anyhow::Context;
use serde_json::json;

use super::connect;
use super::render::{human, tables};
use crate::cli::{
    OutputFormat, ThrottleClearArgs, ThrottleCommand, ThrottleSetArgs, ThrottleShowArgs,
};
use kplan::exec::{self, ClearScope, PlanFile, StateFile, ThrottleCleared, ThrottleScope};

pub fn run(cmd: &ThrottleCommand) -> anyhow::Result<u8> {
    match cmd {
        ThrottleCommand::Set(a) => set(a),
        ThrottleCommand::Clear(a) => clear(a),
        ThrottleCommand::Show(a) => show(a),
    }
}

fn set(a: &ThrottleSetArgs) -> anyhow::Result<u8> {
    let scope = match &a.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            ThrottleScope::Plan {
                plan: PlanFile::parse(path, &text)?,
                state_file: StateFile::for_plan(path, a.state.as_deref()),
            }
        }
        None => ThrottleScope::Brokers(a.brokers.clone().unwrap_or_default()),
    };
    let throttled = connect::with_admin(&a.connection, async |admin| {
        Ok(exec::set_throttle(admin, a.rate, &scope).await?)
    })?;
    let rate = human::rate(a.rate as f64);
    match &scope {
        ThrottleScope::Plan { plan, state_file } => {
            let t = throttled.unwrap_or_default();
            eprintln!(
                "throttle {rate} set for {} ({} sending, {} receiving broker(s)); prior values are in {state_file}",
                plan.path.display(),
                t.senders.len(),
                t.receivers.len(),
            );
        }
        ThrottleScope::Brokers(brokers) => eprintln!(
            "throttle rates {rate} set on broker(s) {:?}",
            brokers.iter().map(|b| b.0).collect::<Vec<_>>()
        ),
    }
    Ok(0)
}

fn clear(a: &ThrottleClearArgs) -> anyhow::Result<u8> {
    let scope = match &a.plan {
        Some(plan) => ClearScope::Plan {
            plan: plan.clone(),
            state_file: StateFile::for_plan(plan, a.state.as_deref()),
        },
        None => ClearScope::All,
    };
    let cleared = connect::with_admin(&a.connection, async |admin| {
        Ok(exec::clear_throttle(admin, &scope).await?)
    })?;
    match (cleared, &scope) {
        (ThrottleCleared::RestoredFromLedger, ClearScope::Plan { plan, .. }) => eprintln!(
            "throttles of {} restored to their previous values",
            plan.display()
        ),
        (ThrottleCleared::All { brokers, topics }, _) => eprintln!(
            "every throttle rate and throttled-replicas list removed ({brokers} brokers, {topics} topics)"
        ),
        _ => eprintln!(
            "no ledger: removed this plan's throttled-replica entries; rates left as they are"
        ),
    }
    Ok(0)
}

fn show(a: &ThrottleShowArgs) -> anyhow::Result<u8> {
    let listing = connect::with_admin(&a.connection, async |admin| {
        Ok(exec::show_throttles(admin).await?)
    })?;
    if a.output == OutputFormat::Json {
        let throttles: Vec<serde_json::Value> = listing
            .settings
            .iter()
            .map(|s| json!({"resource": s.resource.to_string(), "key": s.key, "value": s.value}))
            .collect();
        println!(
            "{}",
            json!({"reassignments_running": listing.reassignments_running, "leftover": listing.leftover(), "throttles": throttles})
        );
        return Ok(0);
    }
    eprintln!("{}", tables::throttle_table(&listing.settings));
    if listing.leftover() {
        eprintln!("warning: throttles are set but no reassignment is running: leftovers slow replication for nothing (kplan throttle clear)");
    }
    Ok(0)
}
