use std::path::PathBuf;

use thiserror::Error;

/// A file that could not be read, parsed or written, with where and why.
#[derive(Debug, Error)]
pub enum FileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `at` is the JSON path (`topics[2].partitions[0].size_bytes`), `line`/`column` the position.
    #[error("{path}: at {at} (line {line}, column {column}): {message}")]
    Json {
        path: PathBuf,
        at: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: at {at}: {message}")]
    Invalid {
        path: PathBuf,
        at: String,
        message: String,
    },
}
