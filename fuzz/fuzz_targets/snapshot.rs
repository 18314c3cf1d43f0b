//! Snapshot files (`kplan snapshot` output, or hand-written): every accepted snapshot survives
//! the file form unchanged, and every refusal names the file.
#![no_main]

use std::path::Path;

use kplan::files::{snapshot_file_from_str, snapshot_from_str, SnapshotFile};
use kplan_fuzz::{assert_names_file, text, NAME};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let path = Path::new(NAME);
    match snapshot_from_str(path, text) {
        Ok(cluster) => {
            // The file form with extensions reads what the model read.
            snapshot_file_from_str(path, text).expect("accepted by snapshot_from_str");
            let again = serde_json::to_string(&SnapshotFile::from_cluster(&cluster))
                .expect("a cluster always serialises");
            let back = snapshot_from_str(path, &again).expect("a written snapshot reads back");
            assert_eq!(back, cluster, "the file form changed the cluster");
            for (tp, p) in cluster.partitions() {
                assert!(!p.replicas.is_empty(), "{tp} has no replicas");
                assert!(p.bytes_in_per_sec.is_finite() && p.bytes_in_per_sec >= 0.0);
                assert!(p.bytes_out_per_sec.is_finite() && p.bytes_out_per_sec >= 0.0);
            }
        }
        Err(e) => {
            assert_names_file(&e.to_string(), NAME);
            assert!(snapshot_file_from_str(path, text).is_err());
        }
    }
});
