//! The clock progress is measured on. A live ETA is bytes over seconds, so the executor reads
//! time through this handle: the wall clock in the command, the simulator's clock in tests
//! (where simulated time only moves when the test says so).

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

/// Seconds since some fixed start, from any source.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> f64 + Send + Sync>);

impl Clock {
    /// Real time.
    pub fn wall() -> Self {
        let start = Instant::now();
        Clock(Arc::new(move || start.elapsed().as_secs_f64()))
    }

    /// Time as `now` tells it (e.g. a simulator's clock).
    pub fn from_fn(now: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// Seconds since the clock's start.
    pub fn now(&self) -> f64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::wall()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock({:.3}s)", self.now())
    }
}
