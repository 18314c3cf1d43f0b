//! What a run will copy, and how fast: the throttle (given, or the smallest that finishes
//! within a target duration), the waves, and their copy-time estimate — all decided before
//! anything changes, by `execute`, its dry run and `generate`.
//!
//! Waves are shaped at the throttle: each broker's concurrent ingest stays within
//! [`INGEST_SHARE`] of it where possible. For a target duration the throttle and the waves
//! depend on each other, so the search runs twice: the smallest throttle for unshaped waves,
//! the waves shaped at that throttle, and the smallest throttle for those waves (shaping only
//! helps, so it is never above the first).

use std::time::Duration;

use super::{
    plan_waves, snapshot_traffic, ClusterView, CopyLimits, CopyTime, ExecError, MoveSpec,
    ThrottleShortfall, TrafficMap, Wave, WaveLimits, INGEST_SHARE,
};
use crate::exec::throttle_shortfall::round_up_3_digits;
use crate::model::Cluster;
use crate::plan::Reassignment;

/// The throttle the operator asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleRequest {
    Unthrottled,
    Rate(u64),
    /// The smallest throttle that finishes the plan within this duration (`--throttle auto`).
    Within(Duration),
}

/// The throttle, the waves and their estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct CopySchedule {
    pub throttle: Option<u64>,
    /// The target duration the throttle was chosen for.
    pub target: Option<Duration>,
    pub waves: Vec<Wave>,
    pub copy_time: CopyTime,
}

impl CopySchedule {
    /// Plans the waves of `moves` under `request`, starting from `base` limits (per-broker
    /// moves, bytes, free disk, partitions last); `line_rate` is what unthrottled copies into
    /// one broker run at.
    pub fn plan(
        moves: &[MoveSpec],
        traffic: &TrafficMap,
        request: ThrottleRequest,
        line_rate: f64,
        base: &WaveLimits,
    ) -> Result<Self, ExecError> {
        let (throttle, target, waves) = match request {
            ThrottleRequest::Unthrottled => {
                (None, None, plan_waves(moves, &shaped(base, traffic, None)))
            }
            ThrottleRequest::Rate(r) => (
                Some(r),
                None,
                plan_waves(moves, &shaped(base, traffic, Some(r))),
            ),
            ThrottleRequest::Within(d) => {
                let (r, waves) = within(moves, traffic, d, line_rate, base)?;
                (r, Some(d), waves)
            }
        };
        let copy_time = CopyTime::estimate(
            moves,
            traffic,
            &waves,
            CopyLimits {
                throttle,
                line_rate,
            },
        );
        Ok(CopySchedule {
            throttle,
            target,
            waves,
            copy_time,
        })
    }

    /// The schedule of a plan against the snapshot it was planned from (`generate`): moves
    /// from the snapshot's replicas and sizes, its traffic, and `execute`'s default wave limits
    /// (free disk unknown).
    pub fn for_snapshot(
        cluster: &Cluster,
        plan: &Reassignment,
        request: ThrottleRequest,
        line_rate: f64,
    ) -> Result<Self, ExecError> {
        let moves = ClusterView::from_snapshot(cluster, plan).moves(plan);
        CopySchedule::plan(
            &moves,
            &snapshot_traffic(cluster),
            request,
            line_rate,
            &WaveLimits::default(),
        )
    }

    /// Why the throttle cannot finish the plan, if it cannot.
    pub fn shortfall(&self) -> Option<ThrottleShortfall> {
        ThrottleShortfall::of(&self.copy_time, self.throttle?)
    }
}

/// `base` with the ingest bound of `throttle`.
fn shaped(base: &WaveLimits, traffic: &TrafficMap, throttle: Option<u64>) -> WaveLimits {
    WaveLimits {
        traffic: traffic.clone(),
        max_ingest_per_broker: throttle.map(|r| r as f64 * INGEST_SHARE),
        ..base.clone()
    }
}

/// The smallest throttle (and its waves) that copies `moves` within `target`; `None` when they
/// copy nothing.
fn within(
    moves: &[MoveSpec],
    traffic: &TrafficMap,
    target: Duration,
    line_rate: f64,
    base: &WaveLimits,
) -> Result<(Option<u64>, Vec<Wave>), ExecError> {
    let unshaped = plan_waves(moves, &shaped(base, traffic, None));
    if moves.iter().all(|m| m.adding().is_empty()) {
        return Ok((None, unshaped));
    }
    let first = smallest_throttle(moves, traffic, &unshaped, line_rate, target)?;
    let waves = plan_waves(moves, &shaped(base, traffic, Some(first)));
    Ok(
        match smallest_throttle(moves, traffic, &waves, line_rate, target) {
            Ok(r) if r <= first => (Some(r), waves),
            _ => (Some(first), unshaped),
        },
    )
}

/// The smallest throttle, rounded up to three digits, whose estimate for `waves` is within
/// `target`. The estimate only falls as the throttle rises (every budget grows, and later waves
/// start sooner with less grown logs), so a bisection finds it.
fn smallest_throttle(
    moves: &[MoveSpec],
    traffic: &TrafficMap,
    waves: &[Wave],
    line_rate: f64,
    target: Duration,
) -> Result<u64, ExecError> {
    let target_secs = target.as_secs_f64();
    let total = |throttle: Option<u64>| {
        CopyTime::estimate(
            moves,
            traffic,
            waves,
            CopyLimits {
                throttle,
                line_rate,
            },
        )
        .total_seconds
    };
    let fits = |r: f64| total(Some(r.ceil() as u64)).is_some_and(|t| t <= target_secs);
    let unreachable = || ExecError::TargetUnreachable {
        target,
        best_seconds: total(None),
        line_rate,
    };
    if !total(None).is_some_and(|t| t <= target_secs) {
        return Err(unreachable());
    }
    let floor = CopyTime::estimate(
        moves,
        traffic,
        waves,
        CopyLimits {
            throttle: Some(1),
            line_rate,
        },
    )
    .converging_floor();
    let mut lo = floor.max(1.0);
    let mut hi = (2.0 * lo).max(1e6);
    while !fits(hi) {
        lo = hi;
        hi *= 2.0;
        if hi > 1e15 {
            return Err(unreachable());
        }
    }
    while hi - lo > (hi * 1e-4).max(1.0) {
        let mid = (lo + hi) / 2.0;
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(round_up_3_digits(hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::PartitionTraffic;
    use crate::model::{BrokerId, TopicPartition};

    fn setup() -> (Vec<MoveSpec>, TrafficMap) {
        // Four 1 GB partitions get a second replica on broker 4, 5 MB/s each.
        let moves: Vec<MoveSpec> = (0..4)
            .map(|p| MoveSpec {
                tp: TopicPartition::new("t", p),
                current: vec![BrokerId(p % 3 + 1)],
                target: vec![BrokerId(p % 3 + 1), BrokerId(4)],
                size: 1_000_000_000,
            })
            .collect();
        let traffic = moves
            .iter()
            .map(|m| {
                (
                    m.tp.clone(),
                    PartitionTraffic {
                        leader: Some(m.current[0]),
                        bytes_in_per_sec: 5e6,
                    },
                )
            })
            .collect();
        (moves, traffic)
    }

    #[test]
    fn the_throttle_for_a_target_is_the_smallest_that_makes_it() {
        let (moves, traffic) = setup();
        let base = WaveLimits::default();
        let target = Duration::from_secs(400);
        let s = CopySchedule::plan(
            &moves,
            &traffic,
            ThrottleRequest::Within(target),
            1e9,
            &base,
        )
        .unwrap();
        let rate = s.throttle.unwrap();
        let secs = s.copy_time.total_seconds.unwrap();
        assert!(secs <= 400.0, "{secs}");
        // A little less misses the target with the same waves.
        let below = CopyTime::estimate(
            &moves,
            &traffic,
            &s.waves,
            CopyLimits {
                throttle: Some(rate * 99 / 100),
                line_rate: 1e9,
            },
        );
        assert!(below.total_seconds.unwrap() > 400.0);
        assert_eq!(s.target, Some(target));
    }

    #[test]
    fn a_target_beyond_the_line_rate_is_refused_with_the_best_time() {
        let (moves, traffic) = setup();
        let err = CopySchedule::plan(
            &moves,
            &traffic,
            ThrottleRequest::Within(Duration::from_secs(10)),
            100e6,
            &WaveLimits::default(),
        )
        .unwrap_err();
        // 4 GB into broker 4 at 100 − 20 MB/s: 50 s at best.
        match err {
            ExecError::TargetUnreachable { best_seconds, .. } => {
                assert!((best_seconds.unwrap() - 50.0).abs() < 1e-6)
            }
            e => panic!("{e}"),
        }
    }

    #[test]
    fn a_throttle_too_low_is_a_shortfall_naming_the_broker() {
        let (moves, traffic) = setup();
        let s = CopySchedule::plan(
            &moves,
            &traffic,
            ThrottleRequest::Rate(15_000_000),
            1e9,
            &WaveLimits::default(),
        )
        .unwrap();
        // Shaped at 7.5 MB/s of ingest per broker, one partition per wave: 5 MB/s each, then
        // the finished ones stay in broker 4's budget: the fourth wave has 15 − 15 − 5 < 0.
        let short = s.shortfall().expect("a shortfall");
        assert!(short.stuck.iter().any(|(_, b)| b.broker == BrokerId(4)));
        assert_eq!(short.floor, 20e6);
        assert_eq!(short.comfortable, 26_700_000);
        assert!(short.to_string().contains("broker 4 receives"), "{short}");
    }
}
