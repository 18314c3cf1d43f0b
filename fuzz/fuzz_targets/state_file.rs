//! The execution state file (`plan.json.state`), which `execute`, `cancel`, `throttle` and
//! `verify` read back after a crash or by hand-editing: a readable state survives its own
//! writing unchanged, and answering "which wave is next" never panics.
#![no_main]

use std::path::Path;

use kplan::exec::ExecutionState;
use kplan_fuzz::{assert_names_file, text, NAME};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = text(data) else { return };
    let state = match ExecutionState::parse(Path::new(NAME), text) {
        Ok(state) => state,
        Err(e) => return assert_names_file(&e.to_string(), NAME),
    };
    if let Some(w) = state.next_wave() {
        assert!(state.waves[w]
            .iter()
            .any(|tp| !state.submitted.contains(tp)));
    }
    let written = serde_json::to_string_pretty(&state).expect("a state always serialises");
    let back =
        ExecutionState::parse(Path::new(NAME), &written).expect("a written state reads back");
    assert_eq!(back, state);
});
