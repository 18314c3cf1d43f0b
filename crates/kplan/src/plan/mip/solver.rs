//! Running HiGHS on a formulation: single-threaded with a fixed seed and a node limit, so the
//! same model always gets the same answer; the time limit is only the safety net's remainder.

use good_lp::{highs, SolverModel};
use highs::HighsModelStatus;

use super::formulation::{formulate, Formulation};
use super::model::Model;
use super::MipStatus;
use crate::plan::problem::Bx;

/// Branch-and-bound node limit: the deterministic bound on a solve's work.
pub(super) const NODE_LIMIT: i32 = 200;

/// Each partition's chosen brokers, with whether each leads.
pub(super) type Chosen = Vec<Vec<(Bx, bool)>>;

pub(super) fn solve(m: &Model, time_limit: f64) -> (MipStatus, Option<Chosen>) {
    let Formulation {
        vars,
        initial,
        x_col,
        l_col,
        objective,
        constraints,
        ..
    } = formulate(m);
    let mut problem = vars.minimise(objective).using(highs);
    for c in constraints {
        problem.add_constraint(c);
    }
    let Ok(mut model) = problem.try_into_inner() else {
        return (MipStatus::Failed, None);
    };
    // Options go on the model itself: good_lp only applies its own option list in its solve().
    let options_set = model.try_set_option("threads", 1).is_ok()
        && model.try_set_option("random_seed", 0).is_ok()
        && model.try_set_option("mip_max_nodes", NODE_LIMIT).is_ok()
        && model
            .try_set_option("time_limit", time_limit.max(0.1))
            .is_ok()
        && model.try_set_option("output_flag", false).is_ok();
    if !options_set {
        return (MipStatus::Failed, None);
    }
    // Columns are the variables in creation order, which is the order of `initial`.
    if model
        .try_set_solution(Some(&initial), None, None, None)
        .is_err()
    {
        return (MipStatus::Failed, None);
    }
    let Ok(solved) = model.try_solve() else {
        return (MipStatus::Failed, None);
    };
    let status = match solved.status() {
        HighsModelStatus::Optimal
        | HighsModelStatus::ObjectiveBound
        | HighsModelStatus::ObjectiveTarget => MipStatus::Optimal,
        HighsModelStatus::ReachedSolutionLimit | HighsModelStatus::ReachedIterationLimit => {
            MipStatus::NodeLimit
        }
        HighsModelStatus::ReachedTimeLimit | HighsModelStatus::ReachedInterrupt => {
            MipStatus::TimeLimit
        }
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            return (MipStatus::Infeasible, None)
        }
        _ => return (MipStatus::Failed, None),
    };
    if solved.primal_solution_status() != highs::HighsSolutionStatus::Feasible {
        return (status, None);
    }
    let solution = solved.get_solution();
    (status, Some(decode(m, &x_col, &l_col, solution.columns())))
}

/// Each partition's brokers with `x > 0.5`, and whether `l > 0.5` there.
fn decode(m: &Model, x_col: &[Vec<usize>], l_col: &[Vec<usize>], columns: &[f64]) -> Chosen {
    m.parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            part.candidates
                .iter()
                .enumerate()
                .filter(|(j, _)| columns[x_col[i][*j]] > 0.5)
                .map(|(j, &b)| (b, m.joint && columns[l_col[i][j]] > 0.5))
                .collect()
        })
        .collect()
}
