//! The Kafka release a simulated broker claims to be: which APIs it answers, up to which version.
//!
//! The tables follow Apache Kafka's own ApiVersions answers for those releases, clipped to what the
//! `kafka-protocol` crate can decode (it dropped some very old versions).

use kafka_protocol::messages::ApiKey;
use serde::{Deserialize, Serialize};

/// A Kafka release profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KafkaVersion {
    /// 2.4: ZooKeeper mode, KIP-455 reassignment APIs are new, no DescribeCluster.
    #[serde(rename = "2.4")]
    V2_4,
    /// 2.8: DescribeCluster appears.
    #[serde(rename = "2.8")]
    V2_8,
    /// 3.9: the last release with ZooKeeper support; KRaft clusters forward to the controller.
    #[serde(rename = "3.9")]
    V3_9,
    /// Everything the protocol crate supports.
    #[default]
    #[serde(rename = "latest")]
    Latest,
}

impl std::str::FromStr for KafkaVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "2.4" => Ok(Self::V2_4),
            "2.8" => Ok(Self::V2_8),
            "3.9" => Ok(Self::V3_9),
            "latest" => Ok(Self::Latest),
            other => Err(format!(
                "unknown Kafka version profile '{other}' (expected 2.4, 2.8, 3.9 or latest)"
            )),
        }
    }
}

/// The APIs the simulator answers.
pub const SIMULATED_APIS: [ApiKey; 16] = [
    ApiKey::ListOffsets,
    ApiKey::Metadata,
    ApiKey::OffsetFetch,
    ApiKey::FindCoordinator,
    ApiKey::ListGroups,
    ApiKey::SaslHandshake,
    ApiKey::ApiVersions,
    ApiKey::DescribeConfigs,
    ApiKey::AlterReplicaLogDirs,
    ApiKey::DescribeLogDirs,
    ApiKey::SaslAuthenticate,
    ApiKey::ElectLeaders,
    ApiKey::IncrementalAlterConfigs,
    ApiKey::AlterPartitionReassignments,
    ApiKey::ListPartitionReassignments,
    ApiKey::DescribeCluster,
];

impl KafkaVersion {
    /// The highest version of `api` this release answers; `None` when it does not know the API.
    fn release_max(self, api: ApiKey) -> Option<i16> {
        use ApiKey as K;
        use KafkaVersion as V;
        let v = match (self, api) {
            (V::Latest, _) => return Some(api.valid_versions().max),
            (_, K::SaslHandshake) => 1,
            (V::V2_4, K::ListOffsets) => 5,
            (V::V2_4, K::Metadata) => 9,
            (V::V2_4, K::OffsetFetch) => 6,
            (V::V2_4, K::FindCoordinator) => 3,
            (V::V2_4, K::ListGroups) => 3,
            (V::V2_4, K::ApiVersions) => 3,
            (V::V2_4, K::DescribeConfigs) => 2,
            (V::V2_4, K::DescribeLogDirs) => 1,
            (V::V2_4, K::AlterReplicaLogDirs) => 1,
            (V::V2_4, K::SaslAuthenticate) => 1,
            (V::V2_4, K::ElectLeaders) => 2,
            (V::V2_4, K::IncrementalAlterConfigs) => 1,
            (V::V2_4, K::AlterPartitionReassignments) => 0,
            (V::V2_4, K::ListPartitionReassignments) => 0,
            (V::V2_4, K::DescribeCluster) => return None,
            (V::V2_8, K::ListOffsets) => 6,
            (V::V2_8, K::Metadata) => 11,
            (V::V2_8, K::OffsetFetch) => 8,
            (V::V2_8, K::ListGroups) => 4,
            (V::V2_8, K::DescribeConfigs) => 4,
            (V::V2_8, K::DescribeLogDirs) => 2,
            (V::V2_8, K::SaslAuthenticate) => 2,
            (V::V2_8, K::DescribeCluster) => 0,
            (V::V3_9, K::ListOffsets) => 9,
            (V::V3_9, K::Metadata) => 12,
            (V::V3_9, K::OffsetFetch) => 9,
            (V::V3_9, K::FindCoordinator) => 6,
            (V::V3_9, K::ListGroups) => 5,
            (V::V3_9, K::DescribeConfigs) => 4,
            (V::V3_9, K::DescribeLogDirs) => 4,
            (V::V3_9, K::SaslAuthenticate) => 2,
            (V::V3_9, K::DescribeCluster) => 1,
            (_, K::AlterReplicaLogDirs) => 2,
            (_, K::FindCoordinator) => 3,
            (_, K::ApiVersions) => 3,
            (_, K::ElectLeaders) => 2,
            (_, K::IncrementalAlterConfigs) => 1,
            (_, K::AlterPartitionReassignments) => 0,
            (_, K::ListPartitionReassignments) => 0,
            _ => return None,
        };
        Some(v)
    }

    /// The version range this release answers for `api`, within what the crate decodes.
    /// SaslHandshake v0 (raw tokens after the handshake) is not simulated, so it starts at 1.
    pub fn versions(self, api: ApiKey) -> Option<(i16, i16)> {
        if !SIMULATED_APIS.contains(&api) {
            return None;
        }
        let crate_range = api.valid_versions();
        let max = self.release_max(api)?.min(crate_range.max);
        let min = if api == ApiKey::SaslHandshake {
            1
        } else {
            crate_range.min
        };
        (min <= max).then_some((min, max))
    }

    /// KRaft brokers forward controller requests; ZooKeeper-mode brokers answer NOT_CONTROLLER.
    pub fn forwards_to_controller(self) -> bool {
        self >= KafkaVersion::V2_8
    }

    pub fn label(self) -> &'static str {
        match self {
            KafkaVersion::V2_4 => "2.4",
            KafkaVersion::V2_8 => "2.8",
            KafkaVersion::V3_9 => "3.9",
            KafkaVersion::Latest => "latest",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_cluster_appears_in_2_8() {
        assert_eq!(KafkaVersion::V2_4.versions(ApiKey::DescribeCluster), None);
        assert_eq!(
            KafkaVersion::V2_8.versions(ApiKey::DescribeCluster),
            Some((0, 0))
        );
        assert!(KafkaVersion::Latest
            .versions(ApiKey::DescribeCluster)
            .is_some());
    }

    #[test]
    fn every_simulated_api_has_a_range_on_every_release_that_knows_it() {
        for v in [KafkaVersion::V2_8, KafkaVersion::V3_9, KafkaVersion::Latest] {
            for api in SIMULATED_APIS {
                let (min, max) = v.versions(api).expect("range");
                assert!(min <= max, "{v:?} {api:?}");
            }
        }
        assert_eq!(KafkaVersion::V2_4.versions(ApiKey::Produce), None);
    }
}
