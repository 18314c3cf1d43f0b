//! What the runbook commands need to know about the live cluster for a plan.

use std::collections::{BTreeMap, BTreeSet};

use kplan::exec::MoveSpec;
use kplan::kafka::{ConfigTarget, KafkaAdmin, OngoingReassignment, PartitionState};
use kplan::model::{BrokerId, TopicPartition};
use kplan::plan::Reassignment;

/// The live state of a plan's partitions.
#[derive(Debug, Default)]
pub struct ClusterView {
    pub cluster_id: Option<String>,
    pub alive: BTreeSet<BrokerId>,
    /// Topics of the plan that exist, with their partitions.
    pub partitions: BTreeMap<TopicPartition, PartitionState>,
    pub missing_topics: BTreeSet<String>,
    pub ongoing: BTreeMap<TopicPartition, OngoingReassignment>,
    pub min_isr: BTreeMap<String, usize>,
    /// Replica sizes: (partition, broker) → bytes.
    pub replica_sizes: BTreeMap<(TopicPartition, BrokerId), u64>,
    /// Usable bytes of each broker's log dirs, where the broker reports it (DescribeLogDirs v4+).
    pub free_disk: BTreeMap<BrokerId, u64>,
}

impl ClusterView {
    pub async fn fetch<A: KafkaAdmin>(
        admin: &A,
        plan: &Reassignment,
        with_sizes: bool,
    ) -> anyhow::Result<Self> {
        let cluster = admin.describe_cluster().await?;
        let mut view = ClusterView {
            cluster_id: Some(cluster.cluster_id),
            alive: cluster.brokers.iter().map(|b| b.id).collect(),
            ..ClusterView::default()
        };
        let topics: BTreeSet<String> = plan.partitions.iter().map(|p| p.topic.clone()).collect();
        let names: Vec<String> = topics.iter().cloned().collect();
        let all = admin.describe_topics(None).await?;
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

    /// Re-reads the replicas of the plan's (existing) topics and the ongoing reassignments:
    /// what changes while a plan runs.
    pub async fn refresh_partitions<A: KafkaAdmin>(&mut self, admin: &A) -> anyhow::Result<()> {
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

    pub async fn refresh_sizes<A: KafkaAdmin>(&mut self, admin: &A) -> anyhow::Result<()> {
        let alive: Vec<BrokerId> = self.alive.iter().copied().collect();
        self.replica_sizes.clear();
        self.free_disk.clear();
        for (b, r) in admin.describe_log_dirs(&alive).await? {
            if let Ok(d) = r {
                if let Some(u) = d.usable_bytes {
                    self.free_disk.insert(b, u);
                }
                for rd in d.replicas.into_iter().filter(|r| !r.is_future) {
                    self.replica_sizes.insert((rd.tp, b), rd.size);
                }
            }
        }
        Ok(())
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
        let Some(o) = self.ongoing.get(tp) else {
            return 0;
        };
        let size = self.size(tp);
        o.adding
            .iter()
            .map(|b| {
                size.saturating_sub(
                    self.replica_sizes
                        .get(&(tp.clone(), *b))
                        .copied()
                        .unwrap_or(0),
                )
            })
            .sum()
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
