//! The copy-time model: how long a plan's copies take, counting the live traffic that shares the
//! throttle with them.
//!
//! # How Kafka copies
//! A replica being added fetches its partition from the leader: the log as it is (the
//! backlog) and, since producers keep writing, the partition's new produce traffic — through
//! the same throttle. `kafka-reassign-partitions --throttle R` (and `kplan execute`) sets both
//! rates to R on every broker of a moving partition. A broker's follower rate is one byte budget
//! for every throttled partition it fetches; a leader's, one budget for every throttled partition
//! it serves, shared by all the followers fetching it. Kafka also counts the *in-sync*
//! replication of throttled partitions against the budget (it never delays it): the plan's
//! partitions are throttled from the start, so a leader keeps its (RF − 1) in-sync followers'
//! traffic of every plan partition it leads in its budget for the whole run, and a replica that
//! finished copying keeps its partition's produce traffic in its broker's budget until the
//! throttles come off at the end.
//!
//! # The estimate
//! Per wave, per broker and side (receiving, sending), with the sizes as they are when the wave
//! starts (a log grows by its produce rate while earlier waves run):
//!
//! ```text
//!   backlog  B = Σ sizes of the copies through the broker in this wave (once per added replica)
//!   ingest   I = Σ produce rates of those copies
//!   in sync  S = the throttled in-sync replication counted in the same budget
//!   budget     = receiving: min(R − S, line rate) — unthrottled: the line rate
//!                sending:   R − S                — unthrottled: no limit
//!   headroom H = budget − I,   time = B / H,   never done when H ≤ 0
//! ```
//!
//! The backlog does not always drain at a constant `H`: copies share a budget equally (each
//! share carries its partition's produce traffic first), and when one catches up the budget
//! changes — a removed replica stops fetching, a leader that leaves the replica set takes its
//! partition's in-sync traffic with it, an added replica that becomes the leader no longer
//! fetches. So each budget's time is worked out copy by copy, from one catch-up to the next
//! (see `drain_seconds`); for copies that all catch up together it is exactly `B / H`.
//!
//! A wave lasts as long as its slowest broker; the plan, the sum of its waves. Each budget is
//! worked out on its own: a copy held back elsewhere leaves more of this budget to the others
//! in Kafka, so when copies are held back by different brokers the estimate leans long.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::{MoveSpec, TrafficMap, Wave};
use crate::model::{BrokerId, TopicPartition};

/// Below this share of its budget, a broker's headroom is thin: a little more traffic and the
/// move stops converging.
pub const THIN_HEADROOM: f64 = 0.25;

/// The rates copies run at.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CopyLimits {
    /// The replication throttle (leader and follower rate on every broker of a moving
    /// partition), bytes/s; `None` = unthrottled.
    pub throttle: Option<u64>,
    /// What copies into one broker run at when nothing throttles them (network or disk), bytes/s.
    pub line_rate: f64,
}

/// Which budget: the receiving broker's (follower) or the sending one's (leader).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CopySide {
    Receiving,
    Sending,
}

impl fmt::Display for CopySide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CopySide::Receiving => "into",
            CopySide::Sending => "out of",
        })
    }
}

/// One broker's copying, on one side, in one wave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BrokerCopy {
    pub broker: BrokerId,
    pub side: CopySide,
    /// The partitions copied through it in this wave.
    pub partitions: Vec<TopicPartition>,
    /// Bytes to copy when the wave starts.
    pub backlog_bytes: u64,
    /// Produce traffic the copies must also carry, bytes/s.
    pub ingest: f64,
    /// Throttled in-sync replication counted in the same budget, bytes/s.
    pub in_sync: f64,
    /// The rate that bounds it: the throttle, or the line rate when that is lower (or there is
    /// no throttle).
    pub limit: f64,
    /// What is left for the backlog: budget − ingest, bytes/s.
    pub headroom: f64,
    /// Backlog ÷ headroom; `None` when the copies never catch up.
    pub seconds: Option<f64>,
}

impl BrokerCopy {
    /// The traffic that must fit in the budget before any backlog moves.
    pub fn load(&self) -> f64 {
        self.in_sync + self.ingest
    }

    /// Headroom below [`THIN_HEADROOM`] of the limit.
    pub fn is_thin(&self) -> bool {
        self.headroom < THIN_HEADROOM * self.limit
    }
}

/// One wave's copy time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaveCopyTime {
    /// Every broker the wave copies through, by broker then side.
    pub brokers: Vec<BrokerCopy>,
    /// The slowest broker's time; `None` when some copy never catches up.
    pub seconds: Option<f64>,
    /// The broker that sets the pace.
    pub slowest: Option<(BrokerId, CopySide)>,
}

/// The estimate for a whole plan: per wave, and in total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CopyTime {
    pub limits: CopyLimits,
    pub waves: Vec<WaveCopyTime>,
    /// Σ of the waves; `None` when some wave never finishes.
    pub total_seconds: Option<f64>,
}

/// Where a wave in flight stands: what each of its added replicas still lacks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InFlight {
    /// The wave (index).
    pub wave: usize,
    /// Bytes still to copy, by partition and receiving broker; a copy absent is done.
    pub left: BTreeMap<(TopicPartition, BrokerId), u64>,
}

/// One partition's move as the model sees it.
struct Copy<'a> {
    spec: &'a MoveSpec,
    adding: Vec<BrokerId>,
    leader: BrokerId,
    rate: f64,
}

impl Copy<'_> {
    /// Throttled in-sync traffic while the partition waits for its wave (and during it): the
    /// leader serves its current followers.
    fn before(&self) -> Vec<((BrokerId, CopySide), f64)> {
        let followers = self.spec.current.len().saturating_sub(1) as f64;
        vec![((self.leader, CopySide::Sending), self.rate * followers)]
    }

    /// The leader once the move is done: the same broker if the target keeps it, otherwise
    /// the target's first replica (the controller elects from the target, in its order).
    fn leader_after(&self) -> BrokerId {
        let target = &self.spec.target;
        if target.contains(&self.leader) {
            self.leader
        } else {
            target.first().copied().unwrap_or(self.leader)
        }
    }

    /// After its wave: the target's followers fetch from the leader (throttled only if that
    /// leader is one of the original replicas, which the leader list names), and each added
    /// replica that is a follower keeps its fetches in its broker's follower budget.
    fn after(&self) -> Vec<((BrokerId, CopySide), f64)> {
        let leader = self.leader_after();
        let mut out = Vec::new();
        if self.spec.current.contains(&leader) {
            let followers = self.spec.target.len().saturating_sub(1) as f64;
            out.push(((leader, CopySide::Sending), self.rate * followers));
        }
        out.extend(
            self.adding
                .iter()
                .filter(|b| **b != leader)
                .map(|b| ((*b, CopySide::Receiving), self.rate)),
        );
        out
    }

    /// What this partition puts in `budget` (a broker and side) before and after its copy is
    /// done, besides the copy itself (in-sync traffic; nothing when unthrottled).
    fn in_sync_load(&self, budget: (BrokerId, CopySide), throttled: bool) -> (f64, f64) {
        if !throttled {
            return (0.0, 0.0);
        }
        let sum = |items: Vec<((BrokerId, CopySide), f64)>| {
            items
                .into_iter()
                .filter(|(k, _)| *k == budget)
                .map(|(_, v)| v)
                .sum::<f64>()
        };
        (sum(self.before()), sum(self.after()))
    }
}

/// One copy through a budget, for `drain_seconds`.
#[derive(Clone, Copy, Debug)]
struct Item {
    backlog: f64,
    /// Produce traffic the copy carries, bytes/s.
    rate: f64,
    /// In-sync traffic of its partition in this budget before and after it catches up.
    before: f64,
    after: f64,
}

/// Per broker and side, what a wave puts through it.
#[derive(Default)]
struct Load {
    partitions: Vec<TopicPartition>,
    backlog: f64,
    ingest: f64,
    items: Vec<Item>,
}

impl CopyTime {
    /// Estimates `waves` of `moves` (in this order) under `limits`, with the produce rates and
    /// leaders of `traffic`.
    pub fn estimate(
        moves: &[MoveSpec],
        traffic: &TrafficMap,
        waves: &[Wave],
        limits: CopyLimits,
    ) -> Self {
        Self::from_point(moves, traffic, waves, limits, None)
    }

    /// The time still left when wave `at.wave` is in flight with the copies of `at.left` still
    /// lacking those bytes: earlier waves are done, the wave in flight copies what is left, the
    /// later waves start from the sizes of `moves` (the logs as they are now). The returned
    /// waves start at the one in flight.
    pub fn remaining(
        moves: &[MoveSpec],
        traffic: &TrafficMap,
        waves: &[Wave],
        limits: CopyLimits,
        at: &InFlight,
    ) -> Self {
        Self::from_point(moves, traffic, waves, limits, Some(at))
    }

    fn from_point(
        moves: &[MoveSpec],
        traffic: &TrafficMap,
        waves: &[Wave],
        limits: CopyLimits,
        at: Option<&InFlight>,
    ) -> Self {
        let copies: BTreeMap<&TopicPartition, Copy<'_>> = moves
            .iter()
            .filter_map(|m| copy_of(m, traffic).map(|c| (&m.tp, c)))
            .collect();
        let throttled = limits.throttle.is_some();
        // Throttled in-sync traffic, kept current as waves finish: every copy starts "before".
        let mut in_sync: BTreeMap<(BrokerId, CopySide), f64> = BTreeMap::new();
        if throttled {
            for c in copies.values() {
                add(&mut in_sync, c.before(), 1.0);
            }
        }
        let first = at.map_or(0, |a| a.wave);
        let mut elapsed = Some(0.0);
        let mut out = Vec::with_capacity(waves.len().saturating_sub(first));
        for (i, wave) in waves.iter().enumerate() {
            let mut wave_copies: Vec<&Copy<'_>> =
                wave.iter().filter_map(|tp| copies.get(tp)).collect();
            if i < first {
                // Done: only what its partitions leave in the budgets counts.
                if throttled {
                    for c in &wave_copies {
                        add(&mut in_sync, c.before(), -1.0);
                        add(&mut in_sync, c.after(), 1.0);
                    }
                }
                continue;
            }
            let backlog = |c: &Copy<'_>, b: BrokerId, elapsed: f64| -> f64 {
                match at.filter(|_| i == first) {
                    Some(a) => a.left.get(&(c.spec.tp.clone(), b)).copied().unwrap_or(0) as f64,
                    None => c.spec.size as f64 + c.rate * elapsed,
                }
            };
            if let Some(a) = at.filter(|_| i == first) {
                // Copies of the wave in flight that caught up already: their partitions are
                // "after" in the budgets, and they copy nothing more.
                let (done, going): (Vec<&Copy<'_>>, Vec<&Copy<'_>>) =
                    wave_copies.into_iter().partition(|c| {
                        c.adding
                            .iter()
                            .all(|b| a.left.get(&(c.spec.tp.clone(), *b)).is_none_or(|l| *l == 0))
                    });
                if throttled {
                    for c in &done {
                        add(&mut in_sync, c.before(), -1.0);
                        add(&mut in_sync, c.after(), 1.0);
                    }
                }
                wave_copies = going;
            }
            let time = wave_time(
                &wave_copies,
                &in_sync,
                limits,
                elapsed.unwrap_or(0.0),
                &backlog,
            );
            elapsed = elapsed.zip(time.seconds).map(|(a, b)| a + b);
            if throttled {
                for c in &wave_copies {
                    add(&mut in_sync, c.before(), -1.0);
                    add(&mut in_sync, c.after(), 1.0);
                }
            }
            out.push(time);
        }
        CopyTime {
            limits,
            waves: out,
            total_seconds: elapsed,
        }
    }

    /// Every copy catches up.
    pub fn converges(&self) -> bool {
        self.total_seconds.is_some()
    }

    /// (wave index, broker) of every throttled broker whose headroom is gone: its copies never
    /// catch up.
    pub fn stuck(&self) -> Vec<(usize, &BrokerCopy)> {
        self.brokers_where(|b| b.headroom <= 0.0)
    }

    /// (wave index, broker) of every broker that converges with thin headroom.
    pub fn thin(&self) -> Vec<(usize, &BrokerCopy)> {
        self.brokers_where(|b| b.headroom > 0.0 && b.is_thin())
    }

    fn brokers_where(&self, keep: impl Fn(&BrokerCopy) -> bool) -> Vec<(usize, &BrokerCopy)> {
        self.waves
            .iter()
            .enumerate()
            .flat_map(|(i, w)| w.brokers.iter().map(move |b| (i, b)))
            .filter(|(_, b)| keep(b))
            .collect()
    }

    /// The throttle every broker's traffic stays under: any rate above it converges.
    pub fn converging_floor(&self) -> f64 {
        self.waves
            .iter()
            .flat_map(|w| &w.brokers)
            .map(BrokerCopy::load)
            .fold(0.0, f64::max)
    }
}

/// The model's view of a move, `None` when it copies nothing.
fn copy_of<'a>(m: &'a MoveSpec, traffic: &TrafficMap) -> Option<Copy<'a>> {
    let adding = m.adding();
    if adding.is_empty() {
        return None;
    }
    let t = traffic.get(&m.tp).copied().unwrap_or_default();
    Some(Copy {
        spec: m,
        adding,
        leader: t.leader.or_else(|| m.current.first().copied())?,
        rate: t.bytes_in_per_sec.max(0.0),
    })
}

fn add(
    acc: &mut BTreeMap<(BrokerId, CopySide), f64>,
    items: Vec<((BrokerId, CopySide), f64)>,
    sign: f64,
) {
    for (k, v) in items {
        *acc.entry(k).or_default() += sign * v;
    }
}

/// One wave, started `elapsed` seconds into the run; `backlog` gives the bytes each added
/// replica has to copy then.
fn wave_time(
    copies: &[&Copy<'_>],
    in_sync: &BTreeMap<(BrokerId, CopySide), f64>,
    limits: CopyLimits,
    elapsed: f64,
    backlog: &dyn Fn(&Copy<'_>, BrokerId, f64) -> f64,
) -> WaveCopyTime {
    let throttled = limits.throttle.is_some();
    let mut loads: BTreeMap<(BrokerId, CopySide), Load> = BTreeMap::new();
    for c in copies {
        for b in &c.adding {
            let key = (*b, CopySide::Receiving);
            let (before, after) = c.in_sync_load(key, throttled);
            loads.entry(key).or_default().push(
                &c.spec.tp,
                Item {
                    backlog: backlog(c, *b, elapsed),
                    rate: c.rate,
                    before,
                    after,
                },
            );
        }
        if throttled {
            // One copy per added replica, each with its share of the partition's in-sync load.
            let key = (c.leader, CopySide::Sending);
            let (before, after) = c.in_sync_load(key, throttled);
            let n = c.adding.len() as f64;
            for b in &c.adding {
                loads.entry(key).or_default().push(
                    &c.spec.tp,
                    Item {
                        backlog: backlog(c, *b, elapsed),
                        rate: c.rate,
                        before: before / n,
                        after: after / n,
                    },
                );
            }
        }
    }
    let brokers: Vec<BrokerCopy> = loads
        .into_iter()
        .map(|((broker, side), load)| {
            let s = in_sync
                .get(&(broker, side))
                .copied()
                .unwrap_or(0.0)
                .max(0.0);
            broker_copy(broker, side, load, s, limits)
        })
        .collect();
    let mut seconds = Some(0.0_f64);
    let mut slowest = None;
    for b in &brokers {
        match (seconds, b.seconds) {
            (Some(s), Some(t)) if t <= s => {}
            (Some(_), Some(t)) => {
                seconds = Some(t);
                slowest = Some((b.broker, b.side));
            }
            (Some(_), None) => {
                seconds = None;
                slowest = Some((b.broker, b.side));
            }
            (None, _) => {}
        }
    }
    WaveCopyTime {
        brokers,
        seconds,
        slowest,
    }
}

impl Load {
    fn push(&mut self, tp: &TopicPartition, item: Item) {
        if self.partitions.last() != Some(tp) {
            self.partitions.push(tp.clone());
        }
        self.backlog += item.backlog;
        self.ingest += item.rate;
        self.items.push(item);
    }
}

/// Seconds until every copy through one budget has caught up, `None` if one never does.
/// Copies share what is left of the budget equally; a share first carries its partition's
/// produce traffic, the rest closes the gap (a share below the traffic widens it). When a copy
/// catches up, the budget changes by its partition's in-sync traffic before less after.
fn drain_seconds(mut budget: f64, items: &[Item]) -> Option<f64> {
    let mut left: Vec<Item> = items.iter().copied().filter(|i| i.backlog > 0.0).collect();
    let mut t = 0.0;
    while !left.is_empty() {
        let share = budget / left.len() as f64;
        let next = left
            .iter()
            .filter(|i| share > i.rate)
            .map(|i| i.backlog / (share - i.rate))
            .min_by(f64::total_cmp)?;
        t += next;
        let mut still = Vec::with_capacity(left.len());
        for mut i in left {
            i.backlog -= (share - i.rate) * next;
            if i.backlog <= 1e-9 * (1.0 + i.rate) {
                budget += i.before - i.after;
            } else {
                still.push(i);
            }
        }
        left = still;
    }
    Some(t)
}

/// The budget algebra of the module docs for one broker and side.
fn broker_copy(
    broker: BrokerId,
    side: CopySide,
    load: Load,
    in_sync: f64,
    limits: CopyLimits,
) -> BrokerCopy {
    let throttle = limits.throttle.map(|r| r as f64);
    let (limit, budget, in_sync) = match (side, throttle) {
        (CopySide::Receiving, Some(r)) if limits.line_rate < r - in_sync => {
            (limits.line_rate, limits.line_rate, in_sync)
        }
        (_, Some(r)) => (r, r - in_sync, in_sync),
        (CopySide::Receiving, None) => (limits.line_rate, limits.line_rate, 0.0),
        (CopySide::Sending, None) => (f64::INFINITY, f64::INFINITY, 0.0),
    };
    let headroom = budget - load.ingest;
    let seconds = if load.backlog <= 0.0 || budget.is_infinite() {
        Some(0.0)
    } else if headroom > 0.0 && limit < throttle.unwrap_or(f64::INFINITY) {
        // The line rate, not a throttle: in-sync traffic is not counted against it.
        let items: Vec<Item> = load
            .items
            .iter()
            .map(|i| Item {
                before: 0.0,
                after: 0.0,
                ..*i
            })
            .collect();
        drain_seconds(budget, &items)
    } else if headroom > 0.0 {
        drain_seconds(budget, &load.items)
    } else {
        None
    };
    BrokerCopy {
        broker,
        side,
        partitions: load.partitions,
        backlog_bytes: load.backlog.round() as u64,
        ingest: load.ingest,
        in_sync,
        limit,
        headroom,
        seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::PartitionTraffic;

    const MB: f64 = 1_000_000.0;

    fn mv(p: i32, current: &[i32], target: &[i32], size_mb: u64) -> MoveSpec {
        MoveSpec {
            tp: TopicPartition::new("t", p),
            current: current.iter().map(|b| BrokerId(*b)).collect(),
            target: target.iter().map(|b| BrokerId(*b)).collect(),
            size: size_mb * 1_000_000,
        }
    }

    fn traffic(rates: &[(i32, i32, f64)]) -> TrafficMap {
        rates
            .iter()
            .map(|(p, leader, mb)| {
                (
                    TopicPartition::new("t", *p),
                    PartitionTraffic {
                        leader: Some(BrokerId(*leader)),
                        bytes_in_per_sec: mb * MB,
                    },
                )
            })
            .collect()
    }

    fn throttled(mb: f64) -> CopyLimits {
        CopyLimits {
            throttle: Some((mb * MB) as u64),
            line_rate: 1000.0 * MB,
        }
    }

    fn into(wave: &WaveCopyTime, broker: i32) -> &BrokerCopy {
        wave.brokers
            .iter()
            .find(|b| b.broker == BrokerId(broker) && b.side == CopySide::Receiving)
            .expect("a receiving broker")
    }

    fn all(moves: &[MoveSpec]) -> Vec<Wave> {
        vec![moves.iter().map(|m| m.tp.clone()).collect()]
    }

    #[test]
    fn live_traffic_shares_the_follower_throttle() {
        // The issue's case: four partitions (7.5 MB/s each) into the new broker 3 at 50 MB/s.
        // 30 MB/s of produce traffic leaves 20 MB/s for 30 GB: 1,500 s, not 600 s.
        let moves: Vec<MoveSpec> = (0..4)
            .map(|p| mv(p, &[p % 3, 9], &[p % 3, 3], 7_500))
            .collect();
        let t = traffic(&[(0, 0, 7.5), (1, 1, 7.5), (2, 2, 7.5), (3, 0, 7.5)]);
        let est = CopyTime::estimate(&moves, &t, &all(&moves), throttled(50.0));
        let w = &est.waves[0];
        assert_eq!(w.slowest, Some((BrokerId(3), CopySide::Receiving)));
        let into3 = into(w, 3);
        assert_eq!(into3.ingest, 30.0 * MB);
        assert_eq!(into3.headroom, 20.0 * MB);
        assert!((est.total_seconds.unwrap() - 1500.0).abs() < 1e-6);
        assert!(est.stuck().is_empty());
        // At 25 MB/s it never finishes: broker 3 cannot take the 30 MB/s of its four
        // partitions, nor broker 0 serve two of them (15 MB/s) and their in-sync followers (15).
        let est = CopyTime::estimate(&moves, &t, &all(&moves), throttled(25.0));
        assert_eq!(est.total_seconds, None);
        let stuck: Vec<(BrokerId, CopySide, usize)> = est
            .stuck()
            .iter()
            .map(|(_, b)| (b.broker, b.side, b.partitions.len()))
            .collect();
        assert_eq!(
            stuck,
            vec![
                (BrokerId(0), CopySide::Sending, 2),
                (BrokerId(3), CopySide::Receiving, 4)
            ]
        );
        assert_eq!(est.converging_floor(), 30.0 * MB);
    }

    #[test]
    fn a_leaders_in_sync_followers_count_against_its_throttle() {
        // t-0 [1,2,3] → [1,2,4], led by 1, 10 MB/s: leader 1 sends to 2 and 3 (in sync) and to 4
        // (10 MB/s of ingest on top of the backlog): 50 − 20 − 10 = 20 MB/s for 1 GB.
        let moves = vec![mv(0, &[1, 2, 3], &[1, 2, 4], 1000)];
        let t = traffic(&[(0, 1, 10.0)]);
        let est = CopyTime::estimate(&moves, &t, &all(&moves), throttled(50.0));
        let out1 = est.waves[0]
            .brokers
            .iter()
            .find(|b| b.side == CopySide::Sending)
            .unwrap();
        assert_eq!((out1.broker, out1.in_sync), (BrokerId(1), 20.0 * MB));
        assert_eq!(est.waves[0].slowest, Some((BrokerId(1), CopySide::Sending)));
        assert!((est.total_seconds.unwrap() - 50.0).abs() < 1e-6);
        assert!(est.thin().is_empty(), "20 of 50 MB/s is not thin");
    }

    #[test]
    fn finished_copies_stay_in_the_budget_and_later_waves_start_bigger() {
        // Two waves into broker 4 as a follower, 5 MB/s each, 10 MB/s throttle. Wave 1: 100 MB
        // at 5 MB/s = 20 s. Wave 2 starts 20 s later, t-1 has grown by 100 MB, and t-0 (done, in
        // sync) still takes 5 MB/s of broker 4's budget: 200 MB at 10 − 5 − 5 = never.
        let moves = vec![mv(0, &[1], &[1, 4], 100), mv(1, &[2], &[2, 4], 100)];
        let t = traffic(&[(0, 1, 5.0), (1, 2, 5.0)]);
        let waves = vec![vec![moves[0].tp.clone()], vec![moves[1].tp.clone()]];
        let est = CopyTime::estimate(&moves, &t, &waves, throttled(10.0));
        assert!((est.waves[0].seconds.unwrap() - 20.0).abs() < 1e-9);
        let w2 = into(&est.waves[1], 4);
        assert_eq!(w2.backlog_bytes, 200_000_000);
        assert_eq!((w2.in_sync, w2.headroom), (5.0 * MB, 0.0));
        assert_eq!(est.total_seconds, None);
        // At 20 MB/s: wave 2 has 200 MB at 20 − 5 − 5 = 10 MB/s: 20 s; wave 1 took 100/15 s.
        let est = CopyTime::estimate(&moves, &t, &waves, throttled(20.0));
        let w1 = 100.0 / 15.0;
        let w2 = (100.0 + 5.0 * w1) / 10.0;
        assert!((est.total_seconds.unwrap() - (w1 + w2)).abs() < 1e-9);
    }

    #[test]
    fn a_copy_that_catches_up_frees_what_its_partition_took() {
        // Drain broker 3 at 30 MB/s: it leads t-0 (3 GB, 10 MB/s, follower 1 in sync) and t-1
        // (500 MB, 1 MB/s, follower 2). 30 − 11 in sync leaves 19, 9.5 a copy: t-1 closes at
        // 8.5 (59 s) while t-0 falls behind (−0.5). Then broker 3 leads neither any more... but
        // t-0's follower 1 still fetches from it: 30 − 10 = 20, t-0 closes at 10.
        let moves = vec![mv(0, &[3, 1], &[4, 1], 3000), mv(1, &[3, 2], &[5, 2], 500)];
        let t = traffic(&[(0, 3, 10.0), (1, 3, 1.0)]);
        let est = CopyTime::estimate(&moves, &t, &all(&moves), throttled(30.0));
        let p1 = 500.0 / 8.5;
        let expected = p1 + (3000.0 + 0.5 * p1) / 10.0;
        assert!(
            (est.total_seconds.unwrap() - expected).abs() < 1e-6,
            "{est:?}"
        );
        // The aggregate B / H (3.5 GB at 30 − 11 − 11) would say 437 s.
        assert!(expected < 3500.0 / 8.0);
    }

    #[test]
    fn unthrottled_copies_run_at_the_receivers_line_rate() {
        let moves = vec![mv(0, &[1], &[4], 1000), mv(1, &[1], &[5], 1000)];
        let t = traffic(&[(0, 1, 0.0), (1, 1, 0.0)]);
        let limits = CopyLimits {
            throttle: None,
            line_rate: 100.0 * MB,
        };
        let est = CopyTime::estimate(&moves, &t, &all(&moves), limits);
        // Two receivers in parallel, no sending limit: 10 s.
        assert!((est.total_seconds.unwrap() - 10.0).abs() < 1e-9);
        assert!(est.waves[0]
            .brokers
            .iter()
            .all(|b| b.side == CopySide::Receiving));
        // A throttle above the line rate leaves the line rate in charge of the receivers.
        let est = CopyTime::estimate(
            &moves,
            &t,
            &all(&moves),
            CopyLimits {
                throttle: Some(500_000_000),
                line_rate: 100.0 * MB,
            },
        );
        assert_eq!(into(&est.waves[0], 4).limit, 100.0 * MB);
        assert!((est.total_seconds.unwrap() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn reorders_copy_nothing_and_thin_headroom_is_flagged() {
        let moves = vec![mv(0, &[1, 2], &[2, 1], 1000), mv(1, &[1], &[2], 100)];
        let t = traffic(&[(0, 1, 50.0), (1, 1, 8.0)]);
        let est = CopyTime::estimate(&moves, &t, &all(&moves), throttled(10.0));
        // Only t-1 copies; t-0 is not throttled at all, so its traffic is nowhere.
        assert_eq!(est.waves[0].brokers.len(), 2);
        assert!((est.total_seconds.unwrap() - 50.0).abs() < 1e-9);
        assert_eq!(est.thin().len(), 2, "2 MB/s of 10 is thin on both sides");
    }

    #[test]
    fn the_time_left_is_the_model_run_again_on_the_bytes_left() {
        // Two copies into broker 3 at 20 MB/s, no traffic: 1 GB and 200 MB share the budget
        // (10 MB/s each) until the small one is done at 20 s; the big one then has all 20.
        let moves = vec![
            mv(0, &[0, 1], &[0, 3], 1000),
            mv(1, &[1, 2], &[1, 3], 200),
            mv(2, &[2, 0], &[2, 3], 500),
        ];
        let t = traffic(&[(0, 0, 0.0), (1, 1, 0.0), (2, 2, 0.0)]);
        let waves: Vec<Wave> = vec![
            vec![moves[0].tp.clone(), moves[1].tp.clone()],
            vec![moves[2].tp.clone()],
        ];
        let limits = throttled(20.0);
        let whole = CopyTime::estimate(&moves, &t, &waves, limits);
        // 20 s for 2 × 200 MB, then 800 MB at 20 MB/s = 40 s; then 25 s.
        assert!((whole.total_seconds.unwrap() - 85.0).abs() < 1e-6);
        let left = |bytes: &[(i32, u64)]| InFlight {
            wave: 0,
            left: bytes
                .iter()
                .map(|(p, b)| ((TopicPartition::new("t", *p), BrokerId(3)), *b))
                .collect(),
        };
        // At the start it is the estimate.
        let at_start = CopyTime::remaining(
            &moves,
            &t,
            &waves,
            limits,
            &left(&[(0, 1_000_000_000), (1, 200_000_000)]),
        );
        assert_eq!(at_start.waves.len(), 2);
        assert!((at_start.total_seconds.unwrap() - 85.0).abs() < 1e-6);
        // 30 s in: the small copy is done, 600 MB left of the big one at the whole 20 MB/s.
        let later = CopyTime::remaining(&moves, &t, &waves, limits, &left(&[(0, 600_000_000)]));
        assert!((later.waves[0].seconds.unwrap() - 30.0).abs() < 1e-6);
        assert!((later.total_seconds.unwrap() - 55.0).abs() < 1e-6);
        // The second wave in flight: the first is done, only its bytes left count.
        let second = CopyTime::remaining(
            &moves,
            &t,
            &waves,
            limits,
            &InFlight {
                wave: 1,
                left: [((TopicPartition::new("t", 2), BrokerId(3)), 100_000_000)].into(),
            },
        );
        assert_eq!(second.waves.len(), 1);
        assert!((second.total_seconds.unwrap() - 5.0).abs() < 1e-6);
    }
}
