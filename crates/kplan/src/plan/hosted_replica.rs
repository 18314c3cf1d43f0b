//! A replica as its broker's list holds it: the partition, and beside it what the hot loops of
//! the replica stages read of that partition.
//!
//! The balance stage prices every replica of a broker (and of up to eight partners) for each
//! move it makes: its topic, its size and its bytes in. Read through the partition each is a
//! cache miss or two, since a broker's replicas are random partitions; read from the broker's own
//! list they are contiguous. On a 100,000-partition cluster with hot keyed partitions the misses
//! were most of the stage.

use super::problem::Part;
use crate::model::Resource;

/// One movable replica on a broker's list (see `Placement::hosted`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HostedReplica {
    /// The partition's index.
    pub p: u32,
    /// Its topic's index.
    pub topic: u32,
    /// Bytes on disk, one replica's worth.
    pub size: f64,
    /// Bytes in per second, one replica's worth.
    pub bytes_in: f64,
}

impl HostedReplica {
    pub fn new(p: usize, part: &Part) -> Self {
        HostedReplica {
            p: p as u32,
            topic: part.topic as u32,
            size: part.size,
            bytes_in: part.bytes_in,
        }
    }

    /// The partition's index, as the planner's other tables take it.
    pub fn part(&self) -> usize {
        self.p as usize
    }

    /// The load this replica puts on its broker: [`Part::replica_load`], from the copy here.
    pub fn load(&self, r: Resource) -> f64 {
        Part::replica_load_of(self.size, self.bytes_in, r)
    }

    /// The change in `resources` (indexed by resource) when its broker gains (`sign` = 1) or
    /// loses (−1) this replica.
    pub fn delta(&self, sign: f64, resources: &[Resource]) -> [f64; 5] {
        let mut d = [0.0; 5];
        for &r in resources {
            d[r.index()] = sign * self.load(r);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::placement::Placement;
    use crate::plan::problem::Problem;
    use crate::plan::test_cluster::three_full_one_new;
    use crate::plan::PlanRequest;

    /// Every broker's list holds exactly the partitions whose replica lists name it, each with
    /// its partition's topic, size and bytes in.
    fn assert_in_step(st: &Placement) {
        let pb = st.pb;
        for b in 0..pb.broker_count() {
            let mut listed: Vec<usize> = st.hosted[b].iter().map(|h| h.part()).collect();
            listed.sort_unstable();
            let hosting: Vec<usize> = (0..pb.parts.len())
                .filter(|&p| st.replicas[p].contains(&b))
                .collect();
            assert_eq!(listed, hosting, "broker {b}");
            for h in &st.hosted[b] {
                assert_eq!(*h, HostedReplica::new(h.part(), &pb.parts[h.part()]));
                let part = &pb.parts[h.part()];
                for r in Resource::ALL {
                    assert_eq!(h.load(r), part.replica_load(r), "{r:?}");
                }
            }
        }
    }

    #[test]
    fn the_lists_follow_moves_additions_and_removals() {
        let c = three_full_one_new(|p| (1_000_000 * (p as u64 + 1), 10.0 * p as f64, 5.0));
        let req = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        assert_in_step(&st);
        // Partition 0 sits on brokers 0 and 1, partition 4 on 1 and 2.
        st.move_replica(0, 1, 3);
        assert_in_step(&st);
        st.add_replica(4, 3);
        assert_in_step(&st);
        st.remove_replica(4, 1);
        assert_in_step(&st);
        assert_eq!(st.hosted[3].len(), 2);
        assert_eq!(
            st.hosted[3][1].delta(-1.0, &[Resource::Disk, Resource::BytesIn]),
            [-5_000_000.0, -40.0, 0.0, 0.0, 0.0]
        );
        // Leadership handed over, then the leader's replica removed: the next one leads.
        st.set_leader(0, 3);
        assert_in_step(&st);
        st.remove_replica(0, 3);
        assert_in_step(&st);
        assert_eq!(st.leader(0), 0);
        st.add_replica(0, 3);
        assert_in_step(&st);
    }
}
