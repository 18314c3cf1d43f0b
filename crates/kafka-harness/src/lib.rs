//! A real Apache Kafka cluster for tests: the referee the simulator is measured against.
//!
//! [`KafkaJars`] finds (or fetches with Maven, from `tests/kafka/pom.xml`) the broker and tool jars in
//! a cache outside the checkout. [`ClusterSpec`] describes the cluster — KRaft nodes with roles and
//! racks, log dirs per broker, extra listeners and broker properties — and [`RealCluster`] formats
//! the storage, starts one JVM per node on 127.0.0.1 with free ports, waits until every broker
//! answers a Metadata request listing all brokers, and stops them again.
//!
//! Every JVM the harness starts joins one process group led by a small watchdog (a shell loop)
//! that kills the whole group as soon as the process that started the cluster is gone. Dropping
//! the [`RealCluster`] (a test that returns or panics) kills the group at once; a test binary that
//! is killed, or that exits with the cluster in a `static`, leaves the watchdog to do it within a
//! second. No JVM outlives the test that started it.
//!
//! For security tests, [`TestPki`] makes a CA and certificates for TLS listeners
//! ([`ClusterSpec::listener`]), [`ClusterSpec::scram_user`] creates SCRAM credentials at format
//! time, and [`TokenEndpoint`] issues signed JWTs for OAUTHBEARER.
//!
//! [`WireClient`] speaks Kafka's protocol directly (kafka-protocol's codec over a blocking socket):
//! the readiness probe uses it, and the simulator-fidelity test sends the same requests to the
//! simulator and to real Kafka with it, so neither side goes through kplan's own client.

mod cluster_spec;
mod harness_error;
mod kafka_jars;
mod process_group;
mod real_cluster;
mod test_pki;
mod token_endpoint;
mod wire_client;

pub use cluster_spec::{ClusterSpec, ListenerSpec, NodeSpec, Role, ScramUser};
pub use harness_error::HarnessError;
pub use kafka_jars::KafkaJars;
pub use process_group::ProcessGroup;
pub use real_cluster::{NodeState, RealCluster};
pub use test_pki::{write_private, CertRequest, IssuedCert, TestPki};
pub use token_endpoint::TokenEndpoint;
pub use wire_client::WireClient;

/// Re-exported so callers build requests with the same codec the client speaks.
pub use kafka_protocol;
