//! What the executor knows about the cluster a plan runs on: the plan's partitions as they are
//! now, the reassignments in flight, replica sizes and free disk. Read through [`KafkaAdmin`]
//! before a run and refreshed while it goes; for `execute --dry-run --snapshot`, built from a
//! snapshot instead.

use std::collections::{BTreeMap, BTreeSet};

use super::{LiveLogDirs, MoveSpec};
use crate::kafka::{ConfigTarget, KafkaAdmin, KafkaError, OngoingReassignment, PartitionState};
use crate::model::{BrokerId, Cluster, ReplicaSet, TopicPartition};
use crate::plan::{PartitionReassignment, Reassignment};

/// The state of a plan's partitions in the cluster.
#[derive(Debug, Default)]
pub struct ClusterView {
    pub cluster_id: Option<String>,
    /// Brokers in the cluster's live broker list (DescribeCluster). A KRaft broker that is down
    /// stays registered but fenced, and is not listed.
    pub alive: BTreeSet<BrokerId>,
    /// Brokers that hold a replica of any partition of the cluster, listed or not: a broker here
    /// but not in `alive` exists and is down (or fenced).
    pub registered: BTreeSet<BrokerId>,
    /// Live brokers whose DescribeLogDirs failed at the last look: listed, yet not answering.
    pub unanswered: BTreeSet<BrokerId>,
    /// Topics of the plan that exist, with their partitions.
    pub partitions: BTreeMap<TopicPartition, PartitionState>,
    pub missing_topics: BTreeSet<String>,
    pub ongoing: BTreeMap<TopicPartition, OngoingReassignment>,
    pub min_isr: BTreeMap<String, usize>,
    /// Replica sizes: (partition, broker) → bytes.
    pub replica_sizes: BTreeMap<(TopicPartition, BrokerId), u64>,
    /// Usable bytes of each broker's log dirs, where the broker reports it (DescribeLogDirs v4+).
    pub free_disk: BTreeMap<BrokerId, u64>,
    /// Each replica's log dir and its future replica when it is moving between dirs (JBOD).
    pub log_dirs: LiveLogDirs,
}

impl ClusterView {
    /// Reads the cluster for `plan`; `with_sizes` also reads replica sizes and free disk
    /// (DescribeLogDirs on every live broker).
    pub async fn fetch<A: KafkaAdmin>(
        admin: &A,
        plan: &Reassignment,
        with_sizes: bool,
    ) -> Result<Self, KafkaError> {
        let cluster = admin.describe_cluster().await?;
        let mut view = ClusterView {
            cluster_id: Some(cluster.cluster_id),
            alive: cluster.brokers.iter().map(|b| b.id).collect(),
            ..ClusterView::default()
        };
        let topics: BTreeSet<String> = plan.partitions.iter().map(|p| p.topic.clone()).collect();
        let names: Vec<String> = topics.iter().cloned().collect();
        let all = admin.describe_topics(None).await?;
        view.registered = all
            .iter()
            .flat_map(|t| &t.partitions)
            .flat_map(|p| p.replicas.iter().copied())
            .collect();
        for t in all.into_iter().filter(|t| topics.contains(&t.name)) {
            for p in t.partitions {
                view.partitions
                    .insert(TopicPartition::new(&t.name, p.partition), p);
            }
        }
        view.missing_topics = topics
            .iter()
            .filter(|t| !view.partitions.keys().any(|tp| &tp.topic == *t))
            .cloned()
            .collect();
        view.ongoing = admin.list_reassignments().await?;
        let present: Vec<ConfigTarget> = names
            .iter()
            .filter(|n| !view.missing_topics.contains(*n))
            .map(|n| ConfigTarget::Topic(n.clone()))
            .collect();
        if !present.is_empty() {
            for (t, r) in admin.describe_configs(&present).await? {
                if let (ConfigTarget::Topic(name), Ok(c)) = (t, r) {
                    let v = c
                        .get("min.insync.replicas")
                        .and_then(|v| v.value.as_deref())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1);
                    view.min_isr.insert(name, v);
                }
            }
        }
        if with_sizes {
            view.refresh_sizes(admin).await?;
        }
        Ok(view)
    }

    /// The offline view of `execute --dry-run --snapshot`: every broker of the snapshot is
    /// alive, nothing is moving, and each partition's size is its leader's.
    pub fn from_snapshot(cluster: &Cluster, plan: &Reassignment) -> Self {
        let mut view = ClusterView {
            cluster_id: cluster.cluster_id().map(str::to_owned),
            alive: cluster.brokers().iter().map(|b| b.id).collect(),
            registered: cluster.brokers().iter().map(|b| b.id).collect(),
            ..ClusterView::default()
        };
        let topics: BTreeSet<&str> = plan.partitions.iter().map(|p| p.topic.as_str()).collect();
        for (tp, p) in cluster.partitions() {
            if topics.contains(tp.topic.as_str()) {
                if let Some(l) = p.leader {
                    view.replica_sizes.insert((tp.clone(), l), p.size_bytes);
                }
                view.partitions.insert(
                    tp,
                    PartitionState {
                        partition: p.partition,
                        replicas: p.replicas.brokers().to_vec(),
                        leader: p.leader,
                        isr: p.isr.clone(),
                        offline: Vec::new(),
                    },
                );
            }
        }
        view.missing_topics = topics
            .iter()
            .filter(|t| cluster.topic(t).is_none())
            .map(|t| t.to_string())
            .collect();
        view
    }

    /// Re-reads the live brokers, the replicas of the plan's (existing) topics and the ongoing
    /// reassignments: what changes while a plan runs.
    pub async fn refresh_partitions<A: KafkaAdmin>(&mut self, admin: &A) -> Result<(), KafkaError> {
        self.alive = admin
            .describe_cluster()
            .await?
            .brokers
            .iter()
            .map(|b| b.id)
            .collect();
        let mut names: Vec<String> = self.partitions.keys().map(|tp| tp.topic.clone()).collect();
        names.dedup();
        for t in admin.describe_topics(Some(&names)).await? {
            for p in t.partitions {
                self.partitions
                    .insert(TopicPartition::new(&t.name, p.partition), p);
            }
        }
        self.ongoing = admin.list_reassignments().await?;
        Ok(())
    }

    /// Re-reads replica sizes (the progress of every copy), free disk and where each replica is
    /// on its broker's disks.
    pub async fn refresh_sizes<A: KafkaAdmin>(&mut self, admin: &A) -> Result<(), KafkaError> {
        let alive: Vec<BrokerId> = self.alive.iter().copied().collect();
        self.replica_sizes.clear();
        self.free_disk.clear();
        self.unanswered.clear();
        self.log_dirs.clear();
        for (b, r) in admin.describe_log_dirs(&alive).await? {
            let Ok(d) = r else {
                self.unanswered.insert(b);
                continue;
            };
            self.log_dirs.add_broker(b, &d);
            if let Some(u) = d.usable_bytes {
                self.free_disk.insert(b, u);
            }
            for rd in d.replicas.into_iter().filter(|r| !r.is_future) {
                self.replica_sizes.insert((rd.tp, b), rd.size);
            }
        }
        Ok(())
    }

    /// The replicas being added to an in-flight partition that cannot receive anything now: not
    /// in the live broker list, or not answering DescribeLogDirs. Its move stalls until they are
    /// back.
    pub fn stalled_on(&self, tp: &TopicPartition) -> Vec<BrokerId> {
        self.ongoing.get(tp).map_or_else(Vec::new, |o| {
            o.adding
                .iter()
                .copied()
                .filter(|b| !self.alive.contains(b) || self.unanswered.contains(b))
                .collect()
        })
    }

    /// The partitions in flight whose move is stalled, by the broker that stalls them.
    pub fn stalled(&self) -> BTreeMap<BrokerId, Vec<TopicPartition>> {
        let mut out: BTreeMap<BrokerId, Vec<TopicPartition>> = BTreeMap::new();
        for tp in self.ongoing.keys() {
            for b in self.stalled_on(tp) {
                out.entry(b).or_default().push(tp.clone());
            }
        }
        out
    }

    /// The replicas a partition had before any ongoing reassignment (Kafka's "original").
    pub fn original(&self, tp: &TopicPartition) -> Option<Vec<BrokerId>> {
        let p = self.partitions.get(tp)?;
        Some(match self.ongoing.get(tp) {
            Some(o) => p
                .replicas
                .iter()
                .copied()
                .filter(|b| !o.adding.contains(b))
                .collect(),
            None => p.replicas.clone(),
        })
    }

    /// The leader's log size (the bytes each added replica must copy).
    pub fn size(&self, tp: &TopicPartition) -> u64 {
        let Some(p) = self.partitions.get(tp) else {
            return 0;
        };
        p.leader
            .and_then(|l| self.replica_sizes.get(&(tp.clone(), l)).copied())
            .unwrap_or_else(|| {
                p.replicas
                    .iter()
                    .filter_map(|b| self.replica_sizes.get(&(tp.clone(), *b)))
                    .copied()
                    .max()
                    .unwrap_or(0)
            })
    }

    /// Bytes still to copy for an in-flight partition: Σ over adding replicas of (leader − copied).
    pub fn bytes_remaining(&self, tp: &TopicPartition) -> u64 {
        self.remaining_by_broker(tp).iter().map(|(_, r)| r).sum()
    }

    /// Per adding replica of an in-flight partition, the bytes it still lacks.
    pub fn remaining_by_broker(&self, tp: &TopicPartition) -> Vec<(BrokerId, u64)> {
        let Some(o) = self.ongoing.get(tp) else {
            return Vec::new();
        };
        let size = self.size(tp);
        o.adding
            .iter()
            .map(|b| {
                let copied = self
                    .replica_sizes
                    .get(&(tp.clone(), *b))
                    .copied()
                    .unwrap_or(0);
                (*b, size.saturating_sub(copied))
            })
            .collect()
    }

    /// The rollback of a plan: each of its partitions' original replicas, in Kafka's format.
    pub fn rollback(&self, plan: &Reassignment) -> Reassignment {
        Reassignment::new(
            plan.partitions
                .iter()
                .filter_map(|p| {
                    let tp = p.topic_partition();
                    Some(PartitionReassignment::new(
                        &tp,
                        ReplicaSet::new(self.original(&tp)?),
                    ))
                })
                .collect(),
        )
    }

    /// Partitions whose ISR is below their topic's min.insync.replicas (moved last).
    pub fn under_min_isr(&self) -> BTreeSet<TopicPartition> {
        self.partitions
            .iter()
            .filter(|(tp, p)| p.isr.len() < self.min_isr.get(&tp.topic).copied().unwrap_or(1))
            .map(|(tp, _)| tp.clone())
            .collect()
    }

    /// The moves of a plan against this view (partitions that exist).
    pub fn moves(&self, plan: &Reassignment) -> Vec<MoveSpec> {
        plan.partitions
            .iter()
            .filter_map(|p| {
                let tp = p.topic_partition();
                Some(MoveSpec {
                    current: self.original(&tp)?,
                    target: p.brokers().to_vec(),
                    size: self.size(&tp),
                    tp,
                })
            })
            .collect()
    }
}
