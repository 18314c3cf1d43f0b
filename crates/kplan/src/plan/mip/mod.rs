//! Stages 4 to 6: mixed-integer polishing with HiGHS (through good_lp).
//!
//! The MIP re-solves a *neighbourhood* — a set of partitions `P` with candidate brokers `C_p` —
//! while every other partition stays fixed. With `P` = all movable partitions and `C_p` = all
//! eligible brokers this is the exact model, used when it is small; on large clusters the
//! neighbourhood is the partitions around the brokers the heuristics left out of band. A
//! leadership neighbourhood gives each partition exactly its replicas as candidates, so only the
//! leader variables are free.
//!
//! Variables: `x[p,b] ∈ {0,1}` replica of `p` on `b`; `l[p,b] ∈ {0,1}` `b` leads `p` (joint model
//! only); `over[k,b], under[k,b] ≥ 0` band slack; `e[t,b] ≥ 0` topic excess.
//!
//! The model is always warm-started from the heuristic solution, solved single-threaded under a
//! node limit (deterministic) and a wall-clock watchdog (HiGHS can overshoot its own time limit),
//! and its answer is accepted only if it is valid and strictly cheaper under the shared cost.
//! Copying a partition is priced at one topic-spread unit per average partition, so the model
//! moves data for the bands but not for spread alone (as the heuristics do).

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use good_lp::{
    constraint, highs, variable, Expression, ProblemVariables, Solution, SolverModel, Variable,
    WithInitialSolution,
};

use super::budget::Budget;
use super::placement::{Placement, LEADER_RESOURCES, REPLICA_RESOURCES};
use super::problem::{Bx, Problem};
use crate::model::Resource;

/// Price of copying one average partition, in topic-spread units: moving data to lower one topic's
/// count on one broker by one does not pay for itself (see `balance`).
const MOVE_PRICE: f64 = 1.0;
/// Weight of one leader change.
const LEADER_CHANGE: f64 = 1e-4;
/// Branch-and-bound node limit: a deterministic stand-in for a time limit.
const NODE_LIMIT: i32 = 2_000;

/// A neighbourhood to re-solve.
pub struct Neighbourhood {
    pub parts: Vec<usize>,
    /// Candidate brokers per partition, aligned with `parts`.
    pub candidates: Vec<Vec<Bx>>,
    /// Also choose leaders (otherwise leaders are left to the leader stage).
    pub joint: bool,
}

/// What one MIP solve did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct MipOutcome {
    pub binaries: usize,
    pub improved: bool,
    pub status: String,
    pub millis: u128,
}

/// Owned input of a solve, so the solve can run on a watchdog thread.
struct Model {
    parts: Vec<MipPart>,
    /// Load of each broker from everything outside the neighbourhood.
    fixed: Vec<[f64; 5]>,
    fixed_topic: BTreeMap<(usize, Bx), (u32, u32)>,
    caps: BTreeMap<usize, (u32, u32)>,
    eligible: Vec<bool>,
    bands: [(f64, f64); 5],
    unit: [f64; 5],
    spread_unit: f64,
    racks: Vec<Option<usize>>,
    joint: bool,
    budget_moves: f64,
    budget_bytes: f64,
    avg_size: f64,
    /// Cost of copying one average partition.
    move_unit: f64,
    warm: Vec<Vec<Bx>>,
}

struct MipPart {
    topic: usize,
    rf: usize,
    racks_required: usize,
    candidates: Vec<Bx>,
    original: Vec<Bx>,
    current_leader: Bx,
    load: [f64; 5],
    leader_load: [f64; 5],
    size: f64,
}

/// Re-solves `n` and applies the answer to `st` when it is valid and cheaper.
pub fn polish(
    st: &mut Placement,
    n: &Neighbourhood,
    budget: &mut Budget,
    deadline: Instant,
) -> MipOutcome {
    let started = Instant::now();
    let resources: Vec<Resource> = if n.joint {
        Resource::ALL.to_vec()
    } else {
        REPLICA_RESOURCES.to_vec()
    };
    let model = build_model(st, n, budget);
    let binaries: usize =
        n.candidates.iter().map(Vec::len).sum::<usize>() * if n.joint { 2 } else { 1 };
    let remaining = deadline.saturating_duration_since(Instant::now());
    if remaining < Duration::from_millis(200) {
        return MipOutcome {
            binaries,
            status: "skipped: no time left".into(),
            ..Default::default()
        };
    }
    let (tx, rx) = mpsc::channel();
    let limit = remaining.as_secs_f64();
    std::thread::spawn(move || {
        let _ = tx.send(solve(&model, limit));
    });
    // The watchdog: HiGHS may overrun its limit; past a grace period the answer is abandoned.
    let answer = rx.recv_timeout(remaining + Duration::from_millis(500));
    let mut out = MipOutcome {
        binaries,
        millis: 0,
        ..Default::default()
    };
    match answer {
        Err(_) => out.status = "abandoned by watchdog".into(),
        Ok(Err(e)) => out.status = e,
        Ok(Ok((status, solution))) => {
            out.status = status;
            let before = st.cost(&resources);
            let saved_budget = budget.clone();
            let mut trial = st.clone();
            let mut trial_budget = budget.clone();
            apply(&mut trial, n, &solution, &mut trial_budget);
            let valid = n
                .parts
                .iter()
                .all(|&p| trial.pb.is_valid_placement(p, &trial.replicas[p]));
            let after = trial.cost(&resources);
            let moved_less = trial_budget.bytes < saved_budget.bytes - 0.5;
            if valid
                && trial_budget.moves <= budget.max_moves
                && trial_budget.bytes <= budget.max_bytes + 0.5
                && (after < before - 1e-7 || (after <= before + 1e-9 && moved_less))
            {
                *st = trial;
                *budget = trial_budget;
                out.improved = true;
            }
        }
    }
    out.millis = started.elapsed().as_millis();
    out
}

/// Alternates MIP neighbourhoods with a greedy stage: each round re-solves the neighbourhood
/// `next` picks and, when that improved the plan, lets `greedy` use the room the solve left.
/// Stops after `rounds`, at the first round that does not improve, or when `next` finds nothing
/// out of band. Returns the solves and the changes the greedy stage made.
pub fn rounds<'a>(
    st: &mut Placement<'a>,
    budget: &mut Budget,
    rounds: usize,
    deadline: Instant,
    next: impl Fn(&Placement<'a>) -> Option<Neighbourhood>,
    mut greedy: impl FnMut(&mut Placement<'a>, &mut Budget) -> usize,
) -> (Vec<MipOutcome>, usize) {
    let mut runs = Vec::new();
    let mut changes = 0;
    for _ in 0..rounds {
        let Some(n) = next(st) else {
            break;
        };
        let out = polish(st, &n, budget, deadline);
        let improved = out.improved;
        runs.push(out);
        if !improved {
            break;
        }
        changes += greedy(st, budget);
    }
    (runs, changes)
}

fn build_model(st: &Placement, n: &Neighbourhood, budget: &Budget) -> Model {
    let pb: &Problem = st.pb;
    let nb = pb.broker_count();
    let mut fixed = st.load.clone();
    let mut fixed_topic: BTreeMap<(usize, Bx), (u32, u32)> = BTreeMap::new();
    let mut caps = BTreeMap::new();
    let mut parts = Vec::with_capacity(n.parts.len());
    let mut moves_inside = 0i64;
    let mut bytes_inside = 0.0;
    for (i, &p) in n.parts.iter().enumerate() {
        let part = &pb.parts[p];
        let reps = &st.replicas[p];
        for (pos, &b) in reps.iter().enumerate() {
            // Take p's contribution out of the fixed load; in the replica-only model the leader
            // stays where it is and its leader load stays fixed.
            for r in Resource::ALL {
                let leads = pos == 0;
                let v = if n.joint {
                    part.load(r, leads)
                } else {
                    part.replica_load(r)
                };
                fixed[b][r.index()] -= v;
            }
            let d = Budget::delta(pb, p, None, Some(b));
            moves_inside += d.0;
            bytes_inside += d.1;
        }
        caps.insert(
            part.topic,
            (
                pb.topics[part.topic].replica_cap,
                pb.topics[part.topic].leader_cap,
            ),
        );
        for &b in &n.candidates[i] {
            fixed_topic.entry((part.topic, b)).or_insert((0, 0));
        }
        let mut load = [0.0; 5];
        let mut leader_load = [0.0; 5];
        for r in Resource::ALL {
            load[r.index()] = part.replica_load(r);
            leader_load[r.index()] = part.leader_load(r);
        }
        parts.push(MipPart {
            topic: part.topic,
            rf: part.target_rf,
            racks_required: part.racks_required,
            candidates: n.candidates[i].clone(),
            original: part.current.clone(),
            current_leader: part.current_leader,
            load,
            leader_load,
            size: part.size,
        });
    }
    for (&(t, b), v) in fixed_topic.iter_mut() {
        let inside = n
            .parts
            .iter()
            .filter(|&&p| pb.parts[p].topic == t && st.replicas[p].contains(&b))
            .count() as u32;
        let inside_leaders = n
            .parts
            .iter()
            .filter(|&&p| pb.parts[p].topic == t && st.leader(p) == b)
            .count() as u32;
        *v = (
            st.topic_replicas(t, b) - inside,
            st.topic_leaders(t, b) - if n.joint { inside_leaders } else { 0 },
        );
    }
    let mut unit = [0.0; 5];
    for r in Resource::ALL {
        unit[r.index()] = st.unit(r);
    }
    let avg_size = pb.avg_partition_size();
    Model {
        parts,
        fixed,
        fixed_topic,
        caps,
        eligible: pb.eligible.clone(),
        bands: pb.bands.map(|b| (b.lo, b.hi)),
        unit,
        spread_unit: st.spread_delta_unit(),
        racks: if pb.rack_aware {
            pb.rack_of.clone()
        } else {
            vec![None; nb]
        },
        joint: n.joint,
        budget_moves: budget.max_moves as f64 - (budget.moves as f64 - moves_inside as f64),
        budget_bytes: budget.max_bytes - (budget.bytes - bytes_inside),
        avg_size,
        move_unit: MOVE_PRICE
            * st.spread_delta_unit()
                .max(1e-3 * pb.band(Resource::Replicas).scale()),
        warm: n.parts.iter().map(|&p| st.replicas[p].clone()).collect(),
    }
}

type Answer = Result<(String, Vec<Vec<(Bx, bool)>>), String>;

fn solve(m: &Model, time_limit: f64) -> Answer {
    let mut vars = ProblemVariables::new();
    let mut initial: Vec<(Variable, f64)> = Vec::new();
    // x[i][j], l[i][j] over candidates j of part i.
    let mut x: Vec<Vec<Variable>> = Vec::with_capacity(m.parts.len());
    let mut l: Vec<Vec<Variable>> = Vec::new();
    for (i, part) in m.parts.iter().enumerate() {
        let xs: Vec<Variable> = part
            .candidates
            .iter()
            .map(|_| vars.add(variable().binary()))
            .collect();
        for (j, &b) in part.candidates.iter().enumerate() {
            initial.push((xs[j], f64::from(u8::from(m.warm[i].contains(&b)))));
        }
        if m.joint {
            let ls: Vec<Variable> = part
                .candidates
                .iter()
                .map(|_| vars.add(variable().binary()))
                .collect();
            for (j, &b) in part.candidates.iter().enumerate() {
                initial.push((ls[j], f64::from(u8::from(m.warm[i][0] == b))));
            }
            l.push(ls);
        }
        x.push(xs);
    }
    let resources: Vec<Resource> = if m.joint {
        Resource::ALL.to_vec()
    } else {
        REPLICA_RESOURCES.to_vec()
    };
    let touched: Vec<Bx> = {
        let mut v: Vec<Bx> = m
            .parts
            .iter()
            .flat_map(|p| p.candidates.iter().copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut objective = Expression::from(0.0);
    let mut constraints = Vec::new();

    // Per broker b and resource k:
    //   load_k(b) = fixed_k(b) + Σ_p a_k(p)·x[p,b] + Σ_p c_k(p)·l[p,b]
    //   load_k(b) − over[k,b] ≤ hi_k,   load_k(b) + under[k,b] ≥ lo_k
    //   objective += unit_k · (over[k,b] + under[k,b])
    for &b in &touched {
        if !m.eligible[b] {
            continue;
        }
        for &r in &resources {
            let k = r.index();
            if m.unit[k] == 0.0 {
                continue;
            }
            let mut load = Expression::from(m.fixed[b][k]);
            let mut current = m.fixed[b][k];
            for (i, part) in m.parts.iter().enumerate() {
                if let Some(j) = part.candidates.iter().position(|&c| c == b) {
                    load += part.load[k] * x[i][j];
                    let held = m.warm[i].contains(&b);
                    current += if held { part.load[k] } else { 0.0 };
                    if m.joint {
                        load += part.leader_load[k] * l[i][j];
                        current += if m.warm[i][0] == b {
                            part.leader_load[k]
                        } else {
                            0.0
                        };
                    }
                }
            }
            let (lo, hi) = m.bands[k];
            let over = vars.add(variable().min(0.0));
            let under = vars.add(variable().min(0.0));
            initial.push((over, (current - hi).max(0.0)));
            initial.push((under, (lo - current).max(0.0)));
            constraints.push(constraint!(load.clone() - over <= hi));
            constraints.push(constraint!(load + under >= lo));
            objective += m.unit[k] * (over + under);
        }
    }

    // Topic spread, only where the cap can be exceeded:
    //   e[t,b] ≥ fixed_t(b) + Σ_{p∈t} x[p,b] − cap_t,   e ≥ 0,   objective += spread_unit · e
    if m.spread_unit > 0.0 {
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
                if leaders && !m.joint {
                    continue;
                }
                if fixed as usize + members.len() <= cap as usize {
                    continue;
                }
                let e = vars.add(variable().min(0.0));
                let mut sum = Expression::from(fixed as f64 - cap as f64);
                let mut current = fixed as f64 - cap as f64;
                for &(i, j) in &members {
                    sum += if leaders { l[i][j] } else { x[i][j] };
                    let held = if leaders {
                        m.warm[i][0] == b
                    } else {
                        m.warm[i].contains(&b)
                    };
                    current += f64::from(u8::from(held));
                }
                initial.push((e, current.max(0.0)));
                constraints.push(constraint!(sum - e <= 0.0));
                objective += m.spread_unit * e;
            }
        }
    }

    let mut moves = Expression::from(0.0);
    let mut bytes = Expression::from(0.0);
    for (i, part) in m.parts.iter().enumerate() {
        // Σ_b x[p,b] = RF_p
        let sum: Expression = x[i].iter().copied().sum();
        constraints.push(constraint!(sum == part.rf as f64));
        if m.joint {
            // Σ_b l[p,b] = 1,   l[p,b] ≤ x[p,b]
            let sum_l: Expression = l[i].iter().copied().sum();
            constraints.push(constraint!(sum_l == 1.0));
            for j in 0..part.candidates.len() {
                constraints.push(constraint!(l[i][j] - x[i][j] <= 0.0));
            }
            // objective += LEADER_CHANGE · (1 − l[p, current leader])
            match part
                .candidates
                .iter()
                .position(|&c| c == part.current_leader)
            {
                Some(j) => objective += LEADER_CHANGE * (1.0 - l[i][j]),
                None => objective += LEADER_CHANGE,
            }
        }
        // Rack spread. RF ≤ #racks: Σ_{b∈r} x[p,b] ≤ 1 for every rack r.
        // RF > #racks: Σ_{b∈r} x[p,b] ≥ 1 for every rack r (all racks covered).
        if part.racks_required > 1 {
            let mut by_rack: BTreeMap<usize, Vec<Variable>> = BTreeMap::new();
            for (j, &b) in part.candidates.iter().enumerate() {
                by_rack
                    .entry(m.racks[b].unwrap_or(usize::MAX))
                    .or_default()
                    .push(x[i][j]);
            }
            for vs in by_rack.values() {
                let s: Expression = vs.iter().copied().sum();
                if part.racks_required >= part.rf {
                    constraints.push(constraint!(s <= 1.0));
                } else {
                    constraints.push(constraint!(s >= 1.0));
                }
            }
        }
        // Moved bytes: Σ_{b ∉ original(p)} size_p · x[p,b]
        for (j, &b) in part.candidates.iter().enumerate() {
            if !part.original.contains(&b) {
                moves += x[i][j];
                bytes += part.size * x[i][j];
                objective += m.move_unit * part.size / m.avg_size * x[i][j];
            }
        }
    }
    // Budgets: Σ moves ≤ remaining moves, Σ bytes ≤ remaining bytes.
    if m.budget_moves.is_finite() && m.budget_moves < 1e15 {
        constraints.push(constraint!(moves <= m.budget_moves));
    }
    if m.budget_bytes.is_finite() {
        constraints.push(constraint!(bytes <= m.budget_bytes));
    }

    let mut problem = vars
        .minimise(objective)
        .using(highs)
        .set_threads(1)
        .set_time_limit(time_limit.max(0.1))
        .set_option("mip_max_nodes", NODE_LIMIT)
        .set_option("random_seed", 0)
        .with_initial_solution(initial);
    for c in constraints {
        problem.add_constraint(c);
    }
    let solution = problem.solve().map_err(|e| format!("no solution: {e}"))?;
    let status = format!("{:?}", solution.status());
    let chosen = m
        .parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            part.candidates
                .iter()
                .enumerate()
                .filter(|(j, _)| solution.value(x[i][*j]) > 0.5)
                .map(|(j, &b)| (b, m.joint && solution.value(l[i][j]) > 0.5))
                .collect()
        })
        .collect();
    Ok((status, chosen))
}

/// Applies a MIP answer: each partition's new broker set, keeping unchanged brokers in place.
fn apply(st: &mut Placement, n: &Neighbourhood, solution: &[Vec<(Bx, bool)>], budget: &mut Budget) {
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

/// The exact model when it is small enough to solve whole.
pub fn exact(pb: &Problem, max_binaries: usize) -> Option<Neighbourhood> {
    let parts: Vec<usize> = (0..pb.parts.len())
        .filter(|&p| pb.parts[p].movable)
        .collect();
    let brokers: Vec<Bx> = pb.eligible_brokers().collect();
    if parts.is_empty() || parts.len() * brokers.len() * 2 > max_binaries {
        return None;
    }
    let candidates = parts.iter().map(|_| brokers.clone()).collect();
    Some(Neighbourhood {
        parts,
        candidates,
        joint: true,
    })
}

/// A neighbourhood around the brokers still out of band: their partitions may move among them
/// and the brokers with the most room in the opposite direction.
pub fn around_violations(st: &Placement, max_binaries: usize) -> Option<Neighbourhood> {
    let pb = st.pb;
    let zero = [0.0; 5];
    let mut worst: Vec<(f64, Bx)> = pb
        .eligible_brokers()
        .map(|b| (st.band_cost_with(b, &REPLICA_RESOURCES, &zero), b))
        .filter(|(c, _)| *c > 1e-9)
        .collect();
    if worst.is_empty() {
        return None;
    }
    worst.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut brokers: Vec<Bx> = worst.iter().take(6).map(|&(_, b)| b).collect();
    let mut by_pressure: Vec<(f64, Bx)> = pb
        .eligible_brokers()
        .map(|b| (st.pressure(b, &REPLICA_RESOURCES), b))
        .collect();
    by_pressure.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for &(_, b) in by_pressure
        .iter()
        .take(3)
        .chain(by_pressure.iter().rev().take(3))
    {
        if !brokers.contains(&b) {
            brokers.push(b);
        }
    }
    brokers.sort_unstable();
    let per_part = brokers.len() + 3;
    let max_parts = (max_binaries / per_part).max(1);
    // Partitions of the out-of-band brokers, round-robin so each broker contributes.
    let lists: Vec<Vec<usize>> = worst
        .iter()
        .take(6)
        .map(|&(_, b)| {
            let mut v: Vec<usize> = st.hosted[b].iter().map(|&p| p as usize).collect();
            v.sort_unstable();
            v
        })
        .collect();
    let mut parts: Vec<usize> = Vec::new();
    let mut i = 0;
    while parts.len() < max_parts && lists.iter().any(|l| i < l.len()) {
        for l in &lists {
            if let Some(&p) = l.get(i) {
                if !parts.contains(&p) && parts.len() < max_parts {
                    parts.push(p);
                }
            }
        }
        i += 1;
    }
    parts.sort_unstable();
    let candidates = parts
        .iter()
        .map(|&p| {
            let mut c: Vec<Bx> = st.replicas[p]
                .iter()
                .copied()
                .chain(brokers.iter().copied())
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        })
        .collect();
    Some(Neighbourhood {
        parts,
        candidates,
        joint: false,
    })
}

/// A leadership-only neighbourhood around the brokers out of band for bytes out or leaders: each
/// partition keeps its brokers (its candidates are exactly its replicas, so `x` is fixed and only
/// `l` is free) and the model chooses who leads.
///
/// The brokers in play are the out-of-band ones plus, so that leadership has somewhere to go, the
/// in-band brokers furthest from the mean. A partition joins when at least two of its replicas
/// are in play, most promising first: the widest gap between its replicas' deviations.
/// A broker whose leader count is at its cap then fixes bytes out by trading leaderships, and
/// counts move along chains the greedy stage cannot see.
pub fn around_leader_violations(st: &Placement, max_binaries: usize) -> Option<Neighbourhood> {
    let pb = st.pb;
    let zero = [0.0; 5];
    let out_of_band: Vec<Bx> = pb
        .eligible_brokers()
        .filter(|&b| st.band_cost_with(b, &LEADER_RESOURCES, &zero) > 1e-9)
        .collect();
    if out_of_band.is_empty() {
        return None;
    }
    // Each broker's deviation from the mean per leader resource, in cost units: bytes out and
    // leader count pull in different directions on the same broker, so they stay separate.
    let deviation: Vec<[f64; 2]> = (0..pb.broker_count())
        .map(|b| LEADER_RESOURCES.map(|r| st.unit(r) * (st.load[b][r.index()] - pb.band(r).mean)))
        .collect();
    let distance = |a: Bx, b: Bx| -> f64 {
        (deviation[a][0] - deviation[b][0]).abs() + (deviation[a][1] - deviation[b][1]).abs()
    };
    let mut in_play = vec![false; pb.broker_count()];
    for &b in &out_of_band {
        in_play[b] = true;
    }
    // Partners: as many in-band brokers as there are out-of-band ones (at least 16), those
    // furthest from the mean first — they have the most room to trade.
    let mut partners: Vec<(f64, Bx)> = pb
        .eligible_brokers()
        .filter(|&b| !in_play[b])
        .map(|b| (deviation[b][0].abs() + deviation[b][1].abs(), b))
        .collect();
    partners.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, b) in partners.iter().take(out_of_band.len().max(16)) {
        in_play[b] = true;
    }
    let mut ranked: Vec<(f64, usize)> = (0..pb.parts.len())
        .filter(|&p| pb.parts[p].movable && st.replicas[p].len() > 1)
        .filter_map(|p| {
            let playing: Vec<Bx> = st.replicas[p]
                .iter()
                .copied()
                .filter(|&b| in_play[b])
                .collect();
            let mut gap: f64 = 0.0;
            for (i, &a) in playing.iter().enumerate() {
                for &b in &playing[i + 1..] {
                    gap = gap.max(distance(a, b));
                }
            }
            (gap > 0.0).then_some((gap, p))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut parts: Vec<usize> = Vec::new();
    let mut binaries = 0;
    for (_, p) in ranked {
        if binaries >= max_binaries {
            break;
        }
        binaries += 2 * st.replicas[p].len();
        parts.push(p);
    }
    if parts.is_empty() {
        return None;
    }
    parts.sort_unstable();
    let candidates = parts
        .iter()
        .map(|&p| {
            let mut c = st.replicas[p].clone();
            c.sort_unstable();
            c
        })
        .collect();
    Some(Neighbourhood {
        parts,
        candidates,
        joint: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Topic};
    use crate::plan::PlanRequest;

    /// Broker 0 leads all six partitions of a three-broker cluster: the leadership neighbourhood
    /// hands leadership out without touching any replica set.
    #[test]
    fn a_leadership_neighbourhood_only_moves_leaders() {
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
        let before: Vec<Vec<Bx>> = st
            .replicas
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.sort_unstable();
                r
            })
            .collect();
        let n = around_leader_violations(&st, 1_000).expect("broker 0 is out of band");
        assert!(n.joint);
        assert!(n
            .parts
            .iter()
            .zip(&n.candidates)
            .all(|(&p, c)| *c == before[p]));
        let mut budget = Budget::new(None, None);
        let out = polish(
            &mut st,
            &n,
            &mut budget,
            Instant::now() + Duration::from_secs(10),
        );
        assert!(out.improved, "{}", out.status);
        for (p, reps) in st.replicas.iter().enumerate() {
            let mut r = reps.clone();
            r.sort_unstable();
            assert_eq!(r, before[p], "replicas of t-{p} unchanged");
        }
        let leaders = Resource::Leaders.index();
        for b in 0..3 {
            assert_eq!(st.load[b][leaders], 2.0, "broker {b} leads two");
        }
        assert!(around_leader_violations(&st, 1_000).is_none());
    }
}
