//! The live ETA and stuck copies: from measured progress, not only from the model.
//!
//! Each poll reads, per receiving broker, the bytes its in-flight copies still lack (the
//! leader's log size minus the copy's) — a [`ProgressMark`]. Between two marks of the same wave
//! the backlog shrinks at the copy rate minus the produce traffic that keeps growing the log:
//! the *pace*, which is exactly the headroom of the copy-time model
//! ([`CopyTime`](super::CopyTime)). The pace is measured over the last [`PACE_WINDOW`] seconds
//! of marks (all of them, early in a wave).
//!
//! The ETA re-runs the copy-time model on what is left at each mark ([`ModelLeft`]): the bytes
//! the in-flight copies still lack, the copies already caught up (whose partitions now weigh on
//! the budgets as in-sync traffic, and no longer share them), the waves still queued with
//! their logs as they are now. The average pace of the copies since the wave started does not
//! see that a budget is shared by fewer copies once the small ones catch up (it gave 0.34–0.67×
//! of the time actually left); the model does. The measurement corrects the model: the
//! model-seconds of work the wave did since its first mark, per second that passed, is how fast
//! the cluster runs against the model (1 when the model is right; below 1 when more traffic
//! than sampled fills the throttle). The time left is the model's divided by that speed,
//! weighted by how much of the wave has been seen (none at its start, nearly all near its
//! end). State files without the model's inputs get the wave's average pace as before.
//!
//! A receiving broker is *slow* when the wave as a whole runs below [`SLOW_SHARE`] of the pace
//! the model expects (its backlog over its estimated time, on average since it started) and,
//! over a whole window, the broker's own backlog shrank at less than that share of what the
//! model expects of it (its part of the backlog over the wave's time), with more than a
//! window's worth of that pace left: a throttle filled by traffic the estimate did not know
//! about, a slow disk, a dead leader. Without a throttle the model's line rate is only a
//! guess, so only a broker whose backlog did not shrink at all is reported.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

use super::{ExecutionState, InFlight, WaveEstimate};
use crate::model::{BrokerId, TopicPartition};

/// Seconds of marks the pace is measured over.
pub const PACE_WINDOW: f64 = 60.0;

/// Below this share of the pace the model expects, a broker's copies are slow.
pub const SLOW_SHARE: f64 = 0.5;

/// Where the in-flight copies stood at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressMark {
    /// Milliseconds since the Unix epoch (the executor's [`Clock`](super::Clock)).
    pub at_ms: i64,
    /// The wave in flight (index).
    pub wave: usize,
    /// Each in-flight copy and the bytes it still lacks.
    pub copies: Vec<CopyLeft>,
}

/// One added replica still copying.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CopyLeft {
    pub tp: TopicPartition,
    pub broker: BrokerId,
    pub bytes: u64,
}

impl ProgressMark {
    pub fn total(&self) -> u64 {
        self.copies.iter().map(|c| c.bytes).sum()
    }

    /// Per receiving broker, the bytes its copies still lack.
    pub fn by_broker(&self) -> BTreeMap<BrokerId, u64> {
        let mut out: BTreeMap<BrokerId, u64> = BTreeMap::new();
        for c in &self.copies {
            *out.entry(c.broker).or_default() += c.bytes;
        }
        out
    }
}

/// How fast the in-flight backlog shrinks, bytes/s, per receiving broker and in all.
#[derive(Clone, Debug, PartialEq)]
pub struct Pace {
    /// Seconds the pace was measured over.
    pub span: f64,
    pub total: f64,
    pub brokers: BTreeMap<BrokerId, f64>,
}

impl Pace {
    /// The pace between two marks of the same wave, of the copies still going at the last
    /// one (a copy that caught up in between would make the others look faster than they
    /// are); `None` across waves or with no time between.
    pub fn between(first: &ProgressMark, last: &ProgressMark) -> Option<Pace> {
        let span = (last.at_ms - first.at_ms) as f64 / 1000.0;
        if first.wave != last.wave || span <= 0.0 {
            return None;
        }
        let before: BTreeMap<(&TopicPartition, BrokerId), u64> = first
            .copies
            .iter()
            .map(|c| ((&c.tp, c.broker), c.bytes))
            .collect();
        let mut brokers: BTreeMap<BrokerId, f64> = BTreeMap::new();
        for c in last.copies.iter().filter(|c| c.bytes > 0) {
            let shrank = before
                .get(&(&c.tp, c.broker))
                .map_or(0.0, |b| *b as f64 - c.bytes as f64);
            *brokers.entry(c.broker).or_default() += shrank / span;
        }
        Some(Pace {
            span,
            total: brokers.values().sum(),
            brokers,
        })
    }
}

/// The time left, and what it rests on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Eta {
    /// Seconds until the last wave is done; `None` when a copy in flight makes no progress (or
    /// the model says a queued wave never finishes).
    pub seconds: Option<u64>,
    /// How fast the in-flight backlog shrinks, bytes/s: measured, or the model's.
    pub pace: u64,
    /// The pace was measured (otherwise it is the model's: no two marks of this wave yet).
    pub measured: bool,
}

impl Eta {
    /// The ETA at `now`: the in-flight wave at the pace measured since `start` (its first
    /// mark), or at the model's (`wave`) until there is one; plus `queued` seconds of waves not
    /// submitted yet.
    ///
    /// The pace is the wave's average since it started, of all its copies: copies that share a
    /// budget speed up when one of them catches up, so the pace of the last minute would
    /// overstate the time left, while the average already holds such speed-ups.
    pub fn at(
        now: &ProgressMark,
        start: Option<&ProgressMark>,
        wave: Option<&WaveEstimate>,
        queued: Option<f64>,
    ) -> Eta {
        let since = start.filter(|s| s.wave == now.wave && s.at_ms < now.at_ms);
        let (in_flight, pace) = match since {
            Some(s) => {
                let span = (now.at_ms - s.at_ms) as f64 / 1000.0;
                let pace = (s.total() as f64 - now.total() as f64) / span;
                let left = now.total() as f64;
                let secs = if left <= 0.0 {
                    Some(0.0)
                } else {
                    (pace > 0.0).then(|| left / pace)
                };
                (secs, pace)
            }
            None => {
                // The model: the wave ends with its slowest receiving broker.
                let rate_of = |b: &BrokerId| {
                    wave.and_then(|w| w.drain_rate.get(b))
                        .map_or(0.0, |r| *r as f64)
                };
                let secs = now
                    .by_broker()
                    .iter()
                    .filter(|(_, left)| **left > 0)
                    .try_fold(0.0_f64, |slowest, (b, left)| {
                        let rate = rate_of(b);
                        (rate > 0.0).then(|| slowest.max(*left as f64 / rate))
                    });
                let pace = wave.map_or(0.0, |w| w.drain_rate.values().sum::<u64>() as f64);
                (secs, pace)
            }
        };
        Eta {
            seconds: in_flight.zip(queued).map(|(a, b)| (a + b).round() as u64),
            pace: pace.max(0.0).round() as u64,
            measured: since.is_some(),
        }
    }
}

/// The copy-time model run again on what is left, for [`Eta::blended`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ModelLeft {
    /// Seconds the wave in flight takes from its first mark; `None` when it never finishes.
    pub at_start: Option<f64>,
    /// Seconds it still takes from the latest mark.
    pub in_flight: Option<f64>,
    /// Seconds of the waves after it, from the end of the wave in flight.
    pub queued: Option<f64>,
}

impl ModelLeft {
    /// The model of `state` (`None` without its inputs: an older state file) from the wave's
    /// first mark `start` and from `now`, with the logs' sizes now (`size`).
    pub fn of(
        state: &ExecutionState,
        now: &ProgressMark,
        start: Option<&ProgressMark>,
        size: impl Fn(&TopicPartition) -> u64,
    ) -> Option<ModelLeft> {
        let inputs = state.copy_inputs.as_ref()?;
        let run = |mark: &ProgressMark| {
            let at = InFlight {
                wave: mark.wave,
                left: mark
                    .copies
                    .iter()
                    .map(|c| ((c.tp.clone(), c.broker), c.bytes))
                    .collect(),
            };
            inputs.remaining(&state.waves, state.throttle, &size, &at)
        };
        let model = run(now);
        let in_flight = model.waves.first().and_then(|w| w.seconds);
        let at_start = start
            .filter(|s| s.wave == now.wave)
            .and_then(|s| run(s).waves.first().and_then(|w| w.seconds));
        Some(ModelLeft {
            at_start,
            in_flight,
            queued: model.waves.iter().skip(1).map(|w| w.seconds).sum(),
        })
    }
}

impl Eta {
    /// The ETA at `now` from the model run on what is left (`model`), corrected by how fast
    /// the wave ran against the model since its first mark `start` (see the module docs).
    pub fn blended(now: &ProgressMark, start: Option<&ProgressMark>, model: &ModelLeft) -> Eta {
        let left = now.total() as f64;
        let since = start.filter(|s| s.wave == now.wave && s.at_ms < now.at_ms);
        let Some(s) = since else {
            let seconds = model.in_flight.zip(model.queued).map(|(a, b)| a + b);
            let pace = model
                .in_flight
                .filter(|t| *t > 0.0)
                .map_or(0.0, |t| left / t);
            return Eta {
                seconds: seconds.map(|x| x.round() as u64),
                pace: pace.round() as u64,
                measured: false,
            };
        };
        let span = (now.at_ms - s.at_ms) as f64 / 1000.0;
        let pace = (s.total() as f64 - left) / span;
        let stalled = left > 0.0 && pace <= 0.0 && span >= PACE_WINDOW;
        let seconds = match (model.at_start, model.in_flight, model.queued) {
            _ if stalled => None,
            (Some(r0), Some(rn), Some(q)) => {
                let speed = ((r0 - rn) / span).max(0.0);
                let seen = span / (span + rn);
                let blended = (1.0 - seen) + seen * speed;
                if rn + q <= 0.0 {
                    Some(0.0)
                } else {
                    (blended > 0.0).then(|| (rn + q) / blended)
                }
            }
            // The model says the wave never finishes, yet it moves: the measured pace.
            (_, _, q) if pace > 0.0 => q.map(|q| left / pace + q),
            _ => None,
        };
        Eta {
            seconds: seconds.map(|x| x.round() as u64),
            pace: pace.max(0.0).round() as u64,
            measured: true,
        }
    }
}

/// A receiving broker whose copies run well below what the throttle allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlowBroker {
    /// The wave (counting from 1).
    pub wave: usize,
    pub broker: BrokerId,
    /// How fast its backlog shrank, bytes/s (0 when it did not, or grew).
    pub measured: u64,
    /// How fast the model expects it to shrink, bytes/s.
    pub expected: u64,
    /// Bytes its copies still lack.
    pub remaining: u64,
    /// Seconds the pace was measured over.
    pub over_seconds: u64,
}

impl SlowBroker {
    /// Its backlog did not shrink at all.
    pub fn stalled(&self) -> bool {
        self.measured == 0
    }
}

/// The marks of the wave in flight, and the slow brokers already reported.
#[derive(Clone, Debug, Default)]
pub struct ProgressMeter {
    /// The wave's first mark.
    start: Option<ProgressMark>,
    /// The marks of the last window.
    marks: VecDeque<ProgressMark>,
    reported: BTreeSet<(usize, BrokerId)>,
}

impl ProgressMeter {
    /// Adds a mark; a mark of another wave starts over.
    pub fn record(&mut self, mark: ProgressMark) {
        if self.marks.back().is_some_and(|m| m.wave != mark.wave) {
            self.marks.clear();
            self.start = None;
        }
        if self.start.is_none() {
            self.start = Some(mark.clone());
        }
        self.marks.push_back(mark);
        // Keep the newest mark that is at least a window older than the latest.
        while self.marks.len() > 2 {
            let latest = self.marks.back().expect("marks").at_ms;
            if (latest - self.marks[1].at_ms) as f64 / 1000.0 >= PACE_WINDOW {
                self.marks.pop_front();
            } else {
                break;
            }
        }
    }

    /// The first mark of the wave in flight.
    pub fn start(&self) -> Option<&ProgressMark> {
        self.start.as_ref()
    }

    /// The latest mark.
    pub fn latest(&self) -> Option<&ProgressMark> {
        self.marks.back()
    }

    /// The pace over the window.
    pub fn pace(&self) -> Option<Pace> {
        Pace::between(self.marks.front()?, self.marks.back()?)
    }

    /// Brokers of the wave in flight newly found slow against `estimate` (see the module
    /// docs); each is reported once per wave.
    pub fn newly_slow(
        &mut self,
        estimate: Option<&WaveEstimate>,
        throttled: bool,
    ) -> Vec<SlowBroker> {
        let (Some(pace), Some(now), Some(estimate)) =
            (self.pace(), self.latest().cloned(), estimate)
        else {
            return Vec::new();
        };
        if pace.span < PACE_WINDOW {
            return Vec::new();
        }
        // Copies that share a budget do not all run at the wave's average pace (one may wait,
        // its gap even widening, for another to catch up), so a broker is only slow when the
        // wave as a whole is, on average since it started.
        let expected_total: u64 = estimate.drain_rate.values().sum();
        let average = self.start.as_ref().and_then(|s| {
            let span = (now.at_ms - s.at_ms) as f64 / 1000.0;
            (span > 0.0).then(|| (s.total() as f64 - now.total() as f64) / span)
        });
        let wave_behind = average.is_some_and(|a| a < SLOW_SHARE * expected_total as f64);
        let slow: Vec<SlowBroker> = now
            .by_broker()
            .into_iter()
            .filter_map(|(b, left)| {
                let expected = *estimate.drain_rate.get(&b)? as f64;
                let measured = pace.brokers.get(&b).copied().unwrap_or(0.0).max(0.0);
                let behind = wave_behind
                    && if throttled {
                        measured < SLOW_SHARE * expected
                    } else {
                        measured <= 0.0
                    };
                let far_from_done = left as f64 > expected * PACE_WINDOW;
                (behind && far_from_done && expected > 0.0).then(|| SlowBroker {
                    wave: now.wave + 1,
                    broker: b,
                    measured: measured.round() as u64,
                    expected: expected.round() as u64,
                    remaining: left,
                    over_seconds: pace.span.round() as u64,
                })
            })
            .filter(|s| !self.reported.contains(&(now.wave, s.broker)))
            .collect();
        for s in &slow {
            self.reported.insert((now.wave, s.broker));
        }
        slow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1_000_000;

    /// A mark with one copy (of partition t-<broker>) into each broker.
    fn mark(at_s: i64, wave: usize, remaining: &[(i32, u64)]) -> ProgressMark {
        ProgressMark {
            at_ms: at_s * 1000,
            wave,
            copies: remaining
                .iter()
                .map(|(b, r)| CopyLeft {
                    tp: TopicPartition::new("t", *b),
                    broker: BrokerId(*b),
                    bytes: *r,
                })
                .collect(),
        }
    }

    fn estimate(seconds: u64, drain: &[(i32, u64)]) -> WaveEstimate {
        WaveEstimate {
            seconds: Some(seconds),
            drain_rate: drain.iter().map(|(b, r)| (BrokerId(*b), *r)).collect(),
        }
    }

    #[test]
    fn the_eta_is_the_backlog_at_the_waves_measured_pace_plus_the_queued_waves() {
        let mut m = ProgressMeter::default();
        m.record(mark(0, 0, &[(4, 1000 * MB), (5, 300 * MB)]));
        m.record(mark(10, 0, &[(4, 900 * MB), (5, 200 * MB)]));
        let pace = m.pace().unwrap();
        assert_eq!(pace.brokers[&BrokerId(4)], 10.0 * MB as f64);
        let eta = Eta::at(m.latest().unwrap(), m.start(), None, Some(50.0));
        // 1.1 GB left at 20 MB/s = 55 s, plus 50 s queued.
        assert_eq!(
            eta,
            Eta {
                seconds: Some(105),
                pace: 20 * MB,
                measured: true
            }
        );
        // Before two marks: the model's pace.
        let w = estimate(100, &[(4, 10 * MB), (5, 3 * MB)]);
        let eta = Eta::at(
            &mark(0, 0, &[(4, 1000 * MB), (5, 300 * MB)]),
            None,
            Some(&w),
            Some(0.0),
        );
        assert_eq!(eta.seconds, Some(100));
        assert!(!eta.measured);
    }

    #[test]
    fn a_broker_whose_backlog_does_not_shrink_has_no_eta_and_is_reported_once() {
        let w = estimate(100, &[(4, 10 * MB)]);
        let mut m = ProgressMeter::default();
        m.record(mark(0, 1, &[(4, 1000 * MB)]));
        m.record(mark(30, 1, &[(4, 1000 * MB)]));
        assert!(
            m.newly_slow(Some(&w), true).is_empty(),
            "not a whole window yet"
        );
        m.record(mark(60, 1, &[(4, 1000 * MB)]));
        let eta = Eta::at(m.latest().unwrap(), m.start(), Some(&w), Some(0.0));
        assert_eq!(eta.seconds, None);
        let slow = m.newly_slow(Some(&w), true);
        assert_eq!(slow.len(), 1);
        assert!(slow[0].stalled());
        assert_eq!((slow[0].wave, slow[0].expected), (2, 10 * MB));
        m.record(mark(90, 1, &[(4, 1000 * MB)]));
        assert!(m.newly_slow(Some(&w), true).is_empty(), "reported once");
    }

    #[test]
    fn slow_is_below_half_the_expected_pace_and_far_from_done() {
        let w = estimate(100, &[(4, 10 * MB), (5, 10 * MB)]);
        let mut m = ProgressMeter::default();
        m.record(mark(0, 0, &[(4, 1000 * MB), (5, 1000 * MB)]));
        // The wave at 8 of 20 MB/s: broker 4 at 6 MB/s (fine), broker 5 at 2 MB/s (slow).
        m.record(mark(60, 0, &[(4, 640 * MB), (5, 880 * MB)]));
        let slow = m.newly_slow(Some(&w), true);
        assert_eq!(
            slow.iter().map(|s| s.broker).collect::<Vec<_>>(),
            vec![BrokerId(5)]
        );
        assert_eq!(slow[0].measured, 2 * MB);
        // A wave on pace as a whole has no slow broker short of a standstill.
        let mut m = ProgressMeter::default();
        m.record(mark(0, 0, &[(4, 1000 * MB), (5, 1000 * MB)]));
        m.record(mark(60, 0, &[(4, 100 * MB), (5, 880 * MB)]));
        assert!(m.newly_slow(Some(&w), true).is_empty());
        // Unthrottled, only a standstill counts.
        let mut m = ProgressMeter::default();
        m.record(mark(0, 0, &[(5, 1000 * MB)]));
        m.record(mark(60, 0, &[(5, 760 * MB)]));
        assert!(m.newly_slow(Some(&w), false).is_empty());
    }

    #[test]
    fn the_window_slides_and_a_new_wave_starts_over() {
        let mut m = ProgressMeter::default();
        for t in 0..10 {
            m.record(mark(t * 20, 0, &[(4, (1000 - t as u64 * 20) * MB)]));
        }
        let pace = m.pace().unwrap();
        assert!(
            pace.span >= PACE_WINDOW && pace.span < PACE_WINDOW + 20.0,
            "{}",
            pace.span
        );
        assert_eq!(m.start().unwrap().at_ms, 0);
        m.record(mark(200, 1, &[(4, 500 * MB)]));
        assert!(m.pace().is_none());
        assert_eq!(m.start().unwrap().at_ms, 200_000);
    }

    #[test]
    fn the_blended_eta_is_the_model_corrected_by_how_fast_the_wave_ran_against_it() {
        let start = mark(0, 0, &[(4, 1000 * MB)]);
        // Before a second mark: the model's.
        let model = ModelLeft {
            at_start: Some(100.0),
            in_flight: Some(100.0),
            queued: Some(50.0),
        };
        let eta = Eta::blended(&start, Some(&start), &model);
        assert_eq!((eta.seconds, eta.measured), (Some(150), false));
        // On pace: 40 s in, the model says 60 s of the wave left.
        let now = mark(40, 0, &[(4, 600 * MB)]);
        let on_pace = ModelLeft {
            in_flight: Some(60.0),
            ..model
        };
        let eta = Eta::blended(&now, Some(&start), &on_pace);
        assert_eq!(
            (eta.seconds, eta.measured, eta.pace),
            (Some(110), true, 10 * MB)
        );
        // At half the model's speed: 40 s did 20 s of the model's work; 40 of 120 s seen.
        let slow = ModelLeft {
            in_flight: Some(80.0),
            ..model
        };
        let eta = Eta::blended(&mark(40, 0, &[(4, 800 * MB)]), Some(&start), &slow);
        // speed 0.5, weight 40/120: (80 + 50) / (2/3 + 1/6) = 156 s (the truth: 210 s).
        assert_eq!(eta.seconds, Some(156));
        // Late in the wave the measurement dominates: 160 s in, 20 s of model left.
        let late = ModelLeft {
            in_flight: Some(20.0),
            ..model
        };
        let eta = Eta::blended(&mark(160, 0, &[(4, 200 * MB)]), Some(&start), &late);
        // speed 0.5, weight 160/180: (20 + 50) / (1/9 + 4/9) = 126 s.
        assert_eq!(eta.seconds, Some(126));
        // No byte moved in a whole window: stalled.
        let eta = Eta::blended(&mark(60, 0, &[(4, 1000 * MB)]), Some(&start), &model);
        assert_eq!(eta.seconds, None);
    }
}
