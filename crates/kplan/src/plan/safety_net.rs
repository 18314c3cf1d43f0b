//! The `--time-limit` safety net.
//!
//! Stages are bounded by deterministic work (iterations, neighbourhood counts, MIP node limits),
//! so the same snapshot and flags give the same plan on an idle laptop and on a loaded CI
//! machine. The clock is only a safety net: a stage that finds it expired stops early, the net
//! remembers that it fired, and the report then says the plan may differ from run to run.

use std::cell::Cell;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct SafetyNet {
    started: Instant,
    deadline: Instant,
    fired: Cell<bool>,
}

impl SafetyNet {
    pub fn new(limit: Duration) -> Self {
        let started = Instant::now();
        SafetyNet {
            started,
            deadline: started + limit,
            fired: Cell::new(false),
        }
    }

    /// True (and remembered) once the time limit has passed.
    pub fn expired(&self) -> bool {
        if self.fired.get() {
            return true;
        }
        if Instant::now() >= self.deadline {
            self.fired.set(true);
        }
        self.fired.get()
    }

    /// Records that something stopped because of the clock (a MIP at its time limit).
    pub fn fire(&self) {
        self.fired.set(true);
    }

    /// Whether any stage was cut short by the clock.
    pub fn fired(&self) -> bool {
        self.fired.get()
    }

    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}
