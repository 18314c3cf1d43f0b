//! Property test: on random clusters and random requests the planner either explains why it
//! cannot plan or returns a plan the independent verifier accepts.

use std::collections::BTreeSet;
use std::time::Duration;

use kplan::model::BrokerId;
use kplan::plan::{plan, verify, PlanError, PlanRequest};
use kplan::synthetic::SyntheticSpec;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn plans_always_verify(
        brokers in 3usize..9,
        racks in 0usize..4,
        empty in 0usize..2,
        partitions in 1usize..40,
        rf in 1usize..4,
        decommission in proptest::option::of(0i32..9),
        rack_aware in any::<bool>(),
        new_rf in proptest::option::of(1usize..4),
        seed in any::<u64>(),
    ) {
        let populated = brokers - empty;
        prop_assume!(rf <= populated);
        let cluster = SyntheticSpec {
            brokers,
            racks,
            empty_brokers: empty,
            topics: 1 + partitions / 10,
            partitions: partitions.max(1 + partitions / 10),
            replication_factors: vec![rf],
            skew: 1.0,
            mean_size_bytes: 1e9,
            mean_bytes_in: 1e6,
            seed,
        }
        .build();
        let decommission: BTreeSet<BrokerId> =
            decommission.filter(|&d| (d as usize) < brokers).map(BrokerId).into_iter().collect();
        let request = PlanRequest {
            decommission,
            rack_aware,
            replication_factors: new_rf.map(|n| (regex::Regex::new("^topic-00000$").unwrap(), n)).into_iter().collect(),
            time_limit: Duration::from_secs(3),
            ..PlanRequest::default()
        };
        match plan(&cluster, &request) {
            Ok(p) => {
                prop_assert!(verify(&cluster, &request, &p.reassignment).is_ok());
                prop_assert_eq!(p.rollback.len(), p.reassignment.len());
            }
            Err(e @ PlanError::InvalidPlan(_)) => prop_assert!(false, "invalid plan: {}", e),
            Err(PlanError::TooFewBrokers { .. } | PlanError::TooFewRacks { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected error: {}", e),
        }
    }
}
