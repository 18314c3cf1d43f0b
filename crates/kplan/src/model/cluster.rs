use std::collections::BTreeSet;

use super::{Broker, BrokerId, LogDirs, ModelError, Partition, Topic, TopicPartition};

/// A validated cluster: brokers sorted by id, topics by name, partitions by number.
///
/// Sorting at construction is what makes every later stage deterministic: nothing downstream
/// iterates a hash map to decide anything.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    cluster_id: Option<String>,
    brokers: Vec<Broker>,
    topics: Vec<Topic>,
    log_dirs: LogDirs,
}

impl Cluster {
    pub fn new(
        cluster_id: Option<String>,
        mut brokers: Vec<Broker>,
        mut topics: Vec<Topic>,
    ) -> Result<Cluster, ModelError> {
        brokers.sort_by_key(|b| b.id);
        if let Some(w) = brokers.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(ModelError::DuplicateBroker(w[0].id));
        }
        topics.sort_by(|a, b| a.name.cmp(&b.name));
        if let Some(w) = topics.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(ModelError::DuplicateTopic(w[0].name.clone()));
        }
        let known: BTreeSet<BrokerId> = brokers.iter().map(|b| b.id).collect();
        for topic in &mut topics {
            if topic.name.is_empty() {
                return Err(ModelError::EmptyTopicName);
            }
            topic.partitions.sort_by_key(|p| p.partition);
            if let Some(w) = topic
                .partitions
                .windows(2)
                .find(|w| w[0].partition == w[1].partition)
            {
                return Err(ModelError::DuplicatePartition(TopicPartition::new(
                    &topic.name,
                    w[0].partition,
                )));
            }
            for p in &topic.partitions {
                validate_partition(&topic.name, p, &known)?;
            }
        }
        Ok(Cluster {
            cluster_id,
            brokers,
            topics,
            log_dirs: LogDirs::default(),
        })
    }

    /// The same cluster with its log directories. The partitions' [`ReplicaLogDirs`](super::ReplicaLogDirs)
    /// are ids of `dirs`; the cluster renumbers them in path order. A broker that lists its
    /// directories must list every directory its replicas are in; a broker that lists none gets
    /// the directories its replicas name.
    pub fn with_log_dirs(mut self, mut dirs: LogDirs) -> Result<Cluster, ModelError> {
        for (broker, list) in dirs.brokers() {
            if self.broker(broker).is_none() {
                return Err(ModelError::LogDirsOfUnknownBroker(broker));
            }
            if let Some(w) = list.windows(2).find(|w| w[0].path == w[1].path) {
                return Err(ModelError::DuplicateLogDir {
                    broker,
                    path: w[0].path.clone(),
                });
            }
        }
        let listed: BTreeSet<BrokerId> = dirs.brokers().map(|(b, _)| b).collect();
        for (tp, p) in self.partitions() {
            if p.log_dirs.is_empty() {
                continue;
            }
            if p.log_dirs.len() != p.replicas.len() {
                return Err(ModelError::LogDirCount {
                    tp,
                    dirs: p.log_dirs.len(),
                    replicas: p.replicas.len(),
                });
            }
            for (i, &broker) in p.replicas.brokers().iter().enumerate() {
                let Some(id) = p.log_dirs.get(i) else {
                    continue;
                };
                if !listed.contains(&broker) {
                    dirs.derive(broker, id);
                } else if dirs.find(broker, id).is_none() {
                    return Err(ModelError::UnknownLogDir {
                        tp: tp.clone(),
                        broker,
                        path: dirs.path(id).to_owned(),
                    });
                }
            }
        }
        let (dirs, new_id) = dirs.renumbered();
        for p in self.topics.iter_mut().flat_map(|t| t.partitions.iter_mut()) {
            p.log_dirs.renumber(&new_id);
        }
        self.log_dirs = dirs;
        Ok(self)
    }

    /// The brokers' log directories (empty when the snapshot knows none).
    pub fn log_dirs(&self) -> &LogDirs {
        &self.log_dirs
    }

    pub fn cluster_id(&self) -> Option<&str> {
        self.cluster_id.as_deref()
    }

    pub fn brokers(&self) -> &[Broker] {
        &self.brokers
    }

    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    pub fn broker(&self, id: BrokerId) -> Option<&Broker> {
        self.brokers
            .binary_search_by_key(&id, |b| b.id)
            .ok()
            .map(|i| &self.brokers[i])
    }

    pub fn topic(&self, name: &str) -> Option<&Topic> {
        self.topics
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.topics[i])
    }

    pub fn partition(&self, tp: &TopicPartition) -> Option<&Partition> {
        let topic = self.topic(&tp.topic)?;
        topic
            .partitions
            .binary_search_by_key(&tp.partition, |p| p.partition)
            .ok()
            .map(|i| &topic.partitions[i])
    }

    /// Every partition with its name, in topic then partition order.
    pub fn partitions(&self) -> impl Iterator<Item = (TopicPartition, &Partition)> {
        self.topics.iter().flat_map(|t| {
            t.partitions
                .iter()
                .map(move |p| (TopicPartition::new(&t.name, p.partition), p))
        })
    }

    pub fn partition_count(&self) -> usize {
        self.topics.iter().map(|t| t.partitions.len()).sum()
    }

    /// The distinct racks, sorted. Empty when no broker has a rack.
    pub fn racks(&self) -> Vec<&str> {
        let racks: BTreeSet<&str> = self
            .brokers
            .iter()
            .filter_map(|b| b.rack.as_deref())
            .collect();
        racks.into_iter().collect()
    }
}

fn validate_partition(
    topic: &str,
    p: &Partition,
    known: &BTreeSet<BrokerId>,
) -> Result<(), ModelError> {
    let tp = || TopicPartition::new(topic, p.partition);
    if p.partition < 0 {
        return Err(ModelError::NegativePartition(tp()));
    }
    if p.replicas.is_empty() {
        return Err(ModelError::NoReplicas(tp()));
    }
    if let Some(broker) = p.replicas.first_duplicate() {
        return Err(ModelError::DuplicateReplica { tp: tp(), broker });
    }
    if let Some(&broker) = p.replicas.brokers().iter().find(|b| !known.contains(b)) {
        return Err(ModelError::UnknownBroker { tp: tp(), broker });
    }
    if let Some(leader) = p.leader {
        if !p.replicas.contains(leader) {
            return Err(ModelError::LeaderNotReplica { tp: tp(), leader });
        }
    }
    if let Some(&broker) = p.isr.iter().find(|b| !p.replicas.contains(**b)) {
        return Err(ModelError::IsrNotReplica { tp: tp(), broker });
    }
    for (field, value) in [
        ("bytes_in_per_sec", p.bytes_in_per_sec),
        ("bytes_out_per_sec", p.bytes_out_per_sec),
    ] {
        if !value.is_finite() || value < 0.0 {
            return Err(ModelError::InvalidRate {
                tp: tp(),
                field,
                value,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brokers(n: i32) -> Vec<Broker> {
        (0..n).map(|i| Broker::new(i, None)).collect()
    }

    #[test]
    fn sorts_brokers_topics_and_partitions() {
        let cluster = Cluster::new(
            None,
            vec![Broker::new(2, None), Broker::new(1, None)],
            vec![
                Topic::new(
                    "b",
                    vec![Partition::new(1, vec![1]), Partition::new(0, vec![2])],
                ),
                Topic::new("a", vec![Partition::new(0, vec![1, 2])]),
            ],
        )
        .unwrap();
        assert_eq!(cluster.brokers()[0].id, BrokerId(1));
        let names: Vec<String> = cluster.partitions().map(|(tp, _)| tp.to_string()).collect();
        assert_eq!(names, ["a-0", "b-0", "b-1"]);
    }

    #[test]
    fn rejects_unknown_broker_and_duplicates() {
        let err = Cluster::new(
            None,
            brokers(2),
            vec![Topic::new("t", vec![Partition::new(0, vec![0, 5])])],
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "partition t-0 has a replica on broker 5, which is not in the broker list"
        );
        let err = Cluster::new(
            None,
            brokers(2),
            vec![Topic::new(
                "t",
                vec![Partition::new(0, vec![0]), Partition::new(0, vec![1])],
            )],
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "partition t-0 is listed twice"
        );
        let err = Cluster::new(
            None,
            brokers(2),
            vec![Topic::new("t", vec![Partition::new(0, vec![1, 1])])],
        );
        assert!(matches!(err, Err(ModelError::DuplicateReplica { .. })));
    }

    #[test]
    fn replicas_must_be_in_a_directory_their_broker_lists() {
        use crate::model::{LogDir, ReplicaLogDirs};
        let mut dirs = LogDirs::default();
        let d1 = dirs.intern("/d1").unwrap();
        let d2 = dirs.intern("/d2").unwrap();
        dirs.set_broker(BrokerId(0), vec![LogDir::new(d1, "/d1")]);
        let placed = |d| {
            vec![Topic::new(
                "t",
                vec![Partition::new(0, vec![0, 1])
                    .with_log_dirs(ReplicaLogDirs::new([Some(d), Some(d2)]))],
            )]
        };
        let c = Cluster::new(None, brokers(2), placed(d1))
            .unwrap()
            .with_log_dirs(dirs.clone())
            .unwrap();
        // Broker 1 lists nothing: its directories are those its replicas name.
        assert_eq!(c.log_dirs().of(BrokerId(1))[0].path, "/d2");
        let err = Cluster::new(None, brokers(2), placed(d2))
            .unwrap()
            .with_log_dirs(dirs)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "partition t-0 has its replica on broker 0 in log dir /d2, which is not one of broker 0's log dirs"
        );
    }

    #[test]
    fn rejects_leader_outside_replicas() {
        let mut p = Partition::new(0, vec![0]);
        p.leader = Some(BrokerId(1));
        let err = Cluster::new(None, brokers(2), vec![Topic::new("t", vec![p])]);
        assert!(matches!(err, Err(ModelError::LeaderNotReplica { .. })));
    }
}
