//! `execute --dry-run`: everything a run would do first — checks, rollback, throttle config
//! changes, waves — computed and changed nowhere. Against the live cluster, or offline against a
//! snapshot (`--snapshot`).

use std::collections::BTreeMap;

use super::{
    by_partition, current_configs, plan_waves, planned_changes, preflight, throttle_changes,
    throttle_plan, ClusterView, CurrentConfigs, ExecError, ExecuteEvent, ExecuteOptions, MoveSpec,
    PlannedChange, ThrottleLedger, Wave,
};
use crate::kafka::KafkaAdmin;
use crate::model::{Cluster, TopicPartition};
use crate::plan::Reassignment;

/// What a run of the plan would do.
#[derive(Clone, Debug, PartialEq)]
pub struct DryRun {
    /// The current assignment of the partitions it would move.
    pub rollback: Reassignment,
    /// The IncrementalAlterConfigs changes of `--throttle` (none without it).
    pub config_changes: Vec<PlannedChange>,
    pub waves: Vec<Wave>,
    pub moves: BTreeMap<TopicPartition, MoveSpec>,
}

/// The dry run against the live cluster (its current configs decide what a throttle replaces).
pub async fn dry_run<A: KafkaAdmin>(
    admin: &A,
    plan: &Reassignment,
    options: &ExecuteOptions,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<DryRun, ExecError> {
    let view = ClusterView::fetch(admin, plan, true).await?;
    let current = current_configs(admin, &throttle_plan(&view.moves(plan))).await?;
    DryRun::new(plan, &view, options, &current, events)
}

/// The dry run against a snapshot: no cluster, no current throttle configs.
pub fn dry_run_offline(
    cluster: &Cluster,
    plan: &Reassignment,
    options: &ExecuteOptions,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<DryRun, ExecError> {
    let view = ClusterView::from_snapshot(cluster, plan);
    DryRun::new(plan, &view, options, &CurrentConfigs::new(), events)
}

impl DryRun {
    fn new(
        plan: &Reassignment,
        view: &ClusterView,
        options: &ExecuteOptions,
        current: &CurrentConfigs,
        events: &mut dyn FnMut(ExecuteEvent),
    ) -> Result<Self, ExecError> {
        let runnable = preflight(plan, view, options.preflight, events)?;
        let moves = view.moves(&runnable);
        let config_changes = match options.throttle {
            Some(rate) => planned_changes(&throttle_changes(
                &throttle_plan(&moves),
                rate,
                current,
                &mut ThrottleLedger::default(),
            )),
            None => Vec::new(),
        };
        Ok(DryRun {
            rollback: view.rollback(&runnable),
            config_changes,
            waves: plan_waves(&moves, &options.wave_limits(view)),
            moves: by_partition(&moves),
        })
    }
}
