//! The ACLs a run needs, checked before it changes anything. On a cluster with an authorizer,
//! a principal that may set throttles but not reassign would otherwise leave throttles behind
//! and fail on the reassignment. The brokers say which operations the principal holds
//! ([`KafkaAdmin::authorized_operations`]); an operation a broker does not report (an old
//! broker) is not held against the run — the call itself will say.

use std::collections::BTreeSet;

use super::ExecError;
use crate::kafka::{AclOperation, AclResource, KafkaAdmin, MissingAcl};
use crate::plan::Reassignment;

/// One ACL a run needs, and what for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    pub operation: AclOperation,
    pub resource: AclResource,
    pub purpose: &'static str,
}

fn need(operation: AclOperation, resource: AclResource, purpose: &'static str) -> Need {
    Need {
        operation,
        resource,
        purpose,
    }
}

/// What `execute` needs: to read the cluster and its reassignments, to reassign (and elect
/// leaders), and — with a throttle — to read and set broker and topic configs.
pub fn execute_needs(plan: &Reassignment, throttle: bool) -> Vec<Need> {
    needs(topics_of(Some(plan)), true, throttle)
}

/// What `throttle set --plan` needs: to read the plan's partitions and to read and set the
/// brokers' and topics' throttle configs.
pub fn throttle_needs(plan: &Reassignment) -> Vec<Need> {
    needs(topics_of(Some(plan)), false, true)
}

/// What `cancel` needs: to cancel reassignments, and — when it restores a ledger — to set the
/// configs back on the plan's topics and brokers.
pub fn cancel_needs(plan: Option<&Reassignment>, restores_throttles: bool) -> Vec<Need> {
    needs(topics_of(plan), true, restores_throttles)
}

fn topics_of(plan: Option<&Reassignment>) -> BTreeSet<&str> {
    plan.iter()
        .flat_map(|p| &p.partitions)
        .map(|p| p.topic.as_str())
        .collect()
}

fn needs(topics: BTreeSet<&str>, reassign: bool, throttle: bool) -> Vec<Need> {
    use AclOperation::*;
    let mut out = vec![need(
        Describe,
        AclResource::Cluster,
        "reading reassignments and log dirs",
    )];
    if reassign {
        out.push(need(
            Alter,
            AclResource::Cluster,
            "submitting or cancelling reassignments, moving replicas between log dirs and electing leaders",
        ));
    }
    if throttle {
        out.push(need(
            DescribeConfigs,
            AclResource::Cluster,
            "reading the brokers' throttle rates",
        ));
        out.push(need(
            AlterConfigs,
            AclResource::Cluster,
            "setting the brokers' throttle rates",
        ));
    }
    for t in topics {
        let topic = || AclResource::Topic(t.to_owned());
        out.push(need(Describe, topic(), "reading its partitions"));
        if throttle {
            out.push(need(
                DescribeConfigs,
                topic(),
                "reading its throttled replicas",
            ));
            out.push(need(
                AlterConfigs,
                topic(),
                "setting its throttled replicas",
            ));
        }
    }
    out
}

/// Refuses with every missing ACL at once when the brokers say the principal lacks any of
/// `needs`.
pub async fn check_permissions<A: KafkaAdmin>(admin: &A, needs: &[Need]) -> Result<(), ExecError> {
    let topics: Vec<String> = needs
        .iter()
        .filter_map(|n| match &n.resource {
            AclResource::Topic(t) => Some(t.clone()),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let granted = admin.authorized_operations(&topics).await?;
    let missing: Vec<MissingAcl> = needs
        .iter()
        .filter(|n| granted.allows(n.operation, &n.resource) == Some(false))
        .map(|n| MissingAcl {
            operation: n.operation,
            resource: n.resource.clone(),
            purpose: n.purpose.to_owned(),
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ExecError::NotAuthorized {
            principal: granted.principal,
            missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BrokerId, ReplicaSet, TopicPartition};
    use crate::plan::PartitionReassignment;

    #[test]
    fn a_throttled_run_needs_configs_on_cluster_and_topics() {
        let plan = Reassignment::new(vec![PartitionReassignment::new(
            &TopicPartition::new("orders", 0),
            ReplicaSet::new(vec![BrokerId(2)]),
        )]);
        let names = |needs: Vec<Need>| -> Vec<String> {
            needs
                .iter()
                .map(|n| format!("{} on {}", n.operation, n.resource))
                .collect()
        };
        assert_eq!(
            names(throttle_needs(&plan)),
            [
                "Describe on the cluster",
                "DescribeConfigs on the cluster",
                "AlterConfigs on the cluster",
                "Describe on topic orders",
                "DescribeConfigs on topic orders",
                "AlterConfigs on topic orders"
            ]
        );
        assert_eq!(
            names(cancel_needs(None, false)),
            ["Describe on the cluster", "Alter on the cluster"]
        );
        assert_eq!(
            names(execute_needs(&plan, false)),
            [
                "Describe on the cluster",
                "Alter on the cluster",
                "Describe on topic orders"
            ]
        );
        assert_eq!(
            names(execute_needs(&plan, true)),
            [
                "Describe on the cluster",
                "Alter on the cluster",
                "DescribeConfigs on the cluster",
                "AlterConfigs on the cluster",
                "Describe on topic orders",
                "DescribeConfigs on topic orders",
                "AlterConfigs on topic orders"
            ]
        );
    }
}
