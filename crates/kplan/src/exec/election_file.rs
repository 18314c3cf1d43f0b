//! `kafka-leader-election.sh --path-to-json-file`'s file: the partitions whose leaders to elect,
//! `{"partitions": [{"topic": "foo", "partition": 1}]}`.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use crate::files::{parse_json, FileError};
use crate::model::TopicPartition;

#[derive(Deserialize)]
struct ElectionFile {
    partitions: Vec<ElectionEntry>,
}

#[derive(Deserialize)]
struct ElectionEntry {
    topic: String,
    partition: i32,
}

/// Parses an election file's text, in file order; `path` names the source in errors, which
/// carry the JSON path (`partitions[2].partition`). An empty list is not an error here: the
/// election refuses it. A partition named twice is refused, as `kafka-leader-election.sh`
/// refuses it, and so are an empty topic name and a negative partition: no cluster has them,
/// and the controller's answer ("unknown topic or partition") would hide the typo.
pub fn parse_election_file(path: &Path, text: &str) -> Result<Vec<TopicPartition>, FileError> {
    let file: ElectionFile = parse_json(path, text)?;
    let invalid = |at: String, message: String| FileError::Invalid {
        path: path.to_owned(),
        at,
        message,
    };
    let mut seen = BTreeSet::new();
    let mut duplicates = BTreeSet::new();
    for (i, e) in file.partitions.iter().enumerate() {
        if e.topic.is_empty() {
            return Err(invalid(
                format!("partitions[{i}].topic"),
                "empty topic name".into(),
            ));
        }
        if e.partition < 0 {
            return Err(invalid(
                format!("partitions[{i}].partition"),
                format!("{} is not a partition number", e.partition),
            ));
        }
        let tp = TopicPartition::new(e.topic.clone(), e.partition);
        if !seen.insert(tp.clone()) {
            duplicates.insert(tp);
        }
    }
    if !duplicates.is_empty() {
        let list: Vec<String> = duplicates.iter().map(ToString::to_string).collect();
        return Err(invalid(
            "partitions".into(),
            format!(
                "Replica election data contains duplicate partitions: {}",
                list.join(",")
            ),
        ));
    }
    Ok(file
        .partitions
        .into_iter()
        .map(|e| TopicPartition::new(e.topic, e.partition))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_in_file_order_and_errors_with_the_json_path() {
        let p = parse_election_file(
            Path::new("e.json"),
            r#"{"partitions":[{"topic":"b","partition":1},{"topic":"a","partition":0}]}"#,
        )
        .unwrap();
        assert_eq!(
            p,
            vec![TopicPartition::new("b", 1), TopicPartition::new("a", 0)]
        );
        let e = parse_election_file(Path::new("e.json"), r#"{"partitions":[{"topic":"a"}]}"#)
            .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "e.json: at partitions[0] (line 1, column 28): missing field `partition`"
            ),
            "{e}"
        );
    }

    #[test]
    fn refuses_duplicates_empty_topics_and_negative_partitions() {
        let parse = |text: &str| {
            parse_election_file(Path::new("e.json"), text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            parse(r#"{"partitions":[{"topic":"a","partition":0},{"topic":"a","partition":0}]}"#),
            "e.json: at partitions: Replica election data contains duplicate partitions: a-0"
        );
        assert_eq!(
            parse(r#"{"partitions":[{"topic":"","partition":0}]}"#),
            "e.json: at partitions[0].topic: empty topic name"
        );
        assert_eq!(
            parse(r#"{"partitions":[{"topic":"a","partition":1},{"topic":"a","partition":-1}]}"#),
            "e.json: at partitions[1].partition: -1 is not a partition number"
        );
    }
}
