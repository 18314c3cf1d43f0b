//! The simulated cluster's state and its reassignment state machine, independent of the wire.
//!
//! Model. Every partition has a leader log whose size and end offset grow linearly with its
//! produce rate, so both are functions of the simulated time `now` (no per-partition work as time
//! passes). Only replicas being added carry state of their own: the bytes copied so far. Between
//! two events (a copy catching up) every copy runs at a constant rate, so `advance_to` jumps from
//! event to event exactly; the result does not depend on how time was sliced.
//!
//! Copy rates follow KIP-73 as the broker applies it (see `replication_quota`): each throttle
//! rate is one byte budget per broker that also carries the in-sync replication of the
//! partitions it throttles; what is left is shared by the copies catching up, max-min fairly
//! across leader, follower and line (the line rate divided by the slow-disk factor) budgets.
//!
//! A reassignment follows KIP-455 as the KRaft controller runs it: replicas = target followed by
//! the replicas being removed; adding replicas join the ISR when they catch up; when all have, the
//! replica set becomes the target, and a leader that is not in the target hands over to the first
//! target replica in the ISR.

use std::collections::BTreeMap;

use kafka_protocol::error::ResponseError;

use super::config_catalog::{self, Scope};
use super::log_dir_moves::FutureReplica;
use super::replication_quota;
use super::spec::{SimSpec, SpecError};
use super::KafkaVersion;

/// A broker of the simulated cluster.
#[derive(Clone, Debug)]
pub struct SimBroker {
    pub id: i32,
    pub rack: Option<String>,
    pub alive: bool,
    pub disk_bytes: u64,
    /// Slow-disk fault: copies into this broker run this many times slower.
    pub slowdown: f64,
    /// `log.dirs`: each replica lives in one of them (see [`SimPartition::log_dir`]).
    pub log_dirs: Vec<String>,
}

/// An ongoing reassignment of one partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub target: Vec<i32>,
    /// The replicas before the reassignment started (what a cancel restores).
    pub original: Vec<i32>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
}

/// One partition.
#[derive(Clone, Debug)]
pub struct SimPartition {
    pub index: i32,
    /// During a move: target first, then the replicas being removed.
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    /// -1 when no replica can lead.
    pub leader: i32,
    pub leader_epoch: i32,
    pub moving: Option<Move>,
    /// Adding replica → bytes copied so far (removed once it joins the ISR).
    pub copied: BTreeMap<i32, f64>,
    /// Broker → index of the log dir holding this partition's replica there. Like Kafka, a new
    /// replica goes to the broker's dir with the fewest partitions (ties: the first), unless
    /// AlterReplicaLogDirs named one first.
    pub log_dir: BTreeMap<i32, usize>,
    /// Broker → the future replica copying this partition into another of its dirs (KIP-113,
    /// see [`log_dir_moves`](crate::log_dir_moves)).
    pub future: BTreeMap<i32, FutureReplica>,
    size_at_start: f64,
    pub bytes_in_per_sec: f64,
    pub message_bytes: f64,
}

impl SimPartition {
    /// The leader's log size at simulated time `now`.
    pub fn size_at(&self, now: f64) -> f64 {
        self.size_at_start + self.bytes_in_per_sec * now
    }

    /// The log end offset at `now` (messages produced since offset 0).
    pub fn end_offset_at(&self, now: f64) -> i64 {
        (self.size_at(now) / self.message_bytes).floor() as i64
    }

    /// Bytes the replica on `broker` holds at `now`.
    pub fn replica_size_at(&self, broker: i32, now: f64) -> f64 {
        match self.copied.get(&broker) {
            Some(c) => *c,
            None => self.size_at(now),
        }
    }
}

/// One topic.
#[derive(Clone, Debug)]
pub struct SimTopic {
    pub name: String,
    pub id: uuid::Uuid,
    pub internal: bool,
    pub partitions: Vec<SimPartition>,
    /// Dynamic topic configs (set keys only; defaults come from the catalog).
    pub configs: BTreeMap<String, String>,
    pub consumer_groups: Vec<String>,
}

/// A Kafka error for one item of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemError {
    pub error: ResponseError,
    pub message: Option<String>,
}

impl ItemError {
    pub fn new(error: ResponseError, message: impl Into<String>) -> Self {
        ItemError {
            error,
            message: Some(message.into()),
        }
    }

    pub fn bare(error: ResponseError) -> Self {
        ItemError {
            error,
            message: None,
        }
    }
}

/// One incremental config operation (IncrementalAlterConfigs `config_operation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigOp {
    Set,
    Delete,
    Append,
    Subtract,
}

impl ConfigOp {
    pub fn from_code(code: i8) -> Option<Self> {
        match code {
            0 => Some(ConfigOp::Set),
            1 => Some(ConfigOp::Delete),
            2 => Some(ConfigOp::Append),
            3 => Some(ConfigOp::Subtract),
            _ => None,
        }
    }
}

/// The whole simulated cluster.
#[derive(Clone, Debug)]
pub struct ClusterState {
    pub cluster_id: String,
    pub version: KafkaVersion,
    pub strict_controller: bool,
    pub brokers: BTreeMap<i32, SimBroker>,
    pub controller: i32,
    pub topics: BTreeMap<String, SimTopic>,
    /// Dynamic broker configs: "" (cluster default) or a broker id → key → value.
    pub broker_configs: BTreeMap<String, BTreeMap<String, String>>,
    /// Simulated seconds since start.
    pub now: f64,
    /// Wall-clock milliseconds at simulated time 0 (timestamps in ListOffsets).
    pub start_unix_ms: i64,
    pub line_rate: f64,
    /// (topic, partition, broker) → the dir AlterReplicaLogDirs asked for a replica the broker
    /// does not hold yet; it is created there.
    pub preferred_dirs: BTreeMap<(String, i32, i32), usize>,
    /// AlterPartitionReassignments items that named a target (not a cancellation), per
    /// partition, whether the controller accepted them or not: a test that kills and resumes an
    /// execution asserts that no partition was submitted twice.
    pub submissions: BTreeMap<(String, i32), u32>,
    /// Requests answered (or dropped) by the handlers, per API key: a test that kills a client
    /// at a chosen step ("during the third IncrementalAlterConfigs") watches these.
    pub requests: BTreeMap<i16, u64>,
}

impl ClusterState {
    pub fn new(spec: &SimSpec, start_unix_ms: i64) -> Result<Self, SpecError> {
        let topics = spec.resolve()?;
        let brokers = spec
            .brokers
            .iter()
            .map(|b| {
                (
                    b.id,
                    SimBroker {
                        id: b.id,
                        rack: b.rack.clone(),
                        alive: true,
                        disk_bytes: b.disk_bytes.unwrap_or(1 << 40),
                        slowdown: 1.0,
                        log_dirs: if b.log_dirs.is_empty() {
                            vec![crate::LOG_DIR.to_owned()]
                        } else {
                            b.log_dirs.clone()
                        },
                    },
                )
            })
            .collect();
        let mut state = ClusterState {
            cluster_id: spec.cluster_id.clone(),
            version: spec.version,
            strict_controller: spec.strict_controller,
            brokers,
            controller: spec.controller_id(),
            topics: BTreeMap::new(),
            broker_configs: spec.broker_configs.clone(),
            now: 0.0,
            start_unix_ms,
            line_rate: spec.line_rate,
            preferred_dirs: BTreeMap::new(),
            submissions: BTreeMap::new(),
            requests: BTreeMap::new(),
        };
        for (n, t) in topics.into_iter().enumerate() {
            let partitions = t
                .assignment
                .iter()
                .enumerate()
                .map(|(i, replicas)| SimPartition {
                    index: i as i32,
                    replicas: replicas.clone(),
                    isr: replicas.clone(),
                    leader: replicas[0],
                    leader_epoch: 0,
                    moving: None,
                    copied: BTreeMap::new(),
                    log_dir: BTreeMap::new(),
                    future: BTreeMap::new(),
                    size_at_start: t.sizes[i] as f64,
                    bytes_in_per_sec: t.rates[i],
                    message_bytes: t.message_bytes,
                })
                .collect();
            let groups = (0..t.consumer_groups)
                .map(|g| format!("{}-consumer-{g}", t.name))
                .collect();
            state.topics.insert(
                t.name.clone(),
                SimTopic {
                    id: uuid::Uuid::from_u128(
                        0x6b70_6c61_6e00_0000_0000_0000_0000_0000 + n as u128 + 1,
                    ),
                    name: t.name,
                    internal: t.internal,
                    partitions,
                    configs: t.configs,
                    consumer_groups: groups,
                },
            );
        }
        state.place_initial_replicas();
        Ok(state)
    }

    /// Puts every replica of the starting cluster into a log dir, topic by topic, partition by
    /// partition, as replicas created in that order would be.
    fn place_initial_replicas(&mut self) {
        let order: Vec<(String, usize, Vec<i32>)> = self
            .topics
            .iter()
            .flat_map(|(n, t)| {
                t.partitions
                    .iter()
                    .enumerate()
                    .map(move |(i, p)| (n.clone(), i, p.replicas.clone()))
            })
            .collect();
        for (topic, i, replicas) in order {
            for b in replicas {
                let dir = self.pick_log_dir(b);
                if let Some(t) = self.topics.get_mut(&topic) {
                    t.partitions[i].log_dir.insert(b, dir);
                }
            }
        }
    }

    /// The dir of `broker` with the fewest replicas (Kafka's rule for a new replica).
    pub fn pick_log_dir(&self, broker: i32) -> usize {
        let n = self
            .brokers
            .get(&broker)
            .map_or(1, |b| b.log_dirs.len().max(1));
        let mut count = vec![0usize; n];
        for t in self.topics.values() {
            for p in &t.partitions {
                if p.replicas.contains(&broker) {
                    if let Some(d) = p.log_dir.get(&broker).filter(|d| **d < n) {
                        count[*d] += 1;
                    }
                }
            }
        }
        (0..n).min_by_key(|d| (count[*d], *d)).unwrap_or(0)
    }

    /// The path of the log dir holding `partition`'s replica on `broker`.
    pub fn log_dir_of(&self, partition: &SimPartition, broker: i32) -> usize {
        partition.log_dir.get(&broker).copied().unwrap_or(0)
    }

    /// Ids of the brokers that are up, in id order.
    pub fn alive_ids(&self) -> Vec<i32> {
        self.brokers
            .values()
            .filter(|b| b.alive)
            .map(|b| b.id)
            .collect()
    }

    pub fn alive(&self, broker: i32) -> bool {
        self.brokers.get(&broker).is_some_and(|b| b.alive)
    }

    pub fn partition(&self, topic: &str, partition: i32) -> Option<&SimPartition> {
        self.topics
            .get(topic)?
            .partitions
            .get(usize::try_from(partition).ok()?)
    }

    fn partition_mut(&mut self, topic: &str, partition: i32) -> Option<&mut SimPartition> {
        self.topics
            .get_mut(topic)?
            .partitions
            .get_mut(usize::try_from(partition).ok()?)
    }

    /// A broker's effective dynamic config value: its own, else the cluster default.
    pub fn broker_config(&self, broker: i32, key: &str) -> Option<&str> {
        self.broker_configs
            .get(&broker.to_string())
            .and_then(|c| c.get(key))
            .or_else(|| self.broker_configs.get("").and_then(|c| c.get(key)))
            .map(String::as_str)
    }

    /// A broker's throttle rate for `key`, bytes/s (`None` when not set).
    pub(crate) fn throttle_rate(&self, broker: i32, key: &str) -> Option<f64> {
        self.broker_config(broker, key)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|v| *v < i64::MAX)
            .map(|v| v as f64)
    }

    /// Runs the cluster forward to simulated time `t`, event by event.
    pub fn advance_to(&mut self, t: f64) {
        while self.now < t {
            let copies = replication_quota::copy_rates(self);
            let futures = self.future_copies();
            // The next catch-up: copied + rate·dt = size + in·dt  ⇒  dt = (size − copied) / (rate − in).
            let mut step = t - self.now;
            for f in &futures {
                let (gap, closing) = self.future_gap(f);
                if gap <= 1e-6 {
                    step = 0.0;
                } else if closing > 0.0 {
                    step = step.min(gap / closing);
                }
            }
            for c in &copies {
                let p = &self.topics[&c.topic].partitions[c.partition];
                let size = p.size_at(self.now);
                let gap = size - p.copied[&c.follower];
                let closing = c.rate - p.bytes_in_per_sec;
                if caught_up(p.copied[&c.follower], size) {
                    step = 0.0;
                } else if closing > 0.0 {
                    step = step.min(gap / closing);
                }
            }
            let next = (self.now + step).min(t);
            let dt = next - self.now;
            for c in &copies {
                let p = &mut self.topics.get_mut(&c.topic).expect("topic").partitions[c.partition];
                *p.copied.get_mut(&c.follower).expect("copy") += c.rate * dt;
            }
            self.advance_futures(&futures, dt);
            self.now = next;
            self.finish_catch_ups();
            self.finish_futures();
            if copies.is_empty() && futures.is_empty() {
                self.now = t;
            }
        }
    }

    /// Adding replicas that caught up join the ISR; moves whose replicas all did complete.
    fn finish_catch_ups(&mut self) {
        let now = self.now;
        let alive = self.alive_ids();
        for topic in self.topics.values_mut() {
            for p in &mut topic.partitions {
                let size = p.size_at(now);
                let caught: Vec<i32> = p
                    .copied
                    .iter()
                    .filter(|(b, c)| caught_up(**c, size) && alive.contains(b))
                    .map(|(b, _)| *b)
                    .collect();
                for b in caught {
                    p.copied.remove(&b);
                    if !p.isr.contains(&b) {
                        p.isr.push(b);
                    }
                }
                if p.moving.is_some() && p.copied.is_empty() {
                    complete(p, &alive);
                }
            }
        }
    }

    /// How many AlterPartitionReassignments items named a target for this partition.
    pub fn submissions(&self, topic: &str, partition: i32) -> u32 {
        self.submissions
            .get(&(topic.to_owned(), partition))
            .copied()
            .unwrap_or(0)
    }

    /// How many requests of `api` the handlers took (the effect is in the state even when a
    /// fault holds back or drops the response).
    pub fn requests_handled(&self, api: kafka_protocol::messages::ApiKey) -> u64 {
        self.requests.get(&(api as i16)).copied().unwrap_or(0)
    }

    /// AlterPartitionReassignments for one partition: a new target, or `None` to cancel.
    pub fn reassign(
        &mut self,
        topic: &str,
        partition: i32,
        target: Option<&[i32]>,
    ) -> Result<(), ItemError> {
        let registered: Vec<i32> = self.brokers.keys().copied().collect();
        let alive = self.alive_ids();
        let current = self
            .partition(topic, partition)
            .map(|p| p.replicas.clone())
            .unwrap_or_default();
        let dirs: BTreeMap<i32, usize> = target
            .unwrap_or_default()
            .iter()
            .filter(|b| !current.contains(b))
            .map(|b| (*b, self.dir_for_new_replica(topic, partition, *b)))
            .collect();
        let Some(p) = self.partition_mut(topic, partition) else {
            return Err(ItemError::new(
                ResponseError::UnknownTopicOrPartition,
                format!("Unable to find partition {topic}-{partition}"),
            ));
        };
        let Some(target) = target else {
            let Some(m) = p.moving.take() else {
                return Err(ItemError::new(
                    ResponseError::NoReassignmentInProgress,
                    format!("No reassignment in progress for {topic}-{partition}"),
                ));
            };
            // KRaft reverts to the replicas in flight minus the adding ones, in their in-flight
            // order (target first): the original set, but not always the original order — a
            // cancelled [1,2]→[4,2] ends as [2,1] (measured on Kafka 4.1).
            let reverted: Vec<i32> = p
                .replicas
                .iter()
                .copied()
                .filter(|b| !m.adding.contains(b))
                .collect();
            settle(p, &reverted, &alive);
            return Ok(());
        };
        check_target(target, &registered)?;
        start_move(p, target, &dirs, &alive);
        Ok(())
    }

    /// ElectLeaders for one partition. `Ok(false)` = ELECTION_NOT_NEEDED.
    pub fn elect(&mut self, topic: &str, partition: i32, unclean: bool) -> Result<bool, ItemError> {
        let alive = self.alive_ids();
        let Some(p) = self.partition_mut(topic, partition) else {
            return Err(ItemError::new(
                ResponseError::UnknownTopicOrPartition,
                format!("The partition {topic}-{partition} does not exist."),
            ));
        };
        if unclean {
            if p.leader >= 0 && alive.contains(&p.leader) {
                return Ok(false);
            }
            let pick = Some(first_in_sync(&p.replicas, &p.isr, &alive))
                .filter(|b| *b >= 0)
                .or_else(|| p.replicas.iter().copied().find(|b| alive.contains(b)));
            let Some(b) = pick else {
                return Err(ItemError::new(
                    ResponseError::EligibleLeadersNotAvailable,
                    format!("No alive replica of {topic}-{partition} can lead"),
                ));
            };
            p.leader = b;
            if !p.isr.contains(&b) {
                p.isr = vec![b];
            }
            p.leader_epoch += 1;
            return Ok(true);
        }
        let preferred = p.replicas[0];
        if p.leader == preferred {
            return Ok(false);
        }
        if !alive.contains(&preferred) || !p.isr.contains(&preferred) {
            return Err(ItemError::new(
                ResponseError::PreferredLeaderNotAvailable,
                format!("Failed to elect leader for partition {topic}-{partition} under strategy PreferredReplicaPartitionLeaderElectionStrategy"),
            ));
        }
        p.leader = preferred;
        p.leader_epoch += 1;
        Ok(true)
    }

    /// A broker stops: it leaves every ISR it can leave, and its leaderships fail over.
    pub fn broker_down(&mut self, broker: i32) {
        let Some(b) = self.brokers.get_mut(&broker) else {
            return;
        };
        b.alive = false;
        let alive = self.alive_ids();
        for topic in self.topics.values_mut() {
            for p in &mut topic.partitions {
                if !p.replicas.contains(&broker) {
                    continue;
                }
                // The last ISR member stays in the ISR (Kafka keeps it so it can lead again).
                if p.isr.len() > 1 {
                    p.isr.retain(|b| *b != broker);
                }
                if p.leader == broker {
                    p.leader = first_in_sync(&p.replicas, &p.isr, &alive);
                    p.leader_epoch += 1;
                }
            }
        }
        if self.controller == broker {
            if let Some(next) = self.next_controller(broker) {
                self.controller = next;
            }
        }
    }

    /// A broker comes back. Its replicas rejoin the ISR at once (the simulator does not model the
    /// catch-up after a restart); replicas being added to it resume copying where they stopped.
    pub fn broker_up(&mut self, broker: i32) {
        let Some(b) = self.brokers.get_mut(&broker) else {
            return;
        };
        b.alive = true;
        for topic in self.topics.values_mut() {
            for p in &mut topic.partitions {
                if !p.replicas.contains(&broker) || p.copied.contains_key(&broker) {
                    continue;
                }
                if !p.isr.contains(&broker) && p.leader >= 0 {
                    p.isr.push(broker);
                }
                if p.leader < 0 && p.isr.contains(&broker) {
                    p.leader = broker;
                    p.leader_epoch += 1;
                }
            }
        }
    }

    /// The next alive broker after `from`, in id order, wrapping around.
    fn next_controller(&self, from: i32) -> Option<i32> {
        let alive = self.alive_ids();
        alive
            .iter()
            .copied()
            .find(|b| *b > from)
            .or_else(|| alive.first().copied())
    }

    /// Controller failover: to `to`, or to the next alive broker.
    pub fn fail_over_controller(&mut self, to: Option<i32>) {
        if let Some(next) = to
            .filter(|b| self.alive(*b))
            .or_else(|| self.next_controller(self.controller))
        {
            self.controller = next;
        }
    }

    /// A config value as DescribeConfigs reports it: (value, source).
    pub fn topic_config(&self, topic: &SimTopic, key: &str) -> (Option<String>, i8) {
        match config_catalog::lookup(Scope::Topic, key) {
            Some(def) => crate::config_synonyms::topic_value(self, topic, def),
            None => (
                topic.configs.get(key).cloned(),
                config_catalog::source::DYNAMIC_TOPIC_CONFIG,
            ),
        }
    }

    /// IncrementalAlterConfigs on one resource. `target` is the topic name, a broker id, or ""
    /// for the cluster-wide broker default.
    pub fn alter_configs(
        &mut self,
        scope: Scope,
        target: &str,
        ops: &[(String, ConfigOp, Option<String>)],
        validate_only: bool,
    ) -> Result<(), ItemError> {
        let mut next: BTreeMap<String, String> = match scope {
            Scope::Topic => match self.topics.get(target) {
                Some(t) => t.configs.clone(),
                None => {
                    return Err(ItemError::new(
                        ResponseError::UnknownTopicOrPartition,
                        format!("Topic {target} does not exist"),
                    ))
                }
            },
            Scope::Broker => self.broker_configs.get(target).cloned().unwrap_or_default(),
        };
        for (key, op, value) in ops {
            apply_config_op(&mut next, scope, key, *op, value.as_deref())?;
        }
        if validate_only {
            return Ok(());
        }
        match scope {
            Scope::Topic => self.topics.get_mut(target).expect("checked").configs = next,
            Scope::Broker => {
                if next.is_empty() {
                    self.broker_configs.remove(target);
                } else {
                    self.broker_configs.insert(target.to_owned(), next);
                }
            }
        }
        Ok(())
    }

    /// Ongoing reassignments in (topic, partition) order.
    pub fn reassignments(&self) -> Vec<(String, i32, Vec<i32>, Move)> {
        let mut out = Vec::new();
        for (name, t) in &self.topics {
            for p in &t.partitions {
                if let Some(m) = &p.moving {
                    out.push((name.clone(), p.index, p.replicas.clone(), m.clone()));
                }
            }
        }
        out
    }
}

/// The error for a value a config's validator refuses: Kafka 4.1 answers INVALID_CONFIG for a
/// topic and INVALID_REQUEST for a broker (measured: a negative throttle rate).
fn invalid_value(scope: Scope) -> ResponseError {
    match scope {
        Scope::Topic => ResponseError::InvalidConfig,
        Scope::Broker => ResponseError::InvalidRequest,
    }
}

/// A copy is caught up when it holds the leader's bytes, up to float rounding.
fn caught_up(copied: f64, size: f64) -> bool {
    copied + 1e-9 * size.max(1.0) >= size
}

fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The first of `candidates` that is alive and in the ISR: who leads after an election; -1 if none.
fn first_in_sync(candidates: &[i32], isr: &[i32], alive: &[i32]) -> i32 {
    candidates
        .iter()
        .copied()
        .find(|b| alive.contains(b) && isr.contains(b))
        .unwrap_or(-1)
}

/// The controller's checks of a target replica list (InvalidReplicaAssignment otherwise).
fn check_target(target: &[i32], registered: &[i32]) -> Result<(), ItemError> {
    if target.is_empty() {
        return Err(ItemError::new(
            ResponseError::InvalidReplicaAssignment,
            "The manual partition assignment includes an empty replica list.",
        ));
    }
    let mut sorted = target.to_vec();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(ItemError::new(
            ResponseError::InvalidReplicaAssignment,
            format!(
                "The manual partition assignment includes the broker {} more than once.",
                w[0]
            ),
        ));
    }
    if let Some(b) = target.iter().find(|b| !registered.contains(b)) {
        return Err(ItemError::new(
            ResponseError::InvalidReplicaAssignment,
            format!("The manual partition assignment includes broker {b}, but no such broker is registered."),
        ));
    }
    Ok(())
}

/// Starts (or retargets) a move: the replica set becomes the target then the replicas being
/// removed, and each adding replica starts copying from zero into the log dir `dirs` picked for
/// it on its broker (a replica already there keeps its dir).
fn start_move(p: &mut SimPartition, target: &[i32], dirs: &BTreeMap<i32, usize>, alive: &[i32]) {
    // A new target replaces an ongoing one: it is computed from the original replicas.
    let original = match p.moving.take() {
        Some(m) => {
            let orig = m.original.clone();
            // Copies towards brokers the new target drops are abandoned.
            p.copied.retain(|b, _| target.contains(b));
            p.isr.retain(|b| orig.contains(b) || target.contains(b));
            orig
        }
        None => p.replicas.clone(),
    };
    let adding: Vec<i32> = target
        .iter()
        .copied()
        .filter(|b| !original.contains(b))
        .collect();
    let removing: Vec<i32> = original
        .iter()
        .copied()
        .filter(|b| !target.contains(b))
        .collect();
    let mut replicas = target.to_vec();
    replicas.extend(removing.iter().copied());
    p.replicas = replicas;
    for b in &adding {
        if let Some(d) = dirs.get(b) {
            p.log_dir.insert(*b, *d);
        }
    }
    for &b in &adding {
        if !p.isr.contains(&b) {
            p.copied.entry(b).or_insert(0.0);
        }
    }
    p.moving = Some(Move {
        target: target.to_vec(),
        original,
        adding,
        removing,
    });
    // A move that adds nothing (a reorder, or a shrink) completes at once.
    if p.copied.is_empty() {
        complete(p, alive);
    }
}

/// One IncrementalAlterConfigs operation on a resource's configs, refused as Kafka refuses it
/// (unknown or read-only key, null value, APPEND/SUBTRACT on a non-list, invalid value).
fn apply_config_op(
    configs: &mut BTreeMap<String, String>,
    scope: Scope,
    key: &str,
    op: ConfigOp,
    value: Option<&str>,
) -> Result<(), ItemError> {
    let Some(def) = config_catalog::lookup(scope, key) else {
        let kind = if scope == Scope::Topic {
            "topic"
        } else {
            "broker"
        };
        return Err(ItemError::new(
            ResponseError::InvalidConfig,
            format!("Unknown {kind} config name: {key}"),
        ));
    };
    if def.read_only {
        return Err(ItemError::new(
            ResponseError::InvalidRequest,
            format!("Cannot update these configs dynamically: Set({key})"),
        ));
    }
    let invalid = |m| ItemError::new(invalid_value(scope), m);
    match op {
        ConfigOp::Delete => {
            configs.remove(key);
        }
        ConfigOp::Set => {
            let value = value.ok_or_else(|| {
                ItemError::new(
                    ResponseError::InvalidRequest,
                    format!("Null value not supported for : {key}"),
                )
            })?;
            config_catalog::validate(def, value).map_err(invalid)?;
            configs.insert(key.to_owned(), value.to_owned());
        }
        ConfigOp::Append | ConfigOp::Subtract => {
            if def.kind != config_catalog::ConfigType::List {
                return Err(ItemError::new(
                    ResponseError::InvalidConfig,
                    format!("Config value append is not allowed for config key: {key}"),
                ));
            }
            let base = configs
                .get(key)
                .cloned()
                .or_else(|| def.default.map(str::to_owned))
                .unwrap_or_default();
            let mut items: Vec<String> = split_list(&base);
            for v in split_list(value.unwrap_or("")) {
                if op == ConfigOp::Append {
                    if !items.contains(&v) {
                        items.push(v);
                    }
                } else {
                    items.retain(|x| *x != v);
                }
            }
            let joined = items.join(",");
            config_catalog::validate(def, &joined).map_err(invalid)?;
            configs.insert(key.to_owned(), joined);
        }
    }
    Ok(())
}

/// The end of a move, either way: the replica set becomes `replicas` (the target when it
/// completes, the original on cancel), copies in progress are dropped, and a leader outside the
/// set hands over to the first of the set in the ISR.
fn settle(p: &mut SimPartition, replicas: &[i32], alive: &[i32]) {
    p.moving = None;
    p.replicas = replicas.to_vec();
    p.copied.clear();
    p.future.retain(|b, _| replicas.contains(b));
    p.isr.retain(|b| replicas.contains(b));
    if !replicas.contains(&p.leader) || p.leader < 0 {
        p.leader = first_in_sync(replicas, &p.isr, alive);
        p.leader_epoch += 1;
    }
}

/// A move whose adding replicas are all in sync: the replica set becomes the target.
fn complete(p: &mut SimPartition, alive: &[i32]) {
    if let Some(m) = p.moving.take() {
        settle(p, &m.target, alive);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: f64 = 1_000_000.0;

    /// Advances the clock to `t` seconds and says whether foo-0 is still being reassigned.
    fn moving_at(s: &mut ClusterState, t: f64) -> bool {
        s.advance_to(t);
        s.partition("foo", 0).unwrap().moving.is_some()
    }

    fn cluster() -> ClusterState {
        // Brokers 1..=5; foo-0 on [1,2,3], 100 MB, no traffic.
        let spec = SimSpec::with_brokers(5, 0).topic("foo", 1, 3, 100_000_000, 0.0);
        let mut spec = spec;
        spec.topics[0].assignment = Some(vec![vec![1, 2, 3]]);
        spec.line_rate = 100.0 * MB;
        ClusterState::new(&spec, 0).unwrap()
    }

    #[test]
    fn a_move_shows_the_union_then_completes() {
        let mut s = cluster();
        s.reassign("foo", 0, Some(&[4, 5, 3])).unwrap();
        let p = s.partition("foo", 0).unwrap();
        assert_eq!(p.replicas, vec![4, 5, 3, 1, 2]);
        let m = p.moving.clone().unwrap();
        assert_eq!((m.adding, m.removing), (vec![4, 5], vec![1, 2]));
        // Two copies into different brokers at 100 MB/s each: 1 s.
        assert!(moving_at(&mut s, 0.5));
        s.advance_to(1.01);
        let p = s.partition("foo", 0).unwrap();
        assert_eq!(p.replicas, vec![4, 5, 3]);
        assert!(p.moving.is_none());
        // The old leader 1 left: the first target replica in the ISR leads.
        assert_eq!(p.leader, 4);
    }

    #[test]
    fn throttles_apply_only_to_listed_replicas() {
        let mut s = cluster();
        s.broker_configs.insert(
            "4".into(),
            [(
                "follower.replication.throttled.rate".to_owned(),
                "10000000".to_owned(),
            )]
            .into(),
        );
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        // Rate set but the topic does not list 0:4: line rate, done in 1 s.
        assert!(!moving_at(&mut s, 1.01), "foo-0 done by t=1.01 s");
        let mut s = cluster();
        s.broker_configs.insert(
            "4".into(),
            [(
                "follower.replication.throttled.rate".to_owned(),
                "10000000".to_owned(),
            )]
            .into(),
        );
        s.topics.get_mut("foo").unwrap().configs.insert(
            "follower.replication.throttled.replicas".into(),
            "0:4".into(),
        );
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        s.advance_to(9.9);
        let p = s.partition("foo", 0).unwrap();
        assert!(p.moving.is_some());
        assert!((p.copied[&4] - 99.0 * MB).abs() < 1.0);
        assert!(!moving_at(&mut s, 10.01), "foo-0 done by t=10.01 s");
    }

    #[test]
    fn a_leader_throttle_is_shared_by_its_copies() {
        let mut s = cluster();
        s.topics
            .get_mut("foo")
            .unwrap()
            .configs
            .insert("leader.replication.throttled.replicas".into(), "*".into());
        s.broker_configs.insert(
            "1".into(),
            [(
                "leader.replication.throttled.rate".to_owned(),
                "20000000".to_owned(),
            )]
            .into(),
        );
        s.reassign("foo", 0, Some(&[1, 4, 5])).unwrap();
        // Leader 1 sends to 4 and 5 at 10 MB/s each: 10 s.
        assert!(moving_at(&mut s, 9.9));
        assert!(!moving_at(&mut s, 10.1), "foo-0 done by t=10.1 s");
    }

    #[test]
    fn cancel_restores_the_original_and_a_new_target_replaces_the_old() {
        let mut s = cluster();
        s.reassign("foo", 0, Some(&[4, 5, 3])).unwrap();
        s.advance_to(0.5);
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        let p = s.partition("foo", 0).unwrap();
        assert_eq!(p.replicas, vec![1, 2, 4, 3]);
        let m = p.moving.clone().unwrap();
        assert_eq!(m.original, vec![1, 2, 3]);
        assert_eq!((m.adding, m.removing), (vec![4], vec![3]));
        // The copy into 4 keeps its progress (50 MB).
        assert!((p.copied[&4] - 50.0 * MB).abs() < 1.0);
        s.reassign("foo", 0, None).unwrap();
        let p = s.partition("foo", 0).unwrap();
        assert_eq!(p.replicas, vec![1, 2, 3]);
        assert!(p.moving.is_none());
        assert_eq!(
            s.reassign("foo", 0, None).unwrap_err().error,
            ResponseError::NoReassignmentInProgress
        );
    }

    #[test]
    fn invalid_targets_are_refused_per_partition() {
        let mut s = cluster();
        let e = |r: Result<(), ItemError>| r.unwrap_err().error;
        assert_eq!(
            e(s.reassign("foo", 0, Some(&[1, 1, 2]))),
            ResponseError::InvalidReplicaAssignment
        );
        assert_eq!(
            e(s.reassign("foo", 0, Some(&[1, 9, 2]))),
            ResponseError::InvalidReplicaAssignment
        );
        assert_eq!(
            e(s.reassign("foo", 3, Some(&[1, 2, 3]))),
            ResponseError::UnknownTopicOrPartition
        );
        assert_eq!(
            e(s.reassign("bar", 0, Some(&[1, 2, 3]))),
            ResponseError::UnknownTopicOrPartition
        );
    }

    #[test]
    fn a_reorder_completes_at_once_and_preferred_election_follows() {
        let mut s = cluster();
        s.reassign("foo", 0, Some(&[3, 2, 1])).unwrap();
        let p = s.partition("foo", 0).unwrap();
        assert!(p.moving.is_none());
        assert_eq!(p.leader, 1, "leadership does not move by itself");
        assert_eq!(s.elect("foo", 0, false), Ok(true));
        assert_eq!(s.partition("foo", 0).unwrap().leader, 3);
        assert_eq!(s.elect("foo", 0, false), Ok(false));
    }

    #[test]
    fn a_dead_destination_stalls_the_move_until_it_returns() {
        let mut s = cluster();
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        s.broker_down(4);
        assert!(moving_at(&mut s, 5.0));
        s.broker_up(4);
        assert!(!moving_at(&mut s, 6.01), "foo-0 done by t=6.01 s");
    }

    #[test]
    fn a_slow_disk_slows_copies_into_that_broker() {
        let mut s = cluster();
        s.brokers.get_mut(&4).unwrap().slowdown = 4.0;
        s.reassign("foo", 0, Some(&[1, 2, 4])).unwrap();
        // 100 MB at 100 MB/s ÷ 4: 4 s.
        assert!(moving_at(&mut s, 3.9));
        assert!(!moving_at(&mut s, 4.01), "foo-0 done by t=4.01 s");
    }

    #[test]
    fn leaders_fail_over_to_the_isr() {
        let mut s = cluster();
        s.broker_down(1);
        let p = s.partition("foo", 0).unwrap();
        assert_eq!(p.leader, 2);
        assert_eq!(p.isr, vec![2, 3]);
        assert_eq!(s.controller, 2, "the controller moved too");
        s.broker_up(1);
        assert_eq!(s.partition("foo", 0).unwrap().isr, vec![2, 3, 1]);
        assert_eq!(s.elect("foo", 0, false), Ok(true));
    }

    #[test]
    fn configs_are_validated_and_appended() {
        let mut s = cluster();
        let op = |k: &str, o, v: Option<&str>| (k.to_owned(), o, v.map(str::to_owned));
        s.alter_configs(
            Scope::Topic,
            "foo",
            &[op(
                "leader.replication.throttled.replicas",
                ConfigOp::Append,
                Some("0:1"),
            )],
            false,
        )
        .unwrap();
        s.alter_configs(
            Scope::Topic,
            "foo",
            &[op(
                "leader.replication.throttled.replicas",
                ConfigOp::Append,
                Some("0:2,0:1"),
            )],
            false,
        )
        .unwrap();
        assert_eq!(
            s.topics["foo"].configs["leader.replication.throttled.replicas"],
            "0:1,0:2"
        );
        let err = s
            .alter_configs(
                Scope::Topic,
                "foo",
                &[op("no.such", ConfigOp::Set, Some("1"))],
                false,
            )
            .unwrap_err();
        assert_eq!(err.error, ResponseError::InvalidConfig);
        let err = s
            .alter_configs(
                Scope::Broker,
                "1",
                &[op(
                    "leader.replication.throttled.rate",
                    ConfigOp::Set,
                    Some("-1"),
                )],
                false,
            )
            .unwrap_err();
        // Kafka 4.1 answers INVALID_REQUEST for a broker value its validator refuses.
        assert_eq!(err.error, ResponseError::InvalidRequest);
        let err = s
            .alter_configs(Scope::Topic, "nope", &[], false)
            .unwrap_err();
        assert_eq!(err.error, ResponseError::UnknownTopicOrPartition);
    }
}
