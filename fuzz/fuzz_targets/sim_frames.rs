//! The simulator's request decoding: whatever bytes a client sends, a simulated broker answers
//! or closes that one connection — it never panics, never poisons the cluster state, and
//! afterwards still answers a well-formed request on a new connection.
//!
//! Input: one byte choosing the broker (bits 1–2) and the SASL listener (bit 0), then frames,
//! each a big-endian u16 length and that many bytes (the last one takes what is left).
//! `KPLAN_FUZZ_WRITE_SEEDS=DIR` writes valid frames of every simulated API as seeds and exits.
#![no_main]

use kplan_fuzz::sim_requests::{api_versions, seeds, spec, split_frames, write_seeds};
use kplan_sim::{FrameAnswer, FrameSession};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        if let Ok(dir) = std::env::var("KPLAN_FUZZ_WRITE_SEEDS") {
            write_seeds(std::path::Path::new(&dir), &seeds());
            std::process::exit(0);
        }
    },
    |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let spec = spec();
    let broker = 1 + i32::from((mode >> 1) & 3) % 3;
    let mut session = FrameSession::new(&spec, broker, mode & 1 == 1).expect("the spec starts");
    for frame in split_frames(rest) {
        match session.answer(frame) {
            FrameAnswer::Reply(reply) | FrameAnswer::ReplyAndClose(reply) => {
                assert!(reply.len() >= 8, "a reply without a header");
                let size = i32::from_be_bytes(reply[..4].try_into().unwrap());
                assert_eq!(size as usize, reply.len() - 4, "the size prefix is wrong");
                // The answer goes to the request it answers.
                assert_eq!(reply[4..8], frame[4..8], "wrong correlation id");
            }
            FrameAnswer::Close => session.reconnect(),
        }
    }
    // The broker is still up: a new plaintext connection gets its ApiVersions answered.
    let mut fresh = session;
    fresh.reconnect();
    let mut plain = FrameSession::new(&spec, broker, false).expect("the spec starts");
    for s in [&mut fresh, &mut plain] {
        assert!(
            matches!(s.answer(&api_versions()), FrameAnswer::Reply(_)),
            "the broker stopped answering"
        );
    }
    fresh.with_state(|s| assert_eq!(s.topics.len(), spec.topics.len()));
});
