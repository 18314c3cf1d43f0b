use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use regex::Regex;

use super::GoalWeights;
use crate::model::BrokerId;

/// What the operator asks for: which partitions may change, where they may go, and how balanced
/// the result must be. Immutable once built; the planner never reads command-line strings.
#[derive(Clone, Debug)]
pub struct PlanRequest {
    /// Brokers that must end with no replicas at all.
    pub decommission: BTreeSet<BrokerId>,
    /// When set, movable partitions may only be placed on these brokers (a resource group).
    pub allowed_brokers: Option<BTreeSet<BrokerId>>,
    /// When set, only partitions of matching topics may change.
    pub topics: Option<Regex>,
    /// Partitions of matching topics never change.
    pub exclude_topics: Option<Regex>,
    /// New replication factors, first matching pattern wins.
    pub replication_factors: Vec<(Regex, usize)>,
    /// Require each partition to span `min(#racks, RF)` racks.
    pub rack_aware: bool,
    /// Relative band around the mean, e.g. 0.05 for ±5 %.
    pub tolerance: f64,
    pub goals: GoalWeights,
    pub max_moves: Option<usize>,
    pub max_move_bytes: Option<u64>,
    /// Only reorder replicas: no replica changes broker.
    pub leaders_only: bool,
    /// Topics whose replicas and leaders must end within one of their even share per eligible
    /// broker where racks allow, copying data for it (`--spread-topics`); other topics' spread
    /// is only a tie-breaker.
    pub spread_topics: Option<Regex>,
    /// Wall-clock safety net for the whole optimisation (default 10 minutes). Stages are bounded
    /// by work, so this only stops a runaway; a plan cut by it may differ from run to run.
    pub time_limit: Duration,
    /// Plan log directories too when the snapshot knows them (`--no-log-dirs` turns it off).
    pub log_dirs: bool,
    /// Log directories to empty, per broker (`--remove-log-dirs 7:/data/d12`).
    pub remove_log_dirs: BTreeMap<BrokerId, BTreeSet<String>>,
}

impl Default for PlanRequest {
    fn default() -> Self {
        PlanRequest {
            decommission: BTreeSet::new(),
            allowed_brokers: None,
            topics: None,
            exclude_topics: None,
            replication_factors: Vec::new(),
            rack_aware: true,
            tolerance: 0.05,
            goals: GoalWeights::default(),
            max_moves: None,
            max_move_bytes: None,
            leaders_only: false,
            spread_topics: None,
            time_limit: Duration::from_secs(600),
            log_dirs: true,
            remove_log_dirs: BTreeMap::new(),
        }
    }
}

impl PlanRequest {
    /// True when the partitions of `topic` may change.
    pub fn is_movable_topic(&self, topic: &str) -> bool {
        self.topics.as_ref().is_none_or(|re| re.is_match(topic))
            && !self
                .exclude_topics
                .as_ref()
                .is_some_and(|re| re.is_match(topic))
    }

    /// True when `topic` may change and must be spread evenly (`--spread-topics`).
    pub fn is_spread_topic(&self, topic: &str) -> bool {
        self.is_movable_topic(topic)
            && self
                .spread_topics
                .as_ref()
                .is_some_and(|re| re.is_match(topic))
    }

    /// The replication factor `topic` should end with.
    pub fn target_replication_factor(&self, topic: &str, current: usize) -> usize {
        self.replication_factors
            .iter()
            .find(|(re, _)| re.is_match(topic))
            .map_or(current, |(_, rf)| *rf)
    }

    /// True when the request empties directory `path` of `broker`.
    pub fn removes_log_dir(&self, broker: BrokerId, path: &str) -> bool {
        self.remove_log_dirs
            .get(&broker)
            .is_some_and(|dirs| dirs.contains(path))
    }

    /// True when a movable partition may have a replica on `broker` in the plan.
    pub fn may_host(&self, broker: BrokerId) -> bool {
        !self.decommission.contains(&broker)
            && self
                .allowed_brokers
                .as_ref()
                .is_none_or(|a| a.contains(&broker))
    }
}
