//! The planner's working state: a replica list per partition plus everything derived from it,
//! kept up to date incrementally so a candidate move is priced in O(resources).
//!
//! Cost model, shared by every heuristic stage (the MIP states the same objective in algebra):
//!
//! ```text
//! cost = Σ_b∈eligible Σ_k  w_k · 100 · viol_k(load_k(b)) / mean_k        (bands, in % of mean)
//!      + w_ts · 10 / mean_replicas · Σ_b Σ_t max(0, n_t(b) − cap_t)      (topic spread)
//! ```
//!
//! An excess topic replica costs a tenth of a one-replica count deviation, so balance comes first
//! and spread second. A topic matching `--spread-topics` is priced instead at ten count deviations
//! per replica (or leader) outside `[floor, cap]` (within one of its even share, see
//! `topic_spread`), so once spread the other stages keep it. Data movement is not in `cost`: the replica stages only look for moves
//! around brokers out of band and make a move only if it lowers the cost, preferring among those
//! the ones that spread topics and copy fewer bytes. Spread alone never moves data: copying a
//! partition to lower one topic's count on one broker costs more than it buys (see `balance`);
//! leadership, which copies nothing, does move for spread.

use super::hosted_replica::HostedReplica;
use super::problem::{Bx, Problem};
use super::replica_lists::ReplicaLists;
use super::{Band, GoalWeights};
use crate::model::Resource;

/// Replica resources, priced by the replica stage.
pub const REPLICA_RESOURCES: [Resource; 3] =
    [Resource::Disk, Resource::BytesIn, Resource::Replicas];
/// Leader resources, priced by the leader stage.
pub const LEADER_RESOURCES: [Resource; 2] = [Resource::BytesOut, Resource::Leaders];

#[derive(Clone)]
pub struct Placement<'a> {
    pub pb: &'a Problem,
    /// Replica list per partition; index 0 is the leader.
    pub replicas: ReplicaLists,
    /// Load per broker and resource.
    pub load: Vec<[f64; 5]>,
    /// Replicas and leaders of topic `t` on broker `b`, at `b * n_topics + t`: broker-major,
    /// because the hot loops (fill, balance) price many replicas of random topics against one
    /// or two brokers, and one broker's row (2 bytes per topic, 40 KB for 20,000 topics) stays
    /// in cache where a topic-major layout touched a new cache line per replica.
    topic_replicas: Vec<u16>,
    topic_leaders: Vec<u16>,
    /// Movable replicas hosted per broker, each with the partition fields the hot loops read
    /// (see [`HostedReplica`]).
    pub hosted: Vec<Vec<HostedReplica>>,
    /// Cost weight per resource: goal weight · 100 / mean (0 when the goal is off).
    unit: [f64; 5],
    /// The band each resource is steered into: the goal's band, or, where a proven bound shows
    /// that band unreachable, the band widened to that bound (see [`Placement::widen_target`]).
    target: [Band; 5],
    spread_unit: f64,
    /// Cost of one replica or leader of a `--spread-topics` topic outside its range: ten
    /// one-replica count deviations, so the stages keep the spread once made.
    spread_topic_unit: f64,
}

impl<'a> Placement<'a> {
    /// The current assignment of the cluster.
    pub fn current(pb: &'a Problem, goals: &GoalWeights) -> Self {
        let replicas = pb
            .parts
            .iter()
            .map(|p| {
                // The current leader leads in the working state; the rest keep their order.
                let mut r = p.current.clone();
                if let Some(i) = r.iter().position(|&b| b == p.current_leader) {
                    r[..=i].rotate_right(1);
                }
                r
            })
            .collect();
        Self::from_replicas(pb, goals, replicas)
    }

    pub fn from_replicas(pb: &'a Problem, goals: &GoalWeights, replicas: Vec<Vec<Bx>>) -> Self {
        let nb = pb.broker_count();
        let mut unit = [0.0; 5];
        for r in Resource::ALL {
            unit[r.index()] = goals.resource(r) * 100.0 * pb.band(r).scale();
        }
        let spread_unit = goals.topic_spread() * 10.0 * pb.band(Resource::Replicas).scale();
        let spread_topic_unit = 1000.0 * pb.band(Resource::Replicas).scale();
        let mut s = Placement {
            pb,
            replicas: ReplicaLists::new(&[], |_| 0),
            load: vec![[0.0; 5]; nb],
            topic_replicas: vec![0; pb.topics.len() * nb],
            topic_leaders: vec![0; pb.topics.len() * nb],
            hosted: vec![Vec::new(); nb],
            unit,
            target: pb.bands,
            spread_unit,
            spread_topic_unit,
        };
        for (p, reps) in replicas.iter().enumerate() {
            for (i, &b) in reps.iter().enumerate() {
                s.attach(p, b, i == 0);
            }
        }
        s.replicas = ReplicaLists::new(&replicas, |p| pb.parts[p].target_rf);
        s
    }

    fn attach(&mut self, p: usize, b: Bx, leader: bool) {
        let part = &self.pb.parts[p];
        let at = self.topic_at(part.topic, b);
        for r in Resource::ALL {
            self.load[b][r.index()] += part.load(r, leader);
        }
        self.topic_replicas[at] += 1;
        if leader {
            self.topic_leaders[at] += 1;
        }
        if part.movable {
            self.hosted[b].push(HostedReplica::new(p, part));
        }
    }

    fn detach(&mut self, p: usize, b: Bx, leader: bool) {
        let part = &self.pb.parts[p];
        let at = self.topic_at(part.topic, b);
        for r in Resource::ALL {
            self.load[b][r.index()] -= part.load(r, leader);
        }
        self.topic_replicas[at] -= 1;
        if leader {
            self.topic_leaders[at] -= 1;
        }
        if part.movable {
            let h = &mut self.hosted[b];
            let i = h
                .iter()
                .position(|h| h.part() == p)
                .expect("hosted replica");
            h.swap_remove(i);
        }
    }

    /// Moves the replica of `p` on `src` to `dst`, keeping its position (and leadership).
    pub fn move_replica(&mut self, p: usize, src: Bx, dst: Bx) {
        let pos = self.replicas[p]
            .iter()
            .position(|&b| b == src)
            .expect("src hosts p");
        self.detach(p, src, pos == 0);
        self.attach(p, dst, pos == 0);
        self.replicas[p][pos] = dst;
    }

    /// Adds a follower replica of `p` on `dst`.
    pub fn add_replica(&mut self, p: usize, dst: Bx) {
        let leader = self.replicas[p].is_empty();
        self.attach(p, dst, leader);
        self.replicas.push(p, dst);
    }

    /// Removes the replica of `p` on `src`; if it led, the next replica leads.
    pub fn remove_replica(&mut self, p: usize, src: Bx) {
        let pos = self.replicas[p]
            .iter()
            .position(|&b| b == src)
            .expect("src hosts p");
        if pos == 0 && self.replicas[p].len() > 1 {
            let next = self.replicas[p][1];
            self.set_leader(p, next);
            return self.remove_replica(p, src);
        }
        self.detach(p, src, pos == 0);
        self.replicas.remove(p, pos);
    }

    /// Makes `b` (already a replica) the leader of `p`.
    pub fn set_leader(&mut self, p: usize, b: Bx) {
        let old = self.replicas[p][0];
        if old == b {
            return;
        }
        let part = &self.pb.parts[p];
        for r in LEADER_RESOURCES {
            self.load[old][r.index()] -= part.leader_load(r);
            self.load[b][r.index()] += part.leader_load(r);
        }
        let (from, to) = (self.topic_at(part.topic, old), self.topic_at(part.topic, b));
        self.topic_leaders[from] -= 1;
        self.topic_leaders[to] += 1;
        let pos = self.replicas[p]
            .iter()
            .position(|&x| x == b)
            .expect("b is a replica");
        self.replicas[p][..=pos].rotate_right(1);
    }

    /// True when `p` may move from `src` to `dst` under the hard constraints.
    pub fn can_move(&self, p: usize, src: Bx, dst: Bx) -> bool {
        let pb = self.pb;
        let reps = &self.replicas[p];
        if !pb.eligible[dst] || reps.contains(&dst) {
            return false;
        }
        let part = &pb.parts[p];
        if part.racks_required <= 1 {
            return true;
        }
        let mut trial: [Bx; 8] = [0; 8];
        if reps.len() > trial.len() {
            let v: Vec<Bx> = reps
                .iter()
                .map(|&b| if b == src { dst } else { b })
                .collect();
            return pb.rack_spread(&v) >= part.racks_required;
        }
        for (i, &b) in reps.iter().enumerate() {
            trial[i] = if b == src { dst } else { b };
        }
        pb.rack_spread(&trial[..reps.len()]) >= part.racks_required
    }

    /// Eligible brokers below the replica-count band's floor, those lacking the most first (ties
    /// by index): the brokers the hot and fill stages give replicas to.
    pub fn receivers(&self) -> Vec<Bx> {
        let count = Resource::Replicas.index();
        let lo = self.pb.band(Resource::Replicas).lo;
        let mut v: Vec<Bx> = self
            .pb
            .eligible_brokers()
            .filter(|&b| self.load[b][count] < lo - 0.5)
            .collect();
        v.sort_by(|&a, &b| {
            self.load[a][count]
                .total_cmp(&self.load[b][count])
                .then(a.cmp(&b))
        });
        v
    }

    /// True when `b` stays at or above the replica-count band's floor after giving a replica.
    pub fn can_spare_replica(&self, b: Bx) -> bool {
        let lo = self.pb.band(Resource::Replicas).lo;
        self.load[b][Resource::Replicas.index()] - 1.0 >= lo - 1e-9
    }

    pub fn leader(&self, p: usize) -> Bx {
        self.replicas[p][0]
    }

    /// Where topic `t`'s counts on broker `b` are kept (see `topic_replicas`).
    #[inline]
    fn topic_at(&self, t: usize, b: Bx) -> usize {
        b * self.pb.topics.len() + t
    }

    #[inline]
    pub fn topic_replicas(&self, t: usize, b: Bx) -> u32 {
        self.topic_replicas[self.topic_at(t, b)] as u32
    }

    #[inline]
    pub fn topic_leaders(&self, t: usize, b: Bx) -> u32 {
        self.topic_leaders[self.topic_at(t, b)] as u32
    }

    /// Band cost of broker `b` over `resources` if its load changed by `delta` (per resource).
    #[inline]
    pub fn band_cost_with(&self, b: Bx, resources: &[Resource], delta: &[f64; 5]) -> f64 {
        if !self.pb.eligible[b] {
            return 0.0;
        }
        let mut c = 0.0;
        for &r in resources {
            let i = r.index();
            c += self.unit[i] * self.target[i].violation(self.load[b][i] + delta[i]);
        }
        c
    }

    /// How much of broker `b`'s band cost, per resource and in cost units, a replica arriving
    /// (`arriving`) or leaving can take away: the violation below the target band, or above it.
    /// Violation is linear outside the band, so a change of `x` in resource `r` lowers the cost
    /// by at most `min(room[r], unit(r)·|x|)`, and only when it goes the right way.
    pub fn band_room(&self, b: Bx, resources: &[Resource], arriving: bool) -> [f64; 5] {
        let mut room = [0.0; 5];
        if !self.pb.eligible[b] {
            return room;
        }
        for &r in resources {
            let i = r.index();
            let (load, t) = (self.load[b][i], &self.target[i]);
            let outside = if arriving { t.lo - load } else { load - t.hi };
            room[i] = self.unit[i] * outside.max(0.0);
        }
        room
    }

    /// Signed distance from the mean, summed over `resources` in cost units: > 0 means the broker
    /// carries more than its share. Used to pick sources and destinations.
    pub fn pressure(&self, b: Bx, resources: &[Resource]) -> f64 {
        resources
            .iter()
            .map(|&r| {
                let i = r.index();
                self.unit[i] * (self.load[b][i] - self.target[i].mean)
            })
            .sum()
    }

    /// Squared distance from the mean, a smooth tie-break that prefers centred loads.
    pub fn centring_with(&self, b: Bx, resources: &[Resource], delta: &[f64; 5]) -> f64 {
        resources
            .iter()
            .map(|&r| {
                let i = r.index();
                let d = self.unit[i] * (self.load[b][i] + delta[i] - self.target[i].mean);
                d * d
            })
            .sum()
    }

    /// Cost of a count `n` of topic `t`'s replicas (or leaders) on an eligible broker: above the
    /// cap by default, outside `[floor, cap]` for a `--spread-topics` topic.
    #[inline]
    fn spread_cost(&self, b: Bx, t: usize, n: u32, leaders: bool) -> f64 {
        if !self.pb.eligible[b] {
            return 0.0;
        }
        let info = &self.pb.topics[t];
        let (floor, cap) = if leaders {
            (info.leader_floor, info.leader_cap)
        } else {
            (info.replica_floor, info.replica_cap)
        };
        if info.spread {
            self.spread_topic_unit * (n.saturating_sub(cap) + floor.saturating_sub(n)) as f64
        } else {
            self.spread_unit * n.saturating_sub(cap) as f64
        }
    }

    /// Change of topic-spread cost when broker `b` gains (`+1`) or loses (`-1`) a replica of `t`.
    #[inline]
    pub fn spread_delta(&self, t: usize, b: Bx, change: i32, leaders: bool) -> f64 {
        if self.spread_unit == 0.0 && !self.pb.topics[t].spread {
            return 0.0;
        }
        let n = if leaders {
            self.topic_leaders(t, b)
        } else {
            self.topic_replicas(t, b)
        };
        let after = (n as i64 + change as i64).max(0) as u32;
        self.spread_cost(b, t, after, leaders) - self.spread_cost(b, t, n, leaders)
    }

    /// Total cost over `resources` plus the topic spread of replicas (and of leaders when
    /// `resources` includes leader resources).
    pub fn cost(&self, resources: &[Resource]) -> f64 {
        let zero = [0.0; 5];
        let nb = self.pb.broker_count();
        let mut c: f64 = (0..nb)
            .map(|b| self.band_cost_with(b, resources, &zero))
            .sum();
        let leaders = resources.iter().any(|r| r.follows_leader());
        for t in 0..self.pb.topics.len() {
            for b in 0..nb {
                c += if leaders {
                    self.spread_cost(b, t, self.topic_leaders(t, b), true)
                } else {
                    self.spread_cost(b, t, self.topic_replicas(t, b), false)
                };
            }
        }
        c
    }

    /// The most one replica (or leader) arriving on or leaving a broker can lower the
    /// topic-spread cost there: [`Placement::spread_delta`] is never below minus this.
    pub fn max_spread_gain(&self) -> f64 {
        if self.pb.topics.iter().any(|t| t.spread) {
            self.spread_unit.max(self.spread_topic_unit)
        } else {
            self.spread_unit
        }
    }

    /// The most one replica (or leader) *arriving* on a broker can lower the topic-spread cost
    /// there: only a `--spread-topics` topic below its floor gains from an arrival; every other
    /// topic's cost only counts replicas above its cap.
    pub fn max_arrival_spread_gain(&self) -> f64 {
        if self.pb.topics.iter().any(|t| t.spread) {
            self.spread_topic_unit
        } else {
            0.0
        }
    }

    /// Cost of one replica above a topic's per-broker cap.
    pub fn spread_delta_unit(&self) -> f64 {
        self.spread_unit
    }

    pub fn unit(&self, r: Resource) -> f64 {
        self.unit[r.index()]
    }

    /// The band resource `r` is steered into.
    pub fn target(&self, r: Resource) -> &Band {
        &self.target[r.index()]
    }

    /// Steers `r` into `[min(lo, min_load), max(hi, max_load)]`: when a proven bound says no
    /// plan keeps every broker at or below `max_load` > `hi` (or at or above `min_load` < `lo`),
    /// aiming at the goal's band leaves the search churning on what cannot be done, and the
    /// brokers it could still bring in stay out. The target is the band widened to what is
    /// provably the best any plan can do.
    pub fn widen_target(&mut self, r: Resource, min_load: f64, max_load: f64) {
        let t = &mut self.target[r.index()];
        t.lo = t.lo.min(min_load);
        t.hi = t.hi.max(max_load);
    }
}
