//! Bookkeeping for the worst-first local searches (replica balance, leadership).
//!
//! Each step takes the worst broker still out of band and makes the best change around it. A
//! broker whose load cannot improve — one that carries a partition larger than its band, say —
//! would otherwise be examined again at every step, ahead of the brokers that can improve, so a
//! broker that finds nothing is *stuck* and skipped. Its options depend on its partners' loads
//! too, so the stuck marks are cleared when it takes part in a change, and all of them after
//! every `period` changes anywhere, and once more when every broker out of band is stuck but
//! changes were made since the last clear. The search stops only when every broker out of band
//! was examined with nothing changed since: each would find nothing again, so the end is a
//! local optimum whatever the period.
//!
//! The period is [`PERIOD_PER_BROKER`] changes per eligible broker. Each broker is examined in
//! vain at most once per period; on a 100,000-partition cluster with hot keyed partitions,
//! where most brokers end outside the bytes-out band, a period of one change per broker spent a
//! third of the leader stage on those examinations.

use super::problem::Bx;

/// Changes per eligible broker between clears of every mark.
const PERIOD_PER_BROKER: usize = 4;

pub struct Stuck {
    flags: Vec<bool>,
    since_clear: usize,
    period: usize,
}

impl Stuck {
    /// Marks for `brokers` brokers, all cleared every [`PERIOD_PER_BROKER`] changes per
    /// `eligible` broker.
    pub fn new(brokers: usize, eligible: usize) -> Self {
        Stuck {
            flags: vec![false; brokers],
            since_clear: 0,
            period: (PERIOD_PER_BROKER * eligible).max(1),
        }
    }

    /// Called when every broker out of band is stuck: true when nothing changed since the
    /// marks were last cleared, so the search is done; otherwise the marks are cleared for one
    /// more look at each.
    pub fn settled(&mut self) -> bool {
        if self.since_clear == 0 {
            return true;
        }
        self.clear();
        false
    }

    fn clear(&mut self) {
        self.flags.iter_mut().for_each(|f| *f = false);
        self.since_clear = 0;
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
            self.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_settles_only_after_a_look_at_every_broker_with_nothing_changed() {
        let mut stuck = Stuck::new(3, 3);
        stuck.mark(0);
        stuck.mark(1);
        // Nothing changed since the marks were made: done.
        assert!(stuck.settled());
        // A change elsewhere after broker 0 and 1 were marked: one more look at each.
        stuck.changed(&[2]);
        stuck.mark(2);
        assert!(!stuck.settled());
        assert!(!stuck.is(0) && !stuck.is(1) && !stuck.is(2));
        // That look found nothing anywhere: done.
        for b in 0..3 {
            stuck.mark(b);
        }
        assert!(stuck.settled());
    }

    #[test]
    fn every_mark_clears_after_the_period() {
        let mut stuck = Stuck::new(2, 1);
        stuck.mark(0);
        for _ in 0..PERIOD_PER_BROKER - 1 {
            stuck.changed(&[1]);
            assert!(stuck.is(0));
        }
        stuck.changed(&[1]);
        assert!(!stuck.is(0));
    }
}
