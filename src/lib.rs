//! kplan: plans Kafka partition reassignments.
//!
//! - [`model`]: the cluster as a planner sees it (pure, no I/O).
//! - [`plan`]: cluster + request → verified reassignment (pure).
//! - [`files`]: snapshot and plan files (the edge).
//! - [`cli`], [`cmd`]: the command line.
//! - [`synthetic`]: seeded clusters for benchmarks, tests and rehearsals.
pub mod cli;
pub mod cmd;
pub mod exec;
pub mod files;
pub mod kafka;
pub mod model;
pub mod plan;
pub mod sim;
pub mod stable_hash;
pub mod synthetic;
