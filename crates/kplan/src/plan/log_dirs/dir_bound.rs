//! How evenly a broker's directories can be filled at best: lower bounds on the fullest
//! directory's usage (bytes over its weight, see [`log_dirs`](super)) for every placement of
//! the broker's replicas, and a bounded search that finds a better placement or proves there
//! is none.
//!
//! Three bounds hold for any placement over `k` directories:
//! - the mean usage itself (some directory is at least average);
//! - what the replicas that may not move keep in their directory;
//! - pigeonhole: of the `m·k + 1` largest replicas, some directory holds `m + 1`, so at least
//!   the `m + 1` smallest of them, over the widest directory's weight (`m = 0`: the largest
//!   replica alone). Replicas are not split, so a few large ones set the floor.
//!
//! They are not tight: two directories holding replicas of 1, 2, 3, 4, 2 and 3 GB can do no
//! better than 8 GB against 7 GB (15 GB split in whole replicas), while the bounds say 7.5 GB.
//! When the placement found is out of band and above them, [`search`] places the movable
//! replicas largest first, each into each directory that has room, pruned by the best fullest
//! directory found so far: it either finds a better placement (the stage adopts it) or, when
//! it runs to the end, proves the best one it holds optimal. Its work is a count of nodes,
//! never the clock: past [`SEARCH_NODES`] only the bounds above stand.

/// Search nodes per broker: about a millisecond or two of work.
pub(super) const SEARCH_NODES: u64 = 200_000;

/// Relative slack for "strictly better" (usages are sums in different orders).
const BETTER: f64 = 1e-9;

/// One broker's directories that take replicas, as the search sees them.
pub(super) struct DirProblem {
    /// Usage weight of each directory (its volume's total bytes, or 1).
    pub weight: Vec<f64>,
    /// Bytes of replicas that may not move, per directory.
    pub pinned: Vec<u64>,
    /// Usable bytes of each directory, when known: what arrives there must fit.
    pub room: Vec<Option<u64>>,
    /// The replicas that may move: (size, directory holding it now if one of these).
    pub items: Vec<(u64, Option<usize>)>,
}

/// What the search found.
pub(super) struct SearchResult {
    /// The fullest directory's usage in the best placement known (the one given, or better).
    pub best: f64,
    /// A better placement than the one given: the directory of each item.
    pub placement: Option<Vec<usize>>,
    /// The search ran to the end: no placement has a fuller directory below `best`.
    pub proven: bool,
}

impl DirProblem {
    /// The mean usage over the directories.
    pub fn mean(&self) -> f64 {
        let total: u64 =
            self.pinned.iter().sum::<u64>() + self.items.iter().map(|i| i.0).sum::<u64>();
        total as f64 / self.weight.iter().sum::<f64>()
    }

    /// The largest of the three cheap lower bounds on the fullest directory's usage.
    pub fn cheap_bound(&self) -> f64 {
        let k = self.weight.len();
        if k == 0 {
            return 0.0;
        }
        let widest = self.weight.iter().copied().fold(0.0, f64::max);
        let pinned = (0..k)
            .map(|d| self.pinned[d] as f64 / self.weight[d])
            .fold(0.0, f64::max);
        let mut sizes: Vec<u64> = self.items.iter().map(|i| i.0).collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let mut pigeonhole = 0.0f64;
        let mut m = 0;
        while m * k < sizes.len() {
            // The m + 1 smallest of the m·k + 1 largest: indices m·k − m ..= m·k.
            let sum: u64 = sizes[m * k - m..=m * k].iter().sum();
            pigeonhole = pigeonhole.max(sum as f64 / widest);
            m += 1;
        }
        self.mean().max(pinned).max(pigeonhole)
    }
}

/// Searches for a placement of `p.items` whose fullest directory is below `current` (the
/// usage of the placement the stage holds), within `budget` nodes ([`SEARCH_NODES`]).
pub(super) fn search(p: &DirProblem, current: f64, budget: u64) -> SearchResult {
    let mut order: Vec<usize> = (0..p.items.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(p.items[i].0), i));
    let mut remaining: Vec<u64> = vec![0; order.len() + 1];
    for j in (0..order.len()).rev() {
        remaining[j] = remaining[j + 1] + p.items[order[j]].0;
    }
    let mut s = Search {
        p,
        order,
        remaining,
        load: p.pinned.clone(),
        arrivals: vec![0; p.weight.len()],
        at: vec![0; p.items.len()],
        best: current,
        found: None,
        nodes: 0,
        budget,
    };
    let finished = s.place(0);
    SearchResult {
        best: s.best,
        placement: s.found,
        proven: finished,
    }
}

struct Search<'a> {
    p: &'a DirProblem,
    /// Items largest first, and the bytes of `order[j..]`.
    order: Vec<usize>,
    remaining: Vec<u64>,
    load: Vec<u64>,
    arrivals: Vec<u64>,
    /// Directory of each item on the current path.
    at: Vec<usize>,
    best: f64,
    found: Option<Vec<usize>>,
    nodes: u64,
    budget: u64,
}

impl Search<'_> {
    /// Places `order[j..]`; false when the node budget ran out.
    fn place(&mut self, j: usize) -> bool {
        if j == self.order.len() {
            let max = self.max_usage();
            if max < self.best * (1.0 - BETTER) {
                self.best = max;
                self.found = Some(self.at.clone());
            }
            return true;
        }
        if !self.can_fit_below_best(j) {
            return true;
        }
        let item = self.order[j];
        let (size, home) = self.p.items[item];
        for d in self.candidates(size, home) {
            self.nodes += 1;
            if self.nodes > self.budget {
                return false;
            }
            let arrives = home != Some(d);
            self.load[d] += size;
            if arrives {
                self.arrivals[d] += size;
            }
            self.at[item] = d;
            let finished = self.place(j + 1);
            self.load[d] -= size;
            if arrives {
                self.arrivals[d] -= size;
            }
            if !finished {
                return false;
            }
        }
        true
    }

    /// The directories the item may go to, below the best usage, with room: its own first,
    /// then emptiest first; one of several directories alike (weight, load, arrivals) only.
    fn candidates(&self, size: u64, home: Option<usize>) -> Vec<usize> {
        let p = self.p;
        let limit = self.best * (1.0 - BETTER);
        let mut ds: Vec<usize> = (0..p.weight.len())
            .filter(|&d| ((self.load[d] + size) as f64 / p.weight[d]) < limit)
            .filter(|&d| home == Some(d) || p.room[d].is_none_or(|r| self.arrivals[d] + size <= r))
            .collect();
        ds.sort_by(|&a, &b| {
            let u = |d: usize| (self.load[d] + size) as f64 / p.weight[d];
            (home != Some(a))
                .cmp(&(home != Some(b)))
                .then(u(a).total_cmp(&u(b)))
                .then(a.cmp(&b))
        });
        let mut seen: Vec<usize> = Vec::with_capacity(ds.len());
        ds.retain(|&d| {
            let alike = |e: &usize| {
                home != Some(*e)
                    && home != Some(d)
                    && p.weight[*e] == p.weight[d]
                    && self.load[*e] == self.load[d]
                    && self.arrivals[*e] == self.arrivals[d]
                    && p.room[*e] == p.room[d]
            };
            let keep = !seen.iter().any(alike);
            seen.push(d);
            keep
        });
        ds
    }

    /// The bytes left fit below the best usage: `Σ_d max(0, best·w_d − load_d) ≥ remaining`.
    fn can_fit_below_best(&self, j: usize) -> bool {
        let p = self.p;
        let space: f64 = (0..p.weight.len())
            .map(|d| (self.best * p.weight[d] - self.load[d] as f64).max(0.0))
            .sum();
        space >= self.remaining[j] as f64
    }

    fn max_usage(&self) -> f64 {
        (0..self.p.weight.len())
            .map(|d| self.load[d] as f64 / self.p.weight[d])
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GB: u64 = 1_000_000_000;

    fn problem(dirs: usize, items: &[u64]) -> DirProblem {
        DirProblem {
            weight: vec![1.0; dirs],
            pinned: vec![0; dirs],
            room: vec![None; dirs],
            items: items.iter().map(|&s| (s * GB, Some(0))).collect(),
        }
    }

    #[test]
    fn whole_replicas_set_the_floor_above_the_mean() {
        // 15 GB in two directories: 8 GB against 7 GB at best; the cheap bounds say 7.5 GB.
        let p = problem(2, &[1, 2, 3, 4, 2, 3]);
        assert_eq!(p.cheap_bound(), 7.5 * GB as f64);
        let r = search(&p, 9.0 * GB as f64, SEARCH_NODES);
        assert!(r.proven);
        assert_eq!(r.best, 8.0 * GB as f64);
        let placement = r.placement.expect("better than 9 GB");
        let in0: u64 = (0..6)
            .filter(|&i| placement[i] == 0)
            .map(|i| p.items[i].0)
            .sum();
        assert!(in0 == 7 * GB || in0 == 8 * GB);
    }

    #[test]
    fn an_optimal_placement_is_proven_and_kept() {
        let p = problem(2, &[1, 2, 3, 4, 2, 3]);
        let r = search(&p, 8.0 * GB as f64, SEARCH_NODES);
        assert!(r.proven);
        assert!(r.placement.is_none());
        assert_eq!(r.best, 8.0 * GB as f64);
    }

    #[test]
    fn pigeonhole_counts_the_largest_replicas() {
        // Three directories, four replicas of 10 GB and small ones: two of the four share one.
        let p = problem(3, &[10, 10, 10, 10, 1, 1]);
        assert_eq!(p.cheap_bound(), 20.0 * GB as f64);
        let r = search(&p, 21.0 * GB as f64, SEARCH_NODES);
        assert!(r.proven);
        assert_eq!(r.best, 20.0 * GB as f64);
    }

    #[test]
    fn room_is_respected() {
        // Directory 1 has room for 3 GB only: the 4 GB replica stays in directory 0.
        let mut p = problem(2, &[4, 3, 1]);
        p.room = vec![None, Some(3 * GB)];
        let r = search(&p, 8.0 * GB as f64, SEARCH_NODES);
        assert!(r.proven);
        let placement = r.placement.expect("moving 3 GB helps");
        assert_eq!(placement[0], 0);
        assert_eq!(r.best, 5.0 * GB as f64);
    }

    #[test]
    fn the_node_budget_ends_the_search_unproven() {
        // Placing 6 replicas takes more than 5 nodes: a first placement is found, unproven.
        let p = problem(2, &[1, 2, 3, 4, 2, 3]);
        let r = search(&p, f64::MAX, 5);
        assert!(!r.proven);
        let r = search(&p, f64::MAX, 6);
        assert!(!r.proven);
        assert!(r.placement.is_some(), "the first dive places all six");
    }
}
