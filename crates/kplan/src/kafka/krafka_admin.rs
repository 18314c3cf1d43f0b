//! [`KafkaAdmin`] with the krafka client (pure Rust; TLS and SASL included).

use std::collections::{BTreeMap, HashMap};

use krafka::admin::{
    AdminClient, AlterReplicaLogDirsOptions, ConfigOp, ConfigResource, ConfigResourceType,
    DescribeLogDirsOptions, ElectionType, ListPartitionReassignmentsOptions, OffsetSpec,
    TopicPartition as KTopicPartition, TopicPartitionReplica,
};
use krafka::auth::{AuthConfig, ClientCredentials, OidcTokenProvider, TlsConfig};
use krafka::Kafka;

use super::admin_types::*;
use super::authorization::{AclOperation, AclResource, Authorizations, MissingAcl};
use super::client_properties::{ConnectionSettings, SaslSettings, SecurityProtocol, TlsSettings};
use super::{KafkaAdmin, KafkaError};
use crate::model::{BrokerId, TopicPartition};

/// A connected admin client.
pub struct KrafkaAdmin {
    admin: AdminClient,
    kafka: Kafka,
    /// `User:…` when the settings tell it, for errors about missing ACLs.
    principal: Option<String>,
}

/// The ACL operation an API needs on the resource it was refused on.
fn needed_operation(api: &str) -> AclOperation {
    match api {
        "AlterPartitionReassignments" | "ElectLeaders" => AclOperation::Alter,
        "DescribeConfigs" => AclOperation::DescribeConfigs,
        "IncrementalAlterConfigs" => AclOperation::AlterConfigs,
        // DescribeCluster, Metadata, DescribeLogDirs, ListPartitionReassignments, ListOffsets,
        // ListGroups, OffsetFetch.
        _ => AclOperation::Describe,
    }
}

impl KrafkaAdmin {
    /// `error` from `api`, as the ACL the principal lacks when the broker refused it for that
    /// reason; `topic` names the topic a per-topic answer was about.
    /// A per-resource config answer that failed: a topic denial names the topic.
    fn config_failed(
        &self,
        api: &'static str,
        error: &krafka::KrafkaError,
        target: &ConfigTarget,
    ) -> KafkaError {
        match (self.failed(api, error, None), target) {
            (
                KafkaError::NotAuthorized {
                    principal,
                    mut missing,
                },
                ConfigTarget::Topic(t),
            ) => {
                missing.resource = AclResource::Topic(t.clone());
                KafkaError::NotAuthorized { principal, missing }
            }
            (KafkaError::Api { .. }, _) => KafkaError::api(api, format!("{target}: {error}")),
            (denied, _) => denied,
        }
    }

    fn failed(
        &self,
        api: &'static str,
        error: &krafka::KrafkaError,
        topic: Option<&str>,
    ) -> KafkaError {
        use krafka::error::ErrorCode;
        let resource = match error {
            krafka::KrafkaError::Broker { code, .. } => match code {
                ErrorCode::ClusterAuthorizationFailed => Some(AclResource::Cluster),
                ErrorCode::TopicAuthorizationFailed => {
                    Some(AclResource::Topic(topic.unwrap_or("(unnamed)").to_owned()))
                }
                ErrorCode::GroupAuthorizationFailed => Some(AclResource::Groups),
                _ => None,
            },
            _ => None,
        };
        match resource {
            Some(resource) => KafkaError::NotAuthorized {
                principal: self.principal.clone(),
                missing: MissingAcl {
                    operation: needed_operation(api),
                    resource,
                    purpose: api.to_owned(),
                },
            },
            None => match topic {
                Some(t) => KafkaError::api(api, format!("{t}: {error}")),
                None => KafkaError::api(api, error),
            },
        }
    }
}

fn tls_config(t: &TlsSettings) -> TlsConfig {
    let mut c = TlsConfig::new();
    if let Some(f) = &t.ca_file {
        c = c.with_ca_cert(f.clone());
    }
    if let Some(p) = &t.ca_pem {
        c = c.with_ca_cert_pem(p.clone().into_bytes());
    }
    if let (Some(cert), Some(key)) = (&t.cert_file, &t.key_file) {
        c = c.with_client_cert(cert.clone(), key.clone());
    }
    if let (Some(cert), Some(key)) = (&t.cert_pem, &t.key_pem) {
        c = c.with_client_cert_pem(cert.clone().into_bytes(), key.expose().as_bytes().to_vec());
    }
    if let Some(p) = &t.key_password {
        c = c.with_client_key_password(p.expose().to_owned());
    }
    c
}

fn auth_config(s: &ConnectionSettings) -> Result<AuthConfig, KafkaError> {
    let tls = s.tls.as_ref().map(tls_config);
    let sasl = match &s.sasl {
        None => None,
        Some(SaslSettings::Plain { username, password }) => {
            Some(AuthConfig::sasl_plain(username, password.expose()))
        }
        Some(SaslSettings::ScramSha256 { username, password }) => {
            Some(AuthConfig::sasl_scram_sha256(username, password.expose()))
        }
        Some(SaslSettings::ScramSha512 { username, password }) => {
            Some(AuthConfig::sasl_scram_sha512(username, password.expose()))
        }
        Some(SaslSettings::OAuthBearer {
            token_endpoint,
            client_id,
            client_secret,
            scope,
            endpoint_trust,
        }) => {
            let mut b = OidcTokenProvider::builder(token_endpoint.clone()).credentials(
                ClientCredentials::secret(client_id.clone(), client_secret.expose().to_owned()),
            );
            if let Some(f) = &endpoint_trust.ca_file {
                b = b.ca_cert(f.clone());
            }
            if let Some(p) = &endpoint_trust.ca_pem {
                b = b.ca_cert_pem(p.clone().into_bytes());
            }
            if let Some(scope) = scope {
                b = b.scope(scope.clone());
            }
            let provider = b.build().map_err(|e| {
                KafkaError::Settings(format!("OAUTHBEARER token endpoint {token_endpoint}: {e}"))
            })?;
            Some(AuthConfig::sasl_oauthbearer_provider(provider))
        }
    };
    Ok(match (s.protocol, sasl, tls) {
        (SecurityProtocol::Plaintext, _, _) => AuthConfig::plaintext(),
        (SecurityProtocol::Ssl, _, tls) => AuthConfig::ssl(tls.unwrap_or_default()),
        (SecurityProtocol::SaslPlaintext, Some(a), _) => a,
        (SecurityProtocol::SaslSsl, Some(a), tls) => a.with_tls(tls.unwrap_or_default()),
        (_, None, _) => {
            return Err(KafkaError::Settings(
                "SASL needs sasl.mechanism and sasl.jaas.config".into(),
            ))
        }
    })
}

fn ktp(tp: &TopicPartition) -> KTopicPartition {
    KTopicPartition::new(tp.topic.clone(), tp.partition)
}

fn tp(k: &KTopicPartition) -> TopicPartition {
    TopicPartition::new(k.topic.clone(), k.partition)
}

fn resource(t: &ConfigTarget) -> ConfigResource {
    match t {
        ConfigTarget::Topic(name) => ConfigResource::topic(name.clone()),
        ConfigTarget::Broker(b) => ConfigResource::broker(b.0),
        ConfigTarget::BrokerDefault => ConfigResource::broker_default(),
    }
}

fn target(r: &ConfigResource) -> ConfigTarget {
    match r.resource_type {
        ConfigResourceType::Topic => ConfigTarget::Topic(r.name.clone()),
        _ if r.name.is_empty() => ConfigTarget::BrokerDefault,
        _ => ConfigTarget::Broker(BrokerId(r.name.parse().unwrap_or(-1))),
    }
}

/// A broker's directories as kplan reads them: a directory the broker cannot use (a failed disk
/// answers KAFKA_STORAGE_ERROR) is listed with its error, not a failure of the whole broker.
fn broker_log_dirs(
    dirs: HashMap<String, krafka::Result<krafka::admin::LogDirDescription>>,
) -> BrokerLogDirs {
    let mut out = BrokerLogDirs::default();
    for (path, d) in dirs {
        let d = match d {
            Ok(d) => d,
            Err(e) => {
                out.dirs.push(LogDirInfo {
                    path,
                    error: Some(e.to_string()),
                    ..LogDirInfo::default()
                });
                continue;
            }
        };
        let bytes = |v: Option<i64>| v.map(|x| x.max(0) as u64);
        let (total, usable) = (bytes(d.total_bytes), bytes(d.usable_bytes));
        if let Some(t) = total {
            *out.total_bytes.get_or_insert(0) += t;
        }
        if let Some(u) = usable {
            *out.usable_bytes.get_or_insert(0) += u;
        }
        for (k, r) in d.replicas {
            out.replicas.push(ReplicaDir {
                tp: tp(&k),
                log_dir: path.clone(),
                size: r.size.max(0) as u64,
                is_future: r.is_future,
            });
        }
        out.dirs.push(LogDirInfo {
            path,
            total_bytes: total,
            usable_bytes: usable,
            cordoned: d.is_cordoned,
            error: None,
        });
    }
    out.replicas
        .sort_by(|a, b| (&a.tp, &a.log_dir, a.is_future).cmp(&(&b.tp, &b.log_dir, b.is_future)));
    out.dirs.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// REPLICA_NOT_AVAILABLE is the expected answer before the replica exists; a transport error or
/// a retriable one (a broker that is down: BROKER_NOT_AVAILABLE) is no answer, to ask again;
/// anything else is the broker's refusal.
fn replica_log_dir_error(e: &krafka::KrafkaError) -> ReplicaLogDirError {
    match e {
        krafka::KrafkaError::Broker {
            code: krafka::error::ErrorCode::ReplicaNotAvailable,
            ..
        } => ReplicaLogDirError::NotYetCreated,
        krafka::KrafkaError::Broker { code, .. } if code.is_retriable() => {
            ReplicaLogDirError::NoAnswer(e.to_string())
        }
        e if unanswered(e) => ReplicaLogDirError::NoAnswer(e.to_string()),
        e => ReplicaLogDirError::Refused(e.to_string()),
    }
}

/// The request may have reached the broker, but its answer did not come back.
fn unanswered(e: &krafka::KrafkaError) -> bool {
    matches!(
        e,
        krafka::KrafkaError::Network(_) | krafka::KrafkaError::Timeout { .. }
    )
}

fn per_partition<T>(m: HashMap<KTopicPartition, krafka::Result<T>>) -> PerPartition<T> {
    m.into_iter()
        .map(|(k, v)| (tp(&k), v.map_err(|e| e.to_string())))
        .collect()
}

impl KrafkaAdmin {
    pub async fn connect(settings: &ConnectionSettings) -> Result<Self, KafkaError> {
        let kafka = Kafka::builder(settings.bootstrap.clone())
            .client_id(settings.client_id.clone())
            .security(auth_config(settings)?)
            .request_timeout(settings.request_timeout)
            .connect_timeout(
                settings
                    .request_timeout
                    .min(std::time::Duration::from_secs(10)),
            )
            .connect()
            .await
            .map_err(|e| KafkaError::Connect {
                bootstrap: settings.bootstrap.clone(),
                message: super::connect_failure::explain(settings, &e.to_string()),
            })?;
        let admin = kafka.admin().default_api_timeout(settings.request_timeout);
        Ok(KrafkaAdmin {
            admin,
            kafka,
            principal: settings.principal(),
        })
    }

    pub async fn close(self) {
        let _ = self.admin.close().await;
        drop(self.kafka);
    }
}

impl KafkaAdmin for KrafkaAdmin {
    async fn describe_cluster(&self) -> Result<ClusterInfo, KafkaError> {
        let c = self
            .admin
            .describe_cluster(Default::default())
            .await
            .map_err(|e| self.failed("DescribeCluster", &e, None))?;
        let mut brokers: Vec<BrokerInfo> = c
            .brokers
            .into_iter()
            .map(|b| BrokerInfo {
                id: BrokerId(b.id),
                host: b.host,
                port: b.port,
                rack: b.rack,
            })
            .collect();
        brokers.sort_by_key(|b| b.id);
        Ok(ClusterInfo {
            cluster_id: c.cluster_id,
            controller: (c.controller_id >= 0).then_some(BrokerId(c.controller_id)),
            brokers,
        })
    }

    async fn describe_topics(
        &self,
        only: Option<&[String]>,
    ) -> Result<Vec<TopicState>, KafkaError> {
        let names: Vec<String> = match only {
            Some(n) => n.to_vec(),
            None => {
                let mut opts = krafka::admin::ListTopicsOptions::default();
                opts = opts.include_internal(true);
                self.admin
                    .list_topics(opts)
                    .await
                    .map_err(|e| self.failed("Metadata", &e, None))?
            }
        };
        let described = self
            .admin
            .describe_topics(&names, Default::default())
            .await
            .map_err(|e| self.failed("Metadata", &e, None))?;
        let mut out = Vec::with_capacity(described.len());
        for (name, d) in described {
            let d = d.map_err(|e| self.failed("Metadata", &e, Some(&name)))?;
            let mut partitions: Vec<PartitionState> = d
                .partitions
                .into_iter()
                .map(|p| PartitionState {
                    partition: p.partition,
                    replicas: p.replicas.into_iter().map(BrokerId).collect(),
                    leader: p.leader.filter(|l| *l >= 0).map(BrokerId),
                    isr: p.isr.into_iter().map(BrokerId).collect(),
                    offline: p.offline_replicas.into_iter().map(BrokerId).collect(),
                })
                .collect();
            partitions.sort_by_key(|p| p.partition);
            out.push(TopicState {
                name,
                internal: d.is_internal,
                partitions,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    async fn describe_log_dirs(
        &self,
        brokers: &[BrokerId],
    ) -> Result<BTreeMap<BrokerId, Result<BrokerLogDirs, KafkaError>>, KafkaError> {
        let res = self
            .admin
            .describe_log_dirs(
                brokers.iter().map(|b| b.0),
                DescribeLogDirsOptions::default(),
            )
            .await
            .map_err(|e| self.failed("DescribeLogDirs", &e, None))?;
        Ok(res
            .into_iter()
            .map(|(b, dirs)| {
                let r = dirs
                    .map_err(|e| match self.failed("DescribeLogDirs", &e, None) {
                        KafkaError::Api { .. } => KafkaError::on_broker("DescribeLogDirs", b, e),
                        denied => denied,
                    })
                    .map(broker_log_dirs);
                (BrokerId(b), r)
            })
            .collect())
    }

    async fn alter_replica_log_dirs(
        &self,
        moves: &[(Replica, String)],
    ) -> Result<BTreeMap<Replica, Result<(), ReplicaLogDirError>>, KafkaError> {
        let res = self
            .admin
            .alter_replica_log_dirs(
                moves.iter().map(|((tp, b), dir)| {
                    (
                        TopicPartitionReplica::new(tp.topic.clone(), tp.partition, b.0),
                        dir.clone(),
                    )
                }),
                AlterReplicaLogDirsOptions::default(),
            )
            .await
            .map_err(|e| KafkaError::api("AlterReplicaLogDirs", e))?;
        Ok(res
            .into_iter()
            .map(|(r, outcome)| {
                let replica = (
                    TopicPartition::new(r.topic, r.partition),
                    BrokerId(r.broker_id),
                );
                (replica, outcome.map_err(|e| replica_log_dir_error(&e)))
            })
            .collect())
    }

    async fn list_offsets(
        &self,
        partitions: &[TopicPartition],
        kind: OffsetKind,
    ) -> Result<PerPartition<i64>, KafkaError> {
        let spec = match kind {
            OffsetKind::Earliest => OffsetSpec::Earliest,
            OffsetKind::Latest => OffsetSpec::Latest,
        };
        let res = self
            .admin
            .list_offsets(
                partitions.iter().map(|p| (ktp(p), spec)),
                Default::default(),
            )
            .await
            .map_err(|e| self.failed("ListOffsets", &e, None))?;
        Ok(per_partition(
            res.into_iter()
                .map(|(k, v)| (k, v.map(|o| o.offset)))
                .collect(),
        ))
    }

    async fn describe_configs(
        &self,
        targets: &[ConfigTarget],
    ) -> Result<BTreeMap<ConfigTarget, Result<BTreeMap<String, ConfigValue>, KafkaError>>, KafkaError>
    {
        let res = self
            .admin
            .describe_configs(targets.iter().map(resource), Default::default())
            .await
            .map_err(|e| self.failed("DescribeConfigs", &e, None))?;
        Ok(res
            .into_iter()
            .map(|(r, entries)| {
                let t = target(&r);
                let v = entries
                    .map_err(|e| self.config_failed("DescribeConfigs", &e, &t))
                    .map(|entries| {
                        entries
                            .into_iter()
                            .map(|e| {
                                // 1 = DYNAMIC_TOPIC_CONFIG, 2 = DYNAMIC_BROKER_CONFIG.
                                let dynamic_here = match &t {
                                    ConfigTarget::Topic(_) => e.config_source == 1,
                                    ConfigTarget::Broker(_) => e.config_source == 2,
                                    ConfigTarget::BrokerDefault => e.config_source == 3,
                                };
                                (
                                    e.name,
                                    ConfigValue {
                                        value: e.value,
                                        dynamic_here,
                                        sensitive: e.is_sensitive,
                                    },
                                )
                            })
                            .collect()
                    });
                (t, v)
            })
            .collect())
    }

    async fn alter_configs(
        &self,
        changes: &[(ConfigTarget, Vec<ConfigChange>)],
    ) -> Result<BTreeMap<ConfigTarget, Result<(), KafkaError>>, KafkaError> {
        let res = self
            .admin
            .incremental_alter_configs(
                changes.iter().map(|(t, ops)| {
                    (
                        resource(t),
                        ops.iter()
                            .map(|o| match o {
                                ConfigChange::Set(k, v) => ConfigOp::set(k.clone(), v.clone()),
                                ConfigChange::Delete(k) => ConfigOp::delete(k.clone()),
                            })
                            .collect(),
                    )
                }),
                Default::default(),
            )
            .await
            .map_err(|e| self.failed("IncrementalAlterConfigs", &e, None))?;
        Ok(res
            .into_iter()
            .map(|(r, v)| {
                let t = target(&r);
                let v = v.map_err(|e| self.config_failed("IncrementalAlterConfigs", &e, &t));
                (t, v)
            })
            .collect())
    }

    async fn list_reassignments(
        &self,
    ) -> Result<BTreeMap<TopicPartition, OngoingReassignment>, KafkaError> {
        let res = self
            .admin
            .list_partition_reassignments(ListPartitionReassignmentsOptions::default())
            .await
            .map_err(|e| self.failed("ListPartitionReassignments", &e, None))?;
        Ok(res
            .into_iter()
            .map(|(k, r)| {
                (
                    tp(&k),
                    OngoingReassignment {
                        replicas: r.replicas.into_iter().map(BrokerId).collect(),
                        adding: r.adding_replicas.into_iter().map(BrokerId).collect(),
                        removing: r.removing_replicas.into_iter().map(BrokerId).collect(),
                    },
                )
            })
            .collect())
    }

    async fn alter_reassignments(
        &self,
        targets: &[(TopicPartition, Option<Vec<BrokerId>>)],
    ) -> Result<PerPartition<()>, KafkaError> {
        let res = self
            .admin
            .alter_partition_reassignments(
                targets
                    .iter()
                    .map(|(p, t)| (ktp(p), t.as_ref().map(|t| t.iter().map(|b| b.0).collect()))),
                Default::default(),
            )
            .await
            .map_err(|e| self.failed("AlterPartitionReassignments", &e, None))?;
        // The batch goes to the controller in one request, so a transport error on it means
        // no answer — the moves may or may not have been accepted — not a refusal: the whole
        // call fails and the executor reconciles from ListPartitionReassignments.
        if let Some(e) = res
            .values()
            .find_map(|r| r.as_ref().err().filter(|e| unanswered(e)))
        {
            return Err(KafkaError::api("AlterPartitionReassignments", e));
        }
        Ok(per_partition(res))
    }

    async fn elect_leaders(
        &self,
        kind: ElectionKind,
        partitions: &[TopicPartition],
    ) -> Result<PerPartition<()>, KafkaError> {
        let kind = match kind {
            ElectionKind::Preferred => ElectionType::Preferred,
            ElectionKind::Unclean => ElectionType::Unclean,
        };
        let res = self
            .admin
            .elect_leaders(
                kind,
                Some(partitions.iter().map(ktp).collect()),
                Default::default(),
            )
            .await
            .map_err(|e| self.failed("ElectLeaders", &e, None))?;
        Ok(per_partition(res))
    }

    async fn authorized_operations(&self, topics: &[String]) -> Result<Authorizations, KafkaError> {
        let cluster = self
            .admin
            .describe_cluster(
                krafka::admin::DescribeClusterOptions::default()
                    .include_authorized_operations(true),
            )
            .await
            .map_err(|e| self.failed("DescribeCluster", &e, None))?;
        let mut out = Authorizations {
            principal: self.principal.clone(),
            cluster: cluster.authorized_operations,
            topics: BTreeMap::new(),
        };
        if !topics.is_empty() {
            let described = self
                .admin
                .describe_topics(topics, Default::default())
                .await
                .map_err(|e| self.failed("Metadata", &e, None))?;
            for (name, d) in described {
                // A topic the principal may not describe: no operations at all.
                let ops = match d {
                    Ok(d) => d.authorized_operations,
                    Err(krafka::KrafkaError::Broker {
                        code: krafka::error::ErrorCode::TopicAuthorizationFailed,
                        ..
                    }) => Some(0),
                    Err(_) => None,
                };
                out.topics.insert(name, ops);
            }
        }
        Ok(out)
    }

    async fn group_topics(&self) -> Result<BTreeMap<String, Vec<String>>, KafkaError> {
        let listed = self
            .admin
            .list_consumer_groups(Default::default())
            .await
            .map_err(|e| self.failed("ListGroups", &e, None))?;
        let mut groups: Vec<String> = Vec::new();
        for (broker, r) in listed {
            let r = r.map_err(|e| KafkaError::on_broker("ListGroups", broker, e))?;
            groups.extend(r.into_iter().map(|g| g.group_id));
        }
        groups.sort();
        groups.dedup();
        // One OffsetFetch per group at its coordinator; a few in parallel.
        use futures::stream::{self, StreamExt};
        let fetched: Vec<Result<(String, Vec<String>), KafkaError>> = stream::iter(groups)
            .map(|g| async move {
                let offsets = self
                    .admin
                    .list_consumer_group_offsets(g.clone(), Default::default())
                    .await
                    .map_err(|e| self.failed("OffsetFetch", &e, Some(&format!("group {g}"))))?;
                let mut topics: Vec<String> = offsets
                    .into_iter()
                    .filter(|(_, o)| o.as_ref().is_ok_and(|o| o.offset.is_some_and(|x| x >= 0)))
                    .map(|(k, _)| k.topic)
                    .collect();
                topics.sort();
                topics.dedup();
                Ok((g, topics))
            })
            .buffer_unordered(16)
            .collect()
            .await;
        let mut out = BTreeMap::new();
        for r in fetched {
            let (g, topics) = r?;
            out.insert(g, topics);
        }
        Ok(out)
    }
}
