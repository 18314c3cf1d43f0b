//! Frames for the simulator's fuzz target: the cluster it runs, how an input splits into
//! frames, and valid requests of every simulated API (the seeds).

use std::path::Path;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::alter_partition_reassignments_request::{
    ReassignablePartition, ReassignableTopic,
};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_log_dirs_request::DescribableLogDirTopic;
use kafka_protocol::messages::elect_leaders_request::TopicPartitions;
use kafka_protocol::messages::incremental_alter_configs_request::{
    AlterConfigsResource, AlterableConfig,
};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::list_partition_reassignments_request::ListPartitionReassignmentsTopics;
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, ApiKey, ApiVersionsRequest, BrokerId,
    DescribeClusterRequest, DescribeConfigsRequest, DescribeLogDirsRequest, ElectLeadersRequest,
    FindCoordinatorRequest, IncrementalAlterConfigsRequest, ListGroupsRequest, ListOffsetsRequest,
    ListPartitionReassignmentsRequest, MetadataRequest, OffsetFetchRequest, RequestHeader,
    SaslAuthenticateRequest, SaslHandshakeRequest, TopicName,
};
use kafka_protocol::protocol::{Encodable, StrBytes};
use kplan_sim::{SaslSpec, SimSpec};

/// Three brokers in two racks, one topic, one SASL user.
pub fn spec() -> SimSpec {
    let mut spec = SimSpec::with_brokers(3, 2).topic("orders", 3, 2, 1_000_000, 1000.0);
    spec.sasl = Some(SaslSpec {
        users: [("alice".to_owned(), "alice-pw".to_owned())].into(),
    });
    spec
}

/// Frames of an input: a big-endian u16 length, then that many bytes; the last frame takes
/// whatever is left.
pub fn split_frames(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let (frame, tail) = rest.split_at(len.min(rest.len()));
        out.push(frame);
        data = tail;
    }
    out
}

/// The input that holds these frames (the inverse of [`split_frames`]).
pub fn join_frames(mode: u8, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![mode];
    for f in frames {
        out.extend_from_slice(&(f.len() as u16).to_be_bytes());
        out.extend_from_slice(f);
    }
    out
}

fn s(v: &str) -> StrBytes {
    StrBytes::from_string(v.to_owned())
}

fn topic(v: &str) -> TopicName {
    TopicName(s(v))
}

/// One request frame (without the size prefix); `None` when the body has a field this version
/// does not carry.
fn frame(api: ApiKey, version: i16, body: &impl Encodable) -> Option<Vec<u8>> {
    let mut buf = BytesMut::new();
    let mut header = RequestHeader::default();
    header.request_api_key = api as i16;
    header.request_api_version = version;
    header.correlation_id = 42;
    header.client_id = Some(s("kplan-fuzz"));
    header
        .encode(&mut buf, api.request_header_version(version))
        .ok()?;
    body.encode(&mut buf, version).ok()?;
    Some(buf.to_vec())
}

/// ApiVersions v0, which every broker answers.
pub fn api_versions() -> Vec<u8> {
    frame(ApiKey::ApiVersions, 0, &ApiVersionsRequest::default()).expect("v0 encodes")
}

/// A request of `api` with the fields kplan fills, naming the fuzz cluster's topic and brokers.
fn request(api: ApiKey, version: i16) -> Option<Vec<u8>> {
    match api {
        ApiKey::ApiVersions => {
            let mut r = ApiVersionsRequest::default();
            if version >= 3 {
                r.client_software_name = s("kplan");
                r.client_software_version = s("0.1.0");
            }
            frame(api, version, &r)
        }
        ApiKey::Metadata => {
            let mut r = MetadataRequest::default();
            // v0 has no null list: an empty one means every topic.
            r.topics = if version >= 1 { None } else { Some(Vec::new()) };
            frame(api, version, &r)
        }
        ApiKey::DescribeCluster => frame(api, version, &DescribeClusterRequest::default()),
        ApiKey::DescribeConfigs => {
            let mut broker = DescribeConfigsResource::default();
            broker.resource_type = 4;
            broker.resource_name = s("1");
            let mut t = DescribeConfigsResource::default();
            t.resource_type = 2;
            t.resource_name = s("orders");
            t.configuration_keys = Some(vec![s("leader.replication.throttled.replicas")]);
            let mut r = DescribeConfigsRequest::default();
            r.resources = vec![broker, t];
            r.include_synonyms = version >= 1;
            frame(api, version, &r)
        }
        ApiKey::IncrementalAlterConfigs => {
            let mut rate = AlterableConfig::default();
            rate.name = s("leader.replication.throttled.rate");
            rate.config_operation = 0;
            rate.value = Some(s("50000000"));
            let mut list = AlterableConfig::default();
            list.name = s("follower.replication.throttled.replicas");
            list.config_operation = 0;
            list.value = Some(s("0:3,1:3"));
            let mut broker = AlterConfigsResource::default();
            broker.resource_type = 4;
            broker.resource_name = s("1");
            broker.configs = vec![rate];
            let mut t = AlterConfigsResource::default();
            t.resource_type = 2;
            t.resource_name = s("orders");
            t.configs = vec![list];
            let mut r = IncrementalAlterConfigsRequest::default();
            r.resources = vec![broker, t];
            frame(api, version, &r)
        }
        ApiKey::ListOffsets => {
            let mut p = ListOffsetsPartition::default();
            p.partition_index = 0;
            p.timestamp = -1;
            let mut t = ListOffsetsTopic::default();
            t.name = topic("orders");
            t.partitions = vec![p];
            let mut r = ListOffsetsRequest::default();
            r.replica_id = BrokerId(-1);
            r.topics = vec![t];
            frame(api, version, &r)
        }
        ApiKey::DescribeLogDirs => {
            let mut t = DescribableLogDirTopic::default();
            t.topic = topic("orders");
            t.partitions = vec![0, 1, 2];
            let mut r = DescribeLogDirsRequest::default();
            r.topics = Some(vec![t]);
            frame(api, version, &r)
        }
        ApiKey::AlterPartitionReassignments => {
            let mut move_ = ReassignablePartition::default();
            move_.partition_index = 0;
            move_.replicas = Some(vec![BrokerId(3), BrokerId(2)]);
            let mut cancel = ReassignablePartition::default();
            cancel.partition_index = 1;
            let mut t = ReassignableTopic::default();
            t.name = topic("orders");
            t.partitions = vec![move_, cancel];
            let mut r = AlterPartitionReassignmentsRequest::default();
            r.timeout_ms = 30_000;
            r.topics = vec![t];
            frame(api, version, &r)
        }
        ApiKey::ListPartitionReassignments => {
            let mut t = ListPartitionReassignmentsTopics::default();
            t.name = topic("orders");
            t.partition_indexes = vec![0, 1];
            let mut r = ListPartitionReassignmentsRequest::default();
            r.timeout_ms = 30_000;
            r.topics = Some(vec![t]);
            frame(api, version, &r)
        }
        ApiKey::ElectLeaders => {
            let mut t = TopicPartitions::default();
            t.topic = topic("orders");
            t.partitions = vec![0, 2];
            let mut r = ElectLeadersRequest::default();
            r.topic_partitions = Some(vec![t]);
            r.timeout_ms = 30_000;
            frame(api, version, &r)
        }
        ApiKey::ListGroups => frame(api, version, &ListGroupsRequest::default()),
        ApiKey::FindCoordinator => {
            let mut r = FindCoordinatorRequest::default();
            if version >= 4 {
                r.coordinator_keys = vec![s("group-0")];
            } else {
                r.key = s("group-0");
            }
            frame(api, version, &r)
        }
        ApiKey::OffsetFetch => frame(api, version, &OffsetFetchRequest::default()),
        ApiKey::SaslHandshake => {
            let mut r = SaslHandshakeRequest::default();
            r.mechanism = s("PLAIN");
            frame(api, version, &r)
        }
        ApiKey::SaslAuthenticate => {
            let mut r = SaslAuthenticateRequest::default();
            r.auth_bytes = Bytes::from_static(b"\0alice\0alice-pw");
            frame(api, version, &r)
        }
        _ => None,
    }
}

/// Seeds: each simulated API at its lowest and highest version, a SASL PLAIN login followed by
/// a request, and kplan's execute sequence on one connection.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let spec = spec();
    let mut out = Vec::new();
    let mut both = |name: String, frames: Vec<Vec<u8>>| {
        out.push((format!("{name}-plain"), join_frames(0, &frames)));
        out.push((format!("{name}-sasl"), join_frames(1, &frames)));
    };
    for api in kplan_sim::SIMULATED_APIS {
        let Some((min, max)) = spec.version.versions(api) else {
            continue;
        };
        for v in [min, max] {
            if let Some(f) = request(api, v) {
                both(format!("{api:?}-v{v}"), vec![f]);
            }
        }
    }
    let version = |api| spec.version.versions(api).map_or(0, |(_, max)| max);
    let login = [
        ApiKey::SaslHandshake,
        ApiKey::SaslAuthenticate,
        ApiKey::Metadata,
    ]
    .into_iter()
    .filter_map(|api| request(api, version(api)))
    .collect();
    both("sasl-login-then-metadata".into(), login);
    let execute = [
        ApiKey::ApiVersions,
        ApiKey::Metadata,
        ApiKey::DescribeConfigs,
        ApiKey::IncrementalAlterConfigs,
        ApiKey::AlterPartitionReassignments,
        ApiKey::ListPartitionReassignments,
        ApiKey::DescribeLogDirs,
        ApiKey::ElectLeaders,
    ]
    .into_iter()
    .filter_map(|api| request(api, version(api)))
    .collect();
    both("execute-sequence".into(), execute);
    out
}

/// Writes the seeds into `dir` (one file each).
pub fn write_seeds(dir: &Path, seeds: &[(String, Vec<u8>)]) {
    std::fs::create_dir_all(dir).expect("seed directory");
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).expect("seed file");
    }
}
