//! The clock progress is measured on. A live ETA is bytes over seconds, so the executor reads
//! time through this handle: the wall clock in the command, the simulator's clock in tests
//! (where simulated time only moves when the test says so). Readings are seconds since the Unix
//! epoch, so a mark saved in the state file by `execute` still means something to a later
//! `verify`.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, from any source.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> f64 + Send + Sync>);

impl Clock {
    /// Real time.
    pub fn wall() -> Self {
        Clock(Arc::new(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64())
        }))
    }

    /// Time as `now` tells it (e.g. a simulator's clock).
    pub fn from_fn(now: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        Clock(Arc::new(now))
    }

    /// Seconds since the Unix epoch (or the source's own start).
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
