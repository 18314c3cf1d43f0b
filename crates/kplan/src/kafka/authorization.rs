//! What a principal may do, in the terms of Kafka's ACLs: an operation (`Describe`, `Alter`, …)
//! on a resource (the cluster, a topic, a consumer group). Kafka answers a request it does not
//! authorize with `CLUSTER_AUTHORIZATION_FAILED` or `TOPIC_AUTHORIZATION_FAILED` and no more;
//! kplan knows which API it called, so it can say which ACL is missing. Before it changes
//! anything, `execute` asks the brokers which operations the principal holds (the
//! `authorized_operations` bit fields of DescribeCluster and DescribeTopicPartitions, KIP-430)
//! and refuses up front rather than set throttles and fail on the reassignment.

use std::collections::BTreeMap;
use std::fmt;

/// The ACL operations kplan needs, with Kafka's codes (`AclOperation` in Kafka's protocol).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AclOperation {
    Alter = 7,
    Describe = 8,
    DescribeConfigs = 10,
    AlterConfigs = 11,
}

impl fmt::Display for AclOperation {
    /// The name `kafka-acls --operation` takes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AclOperation::Alter => "Alter",
            AclOperation::Describe => "Describe",
            AclOperation::DescribeConfigs => "DescribeConfigs",
            AclOperation::AlterConfigs => "AlterConfigs",
        })
    }
}

/// A resource an ACL is on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AclResource {
    Cluster,
    Topic(String),
    /// Consumer groups (which, when kplan lists them, is not known in advance).
    Groups,
}

impl fmt::Display for AclResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AclResource::Cluster => f.write_str("the cluster"),
            AclResource::Topic(t) => write!(f, "topic {t}"),
            AclResource::Groups => f.write_str("consumer groups"),
        }
    }
}

impl AclResource {
    /// The `kafka-acls` flag that names this resource.
    fn acl_flag(&self) -> String {
        match self {
            AclResource::Cluster => "--cluster".to_owned(),
            AclResource::Topic(t) => format!("--topic {t}"),
            AclResource::Groups => "--group '*'".to_owned(),
        }
    }
}

/// One operation on one resource that the principal is not allowed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingAcl {
    pub operation: AclOperation,
    pub resource: AclResource,
    /// What kplan needs it for (e.g. "submitting reassignments").
    pub purpose: String,
}

impl fmt::Display for MissingAcl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {} ({}; kafka-acls --add --operation {} {})",
            self.operation,
            self.resource,
            self.purpose,
            self.operation,
            self.resource.acl_flag()
        )
    }
}

/// The principal a connection authenticates as, when the client.properties tell it: the SASL
/// user name, or the OAuth client id (the usual `sub` of its tokens). A TLS client's principal
/// is its certificate's subject, which the broker maps; kplan does not guess it.
pub fn principal_text(principal: Option<&str>) -> String {
    principal.map_or_else(|| "this principal".to_owned(), |p| p.to_owned())
}

/// The `authorized_operations` bit fields the brokers reported: bit `1 << op` is set for each
/// operation allowed. `None` where the broker did not say (an old broker, or a topic the
/// principal may not even describe).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Authorizations {
    /// `User:…` when known from the connection settings.
    pub principal: Option<String>,
    pub cluster: Option<i32>,
    pub topics: BTreeMap<String, Option<i32>>,
}

impl Authorizations {
    /// Whether `operation` on `resource` is allowed: `Some(false)` only when the broker said so.
    pub fn allows(&self, operation: AclOperation, resource: &AclResource) -> Option<bool> {
        let bits = match resource {
            AclResource::Cluster => self.cluster,
            AclResource::Topic(t) => self.topics.get(t).copied().flatten(),
            AclResource::Groups => None,
        }?;
        // i32::MIN means "not reported" (the field's default).
        (bits != i32::MIN).then_some(bits & (1 << operation as i32) != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_kafkas_operation_codes() {
        let a = Authorizations {
            principal: None,
            // Describe (8) and DescribeConfigs (10), as Kafka reports for a read-only principal.
            cluster: Some((1 << 8) | (1 << 10)),
            topics: [("t".to_owned(), Some(1 << 8)), ("u".to_owned(), None)].into(),
        };
        assert_eq!(
            a.allows(AclOperation::Describe, &AclResource::Cluster),
            Some(true)
        );
        assert_eq!(
            a.allows(AclOperation::Alter, &AclResource::Cluster),
            Some(false)
        );
        let t = AclResource::Topic("t".into());
        assert_eq!(a.allows(AclOperation::AlterConfigs, &t), Some(false));
        assert_eq!(
            a.allows(AclOperation::Describe, &AclResource::Topic("u".into())),
            None
        );
        let unknown = Authorizations {
            cluster: Some(i32::MIN),
            ..a
        };
        assert_eq!(
            unknown.allows(AclOperation::Alter, &AclResource::Cluster),
            None
        );
    }

    #[test]
    fn a_missing_acl_says_how_to_grant_it() {
        let m = MissingAcl {
            operation: AclOperation::AlterConfigs,
            resource: AclResource::Topic("orders".into()),
            purpose: "setting the throttled replicas".into(),
        };
        assert_eq!(
            m.to_string(),
            "AlterConfigs on topic orders (setting the throttled replicas; kafka-acls --add --operation AlterConfigs --topic orders)"
        );
    }
}
