//! Seeded JBOD layouts for benchmarks and tests: each broker of a cluster gets `dirs` log
//! directories and each replica one of them, skewed the way Kafka's own placement leaves disks.
//!
//! Kafka puts a new replica in the directory with the fewest partitions, so counts per disk are
//! even while bytes are not. Here each broker has one *hot* directory (which one rotates with the
//! broker id) that draws replicas with `hot_weight` times the share of the others; with
//! `hot_weight` chosen from the target skew, the hot directory holds about `skew` times its
//! broker's mean bytes. Every volume has the same size, set so the fullest directory of the
//! cluster is `fullest_usage` full; `usable_bytes` is what is left of it.

use crate::model::{Cluster, LogDir, LogDirId, LogDirs, ModelError, ReplicaLogDirs, Topic};
use crate::synthetic::SplitMix64;

/// Shape of a JBOD layout.
#[derive(Clone, Debug)]
pub struct LogDirSpec {
    /// Directories per broker, `/data/d01` … (one per disk).
    pub dirs: usize,
    /// The hot directory's bytes over its broker's mean (1 = even).
    pub skew: f64,
    /// Used fraction of the fullest volume.
    pub fullest_usage: f64,
    pub seed: u64,
}

/// The path of directory `i` (0-based) of a broker.
pub fn log_dir_path(i: usize) -> String {
    format!("/data/d{:02}", i + 1)
}

impl LogDirSpec {
    /// `cluster` with every replica in one of its broker's directories.
    pub fn apply(&self, cluster: Cluster) -> Result<Cluster, ModelError> {
        let mut dirs = LogDirs::default();
        let ids: Vec<LogDirId> = (0..self.dirs)
            .map(|i| dirs.intern(&log_dir_path(i)))
            .collect::<Result<_, _>>()?;
        // A hot dir with weight h among n − 1 of weight 1 holds h·n/(h + n − 1) of the mean:
        // solve for h so that this is `skew`.
        let n = self.dirs as f64;
        let hot_weight = if self.skew >= n {
            f64::MAX
        } else {
            (self.skew * (n - 1.0) / (n - self.skew)).max(1.0)
        };
        let mut rng = SplitMix64::new(self.seed);
        let mut used = vec![vec![0u64; self.dirs]; cluster.brokers().len()];
        let index = |b| cluster.brokers().iter().position(|x| x.id == b);
        let mut topics = Vec::with_capacity(cluster.topics().len());
        for t in cluster.topics() {
            let partitions = t
                .partitions
                .iter()
                .map(|p| {
                    let at = p.replicas.brokers().iter().map(|&b| {
                        let bi = index(b).expect("replicas are on known brokers");
                        let d = self.pick(bi, hot_weight, &mut rng);
                        used[bi][d] += p.size_bytes;
                        Some(ids[d])
                    });
                    let dirs = ReplicaLogDirs::new(at.collect::<Vec<_>>());
                    p.clone().with_log_dirs(dirs)
                })
                .collect();
            topics.push(Topic::new(t.name.clone(), partitions));
        }
        let fullest = used.iter().flatten().copied().max().unwrap_or(0);
        let total = ((fullest as f64 / self.fullest_usage).ceil() as u64).max(1 << 30);
        for (bi, b) in cluster.brokers().iter().enumerate() {
            let list = (0..self.dirs)
                .map(|d| LogDir {
                    total_bytes: Some(total),
                    usable_bytes: Some(total - used[bi][d]),
                    ..LogDir::new(ids[d], log_dir_path(d))
                })
                .collect();
            dirs.set_broker(b.id, list);
        }
        let brokers = cluster.brokers().to_vec();
        let id = cluster.cluster_id().map(str::to_owned);
        Cluster::new(id, brokers, topics)?.with_log_dirs(dirs)
    }

    /// A directory of broker `b` (index), the hot one `hot_weight` times as likely.
    fn pick(&self, b: usize, hot_weight: f64, rng: &mut SplitMix64) -> usize {
        let hot = b % self.dirs;
        let total = hot_weight + (self.dirs - 1) as f64;
        let x = rng.unit() * total;
        if x < hot_weight {
            hot
        } else {
            let other = ((x - hot_weight) as usize).min(self.dirs - 2);
            if other >= hot {
                other + 1
            } else {
                other
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BrokerId;
    use crate::synthetic::SyntheticSpec;

    #[test]
    fn the_hot_directory_holds_about_skew_times_the_mean() {
        let cluster = SyntheticSpec {
            brokers: 6,
            racks: 3,
            empty_brokers: 0,
            topics: 20,
            partitions: 3000,
            replication_factors: vec![3],
            skew: 0.5,
            mean_size_bytes: 1e9,
            mean_bytes_in: 1e5,
            seed: 7,
        }
        .build();
        let spec = LogDirSpec {
            dirs: 4,
            skew: 2.0,
            fullest_usage: 0.8,
            seed: 1,
        };
        let c = spec.apply(cluster).unwrap();
        let dirs = c.log_dirs().of(BrokerId(1));
        assert_eq!(dirs.len(), 4);
        let used: Vec<u64> = dirs
            .iter()
            .map(|d| d.total_bytes.unwrap() - d.usable_bytes.unwrap())
            .collect();
        let mean = used.iter().sum::<u64>() as f64 / 4.0;
        let hot = used[1] as f64 / mean;
        assert!((1.7..2.3).contains(&hot), "hot dir at {hot:.2}× the mean");
    }
}
