//! kplan: plans Kafka partition reassignments and applies them.
//!
//! - [`model`]: the cluster as a planner sees it (pure, no I/O).
//! - [`plan`]: cluster + request → verified reassignment (pure).
//! - [`exec`]: the executor — execute, verify, cancel, throttles, elections and status, through
//!   the [`kafka::KafkaAdmin`] trait, reporting typed events.
//! - [`files`]: snapshot and other JSON input, atomic writes (the edge).
//! - [`kafka`]: the one trait through which kplan talks to Kafka, and its krafka implementation.
//! - [`synthetic`]: seeded clusters for benchmarks, tests and rehearsals.
//! - [`synthetic_log_dirs`]: seeded JBOD layouts (skewed log directories) over such clusters.
//! - [`scenario`]: hard instances (skewed load families, hot partitions, rack violations).
//! - [`human`]: numbers as people read them (sizes, rates, durations).
//!
//! The command line lives in the `kplan` binary (the workspace root); the simulated cluster
//! used by `kplan sandbox` and the tests is the separate `kplan-sim` crate, so this library
//! carries no broker-side protocol code.
pub mod exec;
pub mod files;
pub mod human;
pub mod kafka;
pub mod model;
pub mod plan;
pub mod scenario;
pub mod stable_hash;
pub mod synthetic;
pub mod synthetic_log_dirs;
