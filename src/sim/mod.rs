//! A simulated Kafka cluster that speaks the real wire protocol — a simulator, not Kafka.
//!
//! No Apache Kafka broker runs on the machines kplan is built on, so snapshot, execute and verify
//! are tested against this: N brokers on 127.0.0.1, each with its own listener, answering the
//! admin APIs kplan (and other clients, such as kafka-python and kcat) use, with the version
//! negotiation of a chosen Kafka release. It is also `kplan sandbox`, where operators rehearse a
//! runbook without touching a real cluster.
//!
//! - [`SimSpec`]: what the cluster looks like (brokers, racks, topics, traffic, SASL users).
//! - [`ClusterState`]: the state machine — partitions, ISR, leaders, KIP-455 reassignments,
//!   KIP-73 throttled copying, configs — with no networking, so it is unit-tested directly.
//! - [`Simulator`]: the running cluster: start, [`Fault`]s, simulated clock, inspection, stop.
//!
//! Simulated time runs at a chosen speed (or only when a test advances it), so a 50 GB move at
//! 50 MB/s completes in a test in a second, and deterministically at speed 0.

mod cluster_state;
pub mod config_catalog;
mod fault;
mod handlers;
mod kafka_version;
mod sasl_server;
mod server;
mod sim_clock;
mod simulator;
mod spec;

pub use cluster_state::{
    ClusterState, ConfigOp, ItemError, Move, SimBroker, SimPartition, SimTopic,
};
pub use fault::Fault;
pub use handlers::LOG_DIR;
pub use kafka_version::KafkaVersion;
pub use simulator::{SimError, SimOptions, Simulator};
pub use spec::{SaslSpec, SimBrokerSpec, SimSpec, SimTopicSpec, SpecError};
