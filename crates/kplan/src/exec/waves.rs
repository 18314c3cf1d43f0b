//! Splitting a plan into waves an operator can live with.
//!
//! Wave 0 holds the leader-only changes (nothing to copy). Data moves follow in plan order,
//! each wave taking a move while every broker stays within `max_moves_per_broker` replicas
//! coming in and going out, the wave's bytes within `max_inflight_bytes`, and each destination's
//! incoming bytes within its free disk when capacity is known (during a move the destination
//! needs the space before the source frees it). Under a throttle, each broker's concurrent
//! ingest — the produce traffic of the partitions copied into it, or served by it, at once —
//! stays within `max_ingest_per_broker` too: a copy carries its partition's live traffic through
//! the same throttle as its backlog (see [`CopyTime`](super::CopyTime)), so too many busy
//! partitions at once leave the backlog nothing. A move that fits no wave alone still gets a
//! wave of its own, so every plan finishes. Partitions whose ISR is already below
//! min.insync.replicas go last: moving them is allowed (it may be the fix) but never first.

use std::collections::{BTreeMap, BTreeSet};

use super::{MoveSpec, TrafficMap, Wave};
use crate::model::{BrokerId, TopicPartition};

#[derive(Clone, Debug)]
pub struct WaveLimits {
    pub max_moves_per_broker: usize,
    pub max_inflight_bytes: Option<u64>,
    pub free_disk: BTreeMap<BrokerId, u64>,
    /// Partitions to schedule last (under-replicated).
    pub last: BTreeSet<TopicPartition>,
    /// At most this much produce traffic (bytes/s) copied into, or served by, any broker at
    /// once.
    pub max_ingest_per_broker: Option<f64>,
    /// Leaders and produce rates, for `max_ingest_per_broker`.
    pub traffic: TrafficMap,
}

/// The share of the throttle a broker's concurrent ingest may take when waves are shaped
/// (the rest is for the backlog).
pub const INGEST_SHARE: f64 = 0.5;

impl Default for WaveLimits {
    fn default() -> Self {
        WaveLimits {
            max_moves_per_broker: 5,
            max_inflight_bytes: None,
            free_disk: BTreeMap::new(),
            last: BTreeSet::new(),
            max_ingest_per_broker: None,
            traffic: TrafficMap::new(),
        }
    }
}

#[derive(Default)]
struct Load {
    moves: usize,
    bytes: u64,
    incoming: BTreeMap<BrokerId, usize>,
    outgoing: BTreeMap<BrokerId, usize>,
    disk: BTreeMap<BrokerId, u64>,
    /// Produce traffic copied into (and served by) each broker.
    ingest_in: BTreeMap<BrokerId, f64>,
    ingest_out: BTreeMap<BrokerId, f64>,
}

/// A broker and a produce rate through it, bytes/s.
type BrokerRate = (BrokerId, f64);

/// What a move adds to its brokers' concurrent ingest: (receiving, sending) per broker.
fn ingest_of(m: &MoveSpec, limits: &WaveLimits) -> (Vec<BrokerRate>, Option<BrokerRate>) {
    let t = limits.traffic.get(&m.tp).copied().unwrap_or_default();
    let adding = m.adding();
    let rate = t.bytes_in_per_sec;
    let leader = t.leader.or_else(|| m.current.first().copied());
    (
        adding.iter().map(|b| (*b, rate)).collect(),
        leader.map(|l| (l, rate * adding.len() as f64)),
    )
}

impl Load {
    fn fits(&self, m: &MoveSpec, limits: &WaveLimits) -> bool {
        if self.moves == 0 {
            return true;
        }
        let max = limits.max_moves_per_broker.max(1);
        m.adding()
            .iter()
            .all(|b| self.incoming.get(b).copied().unwrap_or(0) < max)
            && m.removing()
                .iter()
                .all(|b| self.outgoing.get(b).copied().unwrap_or(0) < max)
            && limits
                .max_inflight_bytes
                .is_none_or(|cap| self.bytes + m.size <= cap)
            && m.adding().iter().all(|b| {
                limits
                    .free_disk
                    .get(b)
                    .is_none_or(|free| self.disk.get(b).copied().unwrap_or(0) + m.size <= *free)
            })
            && limits
                .max_ingest_per_broker
                .is_none_or(|cap| self.ingest_fits(m, limits, cap))
    }

    /// The move's produce traffic fits under `cap` on every broker it copies through.
    fn ingest_fits(&self, m: &MoveSpec, limits: &WaveLimits, cap: f64) -> bool {
        let (into, out) = ingest_of(m, limits);
        into.iter()
            .all(|(b, r)| *r <= 0.0 || self.ingest_in.get(b).copied().unwrap_or(0.0) + r <= cap)
            && out.is_none_or(|(b, r)| {
                r <= 0.0 || self.ingest_out.get(&b).copied().unwrap_or(0.0) + r <= cap
            })
    }

    fn add(&mut self, m: &MoveSpec, limits: &WaveLimits) {
        self.moves += 1;
        self.bytes += m.size;
        for b in m.adding() {
            *self.incoming.entry(b).or_default() += 1;
            *self.disk.entry(b).or_default() += m.size;
        }
        for b in m.removing() {
            *self.outgoing.entry(b).or_default() += 1;
        }
        let (into, out) = ingest_of(m, limits);
        for (b, r) in into {
            *self.ingest_in.entry(b).or_default() += r;
        }
        if let Some((b, r)) = out {
            *self.ingest_out.entry(b).or_default() += r;
        }
    }
}

/// Waves of partitions, in the order they should be submitted.
pub fn plan_waves(moves: &[MoveSpec], limits: &WaveLimits) -> Vec<Wave> {
    let mut waves: Vec<Wave> = Vec::new();
    let leader_only: Vec<TopicPartition> = moves
        .iter()
        .filter(|m| m.is_leader_only())
        .map(|m| m.tp.clone())
        .collect();
    if !leader_only.is_empty() {
        waves.push(leader_only);
    }
    let (late, early): (Vec<&MoveSpec>, Vec<&MoveSpec>) = moves
        .iter()
        .filter(|m| !m.is_leader_only())
        .partition(|m| limits.last.contains(&m.tp));
    for group in [early, late] {
        let mut pending: Vec<&MoveSpec> = group;
        while !pending.is_empty() {
            let mut load = Load::default();
            let mut wave = Vec::new();
            pending.retain(|m| {
                if load.fits(m, limits) {
                    load.add(m, limits);
                    wave.push(m.tp.clone());
                    false
                } else {
                    true
                }
            });
            waves.push(wave);
        }
    }
    waves
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(p: i32, current: &[i32], target: &[i32], size: u64) -> MoveSpec {
        MoveSpec {
            tp: TopicPartition::new("t", p),
            current: current.iter().map(|b| BrokerId(*b)).collect(),
            target: target.iter().map(|b| BrokerId(*b)).collect(),
            size,
        }
    }

    #[test]
    fn leader_changes_first_then_bounded_waves() {
        let moves = vec![
            mv(0, &[1, 2], &[1, 4], 10),
            mv(1, &[1, 2], &[2, 1], 10),
            mv(2, &[2, 3], &[4, 3], 10),
            mv(3, &[3, 1], &[3, 5], 10),
        ];
        let limits = WaveLimits {
            max_moves_per_broker: 1,
            ..WaveLimits::default()
        };
        let waves = plan_waves(&moves, &limits);
        let ids: Vec<Vec<i32>> = waves
            .iter()
            .map(|w| w.iter().map(|tp| tp.partition).collect())
            .collect();
        // t-1 is a reorder; t-0 and t-2 both add to broker 4, so they go in different waves.
        assert_eq!(ids, vec![vec![1], vec![0, 3], vec![2]]);
    }

    #[test]
    fn bytes_and_disk_bound_a_wave_but_a_big_move_still_gets_one() {
        let moves = vec![
            mv(0, &[1], &[2], 60),
            mv(1, &[1], &[3], 60),
            mv(2, &[1], &[3], 500),
        ];
        let limits = WaveLimits {
            max_moves_per_broker: 10,
            max_inflight_bytes: Some(100),
            free_disk: [(BrokerId(3), 400)].into(),
            ..WaveLimits::default()
        };
        let waves = plan_waves(&moves, &limits);
        assert_eq!(waves.len(), 3);
        assert_eq!(waves[2], vec![TopicPartition::new("t", 2)]);
    }

    #[test]
    fn busy_partitions_are_spread_so_each_brokers_ingest_stays_under_its_share() {
        // Three partitions into broker 4 at 20 MB/s each; a 100 MB/s throttle allows 50 MB/s of
        // concurrent ingest: two go together, the third waits. A quiet one joins the first wave.
        let moves = vec![
            mv(0, &[1], &[4], 10),
            mv(1, &[2], &[4], 10),
            mv(2, &[3], &[4], 10),
            mv(3, &[3], &[4], 10),
        ];
        let traffic = (0..3)
            .map(|p| {
                (
                    TopicPartition::new("t", p),
                    crate::exec::PartitionTraffic {
                        leader: None,
                        bytes_in_per_sec: 20e6,
                    },
                )
            })
            .collect();
        let limits = WaveLimits {
            max_moves_per_broker: 10,
            max_ingest_per_broker: Some(INGEST_SHARE * 100e6),
            traffic,
            ..WaveLimits::default()
        };
        let ids: Vec<Vec<i32>> = plan_waves(&moves, &limits)
            .iter()
            .map(|w| w.iter().map(|tp| tp.partition).collect())
            .collect();
        assert_eq!(ids, vec![vec![0, 1, 3], vec![2]]);
    }

    #[test]
    fn under_replicated_partitions_go_last() {
        let moves = vec![mv(0, &[1], &[2], 1), mv(1, &[1], &[3], 1)];
        let limits = WaveLimits {
            last: [TopicPartition::new("t", 0)].into(),
            ..WaveLimits::default()
        };
        let waves = plan_waves(&moves, &limits);
        assert_eq!(
            waves,
            vec![
                vec![TopicPartition::new("t", 1)],
                vec![TopicPartition::new("t", 0)]
            ]
        );
    }
}
