//! `kplan snapshot --capacity FILE`: broker capacities to merge into a snapshot, as JSON
//! `[{"broker": 1, "disk_bytes": …, "network_in_bytes_per_sec": …, "network_out_bytes_per_sec": …}]`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{parse_json, BrokerCapacity, FileError};

#[derive(Deserialize)]
struct CapacityEntry {
    broker: i32,
    #[serde(flatten)]
    capacity: BrokerCapacity,
}

/// Parses a capacity file's text: broker id → capacity. `path` names the source in errors.
pub fn parse_capacity(path: &Path, text: &str) -> Result<BTreeMap<i32, BrokerCapacity>, FileError> {
    let entries: Vec<CapacityEntry> = parse_json(path, text)?;
    Ok(entries
        .into_iter()
        .map(|e| (e.broker, e.capacity))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_by_broker_and_errors_by_json_path() {
        let c = parse_capacity(
            Path::new("cap.json"),
            r#"[{"broker":1,"disk_bytes":5000},{"broker":2,"network_in_bytes_per_sec":10}]"#,
        )
        .unwrap();
        assert_eq!(c[&1].disk_bytes, Some(5000));
        assert_eq!(c[&2].network_in_bytes_per_sec, Some(10.0));
        let e = parse_capacity(Path::new("cap.json"), r#"[{"broker":"x"}]"#).unwrap_err();
        assert!(e.to_string().starts_with("cap.json: at [0].broker"), "{e}");
    }
}
