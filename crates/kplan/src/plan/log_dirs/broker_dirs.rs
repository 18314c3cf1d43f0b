//! One broker's directories while the stage places its replicas (see the module docs of
//! [`log_dirs`](super)).

use std::collections::{BTreeMap, BTreeSet};

use super::dir_bound::{search, DirProblem, SEARCH_NODES};
use crate::model::{BrokerId, LogDir, LogDirId, TopicPartition};
use crate::plan::{PlanError, PlanRequest};

/// Relative slack when comparing usages (sums in different orders).
const SAME: f64 = 1e-9;

/// A replica the broker holds after the plan.
#[derive(Clone, Debug)]
pub(super) struct DirReplica {
    /// Partition (problem index).
    pub p: u32,
    pub size: u64,
    /// The broker does not hold it yet.
    pub arriving: bool,
    /// The directory holding it now, when the broker holds it and the snapshot says where.
    pub home: Option<LogDirId>,
    /// Its partition may change.
    pub movable: bool,
}

/// Max and min usage over a set of directories, relative to their mean, and the worst one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Spread {
    pub max_over_mean: f64,
    pub min_over_mean: f64,
    /// Index (in the broker's list) of the directory furthest above the mean.
    pub worst: usize,
}

/// A replica in a directory's candidate set: (size, replica index).
type Candidate = (u64, u32);

/// The broker's directories and where each of its replicas is, updated move by move.
pub(super) struct BrokerDirs<'a> {
    pub broker: BrokerId,
    pub dirs: &'a [LogDir],
    /// Takes new replicas: neither cordoned, offline nor removed.
    accepts: Vec<bool>,
    removed: Vec<bool>,
    /// What usage is measured against: `total_bytes` when every directory has one, else 1.
    weight: Vec<f64>,
    /// Bytes in each directory: now (`current`) and as placed so far (`load`).
    current: Vec<u64>,
    load: Vec<u64>,
    /// Bytes the plan puts in each directory (replicas not there now).
    arrivals: Vec<u64>,
    replicas: Vec<DirReplica>,
    /// Directory index of each replica now, and where it ends (`None`: unknown, "any").
    home: Vec<Option<usize>>,
    at: Vec<Option<usize>>,
    /// Per directory, movable replicas that move for free (not at home) and those at home.
    free: Vec<BTreeSet<Candidate>>,
    settled: Vec<BTreeSet<Candidate>>,
    /// Proven lower bound on max usage / mean after the plan (see [`prove`](Self::prove)).
    bound: f64,
}

impl<'a> BrokerDirs<'a> {
    /// The broker's state before placing: replicas at home stay there, the rest are unplaced.
    /// `current` holds the bytes each directory holds now (replicas leaving included).
    pub fn new(
        broker: BrokerId,
        dirs: &'a [LogDir],
        request: &PlanRequest,
        replicas: Vec<DirReplica>,
        current: &BTreeMap<LogDirId, u64>,
    ) -> Self {
        let n = dirs.len();
        let removed: Vec<bool> = dirs
            .iter()
            .map(|d| request.removes_log_dir(broker, &d.path))
            .collect();
        let accepts: Vec<bool> = (0..n)
            .map(|i| dirs[i].accepts_replicas() && !removed[i])
            .collect();
        let weight = if dirs.iter().all(|d| d.total_bytes.is_some_and(|t| t > 0)) {
            dirs.iter()
                .map(|d| d.total_bytes.unwrap_or(1) as f64)
                .collect()
        } else {
            vec![1.0; n]
        };
        let index = |id: LogDirId| dirs.iter().position(|d| d.id == id);
        let home: Vec<Option<usize>> = replicas.iter().map(|r| r.home.and_then(index)).collect();
        let mut s = BrokerDirs {
            broker,
            dirs,
            accepts,
            removed,
            weight,
            current: dirs
                .iter()
                .map(|d| current.get(&d.id).copied().unwrap_or(0))
                .collect(),
            load: vec![0; n],
            arrivals: vec![0; n],
            at: vec![None; replicas.len()],
            home,
            replicas,
            free: vec![BTreeSet::new(); n],
            settled: vec![BTreeSet::new(); n],
            bound: 1.0,
        };
        for r in 0..s.replicas.len() {
            if let Some(d) = s.home[r].filter(|&d| !s.removed[d]) {
                s.put(r, d);
            }
        }
        s
    }

    /// Replicas in a removed directory must leave it: refused when their partition may not change.
    pub fn check_removed(
        &self,
        movable: impl Fn(usize) -> bool,
        tp: impl Fn(usize) -> TopicPartition,
    ) -> Result<(), PlanError> {
        for (r, rep) in self.replicas.iter().enumerate() {
            if let Some(d) = self.home[r].filter(|&d| self.removed[d]) {
                if !movable(rep.p as usize) {
                    return Err(PlanError::RemovedLogDirPinned {
                        tp: tp(rep.p as usize).to_string(),
                        broker: self.broker,
                        path: self.dirs[d].path.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Places every replica that must be placed (arriving, or leaving a removed directory),
    /// largest first, each where the usage stays lowest among the directories with room.
    pub fn place_required(&mut self, tp: impl Fn(usize) -> String) -> Result<(), PlanError> {
        let mut todo: Vec<usize> = (0..self.replicas.len())
            .filter(|&r| self.replicas[r].arriving || self.home[r].is_some_and(|d| self.removed[d]))
            .collect();
        todo.sort_by_key(|&r| (std::cmp::Reverse(self.replicas[r].size), self.replicas[r].p));
        for r in todo {
            let size = self.replicas[r].size;
            let best = (0..self.dirs.len())
                .filter(|&d| self.accepts[d] && self.fits(r, d))
                .min_by(|&a, &b| {
                    let usage = |d: usize| (self.load[d] + size) as f64 / self.weight[d];
                    usage(a).total_cmp(&usage(b)).then(a.cmp(&b))
                });
            let Some(d) = best else {
                return Err(PlanError::NoLogDirRoom {
                    broker: self.broker,
                    tp: tp(self.replicas[r].p as usize),
                    size,
                    why: self.why_no_room(),
                });
            };
            self.put(r, d);
        }
        Ok(())
    }

    /// Moves replicas from the fullest directories to the emptiest while one is out of band.
    /// Work bound: two moves per replica.
    pub fn balance(&mut self, tolerance: f64) {
        for _ in 0..2 * self.replicas.len() {
            if !self.step(tolerance) {
                break;
            }
        }
    }

    /// One move between the fullest and an emptier directory (or an emptier and the emptiest);
    /// false when every directory is in band or no move helps.
    fn step(&mut self, tolerance: f64) -> bool {
        let mut order: Vec<usize> = (0..self.dirs.len()).filter(|&d| self.accepts[d]).collect();
        if order.len() < 2 {
            return false;
        }
        let mean = self.mean(&order, &self.load);
        let (hi, lo) = (mean * (1.0 + tolerance), mean * (1.0 - tolerance));
        order.sort_by(|&a, &b| self.usage(b).total_cmp(&self.usage(a)).then(a.cmp(&b)));
        let (first, last) = (order[0], order[order.len() - 1]);
        if self.usage(first) <= hi && self.usage(last) >= lo {
            return false;
        }
        let pairs = order
            .iter()
            .rev()
            .map(|&u| (first, u))
            .chain(order.iter().map(|&o| (o, last)));
        for (o, u) in pairs {
            let out_of_band = self.usage(o) > hi || self.usage(u) < lo;
            if o != u && self.usage(o) > self.usage(u) && self.try_move(o, u, out_of_band) {
                return true;
            }
        }
        false
    }

    /// Moves one replica from `o` to `u` that brings their usages closer: a free one if any,
    /// a settled one (an intra-broker move) only when `settled_ok`.
    fn try_move(&mut self, o: usize, u: usize, settled_ok: bool) -> bool {
        // The transfer that equalises the two usages: (L_o − x)/w_o = (L_u + x)/w_u.
        let (wo, wu) = (self.weight[o], self.weight[u]);
        let x = (self.load[o] as f64 * wu - self.load[u] as f64 * wo) / (wo + wu);
        if x < 1.0 {
            return false;
        }
        // Any size in (0, 2x) narrows the gap between the two.
        let limit = (2.0 * x).ceil() as u64 - 1;
        let target = x as u64;
        let mut pick = self.closest(&self.free[o], target, limit, u);
        if pick.is_none() && settled_ok {
            pick = self.closest(&self.settled[o], target, limit, u);
        }
        if let Some(r) = pick {
            self.take(r);
            self.put(r, u);
            return true;
        }
        settled_ok && self.try_swap(o, u, x)
    }

    /// Swaps a replica of `o` with a smaller one of `u` when no single replica fits the gap:
    /// any difference in (0, 2x) narrows it.
    fn try_swap(&mut self, o: usize, u: usize, x: f64) -> bool {
        let Some((ra, rb)) = self.find_swap(o, u, x) else {
            return false;
        };
        self.take(ra);
        self.take(rb);
        self.put(ra, u);
        self.put(rb, o);
        true
    }

    /// The swap for [`try_swap`](Self::try_swap): free replicas first on both sides; for each
    /// replica `a` of `o`, the replica `b` of `u` nearest `a − x` with `0 < a − b < 2x`.
    fn find_swap(&self, o: usize, u: usize, x: f64) -> Option<(usize, usize)> {
        let limit = (2.0 * x).ceil() as u64 - 1;
        let sides = [
            (&self.free[o], &self.free[u]),
            (&self.free[o], &self.settled[u]),
            (&self.settled[o], &self.free[u]),
            (&self.settled[o], &self.settled[u]),
        ];
        for (from_o, from_u) in sides {
            for &(a, ra) in from_o.iter().rev() {
                let (lo, want) = (a.saturating_sub(limit), a.saturating_sub(x as u64));
                let below = from_u.range((lo, 0)..=(want, u32::MAX)).next_back();
                let above = from_u.range((want, 0)..(a, 0)).next();
                let near = match (below, above) {
                    (Some(b), Some(c)) => Some(if want - b.0 <= c.0 - want { b } else { c }),
                    (b, c) => b.or(c),
                };
                let Some(&(_, rb)) = near else { continue };
                let (ra, rb) = (ra as usize, rb as usize);
                if self.fits_swap(ra, u, rb) && self.fits_swap(rb, o, ra) {
                    return Some((ra, rb));
                }
            }
        }
        None
    }

    /// True when `r` fits in `d` once `leaving` has left it.
    fn fits_swap(&self, r: usize, d: usize, leaving: usize) -> bool {
        let freed = if self.home[leaving] == Some(d) {
            0
        } else {
            self.replicas[leaving].size
        };
        let arriving = if self.home[r] == Some(d) {
            0
        } else {
            self.replicas[r].size
        };
        self.dirs[d]
            .usable_bytes
            .is_none_or(|u| self.arrivals[d].saturating_sub(freed) + arriving <= u)
    }

    /// The candidate nearest `target` bytes, at most `limit`, that fits in `u`.
    fn closest(
        &self,
        set: &BTreeSet<Candidate>,
        target: u64,
        limit: u64,
        u: usize,
    ) -> Option<usize> {
        let below = set.range(..=(target, u32::MAX)).rev();
        let above = set.range((target, 0)..).take_while(|(s, _)| *s <= limit);
        let fits = |&&(s, r): &&Candidate| s > 0 && self.fits(r as usize, u);
        let a = below.clone().find(fits);
        let b = above.clone().find(fits);
        let r = match (a, b) {
            (Some(a), Some(b)) => Some(if target - a.0 <= b.0 - target { a } else { b }),
            (a, b) => a.or(b),
        };
        r.map(|&(_, r)| r as usize)
    }

    /// True when replica `r` fits in directory `d`'s usable bytes.
    fn fits(&self, r: usize, d: usize) -> bool {
        let arriving = if self.home[r] == Some(d) {
            0
        } else {
            self.replicas[r].size
        };
        self.dirs[d]
            .usable_bytes
            .is_none_or(|u| self.arrivals[d] + arriving <= u)
    }

    fn put(&mut self, r: usize, d: usize) {
        let rep = &self.replicas[r];
        self.at[r] = Some(d);
        self.load[d] += rep.size;
        let at_home = self.home[r] == Some(d);
        if !at_home {
            self.arrivals[d] += rep.size;
        }
        if rep.movable {
            let set = if at_home {
                &mut self.settled
            } else {
                &mut self.free
            };
            set[d].insert((rep.size, r as u32));
        }
    }

    fn take(&mut self, r: usize) {
        let Some(d) = self.at[r].take() else { return };
        let size = self.replicas[r].size;
        self.load[d] -= size;
        if self.home[r] == Some(d) {
            self.settled[d].remove(&(size, r as u32));
        } else {
            self.arrivals[d] -= size;
            self.free[d].remove(&(size, r as u32));
        }
    }

    fn usage(&self, d: usize) -> f64 {
        self.load[d] as f64 / self.weight[d]
    }

    fn mean(&self, dirs: &[usize], load: &[u64]) -> f64 {
        let total: f64 = dirs.iter().map(|&d| load[d] as f64).sum();
        let weight: f64 = dirs.iter().map(|&d| self.weight[d]).sum();
        total / weight
    }

    fn spread_of(&self, dirs: &[usize], load: &[u64]) -> Option<Spread> {
        let mean = self.mean(dirs, load);
        if dirs.is_empty() || mean <= 0.0 {
            return None;
        }
        let rel = |d: usize| load[d] as f64 / self.weight[d] / mean;
        let worst = *dirs
            .iter()
            .max_by(|&&a, &&b| rel(a).total_cmp(&rel(b)).then(b.cmp(&a)))?;
        let min = dirs.iter().map(|&d| rel(d)).fold(f64::INFINITY, f64::min);
        Some(Spread {
            max_over_mean: rel(worst),
            min_over_mean: min,
            worst,
        })
    }

    /// The spread now, over every directory the broker can use.
    pub fn spread_before(&self) -> Option<Spread> {
        let online: Vec<usize> = (0..self.dirs.len())
            .filter(|&d| !self.dirs[d].offline)
            .collect();
        self.spread_of(&online, &self.current)
    }

    /// The spread after the plan, over the directories that accept replicas.
    pub fn spread_after(&self) -> Option<Spread> {
        let acc: Vec<usize> = (0..self.dirs.len()).filter(|&d| self.accepts[d]).collect();
        self.spread_of(&acc, &self.load)
    }

    /// After [`balance`](Self::balance): the proven lower bound on max usage / mean over the
    /// accepting directories for any placement of these replicas; and, while a directory is
    /// still out of band above the cheap bounds, the bounded search of
    /// [`dir_bound`](super::dir_bound), whose better placement is adopted and whose finished
    /// search proves the best one optimal.
    pub fn prove(&mut self, tolerance: f64) {
        let acc: Vec<usize> = (0..self.dirs.len()).filter(|&d| self.accepts[d]).collect();
        let (problem, items) = self.problem(&acc);
        let mean = problem.mean();
        if acc.is_empty() || mean <= 0.0 {
            return;
        }
        let cheap = problem.cheap_bound();
        self.bound = cheap / mean;
        let current = acc.iter().map(|&d| self.usage(d)).fold(0.0, f64::max);
        let in_band = self.spread_after().is_none_or(|s| {
            s.max_over_mean <= 1.0 + tolerance + SAME && s.min_over_mean >= 1.0 - tolerance - SAME
        });
        if in_band || current <= cheap * (1.0 + SAME) {
            return;
        }
        let found = search(&problem, current, SEARCH_NODES);
        if let Some(placement) = found.placement {
            for (i, &d) in placement.iter().enumerate() {
                if self.at[items[i]] != Some(acc[d]) {
                    self.take(items[i]);
                    self.put(items[i], acc[d]);
                }
            }
        }
        if found.proven {
            self.bound = self.bound.max(found.best / mean);
        }
    }

    /// The accepting directories `acc` as the search sees them, and the replica behind each
    /// of its items.
    fn problem(&self, acc: &[usize]) -> (DirProblem, Vec<usize>) {
        let mut pinned = vec![0u64; acc.len()];
        let mut items = Vec::new();
        let mut replicas = Vec::new();
        for (r, rep) in self.replicas.iter().enumerate() {
            let Some(i) = self.at[r].and_then(|d| acc.iter().position(|&a| a == d)) else {
                continue;
            };
            if rep.movable {
                let home = self.home[r].and_then(|h| acc.iter().position(|&a| a == h));
                items.push((rep.size, home));
                replicas.push(r);
            } else {
                pinned[i] += rep.size;
            }
        }
        let problem = DirProblem {
            weight: acc.iter().map(|&d| self.weight[d]).collect(),
            pinned,
            room: acc.iter().map(|&d| self.dirs[d].usable_bytes).collect(),
            items,
        };
        (problem, replicas)
    }

    /// The proven lower bound on max usage / mean after the plan (1 before [`prove`]).
    pub fn max_bound(&self) -> f64 {
        self.bound
    }

    /// Why no directory can take a replica, in words.
    fn why_no_room(&self) -> String {
        let open: Vec<String> = (0..self.dirs.len())
            .filter(|&d| self.accepts[d])
            .map(|d| {
                let left = self.dirs[d]
                    .usable_bytes
                    .map_or(0, |u| u.saturating_sub(self.arrivals[d]));
                format!("{} has {left} usable bytes left", self.dirs[d].path)
            })
            .collect();
        if open.is_empty() {
            "every log dir is cordoned, offline or emptied by --remove-log-dirs".to_owned()
        } else {
            open.join(", ")
        }
    }

    /// The replicas that get a named directory: arrivals and replicas changing directory.
    pub fn named(&self) -> impl Iterator<Item = (usize, LogDirId)> + '_ {
        (0..self.replicas.len()).filter_map(|r| {
            let d = self.at[r]?;
            (self.home[r] != Some(d)).then(|| (self.replicas[r].p as usize, self.dirs[d].id))
        })
    }

    /// Intra-broker moves: replicas the broker holds that change directory, and their bytes.
    pub fn intra_broker_moves(&self) -> (usize, u64) {
        (0..self.replicas.len())
            .filter(|&r| {
                !self.replicas[r].arriving && self.at[r].is_some() && self.at[r] != self.home[r]
            })
            .fold((0, 0), |(n, b), r| (n + 1, b + self.replicas[r].size))
    }

    /// How many directories take replicas.
    pub fn accepting(&self) -> usize {
        self.accepts.iter().filter(|a| **a).count()
    }

    /// The path of directory `d`.
    pub fn path(&self, d: usize) -> &str {
        &self.dirs[d].path
    }
}
