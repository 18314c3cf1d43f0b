//! Reading a reassignment file (kplan's or anyone's `kafka-reassign-partitions` JSON), rejecting
//! what Kafka's tool rejects, with messages at least as clear.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

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
    let invalid = |message: String| PlanFileError::Invalid {
        path: name.clone(),
        message,
    };
    let de = &mut serde_json::Deserializer::from_str(text);
    let raw: RawFile = serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        let msg = msg
            .rfind(" at line ")
            .map_or(msg.clone(), |i| msg[..i].to_owned());
        PlanFileError::Json {
            path: name.clone(),
            line: inner.line(),
            column: inner.column(),
            message: if at == "." {
                msg
            } else {
                format!("at {at}: {msg}")
            },
        }
    })?;
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
    let mut partitions = Vec::with_capacity(raw.partitions.len());
    for (i, p) in raw.partitions.into_iter().enumerate() {
        let tp = TopicPartition::new(&p.topic, p.partition);
        if p.topic.is_empty() || p.partition < 0 {
            return Err(invalid(format!(
                "partitions[{i}]: '{}-{}' is not a topic partition",
                p.topic, p.partition
            )));
        }
        if !seen.insert(tp.clone()) {
            return Err(invalid(format!(
                "Partition reassignment contains duplicate topic partitions: {tp} (partitions[{i}])"
            )));
        }
        let mut sorted = p.replicas.clone();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid(format!(
                "Partition replica lists may not contain duplicate entries: {tp} lists broker {} twice in {:?}",
                w[0], p.replicas
            )));
        }
        if p.replicas.is_empty() {
            return Err(invalid(format!("{tp}: the replica list is empty")));
        }
        let log_dirs = match p.log_dirs {
            Some(d) if d.len() != p.replicas.len() => {
                return Err(invalid(format!(
                    "{tp}: log_dirs has {} entries for {} replicas",
                    d.len(),
                    p.replicas.len()
                )))
            }
            Some(d) => d,
            None => vec!["any".to_owned(); p.replicas.len()],
        };
        partitions.push(PartitionReassignment {
            topic: p.topic,
            partition: p.partition,
            replicas: ReplicaSet::new(p.replicas.into_iter().map(BrokerId).collect()),
            log_dirs,
        });
    }
    let mut r = Reassignment::new(partitions);
    r.kplan = raw.kplan;
    Ok(r)
}

/// Reads a plan file.
pub fn read_plan(path: &Path) -> Result<Reassignment, PlanFileError> {
    let text = std::fs::read_to_string(path).map_err(|error| PlanFileError::Io {
        path: path.display().to_string(),
        error,
    })?;
    parse_plan(path, &text)
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
