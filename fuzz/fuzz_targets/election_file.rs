//! `kafka-leader-election.sh`'s `--path-to-json-file` (`kplan elect-leaders --path-to-json-file`):
//! what is accepted is distinct partitions with a topic name and a partition number, in file order;
//! every refusal names the file.
#![no_main]

use std::path::Path;

use kplan::exec::parse_election_file;
use kplan_fuzz::{assert_names_file, text, NAME};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match parse_election_file(Path::new(NAME), text) {
        Ok(partitions) => {
            let mut seen = std::collections::BTreeSet::new();
            for tp in &partitions {
                assert!(!tp.topic.is_empty(), "an empty topic name was accepted");
                assert!(tp.partition >= 0, "{tp}: a negative partition was accepted");
                assert!(seen.insert(tp), "{tp}: a duplicate partition was accepted");
            }
        }
        Err(e) => assert_names_file(&e.to_string(), NAME),
    }
});
