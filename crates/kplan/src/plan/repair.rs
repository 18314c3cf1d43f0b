//! Stage 1: make every movable partition satisfy the hard constraints.
//!
//! Replicas on brokers that may not host the partition (decommissioned, or outside `--brokers`)
//! are replaced; replication factors are raised or lowered; partitions spanning too few racks get
//! a replica moved into a missing rack. Each choice takes the cheapest broker under the shared cost
//! model, so repairs already lean towards balance. Partitions are visited in index order, which
//! keeps the outcome deterministic.

use super::budget::Budget;
use super::placement::{Placement, REPLICA_RESOURCES};
use super::problem::Bx;
use super::PlanError;

/// What the mandatory changes cost, per reason, when no budget limits them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mandatory {
    /// Replicas on brokers they must leave (decommissioned, outside `--brokers`).
    pub leave: (usize, f64),
    /// Replicas added by a replication-factor change.
    pub replication: (usize, f64),
    /// Replicas moved into a rack the partition lacks.
    pub racks: (usize, f64),
}

impl Mandatory {
    fn add(slot: &mut (usize, f64), delta: (i64, f64)) {
        slot.0 = (slot.0 as i64 + delta.0).max(0) as usize;
        slot.1 += delta.1;
    }

    pub fn moves(&self) -> usize {
        self.leave.0 + self.replication.0 + self.racks.0
    }

    pub fn bytes(&self) -> f64 {
        self.leave.1 + self.replication.1 + self.racks.1
    }

    /// "the rack repairs alone need 57 moves (12.0 GiB)", or for several reasons "the
    /// mandatory changes need 80 moves (20.0 GiB): the rack repairs 57 (12.0 GiB), …".
    pub fn describe(&self) -> String {
        let parts: Vec<(&str, &str, (usize, f64))> = [
            ("the rack repairs", "need", self.racks),
            (
                "the replicas leaving brokers they may not stay on",
                "need",
                self.leave,
            ),
            ("the replication-factor change", "needs", self.replication),
        ]
        .into_iter()
        .filter(|(_, _, (n, _))| *n > 0)
        .collect();
        let total = format!(
            "{} move{} ({})",
            self.moves(),
            if self.moves() == 1 { "" } else { "s" },
            crate::human::bytes(self.bytes())
        );
        match parts.as_slice() {
            [(what, verb, _)] => format!("{what} alone {verb} {total}"),
            _ => {
                let each: Vec<String> = parts
                    .iter()
                    .map(|(what, _, (n, b))| format!("{what} {n} ({})", crate::human::bytes(*b)))
                    .collect();
                format!("the mandatory changes need {total}: {}", each.join(", "))
            }
        }
    }
}

/// Runs [`repair`] with no budget on `st` and says what it cost, per reason: what any plan
/// must spend before balancing anything (used to explain a budget that is too small).
pub fn mandatory(st: &mut Placement) -> Result<Mandatory, PlanError> {
    let mut needs = Mandatory::default();
    repair_counting(st, &mut Budget::new(None, None), &mut needs)?;
    Ok(needs)
}

pub fn repair(st: &mut Placement, budget: &mut Budget) -> Result<(), PlanError> {
    repair_counting(st, budget, &mut Mandatory::default())
}

fn repair_counting(
    st: &mut Placement,
    budget: &mut Budget,
    needs: &mut Mandatory,
) -> Result<(), PlanError> {
    let pb = st.pb;
    for p in 0..pb.parts.len() {
        let part = &pb.parts[p];
        if !part.movable || pb.is_valid_placement(p, &st.replicas[p]) {
            continue;
        }
        // Lower the replication factor first, dropping replicas that must leave anyway.
        while st.replicas[p].len() > part.target_rf {
            let src = best_removal(st, p);
            budget.charge(Budget::delta(pb, p, Some(src), None));
            st.remove_replica(p, src);
        }
        // Replace replicas on brokers that may not host the partition.
        let bad: Vec<Bx> = st.replicas[p]
            .iter()
            .copied()
            .filter(|&b| !pb.eligible[b])
            .collect();
        for src in bad {
            let dst = best_destination(st, p, Some(src), budget)
                .ok_or_else(|| budget_error(st, p, "a replica is on a broker it must leave"))?;
            let delta = Budget::delta(pb, p, Some(src), Some(dst));
            Mandatory::add(&mut needs.leave, delta);
            budget.charge(delta);
            st.move_replica(p, src, dst);
        }
        // Raise it.
        while st.replicas[p].len() < part.target_rf {
            let dst = best_destination(st, p, None, budget)
                .ok_or_else(|| budget_error(st, p, "its replication factor changes"))?;
            let delta = Budget::delta(pb, p, None, Some(dst));
            Mandatory::add(&mut needs.replication, delta);
            budget.charge(delta);
            st.add_replica(p, dst);
        }
        // Spread over racks: move a replica out of a rack that holds two.
        while pb.rack_spread(&st.replicas[p]) < part.racks_required {
            let (src, dst) = best_rack_fix(st, p, budget)
                .ok_or_else(|| budget_error(st, p, "it spans too few racks"))?;
            let delta = Budget::delta(pb, p, Some(src), Some(dst));
            Mandatory::add(&mut needs.racks, delta);
            budget.charge(delta);
            st.move_replica(p, src, dst);
        }
        debug_assert!(pb.is_valid_placement(p, &st.replicas[p]));
    }
    Ok(())
}

fn budget_error(st: &Placement, p: usize, why: &str) -> PlanError {
    PlanError::BudgetTooSmall {
        tp: st.pb.topic_partition(p).to_string(),
        why: why.to_owned(),
    }
}

/// Cost increase of giving broker `b` one more replica of `p` (band and topic spread).
fn add_cost(st: &Placement, p: usize, b: Bx) -> f64 {
    let part = &st.pb.parts[p];
    let mut d = [0.0; 5];
    for r in REPLICA_RESOURCES {
        d[r.index()] = part.replica_load(r);
    }
    let zero = [0.0; 5];
    st.band_cost_with(b, &REPLICA_RESOURCES, &d) - st.band_cost_with(b, &REPLICA_RESOURCES, &zero)
        + st.spread_delta(part.topic, b, 1, false)
        // Tie-break: the less loaded broker.
        + 1e-6 * st.pressure(b, &REPLICA_RESOURCES)
}

/// The cheapest eligible broker to take a replica of `p` (replacing `src` when given), preferring
/// those that let the partition reach its rack spread with the slots it has left. When none does
/// (two staying replicas share a rack and no slot is left), any broker will do: the rack step
/// that follows moves one of the doubled replicas.
fn best_destination(st: &Placement, p: usize, src: Option<Bx>, budget: &Budget) -> Option<Bx> {
    let pb = st.pb;
    let part = &pb.parts[p];
    // Replicas that stay, and how many slots remain after this one is filled.
    let base: Vec<Bx> = st.replicas[p]
        .iter()
        .copied()
        .filter(|&b| Some(b) != src && pb.eligible[b])
        .collect();
    let slots_after = part.target_rf.saturating_sub(base.len() + 1);
    let mut best: Option<(bool, f64, Bx)> = None;
    for b in pb.eligible_brokers() {
        if st.replicas[p].contains(&b) || !budget.allows(Budget::delta(pb, p, src, Some(b))) {
            continue;
        }
        let mut trial = base.clone();
        trial.push(b);
        let short = pb.rack_spread(&trial) + slots_after < part.racks_required;
        let c = add_cost(st, p, b);
        if best.is_none_or(|(bs, bc, _)| (short, c) < (bs, bc)) {
            best = Some((short, c, b));
        }
    }
    best.map(|(_, _, b)| b)
}

/// The replica of `p` whose removal lowers the cost most while keeping the rack spread.
fn best_removal(st: &Placement, p: usize) -> Bx {
    let pb = st.pb;
    let part = &pb.parts[p];
    let reps = &st.replicas[p];
    let mut best: Option<(f64, Bx)> = None;
    for &b in reps {
        let rest: Vec<Bx> = reps.iter().copied().filter(|&x| x != b).collect();
        let spread_ok = pb.rack_spread(&rest) >= part.racks_required.min(rest.len());
        // Removing from a broker is the mirror of adding to it: the lower its add cost, the
        // more it needs the replica, so remove where the add cost is highest.
        let c = -add_cost(st, p, b)
            + if spread_ok { 0.0 } else { 1e12 }
            + if pb.eligible[b] { 0.0 } else { -1e15 };
        if best.is_none_or(|(bc, _)| c < bc) {
            best = Some((c, b));
        }
    }
    best.expect("a partition above its target RF has replicas")
        .1
}

/// A move that adds a rack to the spread of `p`: from a broker whose rack is doubled to a broker
/// in a rack the partition lacks.
fn best_rack_fix(st: &Placement, p: usize, budget: &Budget) -> Option<(Bx, Bx)> {
    let pb = st.pb;
    let reps = &st.replicas[p];
    let racks: Vec<usize> = reps.iter().map(|&b| pb.rack_of[b].expect("rack")).collect();
    let mut best: Option<(f64, Bx, Bx)> = None;
    for (i, &src) in reps.iter().enumerate() {
        if racks.iter().filter(|&&r| r == racks[i]).count() < 2 {
            continue;
        }
        for dst in pb.eligible_brokers() {
            let r = pb.rack_of[dst].expect("rack");
            if racks.contains(&r) || !budget.allows(Budget::delta(pb, p, Some(src), Some(dst))) {
                continue;
            }
            let c = add_cost(st, p, dst) - add_cost(st, p, src);
            if best.is_none_or(|(bc, _, _)| c < bc) {
                best = Some((c, src, dst));
            }
        }
    }
    best.map(|(_, s, d)| (s, d))
}
