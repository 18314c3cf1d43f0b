//! Reading a reassignment file (kplan's or anyone's `kafka-reassign-partitions` JSON), rejecting
//! what Kafka's tool rejects, with messages at least as clear.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::digest;
use crate::files::{parse_json, FileError, TOP_LEVEL};
use crate::model::{BrokerId, ReplicaSet, TopicPartition};
use crate::plan::{PartitionReassignment, PlanContext, Reassignment};

/// A plan file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    /// The OS error is part of the message, not a `source`: a cause chain would print it twice.
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: line {line}, column {column}: {message}")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Deserialize)]
struct RawFile {
    version: Option<u32>,
    partitions: Vec<RawPartition>,
    #[serde(default)]
    kplan: Option<PlanContext>,
}

#[derive(Deserialize)]
struct RawPartition {
    topic: String,
    partition: i32,
    replicas: Vec<i32>,
    #[serde(default)]
    log_dirs: Option<Vec<String>>,
}

/// Parses and checks plan text; `path` names the source in errors.
pub fn parse_plan(path: &Path, text: &str) -> Result<Reassignment, PlanFileError> {
    let name = path.display().to_string();
    let raw = deserialize(&name, text)?;
    let invalid = |message: String| PlanFileError::Invalid {
        path: name.clone(),
        message,
    };
    if let Some(v) = raw.version.filter(|v| *v != 1) {
        return Err(invalid(format!(
            "unsupported reassignment file version {v} (Kafka's format is version 1)"
        )));
    }
    if raw.partitions.is_empty() {
        return Err(invalid(
            "Partition reassignment list cannot be empty".into(),
        ));
    }
    let mut seen = BTreeSet::new();
    let partitions = raw
        .partitions
        .into_iter()
        .enumerate()
        .map(|(i, p)| checked_partition(i, p, &mut seen).map_err(&invalid))
        .collect::<Result<Vec<_>, _>>()?;
    let mut r = Reassignment::new(partitions);
    r.kplan = raw.kplan;
    Ok(r)
}

/// The JSON read into the file's shape; errors carry the JSON path and the position.
fn deserialize(name: &str, text: &str) -> Result<RawFile, PlanFileError> {
    parse_json(Path::new(name), text).map_err(|e| match e {
        FileError::Json {
            at,
            line,
            column,
            message,
            ..
        } => PlanFileError::Json {
            path: name.to_owned(),
            line,
            column,
            message: if at == TOP_LEVEL {
                message
            } else {
                format!("at {at}: {message}")
            },
        },
        other => PlanFileError::Invalid {
            path: name.to_owned(),
            message: other.to_string(),
        },
    })
}

/// One entry (`partitions[i]`) checked as Kafka's tool checks it; the error is the message.
fn checked_partition(
    i: usize,
    p: RawPartition,
    seen: &mut BTreeSet<TopicPartition>,
) -> Result<PartitionReassignment, String> {
    let tp = TopicPartition::new(&p.topic, p.partition);
    if p.topic.is_empty() || p.partition < 0 {
        return Err(format!(
            "partitions[{i}]: '{}-{}' is not a topic partition",
            p.topic, p.partition
        ));
    }
    if !seen.insert(tp.clone()) {
        return Err(format!(
            "Partition reassignment contains duplicate topic partitions: {tp} (partitions[{i}])"
        ));
    }
    let mut sorted = p.replicas.clone();
    sorted.sort_unstable();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "Partition replica lists may not contain duplicate entries: {tp} lists broker {} twice in {:?}",
            w[0], p.replicas
        ));
    }
    if p.replicas.is_empty() {
        return Err(format!("{tp}: the replica list is empty"));
    }
    let log_dirs = match p.log_dirs {
        Some(d) if d.len() != p.replicas.len() => {
            return Err(format!(
                "{tp}: log_dirs has {} entries for {} replicas",
                d.len(),
                p.replicas.len()
            ))
        }
        Some(d) => d,
        None => vec!["any".to_owned(); p.replicas.len()],
    };
    Ok(PartitionReassignment {
        topic: p.topic,
        partition: p.partition,
        replicas: ReplicaSet::new(p.replicas.into_iter().map(BrokerId).collect()),
        log_dirs,
    })
}

/// Reads a plan file.
pub fn read_plan(path: &Path) -> Result<Reassignment, PlanFileError> {
    Ok(PlanFile::read(path)?.reassignment)
}

/// A plan as the executor runs it: what it asks for, and the digest of its text, which ties a
/// state file to this very plan (an edited plan is a new plan).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanFile {
    pub path: PathBuf,
    pub reassignment: Reassignment,
    pub digest: String,
}

impl PlanFile {
    /// Parses plan text read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, PlanFileError> {
        Ok(PlanFile {
            path: path.to_owned(),
            reassignment: parse_plan(path, text)?,
            digest: digest(text),
        })
    }

    pub fn read(path: &Path) -> Result<Self, PlanFileError> {
        let text = std::fs::read_to_string(path).map_err(|error| PlanFileError::Io {
            path: path.display().to_string(),
            error,
        })?;
        PlanFile::parse(path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse_plan(Path::new("p.json"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn kafka_rejections() {
        assert!(err(r#"{"version":1,"partitions":[]}"#).contains("cannot be empty"));
        assert!(err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}"#)
            .contains("duplicate topic partitions: a-0"));
        assert!(
            err(r#"{"partitions":[{"topic":"a","partition":0,"replicas":[1,1]}]}"#)
                .contains("duplicate entries")
        );
        assert!(
            err(r#"{"version":2,"partitions":[{"topic":"a","partition":0,"replicas":[1]}]}"#)
                .contains("version 2")
        );
        let e = err("{\"partitions\":[{\"topic\":\"a\",\"partition\":0,\n\"replicas\":[1,}]}");
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn kplan_plans_round_trip() {
        let text = r#"{"version":1,"partitions":[
{"topic":"a","partition":0,"replicas":[2,1],"log_dirs":["any","any"]}],
"kplan":{"cluster_id":"c1","current":[
{"topic":"a","partition":0,"replicas":[1,2]}
]}}"#;
        let r = parse_plan(Path::new("p.json"), text).unwrap();
        assert_eq!(r.kplan.as_ref().unwrap().cluster_id.as_deref(), Some("c1"));
        assert_eq!(parse_plan(Path::new("p.json"), &r.to_json()).unwrap(), r);
    }
}
