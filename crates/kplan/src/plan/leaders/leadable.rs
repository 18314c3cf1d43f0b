//! The partitions each broker hosts and could lead, largest bytes out first.
//!
//! The transfer search prices every leadership a broker could give or take. On a 100,000-partition
//! cluster that is some 2,000 candidates per look, each a few reads scattered over the partition
//! arrays, and most of them small. Walked largest first, what the rest of a broker's list could
//! gain shrinks with their bytes out, so the walk stops as soon as that falls below the best
//! change found (see `search::TransferBound`). Replicas stay where they are during the leader
//! stage, so the lists are built once, at its start.

use crate::plan::placement::Placement;
use crate::plan::problem::Bx;

pub(super) struct Leadable {
    /// Per broker: `(bytes out as leader, partition)`, bytes out descending, then partition.
    by_broker: Vec<Vec<(f64, u32)>>,
}

impl Leadable {
    /// The movable partitions with more than one replica, per hosting broker: those whose
    /// leadership the stage may move.
    pub fn new(st: &Placement) -> Self {
        let parts = &st.pb.parts;
        let by_broker = st
            .hosted
            .iter()
            .map(|hosted| {
                let mut list: Vec<(f64, u32)> = hosted
                    .iter()
                    .filter(|h| st.replicas[h.part()].len() > 1)
                    .map(|h| (parts[h.part()].leader_out, h.p))
                    .collect();
                list.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
                list
            })
            .collect();
        Leadable { by_broker }
    }

    /// What `b` hosts, largest bytes out first.
    pub fn of(&self, b: Bx) -> &[(f64, u32)] {
        &self.by_broker[b]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::test_cluster::{hot_problem, hot_scenario};
    use crate::plan::GoalWeights;
    use crate::scenario::LoadFamily;

    #[test]
    fn each_list_is_what_its_broker_hosts_with_followers_largest_first() {
        let pb = hot_problem(hot_scenario(LoadFamily::Exponential, 3));
        let st = Placement::current(&pb, &GoalWeights::default());
        let leadable = Leadable::new(&st);
        for b in 0..pb.broker_count() {
            let list = leadable.of(b);
            assert!(list.windows(2).all(|w| w[0].0 >= w[1].0), "broker {b}");
            let mut listed: Vec<u32> = list.iter().map(|&(_, p)| p).collect();
            let mut hosted: Vec<u32> = st.hosted[b]
                .iter()
                .filter(|h| st.replicas[h.part()].len() > 1)
                .map(|h| h.p)
                .collect();
            listed.sort_unstable();
            hosted.sort_unstable();
            assert_eq!(listed, hosted, "broker {b}");
        }
    }
}
