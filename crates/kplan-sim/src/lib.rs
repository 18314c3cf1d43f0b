//! A simulated Kafka cluster that speaks the real wire protocol — a simulator, not Kafka.
//!
//! N brokers on 127.0.0.1, each with its own listener, answering the admin APIs kplan (and other
//! clients, such as kafka-python and kcat) use, with the version negotiation of a chosen Kafka
//! release. Real Apache Kafka is the referee for how a cluster behaves; this simulator is for fast,
//! deterministic tests with injected faults, and for `kplan sandbox`, where operators rehearse a
//! runbook without touching a real cluster.
//!
//! It is a crate of its own so that the planning library (`kplan`) does not carry the broker-side
//! protocol codec: only the `kplan` binary (for `sandbox`) and the tests depend on it.
//!
//! - [`SimSpec`]: what the cluster looks like (brokers, racks, topics, traffic, SASL users).
//! - [`ClusterState`]: the state machine — partitions, ISR, leaders, KIP-455 reassignments,
//!   KIP-73 throttled copying, configs — with no networking, so it is unit-tested directly.
//! - [`Simulator`]: the running cluster: start, [`Fault`]s, simulated clock, inspection, stop.
//! - [`FrameSession`]: one connection without a socket, for fuzzing the request decoding.
//!
//! Simulated time runs at a chosen speed (or only when a test advances it), so a 50 GB move at
//! 50 MB/s completes in a test in a second, and deterministically at speed 0.

mod cluster_state;
pub mod config_catalog;
mod config_synonyms;
mod fault;
mod frame_session;
mod handlers;
mod kafka_version;
mod log_dir_moves;
mod replication_quota;
mod sasl_server;
mod server;
mod sim_clock;
mod simulator;
mod spec;

pub use cluster_state::{
    ClusterState, ConfigOp, ItemError, Move, SimBroker, SimPartition, SimTopic,
};
pub use fault::Fault;
pub use frame_session::{FrameAnswer, FrameSession};
pub use handlers::LOG_DIR;
/// The errors [`Fault::ApiError`] injects, re-exported for the same reason.
pub use kafka_protocol::error::ResponseError;
/// The API keys that [`Fault`]s name, re-exported so a test need not depend on the codec.
pub use kafka_protocol::messages::ApiKey;
pub use kafka_version::{KafkaVersion, SIMULATED_APIS};
pub use log_dir_moves::{FutureReplica, LOG_DIR_RATE};
pub use simulator::{SimError, SimOptions, Simulator};
pub use spec::{SaslSpec, SimBrokerSpec, SimSpec, SimTopicSpec, SpecError};
