//! Which replicas and brokers a set of moves throttles, with Kafka's semantics (KIP-73, as
//! `kafka-reassign-partitions.sh --throttle` computes them):
//!
//! - `leader.replication.throttled.replicas` of a topic lists every *current* replica of each
//!   moving partition (any of them may be the leader that sends); for a partition already being
//!   reassigned, "current" means its original replicas, not the ones still being added;
//! - `follower.replication.throttled.replicas` lists only the replicas being added;
//! - a partition whose list changes without a copy (a reorder, a shrink), or does not change at
//!   all (a plan entry that only moves replicas between log dirs), is in the leader list too, as
//!   Kafka's tool puts every partition of its file there (measured on Kafka 4.1);
//! - both rates, `leader.replication.throttled.rate` and `follower.replication.throttled.rate`, go
//!   on every broker of a moving partition (its current and its target replicas), exactly as
//!   Kafka's tool sets them (checked against Kafka 4.1 in tests/real_kafka/runbook.rs): a rate on a
//!   broker only throttles the replicas the topic lists name, so the extra key is harmless, and an
//!   operator comparing kplan's configs with the tool's sees the same ones.

use std::collections::{BTreeMap, BTreeSet};

use super::MoveSpec;
use crate::model::BrokerId;

/// The throttle configuration a set of moves needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThrottlePlan {
    /// topic → (partition, broker) entries of the leader list.
    pub leader: BTreeMap<String, BTreeSet<(i32, i32)>>,
    /// topic → (partition, broker) entries of the follower list.
    pub follower: BTreeMap<String, BTreeSet<(i32, i32)>>,
    /// Brokers that get the leader rate: every broker of a moving partition.
    pub senders: BTreeSet<BrokerId>,
    /// Brokers that get the follower rate: the same brokers (Kafka's tool sets both on each).
    pub receivers: BTreeSet<BrokerId>,
}

/// One throttled-replicas list of a topic: its config key and its (partition, broker) entries.
pub type ReplicaList<'a> = (&'static str, &'a BTreeSet<(i32, i32)>);

impl ThrottlePlan {
    /// Per topic, the throttled-replica lists it needs.
    pub fn topic_lists(&self) -> BTreeMap<&str, Vec<ReplicaList<'_>>> {
        let mut out: BTreeMap<&str, Vec<ReplicaList<'_>>> = BTreeMap::new();
        for (t, e) in &self.leader {
            out.entry(t.as_str())
                .or_default()
                .push((LEADER_REPLICAS, e));
        }
        for (t, e) in &self.follower {
            out.entry(t.as_str())
                .or_default()
                .push((FOLLOWER_REPLICAS, e));
        }
        out
    }
}

pub const LEADER_REPLICAS: &str = "leader.replication.throttled.replicas";
pub const FOLLOWER_REPLICAS: &str = "follower.replication.throttled.replicas";
pub const LEADER_RATE: &str = "leader.replication.throttled.rate";
pub const FOLLOWER_RATE: &str = "follower.replication.throttled.rate";

pub fn throttle_plan(moves: &[MoveSpec]) -> ThrottlePlan {
    let mut plan = ThrottlePlan::default();
    for m in moves {
        let adding = m.adding();
        // A reorder or a shrink copies nothing, yet Kafka's tool lists its current replicas as
        // leader-throttled and its brokers get the rates; kplan sets the same configs. So does
        // an entry whose replicas stay (one that only moves replicas between log dirs): the
        // tool lists every partition of its file, moving or not.
        let topic = m.tp.topic.clone();
        for b in &m.current {
            plan.leader
                .entry(topic.clone())
                .or_default()
                .insert((m.tp.partition, b.0));
        }
        for b in adding {
            plan.follower
                .entry(topic.clone())
                .or_default()
                .insert((m.tp.partition, b.0));
        }
        for b in m.current.iter().chain(&m.target) {
            plan.senders.insert(*b);
            plan.receivers.insert(*b);
        }
    }
    plan
}

/// Kafka's list syntax, entries sorted by partition then broker.
pub fn format_list(entries: &BTreeSet<(i32, i32)>) -> String {
    entries
        .iter()
        .map(|(p, b)| format!("{p}:{b}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_list(value: &str) -> BTreeSet<(i32, i32)> {
    value
        .split(',')
        .filter_map(|e| {
            let (p, b) = e.trim().split_once(':')?;
            Some((p.trim().parse().ok()?, b.trim().parse().ok()?))
        })
        .collect()
}

/// An existing list with our entries added (`*` already covers everything).
pub fn merge_list(existing: Option<&str>, ours: &BTreeSet<(i32, i32)>) -> String {
    match existing.map(str::trim) {
        Some("*") => "*".to_owned(),
        Some(v) => {
            let mut all = parse_list(v);
            all.extend(ours.iter().copied());
            format_list(&all)
        }
        None => format_list(ours),
    }
}

/// An existing list without our entries; `None` when nothing is left (delete the key).
pub fn remove_entries(existing: &str, ours: &BTreeSet<(i32, i32)>) -> Option<String> {
    if existing.trim() == "*" {
        return Some("*".to_owned());
    }
    let left: BTreeSet<(i32, i32)> = parse_list(existing).difference(ours).copied().collect();
    (!left.is_empty()).then(|| format_list(&left))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TopicPartition;

    fn mv(topic: &str, p: i32, current: &[i32], target: &[i32]) -> MoveSpec {
        MoveSpec {
            tp: TopicPartition::new(topic, p),
            current: current.iter().map(|b| BrokerId(*b)).collect(),
            target: target.iter().map(|b| BrokerId(*b)).collect(),
            size: 0,
        }
    }

    #[test]
    fn an_entry_that_only_moves_log_dirs_is_leader_throttled_as_kafkas_tool_does() {
        // foo-1 keeps [2,3] (its plan entry names log dirs): Kafka 4.1's tool lists 1:2,1:3
        // (tests/real_kafka/runbook.rs compares key by key).
        let plan = throttle_plan(&[
            mv("foo", 0, &[1, 2], &[1, 3]),
            mv("foo", 1, &[2, 3], &[2, 3]),
        ]);
        assert_eq!(format_list(&plan.leader["foo"]), "0:1,0:2,1:2,1:3");
        assert_eq!(format_list(&plan.follower["foo"]), "0:3");
        assert_eq!(plan.senders, [1, 2, 3].map(BrokerId).into());
    }

    #[test]
    fn kafkas_example() {
        // foo-0 [1,2,3]→[1,2,5], bar-0 [2,3,4]→[1,2,3].
        let plan = throttle_plan(&[
            mv("foo", 0, &[1, 2, 3], &[1, 2, 5]),
            mv("bar", 0, &[2, 3, 4], &[1, 2, 3]),
        ]);
        assert_eq!(format_list(&plan.leader["foo"]), "0:1,0:2,0:3");
        assert_eq!(format_list(&plan.follower["foo"]), "0:5");
        assert_eq!(format_list(&plan.leader["bar"]), "0:2,0:3,0:4");
        assert_eq!(format_list(&plan.follower["bar"]), "0:1");
        // Both rates on every broker of a moving partition, as Kafka's tool sets them.
        assert_eq!(plan.senders, [1, 2, 3, 4, 5].map(BrokerId).into());
        assert_eq!(plan.receivers, [1, 2, 3, 4, 5].map(BrokerId).into());
    }

    #[test]
    fn reorders_and_shrinks_get_leader_lists_only_as_kafkas_tool_sets_them() {
        let plan = throttle_plan(&[
            mv("a", 0, &[1, 2, 3], &[3, 2, 1]),
            mv("a", 1, &[1, 2, 3], &[1, 2]),
            mv("a", 2, &[1, 2, 3], &[1, 2, 3]),
        ]);
        // a-2 stays as it is, and Kafka's tool lists it all the same (every partition of its
        // file: seen on Kafka 4.1 in tests/real_kafka/runbook.rs with a log-dir-only entry).
        assert_eq!(
            format_list(&plan.leader["a"]),
            "0:1,0:2,0:3,1:1,1:2,1:3,2:1,2:2,2:3"
        );
        assert!(plan.follower.is_empty(), "nothing is copied");
        assert_eq!(plan.senders, [1, 2, 3].map(BrokerId).into());
    }

    #[test]
    fn a_partition_already_moving_is_sourced_from_its_original_replicas() {
        // Original [1,2]; Kafka shows [3,2,1] while adding 3. A new target [4,2] keeps 1,2 as sources.
        let plan = throttle_plan(&[mv("a", 0, &[1, 2], &[4, 2])]);
        assert_eq!(format_list(&plan.leader["a"]), "0:1,0:2");
        assert_eq!(format_list(&plan.follower["a"]), "0:4");
    }

    #[test]
    fn merging_keeps_what_an_operator_set() {
        let ours: BTreeSet<(i32, i32)> = [(0, 1), (0, 2)].into();
        assert_eq!(merge_list(Some("3:9"), &ours), "0:1,0:2,3:9");
        assert_eq!(merge_list(Some("*"), &ours), "*");
        assert_eq!(remove_entries("0:1,0:2,3:9", &ours), Some("3:9".to_owned()));
        assert_eq!(remove_entries("0:1,0:2", &ours), None);
    }
}
