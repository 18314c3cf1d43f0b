//! The topics-to-move file of `kafka-reassign-partitions.sh --generate`
//! (`--topics-to-move-json-file`): `{"version":1,"topics":[{"topic":"foo1"},{"topic":"foo2"}]}`.
//! Read with the Java tool's rules — version 1 or absent, unknown fields ignored, duplicates refused
//! with its message —
//! and checked against the snapshot, so an unknown topic is named before anything is planned.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::{parse_json, FileError};

#[derive(Deserialize)]
struct TopicsToMoveFile {
    #[serde(default)]
    version: Option<i64>,
    topics: Vec<TopicEntry>,
}

#[derive(Deserialize)]
struct TopicEntry {
    topic: String,
}

/// The topics the file names, in file order. `known` says whether a topic exists (in the snapshot).
pub fn parse_topics_to_move(
    path: &Path,
    text: &str,
    known: impl Fn(&str) -> bool,
) -> Result<Vec<String>, FileError> {
    let file: TopicsToMoveFile = parse_json(path, text)?;
    let invalid = |at: &str, message: String| FileError::Invalid {
        path: path.to_owned(),
        at: at.to_owned(),
        message,
    };
    if let Some(v) = file.version.filter(|v| *v != 1) {
        return Err(invalid(
            "version",
            format!("Not supported version field value {v} (Kafka's format is version 1)"),
        ));
    }
    if file.topics.is_empty() {
        return Err(invalid("topics", "the file names no topics to move".into()));
    }
    let mut seen = BTreeSet::new();
    let duplicates: BTreeSet<&str> = file
        .topics
        .iter()
        .filter(|t| !seen.insert(t.topic.as_str()))
        .map(|t| t.topic.as_str())
        .collect();
    if !duplicates.is_empty() {
        let list: Vec<&str> = duplicates.into_iter().collect();
        return Err(invalid(
            "topics",
            format!(
                "List of topics to reassign contains duplicate entries: {}",
                list.join(",")
            ),
        ));
    }
    for (i, t) in file.topics.iter().enumerate() {
        if t.topic.is_empty() {
            return Err(invalid(
                &format!("topics[{i}].topic"),
                "empty topic name".into(),
            ));
        }
        if !known(&t.topic) {
            return Err(invalid(
                &format!("topics[{i}].topic"),
                format!("Topic {} not found", t.topic),
            ));
        }
    }
    Ok(file.topics.into_iter().map(|t| t.topic).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<String>, FileError> {
        parse_topics_to_move(Path::new("move.json"), text, |t| t.starts_with("foo"))
    }

    #[test]
    fn reads_kafkas_example() {
        let topics =
            parse(r#"{"topics":[{"topic":"foo1"},{"topic":"foo2"}],"version":1}"#).unwrap();
        assert_eq!(topics, ["foo1", "foo2"]);
        assert_eq!(parse(r#"{"topics":[{"topic":"foo1"}]}"#).unwrap(), ["foo1"]);
    }

    #[test]
    fn refuses_what_kafkas_tool_refuses() {
        let e = parse(r#"{"version":1,"topics":[{"topic":"foo1"},{"topic":"foo1"}]}"#);
        assert_eq!(
            e.unwrap_err().to_string(),
            "move.json: at topics: List of topics to reassign contains duplicate entries: foo1"
        );
        let e = parse(r#"{"version":2,"topics":[{"topic":"foo1"}]}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("Not supported version field value 2"),
            "{e}"
        );
        let e = parse(r#"{"version":1,"topics":[{"topic":"foo1"},{"topic":"quux"}]}"#);
        assert_eq!(
            e.unwrap_err().to_string(),
            "move.json: at topics[1].topic: Topic quux not found"
        );
    }

    #[test]
    fn shape_errors_name_the_json_path() {
        let e = parse(r#"{"version":1,"topics":[{"topic":"foo1"},{"name":"foo2"}]}"#);
        let e = e.unwrap_err().to_string();
        assert!(e.starts_with("move.json: at topics[1]"), "{e}");
        let e = parse(r#"{"version":1,"topics":[{"topic":7}]}"#).unwrap_err();
        assert!(e.to_string().contains("topics[0].topic"), "{e}");
        let e = parse("{").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
        assert!(parse(r#"{"version":1,"topics":[]}"#).is_err());
    }
}
