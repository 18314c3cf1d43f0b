//! Hard planning instances, shaped like Cruise Control's random clusters (`RandomCluster` in its
//! tests) rather than like the tidy clusters Kafka's own assignment produces.
//!
//! [`synthetic`](crate::synthetic) builds clusters the way Kafka does at topic creation, so they
//! start nearly balanced. The instances here start where operators find real clusters:
//!
//! - **Load families.** Each replica lands on a broker drawn from a distribution over broker
//!   indices: `Uniform`, `Linear` (broker `i` with weight `i + 1`) or `Exponential` (weight
//!   `e^(3i/n)`, the heaviest broker about twenty times the lightest). This is how Cruise
//!   Control's `RandomCluster` skews load, and it leaves some brokers far above their share.
//! - **Uneven racks.** Optionally each rack gets one broker and the rest are spread at random
//!   (Cruise Control's layout), so small racks carry a forced share under rack awareness.
//! - **Keyed hot partitions.** A few partitions of keyed topics carry a large fraction of a
//!   broker's mean bytes in (up to 80 %), with a fan-out of several consumer groups, so one
//!   leader's egress can exceed a broker's mean: the bounds, not the tolerance, decide what is
//!   reachable.
//! - **Rack violations.** A share of partitions is placed with two replicas in one rack, to be
//!   repaired.
//! - **New and drained brokers, replication-factor changes.** The instance names brokers to add
//!   (empty) and to drain, and a topic pattern whose replication factor changes, so one cluster
//!   serves the default request, add-and-drain at once, and an RF change.
//!
//! Replication factors are drawn per topic from a range (Cruise Control uses 2–5). Sizes and
//! traffic per partition are exponential around a per-topic popularity that is itself
//! exponential, as in `RandomCluster`. The same spec and seed always give the same instance.

use std::collections::BTreeSet;

use crate::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Topic};
use crate::synthetic::SplitMix64;

/// How replicas are distributed over the (populated) brokers before planning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadFamily {
    Uniform,
    Linear,
    Exponential,
}

impl LoadFamily {
    pub fn name(self) -> &'static str {
        match self {
            LoadFamily::Uniform => "uniform",
            LoadFamily::Linear => "linear",
            LoadFamily::Exponential => "exponential",
        }
    }

    /// Relative weight of populated broker `i` of `n`.
    fn weight(self, i: usize, n: usize) -> f64 {
        match self {
            LoadFamily::Uniform => 1.0,
            LoadFamily::Linear => (i + 1) as f64,
            LoadFamily::Exponential => (3.0 * i as f64 / n.max(1) as f64).exp(),
        }
    }
}

/// Shape of a hard instance.
#[derive(Clone, Debug)]
pub struct ScenarioSpec {
    pub family: LoadFamily,
    /// Brokers holding replicas today (new brokers come on top).
    pub brokers: usize,
    pub racks: usize,
    /// One broker per rack, the rest at random (racks of different sizes); otherwise round robin.
    pub uneven_racks: bool,
    pub topics: usize,
    pub partitions: usize,
    /// Replication factors are drawn per topic, uniformly in `min_rf..=max_rf`.
    pub min_rf: usize,
    pub max_rf: usize,
    /// Keyed hot partitions and the largest share of a broker's mean bytes in one carries.
    pub hot_partitions: usize,
    pub hot_share: f64,
    /// Share of partitions placed with two replicas in one rack.
    pub rack_violation_share: f64,
    /// Empty brokers appended after the populated ones.
    pub new_brokers: usize,
    /// Populated brokers the drain variant decommissions.
    pub drain_brokers: usize,
    pub mean_size_bytes: f64,
    pub mean_bytes_in: f64,
    pub seed: u64,
}

/// A cluster and the requests that make it hard.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub cluster: Cluster,
    /// Brokers to drain in the add-and-drain variant.
    pub drain: BTreeSet<BrokerId>,
    /// A topic pattern and its new replication factor, for the RF-change variant.
    pub replication_change: (String, usize),
}

impl Default for ScenarioSpec {
    fn default() -> Self {
        ScenarioSpec {
            family: LoadFamily::Uniform,
            brokers: 40,
            racks: 10,
            uneven_racks: false,
            topics: 300,
            partitions: 10_000,
            min_rf: 2,
            max_rf: 5,
            hot_partitions: 0,
            hot_share: 0.8,
            rack_violation_share: 0.0,
            new_brokers: 0,
            drain_brokers: 0,
            mean_size_bytes: 1e9,
            mean_bytes_in: 1e5,
            seed: 1,
        }
    }
}

impl ScenarioSpec {
    pub fn build(&self) -> Scenario {
        let mut rng = SplitMix64::new(self.seed ^ 0x5CE7_A210);
        let total = self.brokers + self.new_brokers;
        let racks = self.racks.max(1);
        let rack_of = self.rack_layout(total, racks, &mut rng);
        let brokers: Vec<Broker> = (0..total)
            .map(|i| Broker {
                id: BrokerId(i as i32),
                rack: (self.racks > 0).then(|| format!("rack-{:02}", rack_of[i])),
            })
            .collect();
        let weights: Vec<f64> = (0..self.brokers)
            .map(|i| self.family.weight(i, self.brokers))
            .collect();
        let picker = WeightedPicker::new(&weights);
        let counts = topic_sizes(self.topics, self.partitions, &mut rng);
        let mut topics = Vec::with_capacity(self.topics);
        for (t, &n) in counts.iter().enumerate() {
            let rf = (self.min_rf + rng.below(self.max_rf - self.min_rf + 1))
                .min(self.brokers)
                .max(1);
            let popularity = exponential(&mut rng);
            let fanout = 1.0 + rng.below(3) as f64;
            let partitions = (0..n)
                .map(|p| {
                    let violate = rng.unit() < self.rack_violation_share;
                    let replicas = self.place(rf, violate, &rack_of, &picker, &mut rng);
                    let size = self.mean_size_bytes * popularity * exponential(&mut rng);
                    let bytes_in = self.mean_bytes_in * popularity * exponential(&mut rng);
                    Partition::new(p as i32, replicas).with_load(
                        size.round() as u64,
                        bytes_in.round(),
                        (bytes_in * fanout).round(),
                    )
                })
                .collect();
            topics.push(Topic::new(format!("topic-{t:05}"), partitions));
        }
        self.heat(&mut topics, total, &mut rng);
        let drain = (0..self.drain_brokers)
            .map(|i| BrokerId((i * self.brokers / self.drain_brokers.max(1)) as i32))
            .collect();
        let cluster = Cluster::new(Some(format!("scenario-{}", self.seed)), brokers, topics)
            .expect("scenario clusters are valid by construction");
        Scenario {
            cluster,
            drain,
            // A tenth of the topics (those ending in 0) go to RF 3: up from 2, down from 4 and 5.
            replication_change: ("topic-\\d{4}0".to_owned(), 3),
        }
    }

    /// Rack index per broker: round robin, or one per rack and the rest at random.
    fn rack_layout(&self, total: usize, racks: usize, rng: &mut SplitMix64) -> Vec<usize> {
        (0..total)
            .map(|i| {
                if !self.uneven_racks || i < racks {
                    i % racks
                } else {
                    rng.below(racks)
                }
            })
            .collect()
    }

    /// `rf` distinct populated brokers drawn from the family's distribution, in distinct racks
    /// while racks are left, or with the first two in one rack when `violate`.
    fn place(
        &self,
        rf: usize,
        violate: bool,
        rack_of: &[usize],
        picker: &WeightedPicker,
        rng: &mut SplitMix64,
    ) -> ReplicaSet {
        let racks = self.racks.max(1);
        let mut chosen: Vec<usize> = Vec::with_capacity(rf);
        let mut tries = 0;
        while chosen.len() < rf {
            let b = picker.pick(rng);
            tries += 1;
            if chosen.contains(&b) {
                continue;
            }
            let racks_used: BTreeSet<usize> = chosen.iter().map(|&c| rack_of[c]).collect();
            let same_rack = racks_used.contains(&rack_of[b]);
            let want_same = violate && chosen.len() == 1;
            let ok = if tries > 64 * rf {
                true // the family's distribution cannot satisfy the wish; any distinct broker
            } else if want_same {
                same_rack
            } else {
                !same_rack || racks_used.len() >= racks
            };
            if ok {
                chosen.push(b);
            }
        }
        ReplicaSet::new(chosen.into_iter().map(|b| BrokerId(b as i32)).collect())
    }

    /// Makes `hot_partitions` partitions of distinct topics hot: bytes in between half and all of
    /// `hot_share` of a broker's mean, four to eight consumer groups, and a disk share to match.
    fn heat(&self, topics: &mut [Topic], brokers: usize, rng: &mut SplitMix64) {
        if self.hot_partitions == 0 || topics.is_empty() {
            return;
        }
        let (mut total_in, mut total_disk) = (0.0, 0.0);
        for p in topics.iter().flat_map(|t| &t.partitions) {
            total_in += p.bytes_in_per_sec * p.replication_factor() as f64;
            total_disk += p.size_bytes as f64 * p.replication_factor() as f64;
        }
        let (mean_in, mean_disk) = (total_in / brokers as f64, total_disk / brokers as f64);
        for k in 0..self.hot_partitions {
            let t = (k * 7919 + rng.below(topics.len())) % topics.len();
            let n = topics[t].partitions.len();
            let p = &mut topics[t].partitions[rng.below(n)];
            let share = self.hot_share * (0.5 + 0.5 * rng.unit());
            let fanout = 4.0 + rng.below(5) as f64;
            let bytes_in = (share * mean_in).round();
            p.bytes_in_per_sec = bytes_in;
            p.bytes_out_per_sec = (bytes_in * fanout).round();
            p.size_bytes = (share * (0.3 + 0.5 * rng.unit()) * mean_disk).round() as u64;
        }
    }
}

/// Partitions per topic: exponential weights, every topic at least one partition.
fn topic_sizes(topics: usize, partitions: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let topics = topics.max(1);
    let partitions = partitions.max(topics);
    let weights: Vec<f64> = (0..topics).map(|_| exponential(rng)).collect();
    let total: f64 = weights.iter().sum();
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| ((w / total) * (partitions - topics) as f64).floor() as usize + 1)
        .collect();
    let mut assigned: usize = counts.iter().sum();
    let mut i = 0;
    while assigned < partitions {
        counts[i % topics] += 1;
        assigned += 1;
        i += 1;
    }
    counts
}

/// Exponential with mean 1.
fn exponential(rng: &mut SplitMix64) -> f64 {
    -(1.0 - rng.unit()).max(1e-12).ln()
}

/// Draws an index with probability proportional to its weight (binary search on the prefix sums).
struct WeightedPicker {
    prefix: Vec<f64>,
}

impl WeightedPicker {
    fn new(weights: &[f64]) -> Self {
        let mut acc = 0.0;
        let prefix = weights
            .iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        WeightedPicker { prefix }
    }

    fn pick(&self, rng: &mut SplitMix64) -> usize {
        let total = *self.prefix.last().expect("at least one broker");
        let x = rng.unit() * total;
        self.prefix
            .partition_point(|&p| p <= x)
            .min(self.prefix.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(family: LoadFamily) -> ScenarioSpec {
        ScenarioSpec {
            family,
            brokers: 40,
            racks: 6,
            uneven_racks: true,
            topics: 30,
            partitions: 2_000,
            hot_partitions: 3,
            rack_violation_share: 0.05,
            new_brokers: 2,
            drain_brokers: 2,
            seed: 9,
            ..ScenarioSpec::default()
        }
    }

    #[test]
    fn same_seed_same_instance() {
        let a = spec(LoadFamily::Linear).build();
        let b = spec(LoadFamily::Linear).build();
        assert_eq!(a.cluster, b.cluster);
        assert_eq!(a.drain, b.drain);
        assert_eq!(a.cluster.partition_count(), 2_000);
    }

    #[test]
    fn families_skew_replicas_and_new_brokers_are_empty() {
        let replicas_on = |c: &Cluster, b: i32| {
            c.partitions()
                .filter(|(_, p)| p.replicas.contains(BrokerId(b)))
                .count()
        };
        let uniform = spec(LoadFamily::Uniform).build().cluster;
        let exp = spec(LoadFamily::Exponential).build().cluster;
        assert!(replicas_on(&exp, 39) > 5 * replicas_on(&exp, 0));
        assert!(replicas_on(&uniform, 39) < 2 * replicas_on(&uniform, 0));
        assert_eq!(replicas_on(&exp, 40), 0);
        assert_eq!(replicas_on(&exp, 41), 0);
    }

    #[test]
    fn hot_partitions_and_rack_violations_are_present() {
        let s = spec(LoadFamily::Uniform).build();
        let c = &s.cluster;
        let rack = |b: BrokerId| c.broker(b).unwrap().rack.clone();
        let violations = c
            .partitions()
            .filter(|(_, p)| {
                let racks: BTreeSet<_> = p.replicas.brokers().iter().map(|&b| rack(b)).collect();
                racks.len() < p.replication_factor().min(6)
            })
            .count();
        assert!(violations > 50, "{violations}");
        let total_in: f64 = c
            .partitions()
            .map(|(_, p)| p.bytes_in_per_sec * p.replication_factor() as f64)
            .sum();
        let mean = total_in / 42.0;
        let hottest = c
            .partitions()
            .map(|(_, p)| p.bytes_in_per_sec)
            .fold(0.0, f64::max);
        assert!(
            hottest > 0.3 * mean && hottest <= 0.8 * mean * 1.01,
            "{hottest} vs {mean}"
        );
    }
}
