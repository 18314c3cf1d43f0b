//! Seeded synthetic clusters for benchmarks, property tests and rehearsals, and a baseline that
//! re-implements Kafka's own `--generate` placement for comparison.
//!
//! Clusters are built the way Kafka builds them: each topic placed by the rack-aware round robin
//! Kafka uses at topic creation, from a random start. Sizes and traffic are log-normally skewed
//! so a few partitions dominate, as in production. The same spec and seed always give the same
//! cluster (a SplitMix64 generator, no platform randomness).

use std::collections::BTreeMap;

use crate::model::{Broker, BrokerId, Cluster, Partition, ReplicaSet, Topic};
use crate::plan::{PartitionReassignment, Reassignment};

/// Shape of a synthetic cluster.
#[derive(Clone, Debug)]
pub struct SyntheticSpec {
    pub brokers: usize,
    pub racks: usize,
    /// The last `empty_brokers` brokers hold nothing (just added to the cluster).
    pub empty_brokers: usize,
    pub topics: usize,
    pub partitions: usize,
    /// Replication factors, chosen per topic in turn.
    pub replication_factors: Vec<usize>,
    /// Spread of sizes and traffic: the sigma of the log-normal (0 = all equal).
    pub skew: f64,
    pub mean_size_bytes: f64,
    pub mean_bytes_in: f64,
    pub seed: u64,
}

/// SplitMix64: tiny, fast and identical everywhere.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, n)`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Log-normal with mean 1.
    pub fn lognormal(&mut self, sigma: f64) -> f64 {
        (sigma * self.normal() - sigma * sigma / 2.0).exp()
    }
}

impl SyntheticSpec {
    pub fn build(&self) -> Cluster {
        let mut rng = SplitMix64::new(self.seed);
        let brokers: Vec<Broker> = (0..self.brokers)
            .map(|i| {
                let rack = (self.racks > 0).then(|| format!("rack-{}", i % self.racks));
                Broker {
                    id: BrokerId(i as i32),
                    rack,
                }
            })
            .collect();
        let populated = &brokers[..self.brokers - self.empty_brokers];
        // Topic sizes in partitions: skewed, every topic at least one partition.
        let weights: Vec<f64> = (0..self.topics).map(|_| rng.lognormal(1.0)).collect();
        let total: f64 = weights.iter().sum();
        let mut counts: Vec<usize> = weights
            .iter()
            .map(|w| ((w / total) * (self.partitions - self.topics) as f64).floor() as usize + 1)
            .collect();
        let mut assigned: usize = counts.iter().sum();
        let mut i = 0;
        while assigned < self.partitions {
            counts[i % self.topics] += 1;
            assigned += 1;
            i += 1;
        }
        let mut topics = Vec::with_capacity(self.topics);
        for (t, &n) in counts.iter().enumerate() {
            let rf =
                self.replication_factors[t % self.replication_factors.len()].min(populated.len());
            let assignment = rack_aware_assignment(n, rf, populated, &mut rng);
            let topic_scale = rng.lognormal(self.skew);
            let fanout = 1.0 + rng.below(3) as f64;
            let partitions = assignment
                .into_iter()
                .enumerate()
                .map(|(p, replicas)| {
                    let s = topic_scale * rng.lognormal(self.skew / 2.0);
                    let bytes_in = self.mean_bytes_in * s * rng.lognormal(0.2);
                    Partition::new(p as i32, replicas).with_load(
                        (self.mean_size_bytes * s).round() as u64,
                        bytes_in.round(),
                        (bytes_in * fanout).round(),
                    )
                })
                .collect();
            topics.push(Topic::new(format!("topic-{t:05}"), partitions));
        }
        Cluster::new(Some(format!("synthetic-{}", self.seed)), brokers, topics)
            .expect("synthetic clusters are valid by construction")
    }
}

/// Kafka's rack-alternated broker list: racks in order, one broker of each in turn.
fn rack_alternated(brokers: &[Broker]) -> Vec<&Broker> {
    let mut by_rack: BTreeMap<&str, Vec<&Broker>> = BTreeMap::new();
    for b in brokers {
        by_rack
            .entry(b.rack.as_deref().unwrap_or(""))
            .or_default()
            .push(b);
    }
    let mut out = Vec::with_capacity(brokers.len());
    let mut i = 0;
    while out.len() < brokers.len() {
        for list in by_rack.values() {
            if let Some(b) = list.get(i) {
                out.push(*b);
            }
        }
        i += 1;
    }
    out
}

/// Kafka's rack-aware replica assignment (`assignReplicasToBrokersRackAware`): a random start,
/// a shift that grows every full round, and each further replica in a new rack while one is left.
pub fn rack_aware_assignment(
    partitions: usize,
    rf: usize,
    brokers: &[Broker],
    rng: &mut SplitMix64,
) -> Vec<ReplicaSet> {
    let arranged = rack_alternated(brokers);
    let n = arranged.len();
    let n_racks = {
        let mut r: Vec<&str> = brokers
            .iter()
            .map(|b| b.rack.as_deref().unwrap_or(""))
            .collect();
        r.sort_unstable();
        r.dedup();
        r.len()
    };
    let start = rng.below(n);
    let mut shift = rng.below(n);
    let mut out = Vec::with_capacity(partitions);
    for p in 0..partitions {
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = (p + start) % n;
        let mut replicas = vec![arranged[first]];
        let mut k = 0;
        while replicas.len() < rf {
            let idx = (first + 1 + (shift * n_racks + k) % (n - 1).max(1)) % n;
            let b = arranged[idx];
            let racks_used: Vec<&Option<String>> = replicas.iter().map(|r| &r.rack).collect();
            let rack_ok = !racks_used.contains(&&b.rack) || racks_used.len() >= n_racks;
            let broker_ok = !replicas.iter().any(|r| r.id == b.id);
            if rack_ok && broker_ok {
                replicas.push(b);
            }
            k += 1;
            if k > 4 * n {
                // Fewer distinct brokers than RF cannot happen for valid specs; stay safe.
                break;
            }
        }
        out.push(ReplicaSet::new(replicas.iter().map(|b| b.id).collect()));
    }
    out
}

/// What `kafka-reassign-partitions.sh --generate` proposes: every topic re-placed from scratch
/// by the rack-aware round robin over `brokers` (all brokers when empty).
pub fn kafka_generate(cluster: &Cluster, brokers: &[BrokerId], seed: u64) -> Reassignment {
    let mut rng = SplitMix64::new(seed);
    let targets: Vec<Broker> = cluster
        .brokers()
        .iter()
        .filter(|b| brokers.is_empty() || brokers.contains(&b.id))
        .cloned()
        .collect();
    let mut out = Vec::new();
    for topic in cluster.topics() {
        let rf = topic
            .partitions
            .first()
            .map_or(1, |p| p.replication_factor());
        let assignment = rack_aware_assignment(topic.partitions.len(), rf, &targets, &mut rng);
        for (p, replicas) in topic.partitions.iter().zip(assignment) {
            if replicas != p.replicas {
                let tp = crate::model::TopicPartition::new(&topic.name, p.partition);
                out.push(PartitionReassignment::new(&tp, replicas));
            }
        }
    }
    Reassignment::new(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_cluster() {
        let spec = SyntheticSpec {
            brokers: 6,
            racks: 3,
            empty_brokers: 1,
            topics: 4,
            partitions: 40,
            replication_factors: vec![3, 2],
            skew: 1.0,
            mean_size_bytes: 1e9,
            mean_bytes_in: 1e6,
            seed: 7,
        };
        assert_eq!(spec.build(), spec.build());
        let c = spec.build();
        assert_eq!(c.partition_count(), 40);
        assert!(c
            .partitions()
            .all(|(_, p)| !p.replicas.contains(BrokerId(5))));
    }

    #[test]
    fn kafka_assignment_spreads_racks() {
        let brokers: Vec<Broker> = (0..6)
            .map(|i| Broker::new(i, Some(["a", "b", "c"][i as usize % 3])))
            .collect();
        let mut rng = SplitMix64::new(1);
        for rs in rack_aware_assignment(12, 3, &brokers, &mut rng) {
            let mut racks: Vec<&str> = rs
                .brokers()
                .iter()
                .map(|b| brokers[b.0 as usize].rack.as_deref().unwrap())
                .collect();
            racks.sort_unstable();
            racks.dedup();
            assert_eq!(racks.len(), 3, "{rs}");
        }
    }
}
