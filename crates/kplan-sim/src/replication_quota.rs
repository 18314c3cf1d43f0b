//! How fast each copy in progress runs: KIP-73 replication quotas as a Kafka broker applies them.
//!
//! A replica being added to broker `f` of partition `p` (led by `l`) is *leader-throttled* when
//! `leader.replication.throttled.replicas` of the topic lists `p:l` (or is `*`) and `l` has
//! `leader.replication.throttled.rate`; it is *follower-throttled* when the follower list covers
//! `p:f` and `f` has `follower.replication.throttled.rate`. Each throttle rate is one byte budget
//! per broker, for every partition it throttles.
//!
//! Kafka counts the replication of throttled partitions by replicas that are already in sync
//! against the same budgets, though it never delays it ("Traffic from both in-sync and out of
//! sync replicas are accounted for in replication quota", `KafkaApis` and
//! `ReplicaFetcherThread`): a leader's budget first carries its in-sync followers' fetches of
//! the partitions its leader list names, a follower's its own in-sync fetches of the partitions
//! its follower list names, and only what is left goes to copies catching up.
//!
//! What is left is shared the way fetches share it: a copy held back by one budget (a busy
//! leader) leaves its share of the others to the copies that can use it — max-min fairness,
//! computed by progressive filling over the budgets each copy draws on: its leader's, its
//! follower's and the follower's line (the line rate divided by its slow-disk factor, which
//! applies whether or not a throttle does).

use std::collections::BTreeMap;

use super::cluster_state::ClusterState;
use super::config_catalog;

const LEADER_LIST: &str = "leader.replication.throttled.replicas";
const FOLLOWER_LIST: &str = "follower.replication.throttled.replicas";
const LEADER_RATE: &str = "leader.replication.throttled.rate";
const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";

/// One replica copy in progress, with its rate for the current interval.
#[derive(Clone, Debug)]
pub(crate) struct CopyRate {
    pub topic: String,
    pub partition: usize,
    pub follower: i32,
    pub rate: f64,
}

/// A byte budget copies share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Budget {
    Leader(i32),
    Follower(i32),
    Line(i32),
}

/// A copy and the budgets it draws on.
struct Demand {
    copy: CopyRate,
    budgets: Vec<Budget>,
}

/// Every copy in progress and the rate it runs at right now.
pub(crate) fn copy_rates(state: &ClusterState) -> Vec<CopyRate> {
    let mut capacity: BTreeMap<Budget, f64> = BTreeMap::new();
    let mut demands = Vec::new();
    for (name, topic) in &state.topics {
        let covers = |key: &str, partition: i32, broker: i32| {
            config_catalog::list_covers(
                topic.configs.get(key).map(String::as_str),
                partition,
                broker,
            )
        };
        for (i, p) in topic.partitions.iter().enumerate() {
            if p.leader < 0 || !state.alive(p.leader) {
                continue; // nobody to copy from, and no in-sync traffic
            }
            let leader_throttle = covers(LEADER_LIST, p.index, p.leader)
                .then(|| state.throttle_rate(p.leader, LEADER_RATE))
                .flatten();
            let in_sync: Vec<i32> = p
                .isr
                .iter()
                .copied()
                .filter(|b| *b != p.leader && !p.copied.contains_key(b) && state.alive(*b))
                .collect();
            if let Some(rate) = leader_throttle {
                *capacity.entry(Budget::Leader(p.leader)).or_insert(rate) -=
                    p.bytes_in_per_sec * in_sync.len() as f64;
            }
            for f in in_sync {
                if let Some(rate) = covers(FOLLOWER_LIST, p.index, f)
                    .then(|| state.throttle_rate(f, FOLLOWER_RATE))
                    .flatten()
                {
                    *capacity.entry(Budget::Follower(f)).or_insert(rate) -= p.bytes_in_per_sec;
                }
            }
            for &f in p.copied.keys().filter(|f| state.alive(**f)) {
                let slowdown = state.brokers[&f].slowdown.max(1e-9);
                capacity
                    .entry(Budget::Line(f))
                    .or_insert(state.line_rate / slowdown);
                let mut budgets = vec![Budget::Line(f)];
                if let Some(rate) = leader_throttle {
                    capacity.entry(Budget::Leader(p.leader)).or_insert(rate);
                    budgets.push(Budget::Leader(p.leader));
                }
                if let Some(rate) = covers(FOLLOWER_LIST, p.index, f)
                    .then(|| state.throttle_rate(f, FOLLOWER_RATE))
                    .flatten()
                {
                    capacity.entry(Budget::Follower(f)).or_insert(rate);
                    budgets.push(Budget::Follower(f));
                }
                demands.push(Demand {
                    copy: CopyRate {
                        topic: name.clone(),
                        partition: i,
                        follower: f,
                        rate: 0.0,
                    },
                    budgets,
                });
            }
        }
    }
    fill(&mut demands, capacity);
    demands.into_iter().map(|d| d.copy).collect()
}

/// Progressive filling: every copy not yet held back grows at the same pace until a budget it
/// draws on runs out; the copies on that budget keep their rate, the others go on.
fn fill(demands: &mut [Demand], capacity: BTreeMap<Budget, f64>) {
    let mut left: BTreeMap<Budget, f64> = capacity.iter().map(|(b, c)| (*b, c.max(0.0))).collect();
    let mut frozen = vec![false; demands.len()];
    loop {
        let mut users: BTreeMap<Budget, usize> = BTreeMap::new();
        for (d, _) in demands.iter().zip(&frozen).filter(|(_, f)| !**f) {
            for b in &d.budgets {
                *users.entry(*b).or_default() += 1;
            }
        }
        let Some((tightest, step)) = users
            .iter()
            .map(|(b, n)| (*b, left[b] / *n as f64))
            .min_by(|a, b| a.1.total_cmp(&b.1))
        else {
            return; // every copy is held back
        };
        for (d, _) in demands.iter_mut().zip(&frozen).filter(|(_, f)| !**f) {
            d.copy.rate += step;
        }
        for (b, n) in &users {
            *left.get_mut(b).expect("budget") -= step * *n as f64;
        }
        left.insert(tightest, 0.0);
        let saturated = |b: &Budget| left[b] <= 1e-12 * capacity[b].max(1.0);
        for (d, f) in demands.iter().zip(frozen.iter_mut()) {
            if !*f && d.budgets.iter().any(saturated) {
                *f = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimSpec;

    const MB: f64 = 1_000_000.0;

    /// Brokers 1..=5; foo-0 on [1,2,3] and foo-1 on [2,3,5], 100 MB each, 10 MB/s of produce
    /// traffic each; `configs` are (broker, key, value).
    fn cluster(configs: &[(i32, &str, f64)]) -> ClusterState {
        let mut spec = SimSpec::with_brokers(5, 0).topic("foo", 2, 3, 100_000_000, 10.0 * MB);
        spec.topics[0].assignment = Some(vec![vec![1, 2, 3], vec![2, 3, 5]]);
        spec.topics[0]
            .configs
            .insert(LEADER_LIST.into(), "*".into());
        spec.topics[0]
            .configs
            .insert(FOLLOWER_LIST.into(), "*".into());
        spec.line_rate = 1000.0 * MB;
        for (b, key, rate) in configs {
            spec.broker_configs
                .entry(b.to_string())
                .or_default()
                .insert((*key).to_owned(), (*rate as u64).to_string());
        }
        ClusterState::new(&spec, 0).unwrap()
    }

    fn rate_into(state: &ClusterState, partition: usize, follower: i32) -> f64 {
        copy_rates(state)
            .iter()
            .find(|c| c.partition == partition && c.follower == follower)
            .expect("a copy")
            .rate
    }

    #[test]
    fn in_sync_followers_of_a_throttled_partition_count_against_the_leaders_budget() {
        // Leader 1 at 50 MB/s serves 2 and 3 in sync (20 MB/s): the copy into 4 gets 30.
        let mut s = cluster(&[(1, LEADER_RATE, 50.0 * MB)]);
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        assert!((rate_into(&s, 0, 4) - 30.0 * MB).abs() < 1.0);
    }

    #[test]
    fn a_finished_copy_keeps_its_traffic_in_the_followers_budget() {
        // Broker 4 at 30 MB/s: foo-1's replica there is in sync (the list names it), so the copy
        // of foo-0 into 4 gets 30 − 10.
        let mut s = cluster(&[(4, FOLLOWER_RATE, 30.0 * MB)]);
        s.reassign("foo", 1, Some(&[2, 3, 4])).unwrap();
        s.advance_to(100.0);
        assert!(s.partition("foo", 1).unwrap().moving.is_none());
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        assert!((rate_into(&s, 0, 4) - 20.0 * MB).abs() < 1.0);
    }

    #[test]
    fn a_copy_held_back_by_its_leader_leaves_the_followers_budget_to_others() {
        // Into 4 from leader 1 (30 MB/s, 20 of them taken by its in-sync followers 2 and 3) and
        // from leader 2 (unthrottled); broker 4 at 40 MB/s: the first copy gets the 10 its
        // leader has left, the second the 30 left of broker 4's budget, not an equal 20.
        let mut s = cluster(&[(1, LEADER_RATE, 30.0 * MB), (4, FOLLOWER_RATE, 40.0 * MB)]);
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        s.reassign("foo", 1, Some(&[2, 3, 4])).unwrap();
        assert!((rate_into(&s, 0, 4) - 10.0 * MB).abs() < 1.0);
        assert!((rate_into(&s, 1, 4) - 30.0 * MB).abs() < 1.0);
    }

    #[test]
    fn in_sync_traffic_over_the_budget_stalls_the_copy() {
        let mut s = cluster(&[(1, LEADER_RATE, 15.0 * MB)]);
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        assert_eq!(rate_into(&s, 0, 4), 0.0);
        s.advance_to(1000.0);
        assert!(
            s.partition("foo", 0).unwrap().moving.is_some(),
            "never done"
        );
    }
}
