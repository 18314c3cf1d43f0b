use serde::{Deserialize, Serialize};

use crate::model::{BrokerId, ReplicaSet, TopicPartition};

/// A reassignment in Kafka's own format, the input of `kafka-reassign-partitions.sh --execute`:
/// `{"version":1,"partitions":[{"topic":..,"partition":..,"replicas":[..],"log_dirs":[..]}]}`.
///
/// The type *is* the file: a plan and its rollback are both `Reassignment`s. Partitions are kept
/// sorted by topic then partition, the order Kafka's tool prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reassignment {
    pub version: u32,
    pub partitions: Vec<PartitionReassignment>,
    /// What kplan knew when it planned (cluster id, each partition's replicas then), so that
    /// `execute` can refuse a stale plan. Kafka's tool ignores the extra key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kplan: Option<PlanContext>,
}

/// The planning-time view a plan carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// Replica lists of the planned partitions at planning time.
    pub current: Vec<CurrentReplicas>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentReplicas {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<BrokerId>,
}

/// One partition's target replica list. The first replica is the preferred leader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionReassignment {
    pub topic: String,
    pub partition: i32,
    pub replicas: ReplicaSet,
    pub log_dirs: Vec<String>,
}

impl PartitionReassignment {
    /// A target with every log dir `"any"`: the broker picks the directory.
    pub fn new(tp: &TopicPartition, replicas: ReplicaSet) -> Self {
        PartitionReassignment {
            topic: tp.topic.clone(),
            partition: tp.partition,
            log_dirs: vec!["any".to_owned(); replicas.len()],
            replicas,
        }
    }

    pub fn topic_partition(&self) -> TopicPartition {
        TopicPartition::new(&self.topic, self.partition)
    }

    pub fn brokers(&self) -> &[BrokerId] {
        self.replicas.brokers()
    }
}

impl Reassignment {
    /// A reassignment of `partitions`, sorted by topic then partition.
    pub fn new(mut partitions: Vec<PartitionReassignment>) -> Self {
        partitions.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
        Reassignment {
            version: 1,
            partitions,
            kplan: None,
        }
    }

    /// The same plan, carrying the planning-time replicas of `rollback` and the cluster id.
    pub fn with_context(mut self, cluster_id: Option<&str>, rollback: &Reassignment) -> Self {
        self.kplan = Some(PlanContext {
            cluster_id: cluster_id.map(str::to_owned),
            current: rollback
                .partitions
                .iter()
                .map(|p| CurrentReplicas {
                    topic: p.topic.clone(),
                    partition: p.partition,
                    replicas: p.brokers().to_vec(),
                })
                .collect(),
        });
        self
    }

    pub fn is_empty(&self) -> bool {
        self.partitions.is_empty()
    }

    pub fn len(&self) -> usize {
        self.partitions.len()
    }

    /// The JSON text, one partition per line so plans diff well in code review.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"version\":1,\"partitions\":[");
        for (i, p) in self.partitions.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            out.push_str(
                &serde_json::to_string(p).expect("a reassignment entry always serialises"),
            );
        }
        out.push_str("\n]");
        if let Some(ctx) = &self.kplan {
            out.push_str(",\n\"kplan\":{");
            if let Some(id) = &ctx.cluster_id {
                out.push_str(&format!(
                    "\"cluster_id\":{},",
                    serde_json::to_string(id).expect("string")
                ));
            }
            out.push_str("\"current\":[");
            for (i, c) in ctx.current.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ",\n" });
                out.push_str(&serde_json::to_string(c).expect("a context entry always serialises"));
            }
            out.push_str("\n]}");
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_sorted_and_kafka_compatible() {
        let r = Reassignment::new(vec![
            PartitionReassignment::new(&TopicPartition::new("b", 0), vec![2, 1].into()),
            PartitionReassignment::new(&TopicPartition::new("a", 1), vec![1].into()),
        ]);
        let json = r.to_json();
        assert_eq!(
            json,
            "{\"version\":1,\"partitions\":[\n\
             {\"topic\":\"a\",\"partition\":1,\"replicas\":[1],\"log_dirs\":[\"any\"]},\n\
             {\"topic\":\"b\",\"partition\":0,\"replicas\":[2,1],\"log_dirs\":[\"any\",\"any\"]}\n]}\n"
        );
        let back: Reassignment = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }
}
