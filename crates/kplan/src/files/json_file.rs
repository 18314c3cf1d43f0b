//! JSON input read into a type, with errors that name the file, the JSON path and the position
//! (`cluster.json: at topics[2].partitions[0].size_bytes (line 40, column 21): invalid value`),
//! the shape every kplan parser of outside input reports.

use std::path::Path;

use serde::de::DeserializeOwned;

use super::FileError;

/// Parses `text` as a `T`; `path` only names the source in errors.
pub fn parse_json<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, FileError> {
    parse_with(path, &mut serde_json::Deserializer::from_str(text))
}

/// Parses the file at `path` as a `T` while reading it, without holding its text: for inputs
/// too large to read whole (a million-partition snapshot).
pub fn parse_json_file<T: DeserializeOwned>(path: &Path) -> Result<T, FileError> {
    let file = std::fs::File::open(path).map_err(|error| FileError::Io {
        path: path.to_owned(),
        error,
    })?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    parse_with(path, &mut serde_json::Deserializer::from_reader(reader))
}

fn parse_with<'de, T, R>(path: &Path, de: &mut serde_json::Deserializer<R>) -> Result<T, FileError>
where
    T: DeserializeOwned,
    R: serde_json::de::Read<'de>,
{
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        FileError::Json {
            path: path.to_owned(),
            at: if at == "." { TOP_LEVEL.to_owned() } else { at },
            line: inner.line(),
            column: inner.column(),
            message: strip_position(&inner.to_string()),
        }
    })?;
    // Text after the document (two files pasted together, a truncated edit) is refused, not
    // ignored: found by the `snapshot` fuzz target.
    de.end().map_err(|inner| FileError::Json {
        path: path.to_owned(),
        at: TOP_LEVEL.to_owned(),
        line: inner.line(),
        column: inner.column(),
        message: strip_position(&inner.to_string()),
    })?;
    Ok(value)
}

/// What [`FileError::Json::at`](FileError::Json) says of an error in the document as a whole.
pub const TOP_LEVEL: &str = "the top level";

/// Reads a whole text file; the error names it.
pub fn read_text(path: &Path) -> Result<String, FileError> {
    std::fs::read_to_string(path).map_err(|error| FileError::Io {
        path: path.to_owned(),
        error,
    })
}

/// serde_json appends " at line L column C"; the error already says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_after_the_document_is_refused() {
        let e = parse_json::<serde_json::Value>(Path::new("p.json"), "{\"a\": 1}\n{\"b\": 2}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p.json"), "{e}");
        assert!(e.contains("trailing characters"), "{e}");
        assert!(parse_json::<serde_json::Value>(Path::new("p.json"), "{\"a\": 1}\n  \n").is_ok());
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // read only to be checked
    struct Doc {
        items: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        n: u32,
    }

    #[test]
    fn errors_name_the_file_the_path_and_the_position() {
        let e = parse_json::<Doc>(Path::new("d.json"), "{\"items\":[{\"n\":1},\n{\"n\":-2}]}")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.json: at items[1].n (line 2, column 7): invalid value: integer `-2`, expected u32"
        );
        let e = parse_json::<Doc>(Path::new("d.json"), "[").unwrap_err();
        assert!(e.to_string().starts_with("d.json: at the top level"), "{e}");
    }
}
