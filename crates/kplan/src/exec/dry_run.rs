//! `execute --dry-run`: everything a run would do first — checks, rollback, the throttle (given
//! or chosen for a target duration), throttle config changes, waves and their copy-time
//! estimate, and whether `execute` would refuse the throttle — computed and changed nowhere.
//! Against the live cluster (produce traffic measured as `execute` measures it), or offline
//! against a snapshot (`--snapshot`, with the snapshot's traffic).

use std::collections::BTreeMap;

use super::{
    by_partition, current_configs, measure_traffic, planned_changes, preflight, snapshot_traffic,
    throttle_changes, throttle_plan, ClusterView, CopyTime, CurrentConfigs, ExecError,
    ExecuteEvent, ExecuteOptions, MoveSpec, PlannedChange, ThrottleLedger, ThrottleShortfall,
    TrafficMap, Wave,
};
use crate::kafka::KafkaAdmin;
use crate::model::{Cluster, TopicPartition};
use crate::plan::Reassignment;

/// What a run of the plan would do.
#[derive(Clone, Debug, PartialEq)]
pub struct DryRun {
    /// The current assignment of the partitions it would move.
    pub rollback: Reassignment,
    /// The throttle a run would set (given, or chosen for `--target-duration`).
    pub throttle: Option<u64>,
    /// The IncrementalAlterConfigs changes of the throttle (none without one).
    pub config_changes: Vec<PlannedChange>,
    pub waves: Vec<Wave>,
    pub moves: BTreeMap<TopicPartition, MoveSpec>,
    /// How long the copies take, per wave and in total.
    pub copy_time: CopyTime,
    /// Why `execute` would refuse the throttle (without `--force`).
    pub shortfall: Option<ThrottleShortfall>,
}

/// The dry run against the live cluster (its current configs decide what a throttle replaces).
pub async fn dry_run<A: KafkaAdmin>(
    admin: &A,
    plan: &Reassignment,
    options: &ExecuteOptions,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<DryRun, ExecError> {
    let view = ClusterView::fetch(admin, plan, true).await?;
    let moves = view.moves(plan);
    let current = current_configs(admin, &throttle_plan(&moves)).await?;
    let traffic = measure_traffic(admin, &view, &moves, &options.traffic, events).await?;
    DryRun::new(plan, &view, options, &current, &traffic, events)
}

/// The dry run against a snapshot: no cluster, no current throttle configs.
pub fn dry_run_offline(
    cluster: &Cluster,
    plan: &Reassignment,
    options: &ExecuteOptions,
    events: &mut dyn FnMut(ExecuteEvent),
) -> Result<DryRun, ExecError> {
    let view = ClusterView::from_snapshot(cluster, plan);
    let traffic = snapshot_traffic(cluster);
    DryRun::new(
        plan,
        &view,
        options,
        &CurrentConfigs::new(),
        &traffic,
        events,
    )
}

impl DryRun {
    fn new(
        plan: &Reassignment,
        view: &ClusterView,
        options: &ExecuteOptions,
        current: &CurrentConfigs,
        traffic: &TrafficMap,
        events: &mut dyn FnMut(ExecuteEvent),
    ) -> Result<Self, ExecError> {
        let runnable = preflight(plan, view, options.preflight, events)?;
        let moves = view.moves(&runnable);
        let schedule = options.schedule(&moves, traffic, view, events)?;
        let config_changes = match schedule.throttle {
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
            throttle: schedule.throttle,
            config_changes,
            shortfall: schedule.shortfall(),
            waves: schedule.waves,
            moves: by_partition(&moves),
            copy_time: schedule.copy_time,
        })
    }
}
