//! Why the harness could not fetch, start or talk to Kafka. Each names what failed and where its
//! log is, so a failing CI run says which JVM to look at.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("fetching Kafka's jars with Maven failed (log: {log}): {message}")]
    Fetch { log: PathBuf, message: String },
    #[error("formatting the storage of node {node} failed (log: {log}):\n{output}")]
    Format {
        node: i32,
        log: PathBuf,
        output: String,
    },
    #[error("node {node} did not become ready within {seconds}s (log: {log}): {reason}")]
    NotReady {
        node: i32,
        seconds: u64,
        log: PathBuf,
        reason: String,
    },
    #[error("node {node} exited during start-up with {status} (log: {log})")]
    Exited {
        node: i32,
        status: String,
        log: PathBuf,
    },
    #[error("Kafka protocol with {addr}: {message}")]
    Protocol { addr: String, message: String },
    #[error("{0}")]
    Spec(String),
}

impl HarnessError {
    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| HarnessError::Io { what, source }
    }
}
