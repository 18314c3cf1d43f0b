//! Traffic dumps for `kplan snapshot --traffic` (Prometheus text exposition or CSV): every
//! accepted rate is a finite, non-negative number for a named topic; every refusal names the file.
#![no_main]

use kplan::kafka::parse_traffic;
use kplan_fuzz::{assert_names_file, text};
use libfuzzer_sys::fuzz_target;

const NAME: &str = "traffic.txt";

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    match parse_traffic(NAME, text) {
        Ok((source, rates)) => {
            assert!(source == "prometheus" || source == "csv", "{source}");
            for (topic, rate) in &rates {
                assert!(!topic.is_empty(), "a rate for an empty topic name");
                assert!(
                    rate.is_finite() && *rate >= 0.0,
                    "topic {topic} got the rate {rate}"
                );
            }
        }
        Err(e) => assert_names_file(&e, NAME),
    }
});
