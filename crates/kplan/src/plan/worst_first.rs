//! Bookkeeping for the worst-first local searches (replica balance, leadership).
//!
//! Each step takes the worst broker still out of band and makes the best change around it. A
//! broker whose load cannot improve — one that carries a partition larger than its band, say —
//! would otherwise be examined again at every step, ahead of the brokers that can improve, so a
//! broker that finds nothing is *stuck* and skipped. Its options depend on its partners' loads
//! too, so the stuck marks are cleared when it takes part in a change, and all of them after
//! every `period` changes anywhere. Each broker is then examined in vain at most once per
//! period, and the search stops when every broker out of band is stuck: nothing changed since
//! each was examined, so nothing would be found again.

use super::problem::Bx;

pub struct Stuck {
    flags: Vec<bool>,
    since_clear: usize,
    period: usize,
}

impl Stuck {
    /// Marks for `brokers` brokers, all cleared every `period` changes.
    pub fn new(brokers: usize, period: usize) -> Self {
        Stuck {
            flags: vec![false; brokers],
            since_clear: 0,
            period: period.max(1),
        }
    }

    pub fn is(&self, b: Bx) -> bool {
        self.flags[b]
    }

    /// `b` found no improving change.
    pub fn mark(&mut self, b: Bx) {
        self.flags[b] = true;
    }

    /// A change was made involving `brokers`.
    pub fn changed(&mut self, brokers: &[Bx]) {
        for &b in brokers {
            self.flags[b] = false;
        }
        self.since_clear += 1;
        if self.since_clear >= self.period {
            self.flags.iter_mut().for_each(|f| *f = false);
            self.since_clear = 0;
        }
    }
}
