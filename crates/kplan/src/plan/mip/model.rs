//! The data of one MIP solve, owned so the solve can run on a watchdog thread: the partitions of
//! the neighbourhood with their candidates and loads, and everything outside it as fixed load.

use std::collections::BTreeMap;

use super::Neighbourhood;
use crate::model::Resource;
use crate::plan::budget::Budget;
use crate::plan::placement::Placement;
use crate::plan::problem::{Bx, Problem};

/// Price of copying one average partition, in topic-spread units: moving data to lower one topic's
/// count on one broker by one does not pay for itself (see `balance`).
const MOVE_PRICE: f64 = 1.0;

pub(super) struct Model {
    pub parts: Vec<MipPart>,
    /// Load of each broker from everything outside the neighbourhood.
    pub fixed: Vec<[f64; 5]>,
    /// Replicas and leaders of topic `t` on broker `b` from outside the neighbourhood.
    pub fixed_topic: BTreeMap<(usize, Bx), (u32, u32)>,
    /// Per-broker replica and leader caps of each topic in the neighbourhood.
    pub caps: BTreeMap<usize, (u32, u32)>,
    pub eligible: Vec<bool>,
    pub bands: [(f64, f64); 5],
    pub unit: [f64; 5],
    pub spread_unit: f64,
    /// Rack per broker (`None` everywhere when rack awareness is off).
    pub racks: Vec<Option<usize>>,
    pub joint: bool,
    /// What is left of the budget for the neighbourhood's own moves.
    pub budget_moves: f64,
    pub budget_bytes: f64,
    pub avg_size: f64,
    /// Cost of copying one average partition.
    pub move_unit: f64,
    /// The heuristic solution the solve starts from, per partition (leader first).
    pub warm: Vec<Vec<Bx>>,
}

pub(super) struct MipPart {
    pub topic: usize,
    pub rf: usize,
    pub racks_required: usize,
    pub candidates: Vec<Bx>,
    pub original: Vec<Bx>,
    pub current_leader: Bx,
    pub load: [f64; 5],
    pub leader_load: [f64; 5],
    pub size: f64,
}

impl Model {
    /// Resources the model balances: all of them in the joint model, replica resources otherwise.
    pub fn resources(&self) -> Vec<Resource> {
        if self.joint {
            Resource::ALL.to_vec()
        } else {
            crate::plan::placement::REPLICA_RESOURCES.to_vec()
        }
    }
}

pub(super) fn build(st: &Placement, n: &Neighbourhood, budget: &Budget) -> Model {
    let pb: &Problem = st.pb;
    let mut fixed = st.load.clone();
    let mut caps = BTreeMap::new();
    let mut parts = Vec::with_capacity(n.parts.len());
    let (mut moves_inside, mut bytes_inside) = (0i64, 0.0);
    for (i, &p) in n.parts.iter().enumerate() {
        let part = &pb.parts[p];
        for (pos, &b) in st.replicas[p].iter().enumerate() {
            // Take p's contribution out of the fixed load; in the replica-only model the leader
            // stays where it is and its leader load stays fixed.
            for r in Resource::ALL {
                fixed[b][r.index()] -= if n.joint {
                    part.load(r, pos == 0)
                } else {
                    part.replica_load(r)
                };
            }
            let d = Budget::delta(pb, p, None, Some(b));
            moves_inside += d.0;
            bytes_inside += d.1;
        }
        let info = &pb.topics[part.topic];
        caps.insert(part.topic, (info.replica_cap, info.leader_cap));
        parts.push(MipPart {
            topic: part.topic,
            rf: part.target_rf,
            racks_required: part.racks_required,
            candidates: n.candidates[i].clone(),
            original: part.current.clone(),
            current_leader: part.current_leader,
            load: Resource::ALL.map(|r| part.replica_load(r)),
            leader_load: Resource::ALL.map(|r| part.leader_load(r)),
            size: part.size,
        });
    }
    let fixed_topic = fixed_topic_counts(st, n);
    let unit = Resource::ALL.map(|r| st.unit(r));
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
            vec![None; pb.broker_count()]
        },
        joint: n.joint,
        budget_moves: budget.max_moves as f64 - (budget.moves as f64 - moves_inside as f64),
        budget_bytes: budget.max_bytes - (budget.bytes - bytes_inside),
        avg_size: pb.avg_partition_size(),
        move_unit: MOVE_PRICE
            * st.spread_delta_unit()
                .max(1e-3 * pb.band(Resource::Replicas).scale()),
        warm: n.parts.iter().map(|&p| st.replicas[p].to_vec()).collect(),
    }
}

/// Topic counts on each candidate broker from partitions outside the neighbourhood.
fn fixed_topic_counts(st: &Placement, n: &Neighbourhood) -> BTreeMap<(usize, Bx), (u32, u32)> {
    let pb = st.pb;
    let mut inside: BTreeMap<(usize, Bx), (u32, u32)> = BTreeMap::new();
    for (i, &p) in n.parts.iter().enumerate() {
        let t = pb.parts[p].topic;
        for &b in &n.candidates[i] {
            inside.entry((t, b)).or_insert((0, 0));
        }
        for &b in &st.replicas[p] {
            let e = inside.entry((t, b)).or_insert((0, 0));
            e.0 += 1;
            if n.joint && st.leader(p) == b {
                e.1 += 1;
            }
        }
    }
    inside
        .into_iter()
        .map(|((t, b), (replicas, leaders))| {
            let outside = (
                st.topic_replicas(t, b) - replicas,
                st.topic_leaders(t, b) - leaders,
            );
            ((t, b), outside)
        })
        .collect()
}
