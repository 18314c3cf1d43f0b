//! The MIP in algebra, one function per family of constraints.
//!
//! Index sets: `P` the neighbourhood's partitions, `C_p` the candidate brokers of `p`, `K` the
//! balanced resources, `T` the topics. Data: `a_k(p)` the load one replica of `p` adds, `c_k(p)`
//! what leading it adds, `F_k(b)` the load from outside the neighbourhood, `[lo_k, hi_k]` the
//! band, `u_k` the cost of one unit outside it (goal weight · 100 / mean), `w_s` the cost of one
//! replica above a topic's cap, `w_m` the cost of copying one average partition (`s̄`).
//!
//! Variables: `x[p,b] ∈ {0,1}` (a replica of `p` on `b`), `l[p,b] ∈ {0,1}` (`b` leads `p`, joint
//! model only), `over[k,b], under[k,b] ≥ 0`, `e[t,b] ≥ 0` (topic excess).
//!
//! ```text
//! minimise  Σ_k Σ_b u_k·(over[k,b] + under[k,b])  +  w_s·Σ e[t,b]
//!         + w_m·Σ_p Σ_{b∉orig(p)} (size_p / s̄)·x[p,b]  +  1e-4·Σ_p (1 − l[p, leader_p])
//! ```

use std::collections::BTreeMap;

use good_lp::{constraint, variable, Constraint, Expression, ProblemVariables, Variable};

use super::model::Model;
use crate::plan::problem::Bx;

/// Weight of one leader change.
const LEADER_CHANGE: f64 = 1e-4;

/// Variables with their warm-start values, in creation order (which is HiGHS's column order).
pub(super) struct Formulation {
    pub vars: ProblemVariables,
    pub initial: Vec<f64>,
    /// `x[i][j]`, `l[i][j]` over candidate `j` of part `i` (`l` empty in the replica-only model).
    pub x: Vec<Vec<Variable>>,
    pub l: Vec<Vec<Variable>>,
    /// HiGHS column of each `x[i][j]` and `l[i][j]`.
    pub x_col: Vec<Vec<usize>>,
    pub l_col: Vec<Vec<usize>>,
    pub objective: Expression,
    pub constraints: Vec<Constraint>,
}

impl Formulation {
    fn add(&mut self, def: good_lp::VariableDefinition, initial: f64) -> Variable {
        self.initial.push(initial);
        self.vars.add(def)
    }
}

/// The whole model for `m`.
pub(super) fn formulate(m: &Model) -> Formulation {
    let mut f = Formulation {
        vars: ProblemVariables::new(),
        initial: Vec::new(),
        x: Vec::with_capacity(m.parts.len()),
        l: Vec::new(),
        x_col: Vec::new(),
        l_col: Vec::new(),
        objective: Expression::from(0.0),
        constraints: Vec::new(),
    };
    placement_variables(m, &mut f);
    bands(m, &mut f);
    topic_spread(m, &mut f);
    replica_sets(m, &mut f);
    racks(m, &mut f);
    movement(m, &mut f);
    f
}

/// `x[p,b]` and, in the joint model, `l[p,b]`, warm-started from the heuristic plan.
fn placement_variables(m: &Model, f: &mut Formulation) {
    for (i, part) in m.parts.iter().enumerate() {
        let start = f.initial.len();
        let xs: Vec<Variable> = part
            .candidates
            .iter()
            .map(|b| f.add(variable().binary(), held(m, i, *b)))
            .collect();
        f.x_col.push((start..f.initial.len()).collect());
        f.x.push(xs);
        if m.joint {
            let start = f.initial.len();
            let ls: Vec<Variable> = part
                .candidates
                .iter()
                .map(|&b| f.add(variable().binary(), f64::from(u8::from(m.warm[i][0] == b))))
                .collect();
            f.l_col.push((start..f.initial.len()).collect());
            f.l.push(ls);
        }
    }
}

fn held(m: &Model, i: usize, b: Bx) -> f64 {
    f64::from(u8::from(m.warm[i].contains(&b)))
}

/// Per touched eligible broker `b` and balanced resource `k`:
///
/// ```text
/// load_k(b) = F_k(b) + Σ_p a_k(p)·x[p,b] + Σ_p c_k(p)·l[p,b]
/// load_k(b) − over[k,b] ≤ hi_k          load_k(b) + under[k,b] ≥ lo_k
/// objective += u_k·(over[k,b] + under[k,b])
/// ```
fn bands(m: &Model, f: &mut Formulation) {
    let mut touched: Vec<Bx> = m
        .parts
        .iter()
        .flat_map(|p| p.candidates.iter().copied())
        .filter(|&b| m.eligible[b])
        .collect();
    touched.sort_unstable();
    touched.dedup();
    for b in touched {
        for r in m.resources() {
            let k = r.index();
            if m.unit[k] == 0.0 {
                continue;
            }
            let (mut load, mut current) = (Expression::from(m.fixed[b][k]), m.fixed[b][k]);
            for (i, part) in m.parts.iter().enumerate() {
                let Some(j) = part.candidates.iter().position(|&c| c == b) else {
                    continue;
                };
                load += part.load[k] * f.x[i][j];
                current += part.load[k] * held(m, i, b);
                if m.joint {
                    load += part.leader_load[k] * f.l[i][j];
                    current += part.leader_load[k] * f64::from(u8::from(m.warm[i][0] == b));
                }
            }
            let (lo, hi) = m.bands[k];
            let over = f.add(variable().min(0.0), (current - hi).max(0.0));
            let under = f.add(variable().min(0.0), (lo - current).max(0.0));
            f.constraints.push(constraint!(load.clone() - over <= hi));
            f.constraints.push(constraint!(load + under >= lo));
            f.objective += m.unit[k] * (over + under);
        }
    }
}

/// Topic spread, only where a topic's cap can be exceeded on an eligible broker:
///
/// ```text
/// e[t,b] ≥ fixed_t(b) + Σ_{p∈t} x[p,b] − cap_t      (and with l for leaders, joint model)
/// objective += w_s·e[t,b]
/// ```
fn topic_spread(m: &Model, f: &mut Formulation) {
    if m.spread_unit == 0.0 {
        return;
    }
    for (&(t, b), &(fixed_r, fixed_l)) in &m.fixed_topic {
        if !m.eligible[b] {
            continue;
        }
        let (cap_r, cap_l) = m.caps[&t];
        let members: Vec<(usize, usize)> = m
            .parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.topic == t)
            .filter_map(|(i, p)| p.candidates.iter().position(|&c| c == b).map(|j| (i, j)))
            .collect();
        for (leaders, fixed, cap) in [(false, fixed_r, cap_r), (true, fixed_l, cap_l)] {
            if (leaders && !m.joint) || fixed as usize + members.len() <= cap as usize {
                continue;
            }
            let mut sum = Expression::from(fixed as f64 - cap as f64);
            let mut current = fixed as f64 - cap as f64;
            for &(i, j) in &members {
                sum += if leaders { f.l[i][j] } else { f.x[i][j] };
                current += if leaders {
                    f64::from(u8::from(m.warm[i][0] == b))
                } else {
                    held(m, i, b)
                };
            }
            let e = f.add(variable().min(0.0), current.max(0.0));
            f.constraints.push(constraint!(sum - e <= 0.0));
            f.objective += m.spread_unit * e;
        }
    }
}

/// The replication factor, and in the joint model one leader among the replicas:
///
/// ```text
/// Σ_b x[p,b] = RF_p
/// Σ_b l[p,b] = 1,   l[p,b] ≤ x[p,b],   objective += 1e-4·(1 − l[p, current leader of p])
/// ```
fn replica_sets(m: &Model, f: &mut Formulation) {
    for (i, part) in m.parts.iter().enumerate() {
        let sum: Expression = f.x[i].iter().copied().sum();
        f.constraints.push(constraint!(sum == part.rf as f64));
        if !m.joint {
            continue;
        }
        let sum_l: Expression = f.l[i].iter().copied().sum();
        f.constraints.push(constraint!(sum_l == 1.0));
        for j in 0..part.candidates.len() {
            f.constraints
                .push(constraint!(f.l[i][j] - f.x[i][j] <= 0.0));
        }
        match part
            .candidates
            .iter()
            .position(|&c| c == part.current_leader)
        {
            Some(j) => f.objective += LEADER_CHANGE * (1.0 - f.l[i][j]),
            None => f.objective += LEADER_CHANGE,
        }
    }
}

/// Rack spread for partitions that must span more than one rack. With `RF ≤ #racks` every
/// replica in its own rack; with `RF > #racks` every rack covered:
///
/// ```text
/// RF_p ≤ q:   Σ_{b∈C_p∩r} x[p,b] ≤ 1   for every rack r
/// RF_p > q:   Σ_{b∈C_p∩r} x[p,b] ≥ 1   for every rack r
/// ```
fn racks(m: &Model, f: &mut Formulation) {
    for (i, part) in m.parts.iter().enumerate() {
        if part.racks_required <= 1 {
            continue;
        }
        let mut by_rack: BTreeMap<usize, Vec<Variable>> = BTreeMap::new();
        for (j, &b) in part.candidates.iter().enumerate() {
            by_rack
                .entry(m.racks[b].unwrap_or(usize::MAX))
                .or_default()
                .push(f.x[i][j]);
        }
        for vs in by_rack.values() {
            let s: Expression = vs.iter().copied().sum();
            f.constraints.push(if part.racks_required >= part.rf {
                constraint!(s <= 1.0)
            } else {
                constraint!(s >= 1.0)
            });
        }
    }
}

/// Data moved and the budgets, over replicas on brokers that did not hold the partition:
///
/// ```text
/// moves = Σ_p Σ_{b∉orig(p)} x[p,b]            moves ≤ remaining --max-moves
/// bytes = Σ_p Σ_{b∉orig(p)} size_p·x[p,b]     bytes ≤ remaining --max-move-bytes
/// objective += w_m·Σ_p Σ_{b∉orig(p)} (size_p / s̄)·x[p,b]
/// ```
fn movement(m: &Model, f: &mut Formulation) {
    let (mut moves, mut bytes) = (Expression::from(0.0), Expression::from(0.0));
    for (i, part) in m.parts.iter().enumerate() {
        for (j, &b) in part.candidates.iter().enumerate() {
            if !part.original.contains(&b) {
                moves += f.x[i][j];
                bytes += part.size * f.x[i][j];
                f.objective += m.move_unit * part.size / m.avg_size * f.x[i][j];
            }
        }
    }
    if m.budget_moves.is_finite() && m.budget_moves < 1e15 {
        f.constraints.push(constraint!(moves <= m.budget_moves));
    }
    if m.budget_bytes.is_finite() {
        f.constraints.push(constraint!(bytes <= m.budget_bytes));
    }
}
