//! Maximum flow (Dinic's algorithm) on a small directed graph with real capacities.
//!
//! Leadership is an assignment problem: each partition sends one unit of leadership to one of
//! its replicas, each broker accepts what its band allows. Whether a band can be met with the
//! replica sets as they are is therefore a max-flow question, and so is the fractional (LP)
//! relaxation of bytes out. Flows are exact for integral capacities; with real capacities the
//! caller compares against the demand with a tolerance.
//!
//! Deterministic: edges are visited in insertion order, so the same graph gives the same flow.

/// A node of the flow graph.
pub type Node = usize;

#[derive(Clone, Debug)]
struct Edge {
    to: Node,
    cap: f64,
}

/// A flow network; edges are stored in pairs (forward at `2i`, residual at `2i + 1`).
#[derive(Clone, Debug, Default)]
pub struct FlowGraph {
    edges: Vec<Edge>,
    adjacency: Vec<Vec<usize>>,
}

/// Residual capacities below this count as zero.
const EPS: f64 = 1e-9;

impl FlowGraph {
    pub fn new(nodes: usize) -> Self {
        FlowGraph {
            edges: Vec::new(),
            adjacency: vec![Vec::new(); nodes],
        }
    }

    /// Adds an edge `from → to` with capacity `cap`; returns its id for [`FlowGraph::raise`].
    pub fn add_edge(&mut self, from: Node, to: Node, cap: f64) -> usize {
        let id = self.edges.len();
        self.edges.push(Edge { to, cap });
        self.edges.push(Edge { to: from, cap: 0.0 });
        self.adjacency[from].push(id);
        self.adjacency[to].push(id + 1);
        id
    }

    /// Raises the capacity of edge `id` by `delta` ≥ 0, keeping the flow already routed: that
    /// flow stays feasible, so a later [`FlowGraph::max_flow`] only adds what the extra room
    /// lets through (a warm start for a sequence of growing capacities).
    pub fn raise(&mut self, id: usize, delta: f64) {
        debug_assert!(delta >= 0.0, "capacities only grow");
        self.edges[id].cap += delta;
    }

    /// The flow routed along edge `id` (an id [`FlowGraph::add_edge`] returned): what its
    /// residual twin, which starts empty, has taken on.
    pub fn flow(&self, id: usize) -> f64 {
        self.edges[id + 1].cap
    }

    /// Augments the flow already routed to a maximum one from `source` to `sink`; returns the
    /// flow added (on a fresh graph, the maximum flow).
    pub fn max_flow(&mut self, source: Node, sink: Node) -> f64 {
        let n = self.adjacency.len();
        let mut total = 0.0;
        let mut level = vec![u32::MAX; n];
        let mut next = vec![0usize; n];
        while self.levels(source, sink, &mut level) {
            next.iter_mut().for_each(|i| *i = 0);
            loop {
                let pushed = self.push(source, sink, f64::INFINITY, &level, &mut next);
                if pushed <= EPS {
                    break;
                }
                total += pushed;
            }
        }
        total
    }

    /// Breadth-first levels from `source`; true when `sink` is reachable.
    fn levels(&self, source: Node, sink: Node, level: &mut [u32]) -> bool {
        level.iter_mut().for_each(|l| *l = u32::MAX);
        level[source] = 0;
        let mut queue = std::collections::VecDeque::from([source]);
        while let Some(u) = queue.pop_front() {
            for &e in &self.adjacency[u] {
                let edge = &self.edges[e];
                if edge.cap > EPS && level[edge.to] == u32::MAX {
                    level[edge.to] = level[u] + 1;
                    queue.push_back(edge.to);
                }
            }
        }
        level[sink] != u32::MAX
    }

    /// One augmenting path along increasing levels (iterative, so deep graphs cannot overflow
    /// the stack); returns the flow pushed.
    fn push(
        &mut self,
        source: Node,
        sink: Node,
        limit: f64,
        level: &[u32],
        next: &mut [usize],
    ) -> f64 {
        let mut path: Vec<usize> = Vec::new();
        let mut u = source;
        loop {
            if u == sink {
                let pushed = path
                    .iter()
                    .map(|&e| self.edges[e].cap)
                    .fold(limit, f64::min);
                for &e in &path {
                    self.edges[e].cap -= pushed;
                    self.edges[e ^ 1].cap += pushed;
                }
                return pushed;
            }
            let mut advanced = false;
            while next[u] < self.adjacency[u].len() {
                let e = self.adjacency[u][next[u]];
                let edge = &self.edges[e];
                if edge.cap > EPS && level[edge.to] == level[u] + 1 {
                    path.push(e);
                    u = edge.to;
                    advanced = true;
                    break;
                }
                next[u] += 1;
            }
            if !advanced {
                // Dead end: retreat and never try this node's exhausted edges again.
                let Some(e) = path.pop() else {
                    return 0.0;
                };
                u = self.edges[e ^ 1].to;
                next[u] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bipartite_assignment() {
        // Source 0, partitions 1..=3, brokers 4..=5, sink 6. Partitions 1 and 2 may only go to
        // broker 4, which takes one: the flow is 2.
        let mut g = FlowGraph::new(7);
        for p in 1..=3 {
            g.add_edge(0, p, 1.0);
        }
        let one = g.add_edge(1, 4, 1.0);
        let two = g.add_edge(2, 4, 1.0);
        let three = g.add_edge(3, 5, 1.0);
        g.add_edge(4, 6, 1.0);
        let wide = g.add_edge(5, 6, 5.0);
        assert_eq!(g.max_flow(0, 6), 2.0);
        // Partition 3 reaches the sink through broker 5; one of 1 and 2 through broker 4.
        assert_eq!((g.flow(three), g.flow(wide)), (1.0, 1.0));
        assert_eq!(g.flow(one) + g.flow(two), 1.0);
    }

    #[test]
    fn real_capacities() {
        let mut g = FlowGraph::new(4);
        g.add_edge(0, 1, 2.5);
        g.add_edge(0, 2, 1.5);
        g.add_edge(1, 2, 1.0);
        g.add_edge(1, 3, 1.0);
        g.add_edge(2, 3, 3.0);
        assert!((g.max_flow(0, 3) - 3.5).abs() < 1e-12);
    }

    /// Raising capacities after a max flow and augmenting again reaches the max flow of the
    /// graph built with the raised capacities from the start.
    #[test]
    fn a_warm_start_reaches_the_same_maximum() {
        let build = |sink_caps: [f64; 2]| {
            let mut g = FlowGraph::new(6);
            g.add_edge(0, 1, 2.0);
            g.add_edge(0, 2, 3.0);
            g.add_edge(1, 3, 2.0);
            g.add_edge(2, 3, 1.5);
            g.add_edge(2, 4, 3.0);
            let a = g.add_edge(3, 5, sink_caps[0]);
            let b = g.add_edge(4, 5, sink_caps[1]);
            (g, a, b)
        };
        let (mut warm, a, b) = build([1.0, 0.5]);
        let first = warm.max_flow(0, 5);
        assert!((first - 1.5).abs() < 1e-12);
        warm.raise(a, 2.0);
        warm.raise(b, 2.0);
        let added = warm.max_flow(0, 5);
        let (mut cold, _, _) = build([3.0, 2.5]);
        assert!((first + added - cold.max_flow(0, 5)).abs() < 1e-12);
        assert!((first + added - 5.0).abs() < 1e-12);
    }
}
