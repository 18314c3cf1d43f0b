//! Mixed-integer polishing with HiGHS (through good_lp).
//!
//! The MIP re-solves a *neighbourhood* — a set of partitions `P` with candidate brokers `C_p` —
//! while every other partition stays fixed. With `P` = all movable partitions and `C_p` = all
//! eligible brokers this is the exact model, used when it is small; on large clusters the
//! neighbourhood is the partitions around the brokers the heuristics left out of band. The model
//! in algebra is in [`formulation`].
//!
//! Every solve is warm-started from the heuristic solution and runs single-threaded with a fixed
//! seed under a node limit, which bounds its work deterministically; its time limit is what is
//! left of the `--time-limit` safety net, and a watchdog abandons a solve that overruns even
//! that. The answer is accepted only if it is valid and strictly cheaper under the shared cost.
//! Copying a partition is priced at one topic-spread unit per average partition, so the model
//! moves data for the bands but not for spread alone (as the heuristics do).

mod formulation;
mod model;
mod neighbourhoods;
mod solver;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;

pub use neighbourhoods::{around_violations, exact};

use super::budget::Budget;
use super::placement::Placement;
use super::problem::Bx;
use super::safety_net::SafetyNet;
use solver::Chosen;

/// A neighbourhood to re-solve.
pub struct Neighbourhood {
    pub parts: Vec<usize>,
    /// Candidate brokers per partition, aligned with `parts`.
    pub candidates: Vec<Vec<Bx>>,
    /// Also choose leaders (otherwise leaders are left to the leader stage).
    pub joint: bool,
}

/// How a solve ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MipStatus {
    /// Solved to optimality: nothing in the neighbourhood scores better.
    Optimal,
    /// Stopped at the node limit with its best solution (deterministic).
    NodeLimit,
    /// Stopped by the safety net's time limit: the outcome may differ between runs.
    TimeLimit,
    Infeasible,
    /// HiGHS reported an error.
    Failed,
    /// Not run: the safety net had already fired.
    #[default]
    Skipped,
    /// Overran its time limit and was abandoned by the watchdog.
    Abandoned,
}

/// What one MIP solve did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MipOutcome {
    pub binaries: usize,
    pub improved: bool,
    pub status: MipStatus,
    pub millis: u128,
}

/// Re-solves `n` and applies the answer to `st` when it is valid and cheaper.
pub fn polish(
    st: &mut Placement,
    n: &Neighbourhood,
    budget: &mut Budget,
    net: &SafetyNet,
) -> MipOutcome {
    let started = Instant::now();
    let binaries: usize =
        n.candidates.iter().map(Vec::len).sum::<usize>() * if n.joint { 2 } else { 1 };
    let mut out = MipOutcome {
        binaries,
        ..MipOutcome::default()
    };
    let remaining = net.remaining();
    if net.expired() || remaining < Duration::from_millis(200) {
        net.fire();
        return out;
    }
    let model = model::build(st, n, budget);
    let resources = model.resources();
    let (tx, rx) = mpsc::channel();
    let limit = remaining.as_secs_f64();
    std::thread::spawn(move || {
        let _ = tx.send(solver::solve(&model, limit));
    });
    // The watchdog: HiGHS may overrun its limit; past a grace period the answer is abandoned.
    let (status, chosen) = rx
        .recv_timeout(remaining + Duration::from_millis(500))
        .unwrap_or((MipStatus::Abandoned, None));
    out.status = status;
    if matches!(status, MipStatus::TimeLimit | MipStatus::Abandoned) {
        net.fire();
    }
    if let Some(chosen) = chosen {
        out.improved = accept(st, n, &chosen, budget, &resources);
    }
    out.millis = started.elapsed().as_millis();
    out
}

/// Applies `chosen` to a copy of `st` and keeps it when it is valid, within budget and cheaper
/// (or as cheap and moving fewer bytes).
fn accept(
    st: &mut Placement,
    n: &Neighbourhood,
    chosen: &Chosen,
    budget: &mut Budget,
    resources: &[crate::model::Resource],
) -> bool {
    let before = st.cost(resources);
    let mut trial = st.clone();
    let mut trial_budget = budget.clone();
    apply(&mut trial, n, chosen, &mut trial_budget);
    let valid = n
        .parts
        .iter()
        .all(|&p| trial.pb.is_valid_placement(p, &trial.replicas[p]));
    let after = trial.cost(resources);
    let moved_less = trial_budget.bytes < budget.bytes - 0.5;
    let better = after < before - 1e-7 || (after <= before + 1e-9 && moved_less);
    if valid
        && trial_budget.moves <= budget.max_moves
        && trial_budget.bytes <= budget.max_bytes + 0.5
        && better
    {
        *st = trial;
        *budget = trial_budget;
        return true;
    }
    false
}

/// Alternates MIP neighbourhoods with a greedy stage: each round re-solves the neighbourhood
/// `next` picks and, when that improved the plan, lets `greedy` use the room the solve left.
/// Stops after `rounds`, at the first round that does not improve, or when `next` finds nothing
/// out of band. Returns the solves and the changes the greedy stage made.
pub fn rounds<'a>(
    st: &mut Placement<'a>,
    budget: &mut Budget,
    rounds: usize,
    net: &SafetyNet,
    next: impl Fn(&Placement<'a>) -> Option<Neighbourhood>,
    mut greedy: impl FnMut(&mut Placement<'a>, &mut Budget) -> usize,
) -> (Vec<MipOutcome>, usize) {
    let mut runs = Vec::new();
    let mut changes = 0;
    for _ in 0..rounds {
        let Some(n) = next(st) else {
            break;
        };
        let out = polish(st, &n, budget, net);
        let improved = out.improved;
        runs.push(out);
        if !improved {
            break;
        }
        changes += greedy(st, budget);
    }
    (runs, changes)
}

/// Applies a MIP answer: each partition's new broker set, keeping unchanged brokers in place.
fn apply(st: &mut Placement, n: &Neighbourhood, solution: &Chosen, budget: &mut Budget) {
    for (i, &p) in n.parts.iter().enumerate() {
        let want: Vec<Bx> = solution[i].iter().map(|&(b, _)| b).collect();
        if want.len() != st.replicas[p].len() {
            continue; // Invalid answer: the validity check rejects the whole trial.
        }
        let leaving: Vec<Bx> = st.replicas[p]
            .iter()
            .copied()
            .filter(|b| !want.contains(b))
            .collect();
        let arriving: Vec<Bx> = want
            .iter()
            .copied()
            .filter(|b| !st.replicas[p].contains(b))
            .collect();
        for (src, dst) in leaving.into_iter().zip(arriving) {
            budget.charge(Budget::delta(st.pb, p, Some(src), Some(dst)));
            st.move_replica(p, src, dst);
        }
        if let Some(&(b, _)) = solution[i].iter().find(|(_, leads)| *leads) {
            st.set_leader(p, b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Resource, Topic};
    use crate::plan::problem::Problem;
    use crate::plan::PlanRequest;

    /// Broker 0 leads all six partitions of a three-broker cluster: the exact joint model hands
    /// leadership out without moving any replica (that would cost data for nothing).
    #[test]
    fn the_exact_model_moves_leaders_not_data() {
        let brokers = (0..3)
            .map(|i| Broker {
                id: BrokerId(i),
                rack: None,
            })
            .collect();
        let partitions = (0..6)
            .map(|p| {
                let reps = vec![BrokerId(0), BrokerId(1 + p % 2), BrokerId(2 - p % 2)];
                Partition::new(p, ReplicaSet::new(reps)).with_load(1000, 10.0, 100.0)
            })
            .collect();
        let c = Cluster::new(None, brokers, vec![Topic::new("t", partitions)]).unwrap();
        let req = PlanRequest {
            rack_aware: false,
            ..PlanRequest::default()
        };
        let pb = Problem::new(&c, &req).unwrap();
        let mut st = Placement::current(&pb, &req.goals);
        let n = exact(&pb, 1_000).expect("small enough");
        let mut budget = Budget::new(None, None);
        let net = SafetyNet::new(Duration::from_secs(30));
        let out = polish(&mut st, &n, &mut budget, &net);
        assert!(out.improved, "{:?}", out.status);
        assert_eq!(out.status, MipStatus::Optimal);
        assert_eq!(budget.moves, 0);
        for b in 0..3 {
            assert_eq!(
                st.load[b][Resource::Leaders.index()],
                2.0,
                "broker {b} leads two"
            );
        }
    }
}
