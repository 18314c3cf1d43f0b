//! `kplan elect-leaders`: a plan's partitions, an election file's or all of them, elected as
//! `kafka-leader-election.sh` does.

use std::collections::BTreeMap;

use anyhow::Context;

use super::connect;
use crate::cli::ElectLeadersArgs;
use kplan::exec::{self, parse_election_file, read_plan, ElectionScope};
use kplan::model::TopicPartition;

pub fn run(a: &ElectLeadersArgs) -> anyhow::Result<u8> {
    let scope = if let Some(p) = &a.plan {
        ElectionScope::Partitions(
            read_plan(p)?
                .partitions
                .iter()
                .map(|x| x.topic_partition())
                .collect(),
        )
    } else if let Some(f) = &a.path_to_json_file {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        ElectionScope::Partitions(parse_election_file(f, &text)?)
    } else {
        ElectionScope::AllTopicPartitions
    };
    let results = connect::with_admin(&a.connection, async |admin| {
        Ok(exec::elect_leaders(admin, a.election_type.into(), scope).await?)
    })?;
    let failed: BTreeMap<&TopicPartition, &String> = results
        .iter()
        .filter_map(|(tp, r)| r.as_ref().err().map(|e| (tp, e)))
        .collect();
    eprintln!(
        "{:?} leader election for {} partition(s): {} succeeded or not needed, {} failed",
        a.election_type,
        results.len(),
        results.len() - failed.len(),
        failed.len()
    );
    for (tp, e) in &failed {
        eprintln!("  {tp}: {e}");
    }
    Ok(if failed.is_empty() { 0 } else { 1 })
}
