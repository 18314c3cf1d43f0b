//! `kafka-leader-election.sh --path-to-json-file`'s file: the partitions whose leaders to elect,
//! `{"partitions": [{"topic": "foo", "partition": 1}]}`.

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
/// election refuses it.
pub fn parse_election_file(path: &Path, text: &str) -> Result<Vec<TopicPartition>, FileError> {
    let file: ElectionFile = parse_json(path, text)?;
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
}
