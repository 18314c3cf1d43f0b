//! Small clusters the planner's unit tests share: one built by hand, and generated ones with
//! hot partitions.

use super::problem::Problem;
use super::PlanRequest;
use crate::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Topic};
use crate::scenario::{LoadFamily, ScenarioSpec};

/// Brokers 0–2 hold topic `t`'s twelve partitions at RF 2 (partition `p` on broker `p % 3` and
/// the next one); broker 3, without a rack like the others, holds nothing. `load(p)` gives
/// partition `p`'s size, bytes in and bytes out.
pub fn three_full_one_new(load: impl Fn(i32) -> (u64, f64, f64)) -> Cluster {
    let brokers = (0..4)
        .map(|i| Broker {
            id: BrokerId(i),
            rack: None,
        })
        .collect();
    let partitions = (0..12)
        .map(|p| {
            let a = p % 3;
            let reps = vec![BrokerId(a), BrokerId((a + 1) % 3)];
            let (size, bytes_in, bytes_out) = load(p);
            Partition::new(p, ReplicaSet::new(reps)).with_load(size, bytes_in, bytes_out)
        })
        .collect();
    Cluster::new(None, brokers, vec![Topic::new("t", partitions)]).unwrap()
}

/// A small generated cluster of `family` with two hot keyed partitions, three racks and
/// replication factors 2–3; tests set its size on top.
pub fn hot_scenario(family: LoadFamily, seed: u64) -> ScenarioSpec {
    ScenarioSpec {
        family,
        racks: 3,
        min_rf: 2,
        max_rf: 3,
        hot_partitions: 2,
        seed,
        ..ScenarioSpec::default()
    }
}

/// The planning problem of the cluster `spec` builds, with the default request.
pub fn hot_problem(spec: ScenarioSpec) -> Problem {
    Problem::new(&spec.build().cluster, &PlanRequest::default()).unwrap()
}
