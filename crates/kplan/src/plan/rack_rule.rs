//! The rack rule every plan keeps: a partition's replicas span `min(#racks, RF)` racks, racks
//! counted over the brokers that stay. A decommissioned (or replaced) broker's rack does not count:
//! a rack that is leaving cannot be asked for. The verifier, `kplan describe` and `--replace` count
//! through this one type, so they agree on which partitions are short.
use std::collections::BTreeSet;

use crate::model::{BrokerId, Cluster};

use super::PlanRequest;

/// Rack spread as the plan must keep it, for one cluster and request.
pub(crate) struct RackRule<'a> {
    cluster: &'a Cluster,
    /// Distinct racks among the brokers that stay.
    racks: usize,
}

/// A replica set spanning fewer racks than it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RackShortfall {
    pub spans: usize,
    pub needs: usize,
}

impl<'a> RackRule<'a> {
    /// `None` when rack awareness is off or no broker that stays has a rack: nothing to keep.
    pub fn new(cluster: &'a Cluster, request: &PlanRequest) -> Option<Self> {
        if !request.rack_aware {
            return None;
        }
        let racks: BTreeSet<&str> = cluster
            .brokers()
            .iter()
            .filter(|b| !request.decommission.contains(&b.id))
            .filter_map(|b| b.rack.as_deref())
            .collect();
        (!racks.is_empty()).then_some(Self {
            cluster,
            racks: racks.len(),
        })
    }

    /// The distinct racks of `brokers` (a broker without a rack counts for none).
    pub fn spans(&self, brokers: &[BrokerId]) -> usize {
        brokers
            .iter()
            .filter_map(|b| self.cluster.broker(*b).and_then(|x| x.rack.as_deref()))
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// `min(#racks, RF)`.
    pub fn needs(&self, replicas: usize) -> usize {
        replicas.min(self.racks)
    }

    /// What `brokers` lack, if they span fewer racks than they need.
    pub fn shortfall(&self, brokers: &[BrokerId]) -> Option<RackShortfall> {
        let spans = self.spans(brokers);
        let needs = self.needs(brokers.len());
        (spans < needs).then_some(RackShortfall { spans, needs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Broker, Partition, Topic};

    /// Brokers 1,2 in rack a, 3 in rack b, 4 in rack c, 5 without a rack.
    fn cluster() -> Cluster {
        Cluster::new(
            None,
            vec![
                Broker::new(1, Some("a")),
                Broker::new(2, Some("a")),
                Broker::new(3, Some("b")),
                Broker::new(4, Some("c")),
                Broker::new(5, None),
            ],
            vec![Topic::new("t", vec![Partition::new(0, vec![1, 2, 3])])],
        )
        .unwrap()
    }

    fn ids(v: &[i32]) -> Vec<BrokerId> {
        v.iter().map(|&b| BrokerId(b)).collect()
    }

    #[test]
    fn needs_min_of_racks_and_rf_over_the_brokers_that_stay() {
        let c = cluster();
        let all = RackRule::new(&c, &PlanRequest::default()).unwrap();
        assert_eq!(all.needs(3), 3);
        assert_eq!(all.needs(2), 2);
        assert_eq!(
            all.shortfall(&ids(&[1, 2, 3])),
            Some(RackShortfall { spans: 2, needs: 3 })
        );
        assert_eq!(all.shortfall(&ids(&[1, 3, 4])), None);
        assert_eq!(all.spans(&ids(&[1, 5])), 1, "no rack counts for none");

        // Rack c leaves with broker 4: two racks remain, [1,2,3] spans both.
        let drain = PlanRequest {
            decommission: [BrokerId(4)].into(),
            ..PlanRequest::default()
        };
        let rule = RackRule::new(&c, &drain).unwrap();
        assert_eq!(rule.needs(3), 2);
        assert_eq!(rule.shortfall(&ids(&[1, 2, 3])), None);
    }

    #[test]
    fn no_rule_without_racks_or_rack_awareness() {
        let c = cluster();
        let off = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        assert!(RackRule::new(&c, &off).is_none());
        let only_unracked = PlanRequest {
            decommission: [1, 2, 3, 4].map(BrokerId).into(),
            ..PlanRequest::default()
        };
        assert!(RackRule::new(&c, &only_unracked).is_none());
    }
}
