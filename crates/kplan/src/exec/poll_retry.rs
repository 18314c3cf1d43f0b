//! Riding out failed polls while following moves (`execute --wait`, `verify --wait`).
//!
//! A poll fails when the broker the client talks to dies or the controller moves or restarts;
//! the moves keep running in the cluster meanwhile. A run that follows them reports the failure,
//! waits — the poll interval (at least a second), doubling, at most [`MAX_RETRY_PAUSE`] — and
//! polls again through any broker that answers. After [`MAX_POLL_FAILURES`] failures in a row it
//! gives up with the last error (about three minutes of pauses); running it again resumes.

use std::time::Duration;

/// Failed polls in a row after which a run gives up.
pub const MAX_POLL_FAILURES: u32 = 10;

/// The longest pause between two failed polls.
pub const MAX_RETRY_PAUSE: Duration = Duration::from_secs(30);

/// Consecutive failed polls of one run.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PollRetry {
    failures: u32,
}

/// What to do after a failed poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Retry {
    /// Failures in a row, counting from 1.
    pub attempt: u32,
    pub pause: Duration,
}

impl PollRetry {
    pub fn succeeded(&mut self) {
        self.failures = 0;
    }

    /// Counts a failure; `None` once [`MAX_POLL_FAILURES`] are reached (give up).
    pub fn failed(&mut self, poll_interval: Duration) -> Option<Retry> {
        self.failures += 1;
        (self.failures < MAX_POLL_FAILURES).then(|| Retry {
            attempt: self.failures,
            pause: pause(poll_interval, self.failures),
        })
    }
}

/// The pause after the `attempt`-th failure in a row.
fn pause(poll_interval: Duration, attempt: u32) -> Duration {
    let base = poll_interval.max(Duration::from_secs(1));
    base.saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(MAX_RETRY_PAUSE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_from_the_interval_up_to_the_cap_then_give_up() {
        let mut r = PollRetry::default();
        let pauses: Vec<u64> = (0..MAX_POLL_FAILURES - 1)
            .map(|_| {
                r.failed(Duration::from_millis(200))
                    .unwrap()
                    .pause
                    .as_secs()
            })
            .collect();
        assert_eq!(pauses, vec![1, 2, 4, 8, 16, 30, 30, 30, 30]);
        assert_eq!(
            r.failed(Duration::from_millis(200)),
            None,
            "the tenth gives up"
        );
        r.succeeded();
        assert_eq!(r.failed(Duration::from_secs(5)).unwrap().pause.as_secs(), 5);
    }
}
