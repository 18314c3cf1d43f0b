//! `kplan cancel`: KIP-455 cancellation through [`kplan::exec::cancel`], per-partition report.

use super::connect;
use super::render::tables;
use crate::cli::CancelArgs;
use kplan::exec::{self, read_plan, CancelEvent, CancelOptions, CancelScope, StateFile};

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
    };
    let report = connect::with_admin(&a.connection, async |admin| {
        let mut on_event = |e: CancelEvent| match e {
            CancelEvent::Cancelled(results) => {
                let failed = results.values().filter(|r| r.is_err()).count();
                eprintln!("{}", tables::cancel_table(&results));
                eprintln!("{} cancelled, {failed} failed", results.len() - failed);
            }
            CancelEvent::ThrottlesRestored => {
                eprintln!("throttles restored to their previous values")
            }
        };
        Ok(exec::cancel(admin, &options, &mut on_event).await?)
    })?;
    Ok(if report.failed > 0 { 1 } else { 0 })
}
