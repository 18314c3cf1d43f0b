//! The copy-time estimate as people and machines read it: per wave (how long, which broker sets
//! the pace and what fills its throttle) and in total. `generate --throttle`, `execute` and its
//! dry run show the same table and the same JSON.

use std::time::Duration;

use serde_json::{json, Value};

use super::human;
use kplan::exec::{BrokerCopy, CopySchedule, CopyTime, Eta, SlowBroker, ThrottleShortfall, Wave};

/// "34m 10s", or "never" when some copy never catches up.
pub fn seconds(s: Option<f64>) -> String {
    s.map_or_else(|| "never".to_owned(), human::duration)
}

/// The broker that sets a wave's pace, in one cell: what it copies and what is left of its
/// budget for that.
pub fn pace(b: &BrokerCopy) -> String {
    let side = match b.side {
        kplan::exec::CopySide::Receiving => "receiving",
        kplan::exec::CopySide::Sending => "sending",
    };
    let mut s = format!(
        "broker {} ({side}): {} of {}",
        b.broker,
        human::bytes(b.backlog_bytes as f64),
        human::rate(b.limit)
    );
    if b.ingest > 0.0 {
        s.push_str(&format!(", {} produce", human::rate(b.ingest)));
    }
    if b.in_sync > 0.0 {
        s.push_str(&format!(", {} in sync", human::rate(b.in_sync)));
    }
    s.push_str(&format!(" → {} left", human::rate(b.headroom.max(0.0))));
    s
}

/// The slowest broker of wave `i`.
pub fn slowest(ct: &CopyTime, i: usize) -> Option<&BrokerCopy> {
    let w = ct.waves.get(i)?;
    let (broker, side) = w.slowest?;
    w.brokers
        .iter()
        .find(|b| b.broker == broker && b.side == side)
}

/// The total, with what it rests on: "copy time at 50.0 MB/s: 34m 10s in 3 waves".
pub fn total_line(schedule: &CopySchedule) -> String {
    estimate_line(&schedule.copy_time, schedule.target)
}

/// [`total_line`] of an estimate; `target` is the duration an automatic throttle was chosen for.
pub fn estimate_line(ct: &CopyTime, target: Option<Duration>) -> String {
    let at = match (ct.limits.throttle, target) {
        (Some(r), Some(t)) => format!(
            "at {} (auto: the smallest throttle within {})",
            human::rate(r as f64),
            human::duration(t.as_secs_f64())
        ),
        (Some(r), None) => format!("at {}", human::rate(r as f64)),
        (None, _) => format!(
            "unthrottled ({} line rate per receiving broker)",
            human::rate(ct.limits.line_rate)
        ),
    };
    format!(
        "copy time {at}: {} in {} wave(s), live produce traffic counted",
        seconds(ct.total_seconds),
        ct.waves.len()
    )
}

/// The estimate for machines: throttle, total, and per wave the slowest broker's figures.
pub fn json(schedule: &CopySchedule) -> Value {
    estimate_json(&schedule.copy_time, &schedule.waves, schedule.target)
}

/// [`json`] of an estimate for `waves`.
pub fn estimate_json(ct: &CopyTime, waves: &[Wave], target: Option<Duration>) -> Value {
    let per_wave: Vec<Value> = ct
        .waves
        .iter()
        .enumerate()
        .map(|(i, w)| {
            json!({
                "wave": i + 1,
                "partitions": waves.get(i).map_or(0, Vec::len),
                "seconds": w.seconds,
                "slowest": slowest(ct, i).map(broker_json),
                "brokers": w.brokers.iter().map(broker_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "throttle": ct.limits.throttle,
        "target_seconds": target.map(|t| t.as_secs_f64()),
        "line_rate": ct.limits.line_rate,
        "total_seconds": ct.total_seconds,
        "converges": ct.converges(),
        "waves": per_wave,
    })
}

fn broker_json(b: &BrokerCopy) -> Value {
    json!({
        "broker": b.broker,
        "side": b.side,
        "partitions": b.partitions.len(),
        "backlog_bytes": b.backlog_bytes,
        "ingest": b.ingest,
        "in_sync": b.in_sync,
        "limit": b.limit,
        "headroom": b.headroom,
        "seconds": b.seconds,
    })
}

/// A shortfall for machines: the throttle, the rate that converges, the stuck brokers.
pub fn shortfall_json(s: &ThrottleShortfall) -> Value {
    json!({
        "throttle": s.throttle,
        "converges_above": s.floor,
        "comfortable": s.comfortable,
        "stuck": s.stuck.iter().map(|(w, b)| {
            let mut v = broker_json(b);
            v["wave"] = json!(w + 1);
            v["partition_names"] = json!(b.partitions.iter().map(ToString::to_string).collect::<Vec<_>>());
            v
        }).collect::<Vec<_>>(),
    })
}

/// "ETA 12m 30s (measured: 20.0 MB/s)", or "stalled" when a copy makes no progress.
pub fn eta(e: &Eta) -> String {
    let source = if e.measured { "measured" } else { "estimated" };
    match e.seconds {
        Some(s) => format!(
            "ETA {} ({source} pace {})",
            human::duration(s as f64),
            human::rate(e.pace as f64)
        ),
        None => format!(
            "ETA unknown: a copy makes no progress ({source} pace {})",
            human::rate(e.pace as f64)
        ),
    }
}

/// One slow broker, for people: what it does against what the throttle allows.
pub fn slow_line(s: &SlowBroker) -> String {
    let what = if s.stalled() {
        "made no progress".to_owned()
    } else {
        format!("shrank at {}", human::rate(s.measured as f64))
    };
    format!(
        "wave {}: the copies into broker {} {what} in the last {}, against {} expected; {} left. \
         Is the throttle filled by more produce traffic than sampled, a disk slow, or a leader down? \
         (kplan throttle set raises the rate; kplan status shows the moves)",
        s.wave,
        s.broker,
        human::duration(s.over_seconds as f64),
        human::rate(s.expected as f64),
        human::bytes(s.remaining as f64)
    )
}
