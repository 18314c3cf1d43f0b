//! Kafka's topics-to-move file (`--topics-to-move-json-file`): what is accepted is a non-empty
//! list of distinct, known topic names in file order; every refusal names the file.
#![no_main]

use std::collections::BTreeSet;
use std::path::Path;

use kplan::files::parse_topics_to_move;
use kplan_fuzz::{assert_names_file, text, NAME};
use libfuzzer_sys::fuzz_target;

/// The snapshot's topics, as far as the fuzzer knows: names of even length.
fn known(topic: &str) -> bool {
    topic.len() % 2 == 0
}

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match parse_topics_to_move(Path::new(NAME), text, known) {
        Ok(topics) => {
            assert!(!topics.is_empty());
            let distinct: BTreeSet<&String> = topics.iter().collect();
            assert_eq!(distinct.len(), topics.len(), "a duplicate was accepted");
            assert!(topics.iter().all(|t| !t.is_empty() && known(t)));
        }
        Err(e) => assert_names_file(&e.to_string(), NAME),
    }
});
