//! `elect-leaders`: leader elections as `kafka-leader-election.sh` runs them (ElectLeaders,
//! preferred or unclean); ELECTION_NOT_NEEDED counts as success.

use super::ExecError;
use crate::kafka::{ElectionKind, KafkaAdmin, PerPartition};
use crate::model::TopicPartition;

/// Which partitions to elect leaders for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElectionScope {
    /// These (a plan's, or an election file's).
    Partitions(Vec<TopicPartition>),
    /// Every partition of every topic.
    AllTopicPartitions,
}

/// The controller's answer per partition; no partitions at all is an error.
pub async fn elect_leaders<A: KafkaAdmin>(
    admin: &A,
    kind: ElectionKind,
    scope: ElectionScope,
) -> Result<PerPartition<()>, ExecError> {
    let partitions = match scope {
        ElectionScope::Partitions(p) => p,
        ElectionScope::AllTopicPartitions => admin
            .describe_topics(None)
            .await?
            .into_iter()
            .flat_map(|t| {
                t.partitions
                    .into_iter()
                    .map(move |p| TopicPartition::new(&t.name, p.partition))
            })
            .collect(),
    };
    if partitions.is_empty() {
        return Err(ExecError::NothingToElect);
    }
    Ok(admin.elect_leaders(kind, &partitions).await?)
}
