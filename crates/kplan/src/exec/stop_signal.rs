//! A request to stop an execution: the command sets it on Ctrl-C, a test whenever it likes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Shared flag: once set, `execute` submits no new wave and returns
/// [`ExecuteOutcome::Interrupted`](super::ExecuteOutcome::Interrupted) after its next poll,
/// leaving the moves in flight running (stopping them is `cancel`'s job). Clones share the flag.
#[derive(Clone, Debug, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    pub fn new() -> Self {
        StopSignal::default()
    }

    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
