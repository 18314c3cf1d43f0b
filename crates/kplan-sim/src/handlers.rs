//! Wire requests → cluster state → wire responses, one function per API.
//!
//! Each handler fills only the fields its response version carries (the protocol crate refuses to
//! encode a field a version does not have), and answers errors the way a Kafka broker does: a
//! request-level code where the API has one, otherwise a code per topic, partition or resource.

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::alter_partition_reassignments_response::{
    ReassignablePartitionResponse, ReassignableTopicResponse,
};
use kafka_protocol::messages::alter_replica_log_dirs_response::{
    AlterReplicaLogDirPartitionResult, AlterReplicaLogDirTopicResult,
};
use kafka_protocol::messages::api_versions_response::ApiVersion;
use kafka_protocol::messages::describe_cluster_response::DescribeClusterBroker;
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::describe_configs_response::{
    DescribeConfigsResourceResult, DescribeConfigsResult, DescribeConfigsSynonym,
};
use kafka_protocol::messages::describe_log_dirs_response::{
    DescribeLogDirsPartition, DescribeLogDirsResult, DescribeLogDirsTopic,
};
use kafka_protocol::messages::elect_leaders_response::{PartitionResult, ReplicaElectionResult};
use kafka_protocol::messages::find_coordinator_response::Coordinator;
use kafka_protocol::messages::incremental_alter_configs_response::AlterConfigsResourceResponse;
use kafka_protocol::messages::list_groups_response::ListedGroup;
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::list_partition_reassignments_response::{
    OngoingPartitionReassignment, OngoingTopicReassignment,
};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::metadata_response::{
    MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
};
use kafka_protocol::messages::offset_fetch_response::{
    OffsetFetchResponseGroup, OffsetFetchResponsePartition, OffsetFetchResponsePartitions,
    OffsetFetchResponseTopic, OffsetFetchResponseTopics,
};
use kafka_protocol::messages::{
    AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse,
    AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse, ApiVersionsResponse, BrokerId,
    DescribeClusterResponse, DescribeConfigsRequest, DescribeConfigsResponse,
    DescribeLogDirsRequest, DescribeLogDirsResponse, ElectLeadersRequest, ElectLeadersResponse,
    FindCoordinatorRequest, FindCoordinatorResponse, GroupId, IncrementalAlterConfigsRequest,
    IncrementalAlterConfigsResponse, ListGroupsResponse, ListOffsetsRequest, ListOffsetsResponse,
    ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse, MetadataRequest,
    MetadataResponse, OffsetFetchRequest, OffsetFetchResponse, RequestKind, ResponseKind,
    TopicName,
};
use kafka_protocol::protocol::StrBytes;

use super::cluster_state::{ClusterState, ConfigOp, ItemError, SimPartition};
use super::config_catalog::{self, source, Scope};
use super::config_synonyms;
use super::kafka_version::SIMULATED_APIS;

/// Where a request arrived and with what.
pub struct Ctx<'a> {
    /// The broker that received the request.
    pub broker: i32,
    /// Host and port of every broker on the listener the request arrived on.
    pub endpoints: &'a dyn Fn(i32) -> (String, i32),
    pub version: i16,
    /// An injected error for this request, if a fault asked for one.
    pub injected: Option<ResponseError>,
}

fn s(v: impl Into<String>) -> StrBytes {
    StrBytes::from_string(v.into())
}

fn topic_name(v: &str) -> TopicName {
    TopicName(s(v))
}

fn code(e: Option<ResponseError>) -> i16 {
    e.map_or(0, |e| e.code())
}

const RESOURCE_TOPIC: i8 = 2;
const RESOURCE_BROKER: i8 = 4;

/// Answers one decoded request; `None` for an API the simulator does not serve.
pub fn handle(state: &mut ClusterState, ctx: &Ctx, request: RequestKind) -> Option<ResponseKind> {
    Some(match request {
        RequestKind::ApiVersions(_) => ResponseKind::ApiVersions(api_versions(state, ctx)),
        RequestKind::Metadata(r) => ResponseKind::Metadata(metadata(state, ctx, r)),
        RequestKind::DescribeCluster(_) => {
            ResponseKind::DescribeCluster(describe_cluster(state, ctx))
        }
        RequestKind::DescribeConfigs(r) => {
            ResponseKind::DescribeConfigs(describe_configs(state, ctx, r))
        }
        RequestKind::IncrementalAlterConfigs(r) => {
            ResponseKind::IncrementalAlterConfigs(incremental_alter_configs(state, ctx, r))
        }
        RequestKind::ListOffsets(r) => ResponseKind::ListOffsets(list_offsets(state, ctx, r)),
        RequestKind::DescribeLogDirs(r) => {
            ResponseKind::DescribeLogDirs(describe_log_dirs(state, ctx, r))
        }
        RequestKind::AlterReplicaLogDirs(r) => {
            ResponseKind::AlterReplicaLogDirs(alter_replica_log_dirs(state, ctx, r))
        }
        RequestKind::AlterPartitionReassignments(r) => {
            ResponseKind::AlterPartitionReassignments(alter_reassignments(state, ctx, r))
        }
        RequestKind::ListPartitionReassignments(r) => {
            ResponseKind::ListPartitionReassignments(list_reassignments(state, ctx, r))
        }
        RequestKind::ElectLeaders(r) => ResponseKind::ElectLeaders(elect_leaders(state, ctx, r)),
        RequestKind::ListGroups(_) => ResponseKind::ListGroups(list_groups(state, ctx)),
        RequestKind::FindCoordinator(r) => {
            ResponseKind::FindCoordinator(find_coordinator(state, ctx, r))
        }
        RequestKind::OffsetFetch(r) => ResponseKind::OffsetFetch(offset_fetch(state, ctx, r)),
        _ => return None,
    })
}

/// The ApiVersions body for this cluster's release (also the answer to an unsupported version).
pub fn api_versions(state: &ClusterState, ctx: &Ctx) -> ApiVersionsResponse {
    let keys = SIMULATED_APIS
        .iter()
        .filter_map(|api| {
            let (min, max) = state.version.versions(*api)?;
            Some(
                ApiVersion::default()
                    .with_api_key(*api as i16)
                    .with_min_version(min)
                    .with_max_version(max),
            )
        })
        .collect();
    ApiVersionsResponse::default()
        .with_error_code(code(ctx.injected))
        .with_api_keys(keys)
}

/// Whether this broker may act on a controller request (itself, or by forwarding).
fn acts_as_controller(state: &ClusterState, ctx: &Ctx) -> bool {
    ctx.broker == state.controller
        || (state.version.forwards_to_controller() && !state.strict_controller)
}

/// The top-level error of a controller request: NOT_CONTROLLER at a broker that can neither act
/// nor forward, else an injected fault if any.
fn controller_request_error(state: &ClusterState, ctx: &Ctx) -> Option<ResponseError> {
    if acts_as_controller(state, ctx) {
        ctx.injected
    } else {
        Some(ResponseError::NotController)
    }
}

fn metadata(state: &ClusterState, ctx: &Ctx, r: MetadataRequest) -> MetadataResponse {
    let brokers = live_brokers(state, ctx, |id, host, port, rack| {
        MetadataResponseBroker::default()
            .with_node_id(id)
            .with_host(host)
            .with_port(port)
            .with_rack(rack)
    });
    let topics = requested_topics(state, ctx, r.topics)
        .iter()
        .map(|name| metadata_topic(state, ctx, name))
        .collect();
    let mut out = MetadataResponse::default()
        .with_brokers(brokers)
        .with_controller_id(BrokerId(state.controller))
        .with_topics(topics);
    if ctx.version >= 2 {
        out = out.with_cluster_id(Some(s(state.cluster_id.clone())));
    }
    if ctx.version >= 13 {
        out = out.with_error_code(code(ctx.injected));
    }
    out
}

/// The topics a Metadata request names (by name, or by id from v10), or all of them.
fn requested_topics(
    state: &ClusterState,
    ctx: &Ctx,
    topics: Option<Vec<MetadataRequestTopic>>,
) -> Vec<String> {
    let wanted: Option<Vec<String>> = topics.map(|ts| {
        ts.into_iter()
            .filter_map(|t| {
                t.name.map(|n| n.0.to_string()).or_else(|| {
                    state
                        .topics
                        .values()
                        .find(|x| x.id == t.topic_id)
                        .map(|x| x.name.clone())
                })
            })
            .collect()
    });
    // Metadata v0 used an empty list for "all topics".
    match wanted.filter(|w| !(w.is_empty() && ctx.version == 0)) {
        Some(w) => w,
        None => state.topics.keys().cloned().collect(),
    }
}

fn metadata_topic(state: &ClusterState, ctx: &Ctx, name: &str) -> MetadataResponseTopic {
    let Some(t) = state.topics.get(name) else {
        return MetadataResponseTopic::default()
            .with_name(Some(topic_name(name)))
            .with_error_code(ResponseError::UnknownTopicOrPartition.code());
    };
    let partitions = t
        .partitions
        .iter()
        .map(|p| metadata_partition(state, ctx, p))
        .collect();
    let mut topic = MetadataResponseTopic::default()
        .with_name(Some(topic_name(name)))
        .with_is_internal(t.internal)
        .with_partitions(partitions);
    if ctx.version >= 10 {
        topic = topic.with_topic_id(t.id);
    }
    topic
}

/// A partition's leader, replicas and ISR, offline replicas (v5+) and leader epoch (v7+).
fn metadata_partition(
    state: &ClusterState,
    ctx: &Ctx,
    p: &SimPartition,
) -> MetadataResponsePartition {
    let offline: Vec<BrokerId> = p
        .replicas
        .iter()
        .filter(|b| !state.alive(**b))
        .map(|b| BrokerId(*b))
        .collect();
    let mut part = MetadataResponsePartition::default()
        .with_partition_index(p.index)
        .with_leader_id(BrokerId(p.leader))
        .with_replica_nodes(p.replicas.iter().map(|b| BrokerId(*b)).collect())
        .with_isr_nodes(p.isr.iter().map(|b| BrokerId(*b)).collect());
    if ctx.version >= 5 {
        part = part.with_offline_replicas(offline);
    }
    if ctx.version >= 7 {
        part = part.with_leader_epoch(p.leader_epoch);
    }
    if p.leader < 0 {
        part = part.with_error_code(ResponseError::LeaderNotAvailable.code());
    }
    part
}

/// The live brokers with their advertised endpoint and rack, in id order, built into the broker
/// entry of a response (Metadata and DescribeCluster list brokers in different types).
fn live_brokers<T>(
    state: &ClusterState,
    ctx: &Ctx,
    entry: impl Fn(BrokerId, StrBytes, i32, Option<StrBytes>) -> T,
) -> Vec<T> {
    state
        .brokers
        .values()
        .filter(|b| b.alive)
        .map(|b| {
            let (host, port) = (ctx.endpoints)(b.id);
            entry(BrokerId(b.id), s(host), port, b.rack.clone().map(s))
        })
        .collect()
}

fn describe_cluster(state: &ClusterState, ctx: &Ctx) -> DescribeClusterResponse {
    let brokers = live_brokers(state, ctx, |id, host, port, rack| {
        DescribeClusterBroker::default()
            .with_broker_id(id)
            .with_host(host)
            .with_port(port)
            .with_rack(rack)
    });
    DescribeClusterResponse::default()
        .with_error_code(code(ctx.injected))
        .with_cluster_id(s(state.cluster_id.clone()))
        .with_controller_id(BrokerId(state.controller))
        .with_brokers(brokers)
}

/// A broker resource names this broker, or is "" (the cluster-wide default).
fn broker_resource_check(ctx: &Ctx, name: &str) -> Result<(), ItemError> {
    if name.is_empty() || name == ctx.broker.to_string() {
        Ok(())
    } else {
        Err(ItemError::new(
            ResponseError::InvalidRequest,
            format!(
                "Unexpected broker id, expected {} or empty string, but received {name}",
                ctx.broker
            ),
        ))
    }
}

fn describe_configs(
    state: &ClusterState,
    ctx: &Ctx,
    r: DescribeConfigsRequest,
) -> DescribeConfigsResponse {
    let synonyms = r.include_synonyms && ctx.version >= 1;
    let results = r
        .resources
        .into_iter()
        .map(|res| describe_resource(state, ctx, res, synonyms))
        .collect();
    DescribeConfigsResponse::default().with_results(results)
}

/// One resource of DescribeConfigs: a topic's configs, or a broker's (asked of that broker, or
/// "" for the cluster-wide defaults), limited to the keys asked for; with `synonyms`, every level
/// a value comes from (see `config_synonyms`).
fn describe_resource(
    state: &ClusterState,
    ctx: &Ctx,
    res: DescribeConfigsResource,
    synonyms: bool,
) -> DescribeConfigsResult {
    let name = res.resource_name.to_string();
    let keys: Option<Vec<String>> = res
        .configuration_keys
        .map(|k| k.into_iter().map(|k| k.to_string()).collect());
    let wanted = |d: &&config_catalog::ConfigDef| {
        keys.as_ref().is_none_or(|k| k.iter().any(|x| x == d.name))
    };
    let base = DescribeConfigsResult::default()
        .with_resource_type(res.resource_type)
        .with_resource_name(s(name.clone()));
    let fail = |e: ItemError| {
        base.clone()
            .with_error_code(e.error.code())
            .with_error_message(e.message.map(s))
    };
    if let Some(e) = ctx.injected {
        return fail(ItemError::bare(e));
    }
    match res.resource_type {
        RESOURCE_TOPIC => match state.topics.get(&name) {
            None => fail(ItemError::new(
                ResponseError::UnknownTopicOrPartition,
                format!("Topic {name} does not exist"),
            )),
            Some(t) => base.clone().with_configs(
                config_catalog::all(Scope::Topic)
                    .filter(wanted)
                    .map(|d| {
                        let levels = config_synonyms::topic_levels(state, t, d);
                        config_entry(ctx, d, levels, synonyms)
                    })
                    .collect(),
            ),
        },
        RESOURCE_BROKER => match broker_resource_check(ctx, &name) {
            Err(e) => fail(e),
            Ok(()) => base.clone().with_configs(
                config_catalog::all(Scope::Broker)
                    .filter(wanted)
                    .filter_map(|d| {
                        let levels = broker_config_levels(state, ctx, &name, d)?;
                        Some(config_entry(ctx, d, levels, synonyms))
                    })
                    .collect(),
            ),
        },
        other => fail(ItemError::new(
            ResponseError::InvalidRequest,
            format!("Unsupported resource type {other}"),
        )),
    }
}

/// A broker config's levels, most specific first (`config_synonyms::broker_levels`), or `None`
/// when Kafka does not list it: the default resource ("") lists only what is set there, and a
/// quota (a throttle rate) set nowhere is not listed at all.
fn broker_config_levels(
    state: &ClusterState,
    ctx: &Ctx,
    name: &str,
    d: &config_catalog::ConfigDef,
) -> Option<Vec<config_synonyms::Level>> {
    let levels = config_synonyms::broker_levels(state, ctx.broker, name, d);
    let unset = levels.is_empty()
        || (name.is_empty() && levels[0].2 != source::DYNAMIC_DEFAULT_BROKER_CONFIG);
    if unset && (name.is_empty() || d.only_when_set) {
        return None;
    }
    Some(levels)
}

/// One config as DescribeConfigs returns it, from its levels (the first is the value); a
/// sensitive value is never sent.
fn config_entry(
    ctx: &Ctx,
    def: &config_catalog::ConfigDef,
    levels: Vec<config_synonyms::Level>,
    synonyms: bool,
) -> DescribeConfigsResourceResult {
    let (value, src) = levels
        .first()
        .map(|(_, v, src)| (v.clone(), *src))
        .unwrap_or((def.default.map(str::to_owned), source::DEFAULT_CONFIG));
    let hide = |v: Option<String>| if def.sensitive { None } else { v.map(s) };
    let mut e = DescribeConfigsResourceResult::default()
        .with_name(s(def.name))
        .with_value(hide(value))
        // Kafka reports its dynamic-only quota configs as read-only, although
        // IncrementalAlterConfigs changes them (measured on 4.1).
        .with_read_only(def.read_only || def.only_when_set)
        .with_config_source(src)
        .with_is_sensitive(def.sensitive);
    if synonyms {
        e = e.with_synonyms(
            levels
                .into_iter()
                .map(|(n, v, src)| {
                    DescribeConfigsSynonym::default()
                        .with_name(s(n))
                        .with_value(hide(v))
                        .with_source(src)
                })
                .collect(),
        );
    }
    if ctx.version >= 3 {
        e = e.with_config_type(def.kind as i8);
    }
    e
}

fn incremental_alter_configs(
    state: &mut ClusterState,
    ctx: &Ctx,
    r: IncrementalAlterConfigsRequest,
) -> IncrementalAlterConfigsResponse {
    let responses = r
        .resources
        .into_iter()
        .map(|res| {
            let name = res.resource_name.to_string();
            let result = if let Some(e) = ctx.injected {
                Err(ItemError::bare(e))
            } else {
                let ops: Result<Vec<_>, ItemError> = res
                    .configs
                    .iter()
                    .map(|c| {
                        ConfigOp::from_code(c.config_operation)
                            .map(|op| {
                                (
                                    c.name.to_string(),
                                    op,
                                    c.value.as_ref().map(|v| v.to_string()),
                                )
                            })
                            .ok_or_else(|| {
                                ItemError::new(
                                    ResponseError::InvalidRequest,
                                    format!("Unknown config operation {}", c.config_operation),
                                )
                            })
                    })
                    .collect();
                ops.and_then(|ops| match res.resource_type {
                    RESOURCE_TOPIC => {
                        state.alter_configs(Scope::Topic, &name, &ops, r.validate_only)
                    }
                    RESOURCE_BROKER => broker_resource_check(ctx, &name).and_then(|()| {
                        state.alter_configs(Scope::Broker, &name, &ops, r.validate_only)
                    }),
                    other => Err(ItemError::new(
                        ResponseError::InvalidRequest,
                        format!("Unsupported resource type {other}"),
                    )),
                })
            };
            let (error, message) = match result {
                Ok(()) => (0, None),
                Err(e) => (e.error.code(), e.message.map(s)),
            };
            AlterConfigsResourceResponse::default()
                .with_error_code(error)
                .with_error_message(message)
                .with_resource_type(res.resource_type)
                .with_resource_name(s(name))
        })
        .collect();
    IncrementalAlterConfigsResponse::default().with_responses(responses)
}

const LATEST: i64 = -1;
const EARLIEST: i64 = -2;
const MAX_TIMESTAMP: i64 = -3;

fn list_offsets(state: &ClusterState, ctx: &Ctx, r: ListOffsetsRequest) -> ListOffsetsResponse {
    let now_ms = state.start_unix_ms + (state.now * 1000.0) as i64;
    let topics = r
        .topics
        .into_iter()
        .map(|t| {
            let name = t.name.0.to_string();
            let partitions = t
                .partitions
                .into_iter()
                .map(|rp| {
                    let base = ListOffsetsPartitionResponse::default()
                        .with_partition_index(rp.partition_index);
                    let fail = |e: ResponseError| {
                        base.clone()
                            .with_error_code(e.code())
                            .with_offset(-1)
                            .with_timestamp(-1)
                    };
                    if let Some(e) = ctx.injected {
                        return fail(e);
                    }
                    let Some(p) = state.partition(&name, rp.partition_index) else {
                        return fail(ResponseError::UnknownTopicOrPartition);
                    };
                    if p.leader < 0 {
                        return fail(ResponseError::LeaderNotAvailable);
                    }
                    if p.leader != ctx.broker {
                        return fail(ResponseError::NotLeaderOrFollower);
                    }
                    let end = p.end_offset_at(state.now);
                    let (offset, ts) = match rp.timestamp {
                        LATEST => (end, -1),
                        EARLIEST => (0, -1),
                        MAX_TIMESTAMP => ((end - 1).max(-1), if end > 0 { now_ms } else { -1 }),
                        ts => {
                            // Records are appended at a constant rate since the start.
                            let msgs_per_ms = p.bytes_in_per_sec / p.message_bytes / 1000.0;
                            let start_end = p.end_offset_at(0.0);
                            if ts > now_ms || msgs_per_ms <= 0.0 {
                                (-1, -1)
                            } else if ts <= state.start_unix_ms {
                                (0, state.start_unix_ms)
                            } else {
                                let off = start_end
                                    + ((ts - state.start_unix_ms) as f64 * msgs_per_ms).ceil()
                                        as i64;
                                (off.min(end), ts)
                            }
                        }
                    };
                    let mut out = base.with_offset(offset).with_timestamp(ts);
                    if ctx.version >= 4 {
                        out = out.with_leader_epoch(p.leader_epoch);
                    }
                    out
                })
                .collect();
            ListOffsetsTopicResponse::default()
                .with_name(topic_name(&name))
                .with_partitions(partitions)
        })
        .collect();
    ListOffsetsResponse::default().with_topics(topics)
}

/// The log directory of a simulated broker whose spec names none.
pub const LOG_DIR: &str = "/var/lib/kafka/data";

fn describe_log_dirs(
    state: &ClusterState,
    ctx: &Ctx,
    r: DescribeLogDirsRequest,
) -> DescribeLogDirsResponse {
    if let Some(e) = ctx.injected {
        let mut out = DescribeLogDirsResponse::default();
        if ctx.version >= 3 {
            out = out.with_error_code(e.code());
        }
        return out;
    }
    let wanted: Option<Vec<(String, Vec<i32>)>> = r.topics.map(|ts| {
        ts.into_iter()
            .map(|t| (t.topic.0.to_string(), t.partitions))
            .collect()
    });
    let Some(broker) = state.brokers.get(&ctx.broker) else {
        return DescribeLogDirsResponse::default();
    };
    // Per dir: topic → partitions, and the bytes used.
    let mut per_dir: Vec<(Vec<DescribeLogDirsTopic>, f64)> =
        vec![(Vec::new(), 0.0); broker.log_dirs.len()];
    for (name, t) in &state.topics {
        for p in t
            .partitions
            .iter()
            .filter(|p| p.replicas.contains(&ctx.broker))
        {
            if !wanted
                .as_ref()
                .is_none_or(|w| w.iter().any(|(n, ps)| n == name && ps.contains(&p.index)))
            {
                continue;
            }
            let size = p.replica_size_at(ctx.broker, state.now);
            // Kafka reports max(high watermark − log end offset, 0) for a replica that is not a
            // future one: 0 on a leader and on a follower still catching up alike.
            let part = DescribeLogDirsPartition::default()
                .with_partition_index(p.index)
                .with_partition_size(size as i64)
                .with_offset_lag(0);
            let d = state.log_dir_of(p, ctx.broker).min(per_dir.len() - 1);
            add_partition(&mut per_dir[d], name, part, size);
            if let Some(f) = p.future.get(&ctx.broker) {
                // A future replica (KIP-113): its lag is in offsets behind the current replica.
                let lag = ((size - f.copied) / p.message_bytes).max(0.0) as i64;
                let part = DescribeLogDirsPartition::default()
                    .with_partition_index(p.index)
                    .with_partition_size(f.copied as i64)
                    .with_offset_lag(lag)
                    .with_is_future_key(true);
                let d = f.dir.min(per_dir.len() - 1);
                add_partition(&mut per_dir[d], name, part, f.copied);
            }
        }
    }
    // Every dir is reported, empty ones too; each shares the broker's volume.
    let total = broker.disk_bytes as i64;
    let results = broker
        .log_dirs
        .iter()
        .zip(per_dir)
        .map(|(path, (topics, used))| {
            let mut dir = DescribeLogDirsResult::default()
                .with_log_dir(s(path.clone()))
                .with_topics(topics);
            if ctx.version >= 4 {
                dir = dir
                    .with_total_bytes(total)
                    .with_usable_bytes((total - used as i64).max(0));
            }
            dir
        })
        .collect();
    DescribeLogDirsResponse::default().with_results(results)
}

/// Adds a partition to a dir's answer (topics in name order, as the loop visits them).
fn add_partition(
    dir: &mut (Vec<DescribeLogDirsTopic>, f64),
    name: &str,
    part: DescribeLogDirsPartition,
    size: f64,
) {
    let (topics, used) = dir;
    *used += size;
    match topics.iter_mut().find(|t| t.name.0.as_str() == name) {
        Some(t) => t.partitions.push(part),
        None => topics.push(
            DescribeLogDirsTopic::default()
                .with_name(topic_name(name))
                .with_partitions(vec![part]),
        ),
    }
}

/// AlterReplicaLogDirs: each replica of this broker to the dir named (see
/// [`log_dir_moves`](crate::log_dir_moves)); an error per partition.
fn alter_replica_log_dirs(
    state: &mut ClusterState,
    ctx: &Ctx,
    r: AlterReplicaLogDirsRequest,
) -> AlterReplicaLogDirsResponse {
    let mut results: Vec<AlterReplicaLogDirTopicResult> = Vec::new();
    for dir in r.dirs {
        for t in dir.topics {
            let name = t.name.0.to_string();
            let partitions = t.partitions.iter().map(|&p| {
                let e = match ctx.injected {
                    Some(e) => Some(e),
                    None => state
                        .alter_replica_log_dir(ctx.broker, &name, p, dir.path.as_str())
                        .err()
                        .map(|e| e.error),
                };
                AlterReplicaLogDirPartitionResult::default()
                    .with_partition_index(p)
                    .with_error_code(code(e))
            });
            let partitions: Vec<_> = partitions.collect();
            match results.iter_mut().find(|x| x.topic_name.0.as_str() == name) {
                Some(x) => x.partitions.extend(partitions),
                None => results.push(
                    AlterReplicaLogDirTopicResult::default()
                        .with_topic_name(topic_name(&name))
                        .with_partitions(partitions),
                ),
            }
        }
    }
    AlterReplicaLogDirsResponse::default().with_results(results)
}

fn alter_reassignments(
    state: &mut ClusterState,
    ctx: &Ctx,
    r: AlterPartitionReassignmentsRequest,
) -> AlterPartitionReassignmentsResponse {
    let top = controller_request_error(state, ctx);
    if let Some(e) = top {
        return AlterPartitionReassignmentsResponse::default().with_error_code(e.code());
    }
    let responses = r
        .topics
        .into_iter()
        .map(|t| {
            let name = t.name.0.to_string();
            let partitions = t
                .partitions
                .into_iter()
                .map(|p| {
                    let target: Option<Vec<i32>> =
                        p.replicas.map(|rs| rs.into_iter().map(|b| b.0).collect());
                    if target.is_some() {
                        *state
                            .submissions
                            .entry((name.clone(), p.partition_index))
                            .or_default() += 1;
                    }
                    let result = if !r.allow_replication_factor_change
                        && target.as_ref().is_some_and(|t| {
                            state
                                .partition(&name, p.partition_index)
                                .is_some_and(|cur| {
                                    let orig =
                                        cur.moving.as_ref().map_or(&cur.replicas, |m| &m.original);
                                    orig.len() != t.len()
                                })
                        }) {
                        Err(ItemError::new(
                            ResponseError::InvalidReplicationFactor,
                            "The replication factor is changed from the original",
                        ))
                    } else {
                        state.reassign(&name, p.partition_index, target.as_deref())
                    };
                    let (error, message) = match result {
                        Ok(()) => (0, None),
                        Err(e) => (e.error.code(), e.message.map(s)),
                    };
                    ReassignablePartitionResponse::default()
                        .with_partition_index(p.partition_index)
                        .with_error_code(error)
                        .with_error_message(message)
                })
                .collect();
            ReassignableTopicResponse::default()
                .with_name(topic_name(&name))
                .with_partitions(partitions)
        })
        .collect();
    let mut out = AlterPartitionReassignmentsResponse::default().with_responses(responses);
    if ctx.version >= 1 {
        out = out.with_allow_replication_factor_change(r.allow_replication_factor_change);
    }
    out
}

fn list_reassignments(
    state: &ClusterState,
    ctx: &Ctx,
    r: ListPartitionReassignmentsRequest,
) -> ListPartitionReassignmentsResponse {
    let top = controller_request_error(state, ctx);
    if let Some(e) = top {
        return ListPartitionReassignmentsResponse::default().with_error_code(e.code());
    }
    let wanted: Option<Vec<(String, Vec<i32>)>> = r.topics.map(|ts| {
        ts.into_iter()
            .map(|t| (t.name.0.to_string(), t.partition_indexes))
            .collect()
    });
    let mut topics: Vec<OngoingTopicReassignment> = Vec::new();
    for (name, index, replicas, m) in state.reassignments() {
        if !wanted
            .as_ref()
            .is_none_or(|w| w.iter().any(|(n, ps)| *n == name && ps.contains(&index)))
        {
            continue;
        }
        let part = OngoingPartitionReassignment::default()
            .with_partition_index(index)
            .with_replicas(replicas.into_iter().map(BrokerId).collect())
            .with_adding_replicas(m.adding.into_iter().map(BrokerId).collect())
            .with_removing_replicas(m.removing.into_iter().map(BrokerId).collect());
        match topics.last_mut() {
            Some(t) if t.name.0.as_str() == name => t.partitions.push(part),
            _ => topics.push(
                OngoingTopicReassignment::default()
                    .with_name(topic_name(&name))
                    .with_partitions(vec![part]),
            ),
        }
    }
    ListPartitionReassignmentsResponse::default().with_topics(topics)
}

fn elect_leaders(
    state: &mut ClusterState,
    ctx: &Ctx,
    r: ElectLeadersRequest,
) -> ElectLeadersResponse {
    let top = controller_request_error(state, ctx);
    if let Some(e) = top {
        let mut out = ElectLeadersResponse::default();
        if ctx.version >= 1 {
            out = out.with_error_code(e.code());
        }
        return out;
    }
    let unclean = ctx.version >= 1 && r.election_type == 1;
    let all = r.topic_partitions.is_none();
    let targets: Vec<(String, Vec<i32>)> = match r.topic_partitions {
        Some(tps) => tps
            .into_iter()
            .map(|t| (t.topic.0.to_string(), t.partitions))
            .collect(),
        None => state
            .topics
            .iter()
            .map(|(n, t)| (n.clone(), t.partitions.iter().map(|p| p.index).collect()))
            .collect(),
    };
    let results = targets
        .into_iter()
        .filter_map(|(name, parts)| {
            let results: Vec<PartitionResult> = parts
                .into_iter()
                .filter_map(|index| {
                    let (error, message) = match state.elect(&name, index, unclean) {
                        Ok(true) => (0, None),
                        // With no partitions named, Kafka reports only the elections it made.
                        Ok(false) if all => return None,
                        Ok(false) => (
                            ResponseError::ElectionNotNeeded.code(),
                            Some(s("Leader election not needed for topic partition.")),
                        ),
                        Err(e) => (e.error.code(), e.message.map(s)),
                    };
                    Some(
                        PartitionResult::default()
                            .with_partition_id(index)
                            .with_error_code(error)
                            .with_error_message(message),
                    )
                })
                .collect();
            (!results.is_empty()).then(|| {
                ReplicaElectionResult::default()
                    .with_topic(topic_name(&name))
                    .with_partition_result(results)
            })
        })
        .collect();
    ElectLeadersResponse::default().with_replica_election_results(results)
}

/// The broker coordinating a consumer group: a stable hash over the alive brokers.
pub fn coordinator_of(state: &ClusterState, group: &str) -> i32 {
    let alive = state.alive_ids();
    let h = group
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    alive
        .get(h as usize % alive.len().max(1))
        .copied()
        .unwrap_or(-1)
}

fn list_groups(state: &ClusterState, ctx: &Ctx) -> ListGroupsResponse {
    let groups = state
        .topics
        .values()
        .flat_map(|t| t.consumer_groups.iter())
        .filter(|g| coordinator_of(state, g) == ctx.broker)
        .map(|g| {
            let mut l = ListedGroup::default()
                .with_group_id(GroupId(s(g.clone())))
                .with_protocol_type(s("consumer"));
            if ctx.version >= 4 {
                l = l.with_group_state(s("Stable"));
            }
            if ctx.version >= 5 {
                l = l.with_group_type(s("classic"));
            }
            l
        })
        .collect();
    ListGroupsResponse::default()
        .with_error_code(code(ctx.injected))
        .with_groups(groups)
}

fn find_coordinator(
    state: &ClusterState,
    ctx: &Ctx,
    r: FindCoordinatorRequest,
) -> FindCoordinatorResponse {
    let locate = |key: &str| {
        let id = coordinator_of(state, key);
        let (host, port) = (ctx.endpoints)(id);
        (id, host, port)
    };
    if ctx.version >= 4 {
        let coordinators = r
            .coordinator_keys
            .iter()
            .map(|k| {
                let (id, host, port) = locate(k.as_str());
                Coordinator::default()
                    .with_key(k.clone())
                    .with_node_id(BrokerId(id))
                    .with_host(s(host))
                    .with_port(port)
                    .with_error_code(code(ctx.injected))
            })
            .collect();
        return FindCoordinatorResponse::default().with_coordinators(coordinators);
    }
    let (id, host, port) = locate(r.key.as_str());
    FindCoordinatorResponse::default()
        .with_error_code(code(ctx.injected))
        .with_node_id(BrokerId(id))
        .with_host(s(host))
        .with_port(port)
}

/// Committed offsets of one group: consumers keep up, so they sit at the log end.
fn group_offsets(
    state: &ClusterState,
    group: &str,
    topics: Option<Vec<(String, Vec<i32>)>>,
) -> Vec<(String, Vec<(i32, i64)>)> {
    let consumed: Vec<&str> = state
        .topics
        .values()
        .filter(|t| t.consumer_groups.iter().any(|g| g == group))
        .map(|t| t.name.as_str())
        .collect();
    let topics = topics.unwrap_or_else(|| {
        consumed
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    state.topics[*n]
                        .partitions
                        .iter()
                        .map(|p| p.index)
                        .collect(),
                )
            })
            .collect()
    });
    topics
        .into_iter()
        .map(|(name, parts)| {
            let offsets = parts
                .into_iter()
                .map(|i| {
                    let off = match state.partition(&name, i) {
                        Some(p) if consumed.contains(&name.as_str()) => p.end_offset_at(state.now),
                        _ => -1,
                    };
                    (i, off)
                })
                .collect();
            (name, offsets)
        })
        .collect()
}

fn offset_fetch(state: &ClusterState, ctx: &Ctx, r: OffsetFetchRequest) -> OffsetFetchResponse {
    if ctx.version >= 8 {
        let groups = r
            .groups
            .into_iter()
            .map(|g| {
                let id = g.group_id.0.to_string();
                let base = OffsetFetchResponseGroup::default().with_group_id(g.group_id.clone());
                if let Some(e) = ctx.injected {
                    return base.with_error_code(e.code());
                }
                if coordinator_of(state, &id) != ctx.broker {
                    return base.with_error_code(ResponseError::NotCoordinator.code());
                }
                let wanted = g.topics.map(|ts| {
                    ts.into_iter()
                        .map(|t| (t.name.0.to_string(), t.partition_indexes))
                        .collect()
                });
                let topics = group_offsets(state, &id, wanted)
                    .into_iter()
                    .map(|(name, offs)| {
                        let mut t = OffsetFetchResponseTopics::default().with_partitions(
                            offs.into_iter()
                                .map(|(i, o)| {
                                    OffsetFetchResponsePartitions::default()
                                        .with_partition_index(i)
                                        .with_committed_offset(o)
                                })
                                .collect(),
                        );
                        if ctx.version >= 10 {
                            t = t.with_topic_id(
                                state.topics.get(&name).map(|x| x.id).unwrap_or_default(),
                            );
                        } else {
                            t = t.with_name(topic_name(&name));
                        }
                        t
                    })
                    .collect();
                base.with_topics(topics)
            })
            .collect();
        return OffsetFetchResponse::default().with_groups(groups);
    }
    let id = r.group_id.0.to_string();
    let error = ctx.injected.or_else(|| {
        (coordinator_of(state, &id) != ctx.broker).then_some(ResponseError::NotCoordinator)
    });
    if let Some(e) = error {
        let mut out = OffsetFetchResponse::default();
        if ctx.version >= 2 {
            out = out.with_error_code(e.code());
        }
        return out;
    }
    let wanted = r.topics.map(|ts| {
        ts.into_iter()
            .map(|t| (t.name.0.to_string(), t.partition_indexes))
            .collect()
    });
    let topics = group_offsets(state, &id, wanted)
        .into_iter()
        .map(|(name, offs)| {
            OffsetFetchResponseTopic::default()
                .with_name(topic_name(&name))
                .with_partitions(
                    offs.into_iter()
                        .map(|(i, o)| {
                            OffsetFetchResponsePartition::default()
                                .with_partition_index(i)
                                .with_committed_offset(o)
                        })
                        .collect(),
                )
        })
        .collect();
    OffsetFetchResponse::default().with_topics(topics)
}
