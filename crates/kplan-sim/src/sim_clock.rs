//! Simulated time: real time times a speed factor, plus whatever a test advanced by hand.
//!
//! With speed 0 the clock moves only when a test calls `advance`, so a run is deterministic; with
//! speed 1000 a 50 GB move at 50 MB/s (1,000 simulated seconds) takes one real second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct SimClock {
    start: Instant,
    speed: f64,
    manual: Mutex<f64>,
}

impl SimClock {
    pub fn new(speed: f64) -> Self {
        SimClock {
            start: Instant::now(),
            speed: speed.max(0.0),
            manual: Mutex::new(0.0),
        }
    }

    /// Simulated seconds since start.
    pub fn now(&self) -> f64 {
        let manual = *self.manual.lock().expect("clock lock");
        self.start.elapsed().as_secs_f64() * self.speed + manual
    }

    /// Moves simulated time forward by `d`.
    pub fn advance(&self, d: Duration) {
        *self.manual.lock().expect("clock lock") += d.as_secs_f64();
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }
}
