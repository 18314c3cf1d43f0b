//! Where a config's value comes from, level by level, as DescribeConfigs reports it: the
//! effective value is the first level that has one, and with `include_synonyms` every level is
//! listed (Kafka calls them synonyms).
//!
//! - A topic config: set on the topic (DYNAMIC_TOPIC_CONFIG), else its broker synonym set as the
//!   cluster-wide dynamic default (DYNAMIC_DEFAULT_BROKER_CONFIG), else the broker synonym's
//!   default (DEFAULT_CONFIG). A config without a broker synonym (the throttled-replica lists) has
//!   only the first level; unset, it shows its own default and no synonym.
//! - A broker config: set on this broker (DYNAMIC_BROKER_CONFIG), else the cluster-wide dynamic
//!   default, else the static `server.properties` value (STATIC_BROKER_CONFIG: rack, node id), else
//!   the default. A quota (a throttle rate) that is set nowhere is not listed at all.

use super::cluster_state::{ClusterState, SimTopic};
use super::config_catalog::{self, source, ConfigDef, Scope};

/// One level: (config name, value, source).
pub type Level = (String, Option<String>, i8);

/// A topic config's levels, most specific first.
pub fn topic_levels(state: &ClusterState, topic: &SimTopic, def: &ConfigDef) -> Vec<Level> {
    let mut out = Vec::new();
    if let Some(v) = topic.configs.get(def.name) {
        out.push((
            def.name.to_owned(),
            Some(v.clone()),
            source::DYNAMIC_TOPIC_CONFIG,
        ));
    }
    if let Some(s) = def.broker_synonym {
        if let Some(v) = state.broker_configs.get("").and_then(|c| c.get(s)) {
            out.push((
                s.to_owned(),
                Some(v.clone()),
                source::DYNAMIC_DEFAULT_BROKER_CONFIG,
            ));
        }
        if let Some(d) = config_catalog::lookup(Scope::Broker, s).and_then(|d| d.default) {
            out.push((s.to_owned(), Some(d.to_owned()), source::DEFAULT_CONFIG));
        }
    }
    out
}

/// A topic config's effective value and source.
pub fn topic_value(
    state: &ClusterState,
    topic: &SimTopic,
    def: &ConfigDef,
) -> (Option<String>, i8) {
    match topic_levels(state, topic, def).into_iter().next() {
        Some((_, v, src)) => (v, src),
        None => (def.default.map(str::to_owned), source::DEFAULT_CONFIG),
    }
}

/// A broker config's levels on broker `broker` (resource name `name`: the id, or "" for the
/// cluster-wide default, which has only its own level).
pub fn broker_levels(state: &ClusterState, broker: i32, name: &str, def: &ConfigDef) -> Vec<Level> {
    let mut out = Vec::new();
    let key = def.name.to_owned();
    if !name.is_empty() {
        if let Some(v) = state.broker_configs.get(name).and_then(|c| c.get(def.name)) {
            out.push((key.clone(), Some(v.clone()), source::DYNAMIC_BROKER_CONFIG));
        }
    }
    if let Some(v) = state.broker_configs.get("").and_then(|c| c.get(def.name)) {
        out.push((
            key.clone(),
            Some(v.clone()),
            source::DYNAMIC_DEFAULT_BROKER_CONFIG,
        ));
    }
    if name.is_empty() {
        return out;
    }
    let node = state.brokers.get(&broker);
    let fixed = match def.name {
        "broker.rack" => node.and_then(|b| b.rack.clone()),
        "node.id" => Some(broker.to_string()),
        "sasl.jaas.config" => Some("<secret>".to_owned()),
        "log.dirs" => node.map(|b| b.log_dirs.join(",")),
        _ => None,
    };
    if let Some(v) = fixed {
        out.push((key.clone(), Some(v), source::STATIC_BROKER_CONFIG));
    }
    if let Some(d) = def.default {
        out.push((key, Some(d.to_owned()), source::DEFAULT_CONFIG));
    }
    out
}
