//! The topic and broker configs the simulator knows, with Kafka's defaults, types and validation.
//!
//! Only configs that matter to reassignment are modelled, plus a few read-only ones so that
//! DescribeConfigs looks like a broker's (including a sensitive one whose value is never sent).
//!
//! As measured against Kafka 4.1 (tests/real_kafka/fidelity.rs): a topic config's synonyms name the
//! broker config that supplies its default (`cleanup.policy` → `log.cleanup.policy`); the throttle
//! rates are dynamic-only broker configs that DescribeConfigs lists only once they are set.

/// Kafka's `ConfigSource` codes (DescribeConfigs v1+).
pub mod source {
    pub const DYNAMIC_TOPIC_CONFIG: i8 = 1;
    pub const DYNAMIC_BROKER_CONFIG: i8 = 2;
    pub const DYNAMIC_DEFAULT_BROKER_CONFIG: i8 = 3;
    pub const STATIC_BROKER_CONFIG: i8 = 4;
    pub const DEFAULT_CONFIG: i8 = 5;
}

/// Kafka's `ConfigType` codes (DescribeConfigs v3+).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigType {
    Boolean = 1,
    String = 2,
    Int = 3,
    Long = 5,
    List = 7,
    Password = 9,
}

/// Where a config lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Topic,
    Broker,
}

/// One known config.
#[derive(Clone, Copy, Debug)]
pub struct ConfigDef {
    pub name: &'static str,
    pub scope: Scope,
    pub kind: ConfigType,
    /// Kafka's default; `None` = null.
    pub default: Option<&'static str>,
    /// Static broker configs cannot be altered dynamically.
    pub read_only: bool,
    pub sensitive: bool,
    /// For a topic config, the broker config that supplies its default (reported as a synonym).
    pub broker_synonym: Option<&'static str>,
    /// Listed by DescribeConfigs only when set (Kafka's dynamic-only quota configs).
    pub only_when_set: bool,
}

const fn def(
    name: &'static str,
    scope: Scope,
    kind: ConfigType,
    default: Option<&'static str>,
) -> ConfigDef {
    ConfigDef {
        name,
        scope,
        kind,
        default,
        read_only: false,
        sensitive: false,
        broker_synonym: None,
        only_when_set: false,
    }
}

/// A topic config whose default comes from a broker config.
const fn topic(
    name: &'static str,
    kind: ConfigType,
    default: &'static str,
    broker_synonym: &'static str,
) -> ConfigDef {
    ConfigDef {
        broker_synonym: Some(broker_synonym),
        ..def(name, Scope::Topic, kind, Some(default))
    }
}

/// A dynamic-only broker config (a replication quota): no default, listed only when set.
const fn quota(name: &'static str) -> ConfigDef {
    ConfigDef {
        only_when_set: true,
        ..def(name, Scope::Broker, ConfigType::Long, None)
    }
}

const fn fixed(
    name: &'static str,
    kind: ConfigType,
    default: Option<&'static str>,
    sensitive: bool,
) -> ConfigDef {
    ConfigDef {
        name,
        scope: Scope::Broker,
        kind,
        default,
        read_only: true,
        sensitive,
        broker_synonym: None,
        only_when_set: false,
    }
}

pub const CATALOG: &[ConfigDef] = &[
    topic(
        "cleanup.policy",
        ConfigType::List,
        "delete",
        "log.cleanup.policy",
    ),
    topic(
        "compression.type",
        ConfigType::String,
        "producer",
        "compression.type",
    ),
    def(
        "follower.replication.throttled.replicas",
        Scope::Topic,
        ConfigType::List,
        Some(""),
    ),
    def(
        "leader.replication.throttled.replicas",
        Scope::Topic,
        ConfigType::List,
        Some(""),
    ),
    topic(
        "max.message.bytes",
        ConfigType::Int,
        "1048588",
        "message.max.bytes",
    ),
    topic(
        "min.insync.replicas",
        ConfigType::Int,
        "1",
        "min.insync.replicas",
    ),
    topic(
        "retention.bytes",
        ConfigType::Long,
        "-1",
        "log.retention.bytes",
    ),
    // Kafka names no synonym here while log.retention.ms is unset (its default is null).
    def(
        "retention.ms",
        Scope::Topic,
        ConfigType::Long,
        Some("604800000"),
    ),
    topic(
        "segment.bytes",
        ConfigType::Int,
        "1073741824",
        "log.segment.bytes",
    ),
    topic(
        "unclean.leader.election.enable",
        ConfigType::Boolean,
        "false",
        "unclean.leader.election.enable",
    ),
    quota("follower.replication.throttled.rate"),
    quota("leader.replication.throttled.rate"),
    quota("replica.alter.log.dirs.io.max.bytes.per.second"),
    def(
        "min.insync.replicas",
        Scope::Broker,
        ConfigType::Int,
        Some("1"),
    ),
    def("log.retention.ms", Scope::Broker, ConfigType::Long, None),
    def(
        "log.cleanup.policy",
        Scope::Broker,
        ConfigType::List,
        Some("delete"),
    ),
    def(
        "compression.type",
        Scope::Broker,
        ConfigType::String,
        Some("producer"),
    ),
    def(
        "message.max.bytes",
        Scope::Broker,
        ConfigType::Int,
        Some("1048588"),
    ),
    def(
        "log.retention.bytes",
        Scope::Broker,
        ConfigType::Long,
        Some("-1"),
    ),
    def(
        "log.segment.bytes",
        Scope::Broker,
        ConfigType::Int,
        Some("1073741824"),
    ),
    def(
        "unclean.leader.election.enable",
        Scope::Broker,
        ConfigType::Boolean,
        Some("false"),
    ),
    fixed(
        "auto.leader.rebalance.enable",
        ConfigType::Boolean,
        Some("true"),
        false,
    ),
    fixed("broker.rack", ConfigType::String, None, false),
    fixed(
        "log.dirs",
        ConfigType::String,
        Some("/var/lib/kafka/data"),
        false,
    ),
    fixed("node.id", ConfigType::Int, None, false),
    fixed("sasl.jaas.config", ConfigType::Password, None, true),
];

/// The config of this name in this scope.
pub fn lookup(scope: Scope, name: &str) -> Option<&'static ConfigDef> {
    CATALOG.iter().find(|d| d.scope == scope && d.name == name)
}

/// Every config of a scope, in name order.
pub fn all(scope: Scope) -> impl Iterator<Item = &'static ConfigDef> {
    CATALOG.iter().filter(move |d| d.scope == scope)
}

/// Checks a value the way Kafka's ConfigDef validators do; the message is what the broker says.
pub fn validate(def: &ConfigDef, value: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "Invalid value {value} for configuration {}: {why}",
            def.name
        ))
    };
    match def.kind {
        ConfigType::Long => match value.trim().parse::<i64>() {
            Ok(v) if def.name.ends_with(".rate") || def.name.ends_with(".per.second") => {
                if v < 0 {
                    bad("Value must be at least 0")
                } else {
                    Ok(())
                }
            }
            Ok(_) => Ok(()),
            Err(_) => bad("Not a number of type LONG"),
        },
        ConfigType::Int => match value.trim().parse::<i32>() {
            Ok(v) if def.name == "min.insync.replicas" && v < 1 => bad("Value must be at least 1"),
            Ok(_) => Ok(()),
            Err(_) => bad("Not a number of type INT"),
        },
        ConfigType::Boolean => match value.trim().to_ascii_lowercase().as_str() {
            "true" | "false" => Ok(()),
            _ => bad("Expected value to be either true or false"),
        },
        ConfigType::List if def.name.ends_with(".throttled.replicas") => {
            if throttled_replicas_valid(value) {
                Ok(())
            } else {
                bad("must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...")
            }
        }
        _ => Ok(()),
    }
}

/// Kafka's `ThrottledReplicaListValidator`: `*`, empty, or `partition:broker` entries.
fn throttled_replicas_valid(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v == "*" {
        return true;
    }
    v.split(',').all(|entry| {
        let mut it = entry.trim().split(':');
        matches!(
            (it.next(), it.next(), it.next()),
            (Some(p), Some(b), None)
                if p.trim().parse::<u32>().is_ok() && b.trim().parse::<u32>().is_ok()
        )
    })
}

/// Whether a throttled-replicas list covers `partition` on `broker`.
pub fn list_covers(value: Option<&str>, partition: i32, broker: i32) -> bool {
    let Some(v) = value else { return false };
    let v = v.trim();
    if v == "*" {
        return true;
    }
    v.split(',').any(|entry| {
        let mut it = entry.trim().split(':');
        let p = it.next().and_then(|p| p.trim().parse::<i32>().ok());
        let b = it.next().and_then(|b| b.trim().parse::<i32>().ok());
        p == Some(partition) && b == Some(broker)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_lists_are_validated_like_kafka() {
        let d = lookup(Scope::Topic, "leader.replication.throttled.replicas").unwrap();
        assert!(validate(d, "0:1,0:2, 1:3").is_ok());
        assert!(validate(d, "*").is_ok());
        assert!(validate(d, "").is_ok());
        assert!(validate(d, "0-1").is_err());
        assert!(validate(d, "a:1").is_err());
    }

    #[test]
    fn rates_must_be_non_negative_longs() {
        let d = lookup(Scope::Broker, "leader.replication.throttled.rate").unwrap();
        assert!(validate(d, "52428800").is_ok());
        assert!(validate(d, "-5").is_err());
        assert!(validate(d, "50MB").is_err());
    }

    #[test]
    fn list_membership() {
        assert!(list_covers(Some("0:1,1:2"), 1, 2));
        assert!(!list_covers(Some("0:1,1:2"), 1, 1));
        assert!(list_covers(Some("*"), 7, 9));
        assert!(!list_covers(None, 0, 1));
    }
}
