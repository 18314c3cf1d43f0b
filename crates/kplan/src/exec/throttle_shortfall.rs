//! A throttle too low for the traffic that must fit in it: the copies would never catch up.
//! `execute` refuses it (unless `--force`), naming the brokers, the partitions and the rate
//! that converges.

use std::fmt;

use super::{BrokerCopy, CopySide, CopyTime, THIN_HEADROOM};
use crate::human;

/// Brokers whose throttle budget the traffic fills, and the rates that would do.
#[derive(Clone, Debug, PartialEq)]
pub struct ThrottleShortfall {
    pub throttle: u64,
    /// (wave index, broker) where the copies never catch up.
    pub stuck: Vec<(usize, BrokerCopy)>,
    /// Any throttle above this converges (when the line rate allows).
    pub floor: f64,
    /// The throttle that leaves [`THIN_HEADROOM`] of every budget for the backlog.
    pub comfortable: u64,
}

impl ThrottleShortfall {
    /// The shortfall of `copy_time` at `throttle`, if any broker is stuck.
    pub fn of(copy_time: &CopyTime, throttle: u64) -> Option<Self> {
        let stuck: Vec<(usize, BrokerCopy)> = copy_time
            .stuck()
            .into_iter()
            .map(|(w, b)| (w, b.clone()))
            .collect();
        if stuck.is_empty() {
            return None;
        }
        let floor = copy_time.converging_floor();
        Some(ThrottleShortfall {
            throttle,
            stuck,
            floor,
            comfortable: round_up_3_digits(floor / (1.0 - THIN_HEADROOM)),
        })
    }
}

/// `x` rounded up to three significant digits: a rate an operator can type.
pub fn round_up_3_digits(x: f64) -> u64 {
    if x <= 0.0 || !x.is_finite() {
        return x.max(0.0).min(u64::MAX as f64).ceil() as u64;
    }
    let digits = x.log10().floor() as i32 + 1;
    if digits <= 3 {
        return x.ceil() as u64;
    }
    let unit = 10u64.pow((digits - 3) as u32);
    let units = (x / unit as f64).ceil() as u64;
    units * unit
}

/// One stuck (or thin) broker, as a line: where, which partitions, what fills its budget.
pub fn describe_broker(wave: usize, b: &BrokerCopy) -> String {
    let names: Vec<String> = b
        .partitions
        .iter()
        .take(6)
        .map(ToString::to_string)
        .collect();
    let more = b.partitions.len().saturating_sub(names.len());
    let list = if more > 0 {
        format!("{}, … and {more} more", names.join(", "))
    } else {
        names.join(", ")
    };
    let what = match b.side {
        CopySide::Receiving => format!(
            "broker {} receives {} copy(ies) whose partitions take {} of produce traffic",
            b.broker,
            b.partitions.len(),
            human::rate(b.ingest)
        ),
        CopySide::Sending => format!(
            "broker {} serves {} copy(ies) whose partitions take {} of produce traffic",
            b.broker,
            b.partitions.len(),
            human::rate(b.ingest)
        ),
    };
    let in_sync = if b.in_sync > 0.0 {
        format!(
            ", plus {} of in-sync replication of throttled partitions",
            human::rate(b.in_sync)
        )
    } else {
        String::new()
    };
    format!(
        "wave {}: {what}{in_sync}, against {}: {list}",
        wave + 1,
        human::rate(b.limit)
    )
}

impl fmt::Display for ThrottleShortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "a throttle of {} cannot finish this plan: on these brokers the produce traffic of the partitions moving at once (and the in-sync replication Kafka counts against the same throttle) takes all of it, so the copies would never catch up:",
            human::rate(self.throttle as f64)
        )?;
        for (w, b) in &self.stuck {
            writeln!(f, "  {}", describe_broker(*w, b))?;
        }
        let line_bound = self
            .stuck
            .iter()
            .any(|(_, b)| b.limit < self.throttle as f64);
        if line_bound {
            writeln!(
                f,
                "  (where the line rate is the limit, no throttle helps: raise --line-rate if the brokers copy faster, or move fewer busy partitions at once)"
            )?;
        }
        write!(
            f,
            "any throttle above {} converges; {} leaves {:.0}% headroom (--throttle {}, or --throttle auto --target-duration D); --force runs it anyway",
            human::rate(self.floor),
            human::rate(self.comfortable as f64),
            THIN_HEADROOM * 100.0,
            self.comfortable
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_up_to_three_digits() {
        assert_eq!(round_up_3_digits(37_312_345.0), 37_400_000);
        assert_eq!(round_up_3_digits(40_000_000.0), 40_000_000);
        assert_eq!(round_up_3_digits(999.2), 1000);
        assert_eq!(round_up_3_digits(0.0), 0);
    }
}
