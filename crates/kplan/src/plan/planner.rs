//! The planner: cluster + request → plan, in stages.
//!
//! The stages are listed in [`STAGES`], each with the deterministic bound on its work. No stage
//! looks at the clock to decide how much to do, so the same snapshot and flags give the same
//! plan whatever the machine's load; `--time-limit` is a safety net that stops a stage early
//! only when it fires, and the report then says the plan may differ from run to run.
//!
//! Before any stage, [`bounds`](super::bounds) proves what no plan can beat per resource and
//! the data any plan meeting the reachable bands must move; after the last, the independent
//! [`verify`](super::verify) checks the result, and every goal is reported met, at its proven
//! best, or unmet.

use super::balance::balance_replicas;
use super::bounds::{move_bound, resource_bounds, BoundReason, ResourceBound};
use super::budget::Budget;
use super::fill::fill_underloaded;
use super::goal_report::{bands_unmet, goal_status, spread_excess};
use super::hot::place_hot_replicas;
use super::leaders::{balance_leaders, balance_leaders_only};
use super::log_dirs::{self, DirPlan};
use super::mip::{self, MipOutcome, MipStatus};
use super::placement::{Placement, REPLICA_RESOURCES};
use super::problem::{Bx, Problem};
use super::repair::{mandatory, repair};
use super::report::{GoalState, LowerBound, Plan, PlanReport, StageReport};
use super::safety_net::SafetyNet;
use super::topic_spread::spread_topics;
use super::verifier::verify;
use super::warnings::warnings;
use super::{PartitionReassignment, PlanError, PlanRequest, Reassignment};
use crate::model::{Cluster, ReplicaSet, Resource};

/// Binaries up to which the whole problem is solved as one MIP.
const EXACT_MIP_BINARIES: usize = 500;
/// Binaries per neighbourhood MIP and neighbourhoods per run.
const NEIGHBOURHOOD_BINARIES: usize = 1_000;
const NEIGHBOURHOOD_ROUNDS: usize = 6;

/// One stage of the pipeline.
struct Stage {
    name: &'static str,
    /// What bounds the stage's work, deterministically.
    work_bound: &'static str,
    /// Whether the stage runs for this request and state.
    runs: fn(&Run) -> bool,
    run: fn(&mut Run) -> Result<Outcome, PlanError>,
}

/// The pipeline, in order.
const STAGES: [Stage; 9] = [
    Stage {
        name: "hot",
        work_bound: "one move per replica of a hot partition",
        runs: places_hot_replicas,
        run: hot_stage,
    },
    Stage {
        name: "repair",
        work_bound: "one pass over the partitions",
        runs: moves_data,
        run: repair_stage,
    },
    Stage {
        name: "fill",
        work_bound: "one move per replica a broker lacks",
        runs: moves_data,
        run: fill_stage,
    },
    Stage {
        name: "spread",
        work_bound: "one move per replica of a --spread-topics topic outside its range",
        runs: spreads_topics,
        run: spread_stage,
    },
    Stage {
        name: "balance",
        work_bound: "at most two moves per movable replica",
        runs: moves_data,
        run: balance_stage,
    },
    Stage {
        name: "mip",
        work_bound: "6 neighbourhoods of at most 1,000 binaries and 200 nodes each; none once 95% of a budget is spent",
        runs: neighbourhoods_apply,
        run: mip_stage,
    },
    Stage {
        name: "leaders",
        work_bound: "one augmenting path per leadership out of band; four changes per partition",
        runs: always,
        run: leaders_stage,
    },
    Stage {
        name: "exact",
        work_bound: "one MIP of at most 500 binaries and 200 nodes",
        runs: exact_applies,
        run: exact_stage,
    },
    Stage {
        name: "log-dirs",
        work_bound: "two moves per replica between the directories of its broker",
        runs: log_dirs_apply,
        run: log_dirs_stage,
    },
];

/// What the stages share.
struct Run<'a> {
    cluster: &'a Cluster,
    pb: &'a Problem,
    request: &'a PlanRequest,
    st: Placement<'a>,
    budget: Budget,
    net: SafetyNet,
    bounds: [ResourceBound; 5],
    lower_bound: LowerBound,
    /// The exact model was solved to optimality.
    exact_optimal: bool,
    /// Replicas and bytes the `--spread-topics` stage moved.
    spread_moved: Option<(usize, f64)>,
    /// Each replica's log directory, once the directory stage ran.
    dirs: Option<DirPlan>,
}

/// What a stage did.
struct Outcome {
    changes: usize,
    mip: Vec<MipOutcome>,
}

impl Outcome {
    fn changes(changes: usize) -> Self {
        Outcome {
            changes,
            mip: Vec::new(),
        }
    }
}

fn always(_: &Run) -> bool {
    true
}

fn moves_data(run: &Run) -> bool {
    !run.request.leaders_only
}

/// Neighbourhood MIPs on large clusters, unless the budget is nearly spent: then the bands are
/// out of reach by construction, and each MIP (a knapsack under the budget row) would run to its
/// node limit for little.
fn neighbourhoods_apply(run: &Run) -> bool {
    moves_data(run)
        && !run.budget.nearly_spent()
        && mip::exact(run.pb, EXACT_MIP_BINARIES).is_none()
}

/// The exact joint model, when the cluster is small enough and the heuristics left a band goal
/// short of its proven bound, or copy more data than the lower bound: it either gets there or
/// proves no placement scores better.
fn exact_applies(run: &Run) -> bool {
    let excess_data = run.budget.bytes > run.lower_bound.bytes as f64 * 1.05 + 0.5;
    moves_data(run)
        && (excess_data || bands_unmet(&run.st, run.request, &run.bounds))
        && mip::exact(run.pb, EXACT_MIP_BINARIES).is_some()
}

/// Hot replicas move ahead of the repairs only without a budget: under one, the repairs the
/// plan cannot do without come first, and the budget left goes to the fill.
fn places_hot_replicas(run: &Run) -> bool {
    moves_data(run) && run.budget.unlimited()
}

fn spreads_topics(run: &Run) -> bool {
    moves_data(run) && run.request.spread_topics.is_some()
}

fn repair_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    let before = run.budget.moves;
    match repair(&mut run.st, &mut run.budget) {
        Ok(()) => Ok(Outcome::changes(run.budget.moves - before)),
        Err(e @ PlanError::BudgetTooSmall { .. }) => Err(mandatory_over_budget(run).unwrap_or(e)),
        Err(e) => Err(e),
    }
}

/// When the repairs ran out of budget: what they need in total, if that alone passes a limit,
/// so the operator learns how far to raise it rather than which partition happened to be last.
fn mandatory_over_budget(run: &Run) -> Option<PlanError> {
    let mut fresh = Placement::current(run.pb, &run.request.goals);
    let needs = mandatory(&mut fresh).ok()?;
    let mut limits = Vec::new();
    if let Some(max) = run.request.max_moves.filter(|&m| needs.moves() > m) {
        limits.push(format!("--max-moves {max}"));
    }
    if let Some(max) = run
        .request
        .max_move_bytes
        .filter(|&m| needs.bytes() > m as f64 + 0.5)
    {
        limits.push(format!(
            "--max-move-bytes {}",
            crate::human::bytes(max as f64)
        ));
    }
    (!limits.is_empty()).then(|| PlanError::MandatoryOverBudget {
        needs: needs.describe(),
        budget: limits.join(" and "),
    })
}

fn hot_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    Ok(Outcome::changes(place_hot_replicas(
        &mut run.st,
        &mut run.budget,
    )))
}

fn fill_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    Ok(Outcome::changes(fill_underloaded(
        &mut run.st,
        &mut run.budget,
        &run.net,
    )))
}

fn balance_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    let n = balance_replicas(&mut run.st, &REPLICA_RESOURCES, &mut run.budget, &run.net);
    Ok(Outcome::changes(n))
}

/// Neighbourhood MIPs around brokers still out of band; each that improves the plan may leave
/// room the greedy stage can then use.
fn mip_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    let net = &run.net;
    let (runs, _) = mip::rounds(
        &mut run.st,
        &mut run.budget,
        NEIGHBOURHOOD_ROUNDS,
        net,
        |st| mip::around_violations(st, NEIGHBOURHOOD_BINARIES),
        |st, budget| balance_replicas(st, &REPLICA_RESOURCES, budget, net),
    );
    let improved = runs.iter().filter(|r| r.improved).count();
    Ok(Outcome {
        changes: improved,
        mip: runs,
    })
}

fn leaders_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    if run.request.leaders_only {
        // With the replica sets fixed the leader-count bound is the flow optimum itself
        // (`bounds::leadership`): aim at [floor, ceil] widened to it, which is reachable.
        let b = &run.bounds[Resource::Leaders.index()];
        let (lo, hi) = ((b.min_load + 1e-9).floor(), (b.max_load - 1e-9).ceil());
        if lo.is_finite() && hi.is_finite() {
            run.st.widen_target(Resource::Leaders, lo, hi);
        }
        // The top of bytes out likewise when its bound is the assignment's optimum: a group of
        // brokers then carries at least that much on average, and the search's band cost, which
        // sums each broker's excess, is flat while all of them sit above the goal's band (it
        // stopped at 1.15 on an instance whose optimum is 1.09). A bound set by the largest
        // partition is one broker's; raising everyone's target to it would let the others rise.
        let b = &run.bounds[Resource::BytesOut.index()];
        let assignment_bound = (b.max_reason == BoundReason::LeaderAssignment
            && b.max_load.is_finite())
        .then_some(b.max_load);
        if let Some(bound) = assignment_bound {
            run.st
                .widen_target(Resource::BytesOut, f64::INFINITY, bound);
        }
        return Ok(Outcome::changes(balance_leaders_only(
            &mut run.st,
            assignment_bound,
        )));
    }
    Ok(Outcome::changes(balance_leaders(&mut run.st)))
}

fn exact_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    let n = mip::exact(run.pb, EXACT_MIP_BINARIES).expect("checked by exact_applies");
    let out = mip::polish(&mut run.st, &n, &mut run.budget, &run.net);
    run.exact_optimal = out.status == MipStatus::Optimal;
    Ok(Outcome {
        changes: usize::from(out.improved),
        mip: vec![out],
    })
}

fn log_dirs_apply(run: &Run) -> bool {
    log_dirs::applies(run.cluster, run.request)
}

/// Directories for the final replica lists (see [`log_dirs`]).
fn log_dirs_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    let dirs = log_dirs::plan_log_dirs(run.cluster, &run.st, run.request)?;
    let changes = dirs.report.intra_broker_moves;
    run.dirs = Some(dirs);
    Ok(Outcome::changes(changes))
}

/// A stage starting, for a progress display: the plan is the same whether anyone listens.
#[derive(Clone, Copy, Debug)]
pub struct StageStarted {
    pub stage: &'static str,
    /// 1-based position among `stages`, the stages that may run.
    pub index: usize,
    pub stages: usize,
    /// The shared cost (bands and topic spread) when the stage starts; `None` before the
    /// bounds are proven.
    pub cost: Option<f64>,
}

/// `--spread-topics`: matching topics' replicas into their range, copying data. The stages after
/// it price a count outside the range far above a band deviation, so they keep the spread; the
/// leaders stage brings those topics' leaders into their range last.
fn spread_stage(run: &mut Run) -> Result<Outcome, PlanError> {
    let bytes_before = run.budget.bytes;
    let moved = spread_topics(&mut run.st, &mut run.budget, &run.net);
    run.spread_moved = Some((moved, run.budget.bytes - bytes_before));
    Ok(Outcome::changes(moved))
}

/// Plans `request` on `cluster`.
pub fn plan(cluster: &Cluster, request: &PlanRequest) -> Result<Plan, PlanError> {
    plan_observed(cluster, request, |_| {})
}

/// [`plan`], telling `on_stage` as each stage starts.
pub fn plan_observed(
    cluster: &Cluster,
    request: &PlanRequest,
    mut on_stage: impl FnMut(StageStarted),
) -> Result<Plan, PlanError> {
    let net = SafetyNet::new(request.time_limit);
    let pb = Problem::new(cluster, request)?;
    log_dirs::validate(cluster, request)?;
    if !pb.parts.iter().any(|p| p.movable) {
        return Err(PlanError::NothingToPlan);
    }
    let stages_total = STAGES.len() + 1;
    on_stage(StageStarted {
        stage: "bounds",
        index: 1,
        stages: stages_total,
        cost: None,
    });
    let st = Placement::current(&pb, &request.goals);
    let bounds = resource_bounds(&st, request);
    let (replicas, bytes) = move_bound(&st, request, &bounds);
    let lower_bound = LowerBound { replicas, bytes };
    let initial_spread = spread_excess(&st);
    let mut run = Run {
        cluster,
        pb: &pb,
        request,
        st,
        budget: Budget::new(request.max_moves, request.max_move_bytes),
        net,
        bounds,
        lower_bound,
        exact_optimal: false,
        spread_moved: request.spread_topics.as_ref().map(|_| (0, 0.0)),
        dirs: None,
    };
    let mut stages = Vec::new();
    for (i, stage) in STAGES.iter().enumerate() {
        if !(stage.runs)(&run) {
            continue;
        }
        on_stage(StageStarted {
            stage: stage.name,
            index: i + 2,
            stages: stages_total,
            cost: Some(run.st.cost(&Resource::ALL)),
        });
        let started = std::time::Instant::now();
        let outcome = (stage.run)(&mut run)?;
        stages.push(StageReport {
            stage: stage.name,
            work_bound: stage.work_bound,
            millis: started.elapsed().as_millis(),
            changes: outcome.changes,
            cost_after: run.st.cost(&Resource::ALL),
            mip: outcome.mip,
        });
    }
    finish(cluster, run, initial_spread, stages)
}

/// Builds, verifies and reports the plan the stages left.
fn finish(
    cluster: &Cluster,
    run: Run,
    initial_spread: (u32, u32),
    stages: Vec<StageReport>,
) -> Result<Plan, PlanError> {
    let (pb, request) = (run.pb, run.request);
    let (reassignment, rollback) = build(cluster, pb, &run.st, run.dirs.as_ref());
    let metrics = verify(cluster, request, &reassignment).map_err(|v| PlanError::rejected(&v))?;
    let mut goals = goal_status(
        &run.st,
        request,
        initial_spread,
        &run.bounds,
        run.spread_moved,
    );
    let time_limit_reached = run.net.fired();
    let mut warnings = warnings(
        pb,
        &goals,
        cluster,
        request,
        run.exact_optimal,
        time_limit_reached,
    );
    // The log-dir goal is the directory stage's, after the models the warnings speak of.
    if let Some(dirs) = &run.dirs {
        let g = dirs.report.goal_status();
        if g.status == GoalState::Unmet {
            warnings.push(format!("goal {} not met: {}", g.goal, g.detail));
        }
        goals.push(g);
    }
    Ok(Plan {
        reassignment,
        rollback,
        metrics,
        report: PlanReport {
            eligible_brokers: pb.eligible_broker_ids(),
            bands: pb.resource_bands(),
            goals,
            lower_bound: run.lower_bound.clone(),
            warnings,
            stages,
            time_limit_reached,
            elapsed_ms: run.net.elapsed().as_millis(),
            log_dirs: run.dirs.map(|d| d.report),
        },
    })
}

/// The reassignment (changed partitions only) and its rollback (their current lists); with
/// directories, a partition whose replicas only change directory is changed too.
fn build(
    cluster: &Cluster,
    pb: &Problem,
    st: &Placement,
    dirs: Option<&DirPlan>,
) -> (Reassignment, Reassignment) {
    let mut plan = Vec::new();
    let mut rollback = Vec::new();
    for (p, (tp, partition)) in cluster.partitions().enumerate() {
        let part = &pb.parts[p];
        if !part.movable {
            continue;
        }
        let reps = &st.replicas[p];
        let same_set =
            reps.len() == part.current.len() && reps.iter().all(|b| part.current.contains(b));
        let moves_dirs = dirs.is_some_and(|d| d.named.contains_key(&p));
        if same_set && reps[0] == part.current_leader && !moves_dirs {
            continue;
        }
        // Leader first, then surviving replicas in their current order, then new ones.
        let mut list = vec![reps[0]];
        list.extend(
            part.current
                .iter()
                .copied()
                .filter(|b| *b != reps[0] && reps.contains(b)),
        );
        let arriving: Vec<Bx> = reps.iter().copied().filter(|b| !list.contains(b)).collect();
        list.extend(arriving);
        if list == part.current && !moves_dirs {
            continue;
        }
        let ids = |v: &[Bx]| ReplicaSet::new(v.iter().map(|&b| pb.broker_ids[b]).collect());
        let mut entry = PartitionReassignment::new(&tp, ids(&list));
        let mut back = PartitionReassignment::new(&tp, partition.replicas.clone());
        if let Some(d) = dirs {
            entry.log_dirs = d.entry(cluster, p, &list).unwrap_or(entry.log_dirs);
            back.log_dirs = d
                .rollback_entry(cluster, p, &part.current, partition)
                .unwrap_or(back.log_dirs);
        }
        plan.push(entry);
        rollback.push(back);
    }
    (Reassignment::new(plan), Reassignment::new(rollback))
}

#[cfg(test)]
mod tests;
