//! Splitting a plan into waves an operator can live with.
//!
//! Wave 0 holds the leader-only changes (nothing to copy). Data moves follow in plan order,
//! each wave taking a move while every broker stays within `max_moves_per_broker` replicas
//! coming in and going out, the wave's bytes within `max_inflight_bytes`, and each destination's
//! incoming bytes within its free disk when capacity is known (during a move the destination
//! needs the space before the source frees it). A move that fits no wave alone still gets a
//! wave of its own, so every plan finishes. Partitions whose ISR is already below
//! min.insync.replicas go last: moving them is allowed (it may be the fix) but never first.

use std::collections::{BTreeMap, BTreeSet};

use super::{MoveSpec, Wave};
use crate::model::{BrokerId, TopicPartition};

#[derive(Clone, Debug)]
pub struct WaveLimits {
    pub max_moves_per_broker: usize,
    pub max_inflight_bytes: Option<u64>,
    pub free_disk: BTreeMap<BrokerId, u64>,
    /// Partitions to schedule last (under-replicated).
    pub last: BTreeSet<TopicPartition>,
}

impl Default for WaveLimits {
    fn default() -> Self {
        WaveLimits {
            max_moves_per_broker: 5,
            max_inflight_bytes: None,
            free_disk: BTreeMap::new(),
            last: BTreeSet::new(),
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
    }

    fn add(&mut self, m: &MoveSpec) {
        self.moves += 1;
        self.bytes += m.size;
        for b in m.adding() {
            *self.incoming.entry(b).or_default() += 1;
            *self.disk.entry(b).or_default() += m.size;
        }
        for b in m.removing() {
            *self.outgoing.entry(b).or_default() += 1;
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
                    load.add(m);
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
