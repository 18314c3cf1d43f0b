//! Reassignment files (kplan's plans and anything `kafka-reassign-partitions.sh` reads, with
//! `log_dirs`): an accepted plan re-serialises and re-parses to the same value and keeps the
//! checks Kafka's tool makes; every refusal names the file.
#![no_main]

use std::collections::BTreeSet;
use std::path::Path;

use kplan::exec::parse_plan;
use kplan_fuzz::{assert_names_file, text, NAME};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let path = Path::new(NAME);
    match parse_plan(path, text) {
        Ok(plan) => {
            assert!(!plan.is_empty(), "an empty plan was accepted");
            let mut seen = BTreeSet::new();
            for p in &plan.partitions {
                assert!(
                    seen.insert(p.topic_partition()),
                    "{} twice",
                    p.topic_partition()
                );
                assert!(!p.topic.is_empty() && p.partition >= 0);
                assert!(!p.brokers().is_empty());
                let distinct: BTreeSet<_> = p.brokers().iter().collect();
                assert_eq!(distinct.len(), p.brokers().len(), "duplicate replica");
                assert_eq!(p.log_dirs.len(), p.brokers().len(), "log_dirs misaligned");
            }
            let json = plan.to_json();
            let back = parse_plan(path, &json).expect("a written plan reads back");
            assert_eq!(back, plan, "the plan changed through its own JSON");
            assert_eq!(back.to_json(), json, "to_json is not stable");
        }
        Err(e) => assert_names_file(&e.to_string(), NAME),
    }
});
