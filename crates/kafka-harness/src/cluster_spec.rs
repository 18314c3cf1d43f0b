//! What a test cluster looks like: KRaft nodes with roles and racks, log dirs per broker, listeners
//! and broker properties. Later tests add listeners (TLS, SASL) and properties (authorizers)
//! through [`ClusterSpec::listener`] and [`ClusterSpec::property`] without touching the harness.

use std::collections::BTreeMap;

/// A KRaft node's `process.roles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Broker,
    Controller,
    BrokerController,
}

impl Role {
    pub fn is_broker(self) -> bool {
        matches!(self, Role::Broker | Role::BrokerController)
    }

    pub fn is_controller(self) -> bool {
        matches!(self, Role::Controller | Role::BrokerController)
    }

    pub(crate) fn process_roles(self) -> &'static str {
        match self {
            Role::Broker => "broker",
            Role::Controller => "controller",
            Role::BrokerController => "broker,controller",
        }
    }
}

#[derive(Clone, Debug)]
pub struct NodeSpec {
    pub id: i32,
    pub role: Role,
    pub rack: Option<String>,
}

/// An extra listener on every broker, next to the PLAINTEXT one the harness always has
/// (`CLIENT`, also the inter-broker listener).
#[derive(Clone, Debug)]
pub struct ListenerSpec {
    /// Listener name, upper case (e.g. `SASL_SSL_SCRAM`).
    pub name: String,
    /// `PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`.
    pub security_protocol: String,
    /// Written as `listener.name.<name in lower case>.<key>=<value>`, Kafka's per-listener prefix.
    pub properties: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
pub struct ClusterSpec {
    pub nodes: Vec<NodeSpec>,
    pub log_dirs_per_broker: usize,
    /// Maximum heap of each node's JVM.
    pub heap_mb: u32,
    /// Written into every node's server.properties after the harness's own (so they override).
    pub properties: BTreeMap<String, String>,
    pub listeners: Vec<ListenerSpec>,
    /// Java system properties of every node's JVM (and of the tools the harness runs), e.g.
    /// `org.apache.kafka.sasl.oauthbearer.allowed.urls`.
    pub jvm_properties: BTreeMap<String, String>,
    /// SCRAM credentials created when the storage is formatted (`kafka-storage format
    /// --add-scram`), so they exist before any broker starts.
    pub scram_users: Vec<ScramUser>,
}

/// A SCRAM credential: mechanism (`SCRAM-SHA-256` or `SCRAM-SHA-512`), user name, password.
#[derive(Clone, Debug)]
pub struct ScramUser {
    pub mechanism: String,
    pub name: String,
    pub password: String,
}

impl ClusterSpec {
    /// Node 0 is broker and controller, nodes 1..=`broker_only` are brokers; racks alternate
    /// `rack-a`, `rack-b`; two log dirs per broker.
    pub fn kraft(broker_only: i32) -> Self {
        let rack = |id: i32| Some(if id % 2 == 0 { "rack-a" } else { "rack-b" }.to_owned());
        let mut nodes = vec![NodeSpec {
            id: 0,
            role: Role::BrokerController,
            rack: rack(0),
        }];
        nodes.extend((1..=broker_only).map(|id| NodeSpec {
            id,
            role: Role::Broker,
            rack: rack(id),
        }));
        ClusterSpec {
            nodes,
            log_dirs_per_broker: 2,
            heap_mb: 320,
            properties: BTreeMap::new(),
            listeners: Vec::new(),
            jvm_properties: BTreeMap::new(),
            scram_users: Vec::new(),
        }
    }

    /// Sets a broker property on every node.
    pub fn property(mut self, key: &str, value: impl ToString) -> Self {
        self.properties.insert(key.to_owned(), value.to_string());
        self
    }

    /// Sets a Java system property of every node's JVM.
    pub fn jvm_property(mut self, key: &str, value: impl ToString) -> Self {
        self.jvm_properties
            .insert(key.to_owned(), value.to_string());
        self
    }

    /// A SCRAM user created at format time.
    pub fn scram_user(mut self, mechanism: &str, name: &str, password: &str) -> Self {
        self.scram_users.push(ScramUser {
            mechanism: mechanism.to_owned(),
            name: name.to_owned(),
            password: password.to_owned(),
        });
        self
    }

    pub fn listener(mut self, listener: ListenerSpec) -> Self {
        self.listeners.push(listener);
        self
    }

    pub fn brokers(&self) -> impl Iterator<Item = &NodeSpec> {
        self.nodes.iter().filter(|n| n.role.is_broker())
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        let controllers = self.nodes.iter().filter(|n| n.role.is_controller()).count();
        if controllers == 0 {
            return Err("a KRaft cluster needs at least one controller".into());
        }
        if self.brokers().next().is_none() {
            return Err("the cluster has no broker".into());
        }
        if self.log_dirs_per_broker == 0 {
            return Err("a broker needs at least one log dir".into());
        }
        let mut ids: Vec<i32> = self.nodes.iter().map(|n| n.id).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err("node ids must be distinct".into());
        }
        for u in &self.scram_users {
            // kafka-storage reads `name=…,password=…` between brackets; these would break it.
            if [&u.name, &u.password]
                .iter()
                .any(|v| v.contains([',', ']', '=']))
            {
                return Err(format!(
                    "SCRAM user {}: ',', ']' and '=' cannot be formatted",
                    u.name
                ));
            }
        }
        for l in &self.listeners {
            if l.name == "CLIENT" || l.name == "CONTROLLER" {
                return Err(format!("listener name {} is the harness's own", l.name));
            }
        }
        Ok(())
    }

    /// Settings that make a test cluster start fast on two cores and move data in seconds,
    /// while an ongoing move stays observable under a throttle. The harness writes these first;
    /// [`ClusterSpec::properties`] override them.
    pub(crate) fn test_defaults(broker_count: usize) -> Vec<(&'static str, String)> {
        let rf = broker_count.min(2).to_string();
        vec![
            ("num.network.threads", "2".into()),
            ("num.io.threads", "2".into()),
            ("background.threads", "2".into()),
            ("num.replica.fetchers", "1".into()),
            ("log.cleaner.threads", "1".into()),
            ("num.partitions", "1".into()),
            ("offsets.topic.num.partitions", "4".into()),
            ("offsets.topic.replication.factor", rf.clone()),
            ("transaction.state.log.num.partitions", "2".into()),
            ("transaction.state.log.replication.factor", rf),
            ("transaction.state.log.min.isr", "1".into()),
            (
                "share.coordinator.state.topic.replication.factor",
                "1".into(),
            ),
            ("share.coordinator.state.topic.min.isr", "1".into()),
            ("group.initial.rebalance.delay.ms", "0".into()),
            // Leadership moves only when a test elects leaders.
            ("auto.leader.rebalance.enable", "false".into()),
            ("auto.create.topics.enable", "false".into()),
            // A dead follower leaves the ISR in seconds, not the default 30.
            ("replica.lag.time.max.ms", "5000".into()),
            ("replica.fetch.wait.max.ms", "200".into()),
            ("replica.socket.timeout.ms", "5000".into()),
            // Throttle quotas measured over 1 s windows, so a rate change shows within seconds.
            ("replication.quota.window.size.seconds", "1".into()),
            ("replication.quota.window.num", "5".into()),
            ("log.segment.bytes", "1048576".into()),
            ("log.flush.offset.checkpoint.interval.ms", "1000".into()),
            ("broker.heartbeat.interval.ms", "500".into()),
            ("broker.session.timeout.ms", "6000".into()),
            ("controlled.shutdown.enable", "true".into()),
            ("delete.topic.enable", "true".into()),
        ]
    }
}
