//! Reading a JSON document into a typed shape, with errors that name the file, the JSON path of
//! the wrong field and its line and column.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::FileError;

/// Parses `text` (read from `path`) as a `T`.
pub fn parse_json<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, FileError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        FileError::Json {
            path: path.to_owned(),
            at: if at == "." {
                "the top level".to_owned()
            } else {
                at
            },
            line: inner.line(),
            column: inner.column(),
            message: without_position(&inner.to_string()),
        }
    })
}

/// serde_json appends " at line L column C" to its messages; the error carries them apart.
pub(crate) fn without_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}
