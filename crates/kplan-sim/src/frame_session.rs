//! One broker connection without a socket: request frames in, response frames out.
//!
//! A simulated broker must survive whatever a client sends — a truncated frame, a wrong length
//! inside a field, an unknown API, SASL out of order — by closing that one connection, as Kafka
//! does, never by going down. The fuzz target for the simulator's request decoding
//! (`fuzz/fuzz_targets/sim_frames.rs`) drives this type with arbitrary bytes, and then checks
//! that the same broker still answers a well-formed request.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::cluster_state::ClusterState;
use super::fault::ApiFaults;
use super::server::{BrokerPorts, Connection, ListenerKind, Shared, Step};
use super::sim_clock::SimClock;
use super::simulator::SimError;
use super::spec::SimSpec;

/// What the broker did with one frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameAnswer {
    /// A response frame (size prefix included); the connection stays open.
    Reply(Vec<u8>),
    /// A response frame, then the connection closes (a failed SASL round).
    ReplyAndClose(Vec<u8>),
    /// The connection closes without an answer (a frame the broker cannot parse).
    Close,
}

/// A cluster of one spec and one connection to one of its brokers. Time stands still.
pub struct FrameSession {
    shared: Arc<Shared>,
    conn: Connection,
    broker: i32,
    kind: ListenerKind,
}

impl FrameSession {
    /// A connection to `broker`'s plaintext listener, or its SASL listener when `sasl` is set
    /// (and the spec has SASL users).
    pub fn new(spec: &SimSpec, broker: i32, sasl: bool) -> Result<Self, SimError> {
        let state = ClusterState::new(spec, 0)?;
        // Addresses only appear in Metadata answers; nothing listens on them.
        let ports = spec
            .brokers
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let port = 9092 + 2 * i as u16;
                let sasl = spec.sasl.as_ref().map(|_| port + 1);
                (
                    b.id,
                    BrokerPorts {
                        plaintext: port,
                        sasl,
                    },
                )
            })
            .collect::<BTreeMap<_, _>>();
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            faults: Mutex::new(ApiFaults::default()),
            clock: SimClock::new(0.0),
            ports,
            sasl: spec.sasl.clone(),
            host: "127.0.0.1".to_owned(),
        });
        let kind = if sasl && spec.sasl.is_some() {
            ListenerKind::SaslPlaintext
        } else {
            ListenerKind::Plaintext
        };
        Ok(FrameSession {
            conn: Connection::new(broker, kind, shared.clone()),
            shared,
            broker,
            kind,
        })
    }

    /// Answers one request frame (without its size prefix, as the listener reads it).
    pub fn answer(&mut self, frame: &[u8]) -> FrameAnswer {
        let encode = |r: super::server::Response| r.encode().map(|b| b.to_vec());
        match self.conn.answer(Bytes::copy_from_slice(frame)) {
            Step::Reply { response, .. } => {
                encode(response).map_or(FrameAnswer::Close, FrameAnswer::Reply)
            }
            Step::ReplyAndClose(response) => {
                encode(response).map_or(FrameAnswer::Close, FrameAnswer::ReplyAndClose)
            }
            Step::Close { .. } => FrameAnswer::Close,
        }
    }

    /// A new connection to the same broker (after the broker closed this one).
    pub fn reconnect(&mut self) {
        self.conn = Connection::new(self.broker, self.kind, self.shared.clone());
    }

    /// Reads the cluster state (a test checks that nothing a frame did broke it).
    pub fn with_state<R>(&self, f: impl FnOnce(&ClusterState) -> R) -> R {
        f(&self.shared.state())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ApiVersions v0 (request header v1, empty body), written out by hand.
    fn api_versions_v0(correlation_id: i32) -> Vec<u8> {
        let mut f = vec![0, 18, 0, 0];
        f.extend_from_slice(&correlation_id.to_be_bytes());
        f.extend_from_slice(&1i16.to_be_bytes());
        f.push(b't');
        f
    }

    #[test]
    fn answers_a_request_and_closes_on_garbage_but_stays_up() {
        let spec = SimSpec::with_brokers(3, 0).topic("t", 2, 2, 1000, 0.0);
        let mut s = FrameSession::new(&spec, 1, false).unwrap();
        let FrameAnswer::Reply(reply) = s.answer(&api_versions_v0(7)) else {
            panic!("no answer to ApiVersions");
        };
        // Size prefix, then the correlation id.
        assert_eq!(reply[..4], (reply.len() as i32 - 4).to_be_bytes());
        assert_eq!(reply[4..8], 7i32.to_be_bytes());
        // A client id longer than the frame: the broker closes the connection, as Kafka does.
        let mut cut = api_versions_v0(8);
        cut.truncate(cut.len() - 1);
        assert_eq!(s.answer(&cut), FrameAnswer::Close);
        assert_eq!(s.answer(&[0xff; 3]), FrameAnswer::Close);
        s.reconnect();
        assert!(matches!(
            s.answer(&api_versions_v0(9)),
            FrameAnswer::Reply(_)
        ));
        assert_eq!(s.with_state(|st| st.topics["t"].partitions.len()), 2);
    }
}
