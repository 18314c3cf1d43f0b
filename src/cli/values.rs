//! Parsers for the command-line value formats: broker lists, sizes, rates, durations, percentages.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use kplan::model::BrokerId;

/// `0-5,9` → {0,1,2,3,4,5,9}. A broker named twice (also through overlapping ranges) is refused
/// with the message of `kafka-reassign-partitions.sh --broker-list`.
pub fn broker_list(s: &str) -> Result<BTreeSet<BrokerId>, String> {
    let mut out = BTreeSet::new();
    let mut duplicates = BTreeSet::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let parse = |v: &str| {
            v.trim()
                .parse::<i32>()
                .map_err(|_| format!("'{v}' is not a broker id"))
        };
        let (a, b) = match item.split_once('-').filter(|(a, _)| !a.is_empty()) {
            Some((a, b)) => (parse(a)?, parse(b)?),
            None => (parse(item)?, parse(item)?),
        };
        if a > b {
            return Err(format!("broker range '{item}' is backwards"));
        }
        for id in (a..=b).map(BrokerId) {
            if !out.insert(id) {
                duplicates.insert(id.0);
            }
        }
    }
    if !duplicates.is_empty() {
        let list: Vec<String> = duplicates.iter().map(i32::to_string).collect();
        return Err(format!(
            "Broker list contains duplicate entries: {}",
            list.join(",")
        ));
    }
    if out.is_empty() {
        return Err("the broker list is empty".into());
    }
    Ok(out)
}

fn split_number(s: &str) -> Result<(f64, String), String> {
    let s = s.trim();
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let value: f64 = s[..end]
        .parse()
        .map_err(|_| format!("'{s}' does not start with a number"))?;
    Ok((value, s[end..].trim().to_owned()))
}

fn unit_multiplier(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" | "t" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024f64.powi(4),
        _ => return None,
    })
}

/// `7:/data/d12,8:/data/d03`: log directories to empty, per broker (absolute paths).
pub fn log_dir_list(s: &str) -> Result<BTreeMap<BrokerId, BTreeSet<String>>, String> {
    let mut out: BTreeMap<BrokerId, BTreeSet<String>> = BTreeMap::new();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (broker, path) = item
            .split_once(':')
            .ok_or_else(|| format!("'{item}' is not BROKER:PATH (e.g. 7:/data/d12)"))?;
        let broker = broker
            .trim()
            .parse::<i32>()
            .map_err(|_| format!("'{}' in '{item}' is not a broker id", broker.trim()))?;
        let path = path.trim();
        if !path.starts_with('/') {
            return Err(format!("'{path}' in '{item}' is not an absolute path"));
        }
        if !out
            .entry(BrokerId(broker))
            .or_default()
            .insert(path.to_owned())
        {
            return Err(format!("'{item}' is listed twice"));
        }
    }
    if out.is_empty() {
        return Err("the log dir list is empty".into());
    }
    Ok(out)
}

/// `500GiB`, `1.5TB`, `1048576` → bytes.
pub fn size(s: &str) -> Result<u64, String> {
    let (v, unit) = split_number(s)?;
    let m = unit_multiplier(&unit).ok_or_else(|| {
        format!("unknown size unit '{unit}' in '{s}' (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)")
    })?;
    Ok((v * m).round() as u64)
}

/// `50MB/s`, `50MiB/s`, or plain bytes per second like Kafka's `--throttle 50000000`.
pub fn rate(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("/s")
        .or_else(|| t.strip_suffix("ps"))
        .unwrap_or(t);
    let r = size(t).map_err(|e| e.replace("size", "rate"))?;
    if r == 0 {
        return Err(format!("rate '{s}' must be above zero"));
    }
    Ok(r)
}

/// `--throttle`: a rate, or `auto` (the smallest rate that meets `--target-duration`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleArg {
    Rate(u64),
    Auto,
}

/// `50MB/s`, `50000000` or `auto`.
pub fn throttle(s: &str) -> Result<ThrottleArg, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        Ok(ThrottleArg::Auto)
    } else {
        rate(s).map(ThrottleArg::Rate)
    }
}

/// `60s`, `2m`, `1h`, `500ms`, or plain seconds.
pub fn duration(s: &str) -> Result<Duration, String> {
    let (v, unit) = split_number(s)?;
    let secs = match unit.as_str() {
        "" | "s" => v,
        "ms" => v / 1000.0,
        "m" | "min" => v * 60.0,
        "h" => v * 3600.0,
        _ => {
            return Err(format!(
                "unknown duration unit '{unit}' in '{s}' (use ms, s, m, h)"
            ))
        }
    };
    Ok(Duration::from_secs_f64(secs))
}

/// `5%` or `0.05` → 0.05.
pub fn tolerance(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("'{s}' is not a percentage"))?
                / 100.0
        }
        None => t
            .parse::<f64>()
            .map_err(|_| format!("'{s}' is not a tolerance (e.g. 5%)"))?,
    };
    if !(0.0..1.0).contains(&v) {
        return Err(format!("tolerance '{s}' must be between 0% and 100%"));
    }
    Ok(v)
}

/// `orders.*=3` → (regex, 3).
pub fn replication_factor(s: &str) -> Result<(regex::Regex, usize), String> {
    let (pattern, rf) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("'{s}' is not TOPIC_REGEX=N"))?;
    let rf: usize = rf
        .trim()
        .parse()
        .map_err(|_| format!("replication factor '{rf}' is not a number"))?;
    Ok((topic_regex(pattern)?, rf))
}

/// `plan.html` / `plan.htm` → HTML, `plan.md` / `plan.markdown` → Markdown.
pub fn report_file(s: &str) -> Result<(std::path::PathBuf, super::ReportFormat), String> {
    let path = std::path::PathBuf::from(s);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("html" | "htm") => super::ReportFormat::Html,
        Some("md" | "markdown") => super::ReportFormat::Markdown,
        _ => return Err(format!("'{s}': a report is .html or .md")),
    };
    Ok((path, format))
}

/// One `--replace` item, OLD:NEW.
pub fn replacement(s: &str) -> Result<kplan::plan::BrokerReplacement, String> {
    let (old, new) = s
        .split_once(':')
        .ok_or_else(|| format!("'{s}' is not OLD:NEW (e.g. 3:24)"))?;
    let id = |v: &str| {
        v.trim()
            .parse::<i32>()
            .map(BrokerId)
            .map_err(|_| format!("'{v}' is not a broker id (in '{s}')"))
    };
    Ok(kplan::plan::BrokerReplacement {
        old: id(old)?,
        new: id(new)?,
    })
}

/// A topic pattern, anchored: `orders` matches only `orders`, like Kafka's topic whitelists.
pub fn topic_regex(s: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(&format!("^(?:{s})$"))
        .map_err(|e| format!("invalid topic pattern '{s}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_dir_lists() {
        let d = log_dir_list("7:/data/d12, 7:/data/d01,8:/data/d03").unwrap();
        assert_eq!(d[&BrokerId(7)].len(), 2);
        assert!(d[&BrokerId(8)].contains("/data/d03"));
        assert!(log_dir_list("7/data")
            .unwrap_err()
            .contains("is not BROKER:PATH"));
        assert!(log_dir_list("x:/d")
            .unwrap_err()
            .contains("'x' in 'x:/d' is not a broker id"));
        assert!(log_dir_list("7:d12")
            .unwrap_err()
            .contains("not an absolute path"));
        assert!(log_dir_list("7:/d,7:/d")
            .unwrap_err()
            .contains("listed twice"));
    }

    #[test]
    fn broker_lists() {
        let b = broker_list("0-2, 9").unwrap();
        assert_eq!(
            b.into_iter().map(|b| b.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 9]
        );
        assert_eq!(
            broker_list("3,3").unwrap_err(),
            "Broker list contains duplicate entries: 3"
        );
        assert_eq!(
            broker_list("9,1-3,10,2,10").unwrap_err(),
            "Broker list contains duplicate entries: 2,10"
        );
        assert!(broker_list("5-2").unwrap_err().contains("backwards"));
        assert!(broker_list("x").is_err());
    }

    #[test]
    fn sizes_rates_durations() {
        assert_eq!(size("500GiB").unwrap(), 500 * 1024 * 1024 * 1024);
        assert_eq!(size("1.5TB").unwrap(), 1_500_000_000_000);
        assert_eq!(rate("50MB/s").unwrap(), 50_000_000);
        assert_eq!(rate("50000000").unwrap(), 50_000_000);
        assert!(rate("0").is_err());
        assert!(size("5XB").unwrap_err().contains("unknown size unit"));
        assert_eq!(duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(duration("60").unwrap(), Duration::from_secs(60));
        assert_eq!(tolerance("5%").unwrap(), 0.05);
        assert!(tolerance("150%").is_err());
    }

    #[test]
    fn rf_specs_and_patterns_are_anchored() {
        let (re, rf) = replication_factor("foo.*=3").unwrap();
        assert!(re.is_match("foo1") && !re.is_match("xfoo"));
        assert_eq!(rf, 3);
        assert!(topic_regex("orders").unwrap().is_match("orders"));
        assert!(!topic_regex("orders").unwrap().is_match("orders-dlq"));
    }
}

/// A demo topic of `kplan sandbox --topic NAME:PARTITIONS:RF[:SIZE[:RATE]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SandboxTopic {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u16,
    pub size_bytes: u64,
    pub bytes_in_per_sec: f64,
}

pub fn sandbox_topic(s: &str) -> Result<SandboxTopic, String> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(3..=5).contains(&parts.len()) || parts[0].is_empty() {
        return Err(format!("'{s}': expected NAME:PARTITIONS:RF[:SIZE[:RATE]]"));
    }
    let partitions = parts[1]
        .parse()
        .map_err(|_| format!("'{s}': partitions '{}' is not a number", parts[1]))?;
    let replication_factor = parts[2]
        .parse()
        .map_err(|_| format!("'{s}': replication factor '{}' is not a number", parts[2]))?;
    let size_bytes = parts.get(3).map(|v| size(v)).transpose()?.unwrap_or(0);
    let bytes_in_per_sec = parts.get(4).map(|v| rate(v)).transpose()?.unwrap_or(0) as f64;
    Ok(SandboxTopic {
        name: parts[0].to_owned(),
        partitions,
        replication_factor,
        size_bytes,
        bytes_in_per_sec,
    })
}

/// `USER:PASSWORD`.
pub fn user_password(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((u, p)) if !u.is_empty() => Ok((u.to_owned(), p.to_owned())),
        _ => Err("expected USER:PASSWORD".to_owned()),
    }
}
