use std::path::PathBuf;

use thiserror::Error;

/// A file that could not be read, parsed or written, with where and why.
#[derive(Debug, Error)]
pub enum FileError {
    /// The OS error is part of the message, not a `source`: a cause chain would print it twice.
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
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
