//! The config changes that set and take back replication throttles, and the ledger of what
//! they replace: set a [`ThrottlePlan`] at a rate (recording every prior value), restore the
//! ledger exactly, or — with no ledger — take out only a plan's own list entries. Pure: the
//! changes are sent by [`apply_changes`](super::apply_changes).

use std::collections::BTreeMap;

use super::{
    format_list, merge_list, remove_entries, LedgerTarget, ThrottleLedger, ThrottlePlan,
    FOLLOWER_RATE, FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS,
};
use crate::kafka::{ConfigChange, ConfigTarget, ConfigValue};
use crate::model::BrokerId;

/// IncrementalAlterConfigs operations, grouped by resource.
pub type ConfigChanges = Vec<(ConfigTarget, Vec<ConfigChange>)>;

/// Configs as DescribeConfigs returned them, by resource.
pub type CurrentConfigs = BTreeMap<ConfigTarget, BTreeMap<String, ConfigValue>>;

/// A config change as it will be (or was) made, for printing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlannedChange {
    pub resource: String,
    pub key: String,
    /// `None` = delete the key.
    pub value: Option<String>,
}

fn ledger_target(t: &ConfigTarget) -> LedgerTarget {
    match t {
        ConfigTarget::Topic(n) => LedgerTarget::Topic(n.clone()),
        ConfigTarget::Broker(b) => LedgerTarget::Broker(b.0),
        ConfigTarget::BrokerDefault => LedgerTarget::Broker(-1),
    }
}

fn config_target(t: &LedgerTarget) -> ConfigTarget {
    match t {
        LedgerTarget::Topic(n) => ConfigTarget::Topic(n.clone()),
        LedgerTarget::Broker(b) => ConfigTarget::Broker(BrokerId(*b)),
    }
}

/// The value set on the resource itself (inherited and default values are not "ours to restore").
pub(super) fn own_value(configs: &BTreeMap<String, ConfigValue>, key: &str) -> Option<String> {
    configs
        .get(key)
        .filter(|v| v.dynamic_here)
        .and_then(|v| v.value.clone())
}

/// The changes that throttle `plan` at `rate`, given the current configs; records priors.
pub fn throttle_changes(
    plan: &ThrottlePlan,
    rate: u64,
    current: &CurrentConfigs,
    ledger: &mut ThrottleLedger,
) -> ConfigChanges {
    let empty = BTreeMap::new();
    let mut out: ConfigChanges = Vec::new();
    for (topic, lists) in plan.topic_lists() {
        let target = ConfigTarget::Topic(topic.to_owned());
        let configs = current.get(&target).unwrap_or(&empty);
        let mut ops = Vec::new();
        for (key, entries) in lists {
            let prior = own_value(configs, key);
            ledger.record(ledger_target(&target), key, prior.clone());
            ops.push(ConfigChange::Set(
                key.to_owned(),
                merge_list(prior.as_deref(), entries),
            ));
        }
        out.push((target, ops));
    }
    let mut per_broker: BTreeMap<BrokerId, Vec<&str>> = BTreeMap::new();
    for b in &plan.senders {
        per_broker.entry(*b).or_default().push(LEADER_RATE);
    }
    for b in &plan.receivers {
        per_broker.entry(*b).or_default().push(FOLLOWER_RATE);
    }
    for (b, keys) in per_broker {
        let target = ConfigTarget::Broker(b);
        let configs = current.get(&target).unwrap_or(&empty);
        let mut ops = Vec::new();
        for key in keys {
            ledger.record(ledger_target(&target), key, own_value(configs, key));
            ops.push(ConfigChange::Set(key.to_owned(), rate.to_string()));
        }
        out.push((target, ops));
    }
    out
}

/// The changes that are not in place yet: a value set on the resource itself that already
/// equals the one to set, or a key to delete that is not set there, is left out (and so is a
/// resource with nothing left).
pub fn missing_changes(changes: ConfigChanges, current: &CurrentConfigs) -> ConfigChanges {
    let empty = BTreeMap::new();
    changes
        .into_iter()
        .filter_map(|(target, ops)| {
            let configs = current.get(&target).unwrap_or(&empty);
            let ops: Vec<ConfigChange> = ops
                .into_iter()
                .filter(|op| match op {
                    ConfigChange::Set(k, v) => own_value(configs, k).as_ref() != Some(v),
                    ConfigChange::Delete(k) => own_value(configs, k).is_some(),
                })
                .collect();
            (!ops.is_empty()).then_some((target, ops))
        })
        .collect()
}

/// The changes that put back what the ledger recorded.
pub fn restore_changes(ledger: &ThrottleLedger) -> ConfigChanges {
    let mut grouped: BTreeMap<ConfigTarget, Vec<ConfigChange>> = BTreeMap::new();
    for e in &ledger.entries {
        let op = match &e.prior {
            Some(v) => ConfigChange::Set(e.key.clone(), v.clone()),
            None => ConfigChange::Delete(e.key.clone()),
        };
        grouped
            .entry(config_target(&e.target))
            .or_default()
            .push(op);
    }
    grouped.into_iter().collect()
}

/// Without a ledger: remove only the list entries this plan's moves put there. Rates are left
/// alone (their prior values are unknown).
pub fn unthrottle_changes(plan: &ThrottlePlan, current: &CurrentConfigs) -> ConfigChanges {
    let mut out = Vec::new();
    let empty = BTreeMap::new();
    for (topic, lists) in plan.topic_lists() {
        let target = ConfigTarget::Topic(topic.to_owned());
        let configs = current.get(&target).unwrap_or(&empty);
        let mut ops = Vec::new();
        for (key, entries) in lists {
            let Some(existing) = own_value(configs, key) else {
                continue;
            };
            ops.push(match remove_entries(&existing, entries) {
                Some(left) if left == existing => continue,
                Some(left) => ConfigChange::Set(key.to_owned(), left),
                None => ConfigChange::Delete(key.to_owned()),
            });
        }
        if !ops.is_empty() {
            out.push((target, ops));
        }
    }
    out
}

/// Changes as they are printed (and as `--output json` events carry them).
pub fn planned_changes(changes: &[(ConfigTarget, Vec<ConfigChange>)]) -> Vec<PlannedChange> {
    changes
        .iter()
        .flat_map(|(t, ops)| {
            ops.iter().map(move |o| match o {
                ConfigChange::Set(k, v) => PlannedChange {
                    resource: t.to_string(),
                    key: k.clone(),
                    value: Some(v.clone()),
                },
                ConfigChange::Delete(k) => PlannedChange {
                    resource: t.to_string(),
                    key: k.clone(),
                    value: None,
                },
            })
        })
        .collect()
}

/// One line per throttled-replicas list, as `kafka-configs.sh` would show it.
pub fn list_summary(plan: &ThrottlePlan) -> Vec<String> {
    let mut out = Vec::new();
    for (t, e) in &plan.leader {
        out.push(format!("topic {t}: {LEADER_REPLICAS}={}", format_list(e)));
    }
    for (t, e) in &plan.follower {
        out.push(format!("topic {t}: {FOLLOWER_REPLICAS}={}", format_list(e)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(value: &str) -> ConfigValue {
        ConfigValue {
            value: Some(value.to_owned()),
            dynamic_here: true,
            sensitive: false,
        }
    }

    /// A resumed execution sends only what the interrupted one had not set.
    #[test]
    fn missing_changes_leave_out_what_is_in_place() {
        let b1 = ConfigTarget::Broker(BrokerId(1));
        let b2 = ConfigTarget::Broker(BrokerId(2));
        let mut current = CurrentConfigs::new();
        current.insert(
            b1.clone(),
            [
                (LEADER_RATE.to_owned(), own("100")),
                (FOLLOWER_RATE.to_owned(), own("7")),
            ]
            .into(),
        );
        let inherited = ConfigValue {
            dynamic_here: false,
            ..own("100")
        };
        current.insert(b2.clone(), [(LEADER_RATE.to_owned(), inherited)].into());
        let set = |k: &str, v: &str| ConfigChange::Set(k.to_owned(), v.to_owned());
        let changes = vec![
            (
                b1.clone(),
                vec![set(LEADER_RATE, "100"), set(FOLLOWER_RATE, "100")],
            ),
            (b2.clone(), vec![set(LEADER_RATE, "100")]),
            (
                ConfigTarget::Topic("t".into()),
                vec![ConfigChange::Delete(LEADER_REPLICAS.to_owned())],
            ),
        ];
        assert_eq!(
            missing_changes(changes, &current),
            vec![
                (b1, vec![set(FOLLOWER_RATE, "100")]),
                // Inherited from the cluster default: not in place on the broker itself.
                (b2, vec![set(LEADER_RATE, "100")]),
            ]
        );
    }
}
