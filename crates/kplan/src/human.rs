//! Human-readable numbers: sizes in binary units, rates in decimal ones as Kafka's throttle docs
//! write them, durations in hours, minutes and seconds. The command's tables and the library's
//! messages (a throttle too low, a target duration out of reach) print numbers the same way.

/// `v` in the largest unit of `units` (each `step` times the previous) that keeps it at or
/// above 1; whole numbers in the base unit, one decimal above.
fn scaled(v: f64, step: f64, units: &[&str]) -> String {
    let mut v = v;
    let mut i = 0;
    while v.abs() >= step && i < units.len() - 1 {
        v /= step;
        i += 1;
    }
    if i == 0 {
        // An empty f64 sum is -0.0 (std's Sum starts there): never print "-0".
        let v = if v.round() == 0.0 { 0.0 } else { v };
        format!("{v:.0} {}", units[0])
    } else {
        format!("{v:.1} {}", units[i])
    }
}

/// 1536 → "1.5 KiB".
pub fn bytes(v: f64) -> String {
    scaled(v, 1024.0, &["B", "KiB", "MiB", "GiB", "TiB", "PiB"])
}

/// Bytes per second, decimal like Kafka's throttle docs: "3.4 MB/s".
pub fn rate(v: f64) -> String {
    scaled(v, 1000.0, &["B/s", "kB/s", "MB/s", "GB/s", "TB/s"])
}

/// Seconds → "1h 02m", "4m 10s", "12s".
pub fn duration(secs: f64) -> String {
    let s = secs.round() as u64;
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(10.0), "10 B");
        assert_eq!(rate(3_400_000.0), "3.4 MB/s");
        assert_eq!(rate(Vec::<f64>::new().iter().sum()), "0 B/s");
        assert_eq!(bytes(-0.4), "0 B");
        assert_eq!(duration(3720.0), "1h 02m");
        assert_eq!(duration(250.0), "4m 10s");
    }
}
