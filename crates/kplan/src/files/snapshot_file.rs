//! Snapshot file, format v1: the planner's input contract (see docs/snapshot-format.md).
//!
//! Parsing has two steps. Serde (through `serde_path_to_error`) checks the shape and reports the
//! JSON path of a wrong field; the model then checks meaning (duplicates, unknown brokers), and its
//! error is located back to a JSON path here, so both kinds of mistakes name the file and the place.
//!
//! Reading a file streams it: each partition is turned into the model's `Partition` as soon as it
//! is parsed, so a million-partition snapshot never exists twice in memory (as text and as file
//! entries) on its way to the planner. Only when the model rejects it is the input parsed again
//! in full, to name the JSON path of the mistake.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::snapshot_log_dirs::{
    add_broker_dirs, broker_dir_entries, interning, replica_dir_entries, replica_dirs,
    InternedReplicaDir, LogDirEntry,
};
use super::{parse_json, parse_json_file, FileError, TOP_LEVEL};
use crate::model::{
    Broker, BrokerId, Cluster, LogDirs, ModelError, Partition, ReplicaSet, Topic, TopicPartition,
};

/// The file as written. Unknown fields are ignored so later versions can add to it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SnapshotFile {
    pub version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    pub brokers: Vec<BrokerEntry>,
    pub topics: Vec<TopicEntry>,
    /// Extensions written by `kplan snapshot`; the planner does not need them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureInfo>,
    /// Dynamic broker configs relevant to moves: broker id ("" = cluster default) → key → value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub broker_configs: BTreeMap<String, BTreeMap<String, String>>,
    /// Reassignments that were running at capture time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reassignments: Vec<ReassignmentEntry>,
}

/// How and when a snapshot was captured.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct CaptureInfo {
    /// Milliseconds since the Unix epoch.
    pub captured_at_ms: i64,
    pub controller: Option<i32>,
    /// How traffic was measured: "end-offset-sampling", "prometheus", "csv" or "none".
    pub traffic_source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_seconds: Option<f64>,
    #[serde(default)]
    pub anonymized: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BrokerEntry {
    pub id: i32,
    #[serde(default)]
    pub rack: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// Not answering at capture time (its replicas are listed as offline).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<BrokerCapacity>,
    /// The broker's log directories (JBOD), from DescribeLogDirs and `cordoned.log.dirs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log_dirs: Vec<LogDirEntry>,
}

/// What a broker can hold and carry (from `--capacity`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BrokerCapacity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_in_bytes_per_sec: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_out_bytes_per_sec: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TopicEntry {
    pub name: String,
    pub partitions: Vec<PartitionEntry>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
    /// Topic configs that matter to moves (min.insync.replicas, retention, throttled replicas).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configs: BTreeMap<String, String>,
}

/// An ongoing reassignment at capture time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReassignmentEntry {
    pub topic: String,
    pub partition: i32,
    pub replicas: Vec<i32>,
    pub adding: Vec<i32>,
    pub removing: Vec<i32>,
}

/// One replica's place and size on a broker (JBOD-aware).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReplicaLogDir {
    pub broker: i32,
    pub log_dir: String,
    pub size_bytes: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartitionEntry {
    pub partition: i32,
    pub replicas: Vec<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leader: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isr: Option<Vec<i32>>,
    #[serde(default)]
    pub size_bytes: u64,
    #[serde(default)]
    pub bytes_in_per_sec: f64,
    #[serde(default)]
    pub bytes_out_per_sec: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offline_replicas: Vec<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log_dirs: Vec<ReplicaLogDir>,
}

impl SnapshotFile {
    /// The file form of a cluster (what `kplan snapshot` and tests write).
    pub fn from_cluster(cluster: &Cluster) -> Self {
        SnapshotFile {
            version: 1,
            cluster_id: cluster.cluster_id().map(str::to_owned),
            brokers: cluster
                .brokers()
                .iter()
                .map(|b| BrokerEntry {
                    id: b.id.0,
                    rack: b.rack.clone(),
                    host: None,
                    port: None,
                    offline: false,
                    capacity: None,
                    log_dirs: broker_dir_entries(cluster, b.id),
                })
                .collect(),
            topics: cluster
                .topics()
                .iter()
                .map(|t| TopicEntry {
                    name: t.name.clone(),
                    partitions: t
                        .partitions
                        .iter()
                        .map(|p| PartitionEntry {
                            partition: p.partition,
                            replicas: p.replicas.brokers().iter().map(|b| b.0).collect(),
                            leader: p.leader.map(|b| b.0),
                            isr: Some(p.isr.iter().map(|b| b.0).collect()),
                            size_bytes: p.size_bytes,
                            bytes_in_per_sec: p.bytes_in_per_sec,
                            bytes_out_per_sec: p.bytes_out_per_sec,
                            offline_replicas: Vec::new(),
                            log_dirs: replica_dir_entries(cluster, p),
                        })
                        .collect(),
                    internal: false,
                    configs: BTreeMap::new(),
                })
                .collect(),
            capture: None,
            broker_configs: BTreeMap::new(),
            reassignments: Vec::new(),
        }
    }

    /// The JSON path of the entry a model error is about.
    fn locate(&self, err: &ModelError) -> String {
        let partition_path = |topic: &str, partition: i32, nth: usize| {
            self.topics
                .iter()
                .enumerate()
                .filter(|(_, t)| t.name == topic)
                .flat_map(|(ti, t)| {
                    t.partitions
                        .iter()
                        .enumerate()
                        .filter(move |(_, p)| p.partition == partition)
                        .map(move |(pi, _)| format!("topics[{ti}].partitions[{pi}]"))
                })
                .nth(nth)
                .unwrap_or_else(|| "topics".to_owned())
        };
        let broker_dirs = |broker: BrokerId| {
            self.brokers
                .iter()
                .position(|b| b.id == broker.0)
                .map_or("brokers".to_owned(), |i| format!("brokers[{i}].log_dirs"))
        };
        match err {
            ModelError::LogDirsOfUnknownBroker(b)
            | ModelError::DuplicateLogDir { broker: b, .. } => broker_dirs(*b),
            ModelError::TooManyLogDirPaths(_) => "brokers".to_owned(),
            ModelError::UnknownLogDir { tp, .. }
            | ModelError::LogDirCount { tp, .. }
            | ModelError::LogDirOfNonReplica { tp, .. }
            | ModelError::ReplicaLogDirTwice { tp, .. } => {
                format!("{}.log_dirs", partition_path(&tp.topic, tp.partition, 0))
            }
            ModelError::DuplicateBroker(id) => self
                .brokers
                .iter()
                .enumerate()
                .filter(|(_, b)| b.id == id.0)
                .nth(1)
                .map_or("brokers".to_owned(), |(i, _)| format!("brokers[{i}].id")),
            ModelError::DuplicateTopic(name) => self
                .topics
                .iter()
                .enumerate()
                .filter(|(_, t)| &t.name == name)
                .nth(1)
                .map_or("topics".to_owned(), |(i, _)| format!("topics[{i}].name")),
            ModelError::EmptyTopicName => self
                .topics
                .iter()
                .position(|t| t.name.is_empty())
                .map_or("topics".to_owned(), |i| format!("topics[{i}].name")),
            ModelError::DuplicatePartition(tp) => partition_path(&tp.topic, tp.partition, 1),
            ModelError::NegativePartition(tp) | ModelError::NoReplicas(tp) => {
                partition_path(&tp.topic, tp.partition, 0)
            }
            ModelError::DuplicateReplica { tp, .. } | ModelError::UnknownBroker { tp, .. } => {
                format!("{}.replicas", partition_path(&tp.topic, tp.partition, 0))
            }
            ModelError::LeaderNotReplica { tp, .. } => {
                format!("{}.leader", partition_path(&tp.topic, tp.partition, 0))
            }
            ModelError::IsrNotReplica { tp, .. } => {
                format!("{}.isr", partition_path(&tp.topic, tp.partition, 0))
            }
            ModelError::InvalidRate { tp, field, .. } => {
                format!("{}.{field}", partition_path(&tp.topic, tp.partition, 0))
            }
        }
    }
}

fn brokers_of(entries: Vec<BrokerEntry>) -> Vec<Broker> {
    entries
        .into_iter()
        .map(|b| Broker {
            id: BrokerId(b.id),
            rack: b.rack,
        })
        .collect()
}

impl PartitionEntry {
    /// The model partition, without its replicas' directories (see [`StreamedPartition`]).
    fn into_partition(self) -> Partition {
        let replicas = ReplicaSet::from(self.replicas);
        Partition {
            partition: self.partition,
            leader: self
                .leader
                .map(BrokerId)
                .or_else(|| replicas.preferred_leader()),
            isr: self.isr.map_or_else(
                || replicas.brokers().to_vec(),
                |v| v.into_iter().map(BrokerId).collect(),
            ),
            replicas,
            size_bytes: self.size_bytes,
            bytes_in_per_sec: self.bytes_in_per_sec,
            bytes_out_per_sec: self.bytes_out_per_sec,
            log_dirs: Default::default(),
        }
    }
}

/// The part of the file the planner needs, each partition converted as it is parsed. The
/// extensions the planner does not use are parsed too (they are small), so both readers accept
/// the same files: a malformed `capture` block is refused by `generate` as by the file form.
#[derive(Deserialize)]
struct StreamedSnapshot {
    version: u32,
    #[serde(default)]
    cluster_id: Option<String>,
    brokers: Vec<BrokerEntry>,
    topics: Vec<StreamedTopic>,
    #[serde(default, rename = "capture")]
    _capture: Option<CaptureInfo>,
    #[serde(default, rename = "broker_configs")]
    _broker_configs: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default, rename = "reassignments")]
    _reassignments: Vec<ReassignmentEntry>,
}

#[derive(Deserialize)]
struct StreamedTopic {
    name: String,
    partitions: Vec<StreamedPartition>,
    /// Checked like the file form's, unused by the planner.
    #[serde(default, rename = "internal")]
    _internal: bool,
    #[serde(default, rename = "configs")]
    _configs: BTreeMap<String, String>,
}

/// A partition as parsed: the model partition, and its `log_dirs` entries with their paths
/// interned (checked against the replicas once the topic's name is known).
#[derive(Deserialize)]
#[serde(try_from = "PartitionEntry")]
struct StreamedPartition {
    partition: Partition,
    dirs: Vec<InternedReplicaDir>,
}

impl TryFrom<PartitionEntry> for StreamedPartition {
    type Error = ModelError;

    fn try_from(mut p: PartitionEntry) -> Result<Self, ModelError> {
        let entries = std::mem::take(&mut p.log_dirs);
        Ok(StreamedPartition {
            dirs: InternedReplicaDir::intern_all(&entries)?,
            partition: p.into_partition(),
        })
    }
}

impl StreamedTopic {
    /// The model topic, each replica's directory checked against its partition's replicas.
    fn into_topic(self) -> Result<Topic, ModelError> {
        let mut partitions = Vec::with_capacity(self.partitions.len());
        for p in self.partitions {
            let tp = || TopicPartition::new(&self.name, p.partition.partition);
            let log_dirs = replica_dirs(tp, p.partition.replicas.brokers(), &p.dirs)?;
            partitions.push(p.partition.with_log_dirs(log_dirs));
        }
        Ok(Topic::new(self.name, partitions))
    }
}

/// The model built from a streamed parse; on a model error `full` parses the whole file once
/// more so the error can be located.
fn streamed_cluster(
    path: &Path,
    (file, dirs): (StreamedSnapshot, LogDirs),
    full: impl FnOnce() -> Result<SnapshotFile, FileError>,
) -> Result<Cluster, FileError> {
    if file.version != 1 {
        return Err(FileError::Invalid {
            path: path.to_owned(),
            at: "version".to_owned(),
            message: format!(
                "unsupported snapshot version {} (this kplan reads version 1)",
                file.version
            ),
        });
    }
    cluster(file.cluster_id, file.brokers, file.topics, dirs).map_err(|e| {
        let at = full().map_or_else(|_| "topics".to_owned(), |f| f.locate(&e));
        FileError::Invalid {
            path: path.to_owned(),
            at,
            message: e.to_string(),
        }
    })
}

/// The model of a streamed file: brokers, topics, and the directories of both (`dirs` holds
/// the paths interned while parsing).
fn cluster(
    cluster_id: Option<String>,
    brokers: Vec<BrokerEntry>,
    topics: Vec<StreamedTopic>,
    mut dirs: LogDirs,
) -> Result<Cluster, ModelError> {
    for b in &brokers {
        add_broker_dirs(&mut dirs, b.id, &b.log_dirs)?;
    }
    let topics = topics
        .into_iter()
        .map(StreamedTopic::into_topic)
        .collect::<Result<_, _>>()?;
    Cluster::new(cluster_id, brokers_of(brokers), topics)?.with_log_dirs(dirs)
}

/// Parses snapshot text; `path` only names the source in errors.
pub fn snapshot_from_str(path: &Path, text: &str) -> Result<Cluster, FileError> {
    let (file, dirs) = interning(|| parse_json::<StreamedSnapshot>(path, text));
    streamed_cluster(path, (file?, dirs), || parse_json(path, text))
}

/// Parses snapshot text into the file form (with its extensions), checked like `snapshot_from_str`.
pub fn snapshot_file_from_str(path: &Path, text: &str) -> Result<SnapshotFile, FileError> {
    snapshot_from_str(path, text)?;
    serde_json::from_str(text).map_err(|e| FileError::Invalid {
        path: path.to_owned(),
        at: TOP_LEVEL.to_owned(),
        message: e.to_string(),
    })
}

/// Reads and validates a snapshot file, streaming it (see the module docs).
pub fn read_snapshot(path: &Path) -> Result<Cluster, FileError> {
    let (file, dirs) = interning(|| parse_json_file::<StreamedSnapshot>(path));
    streamed_cluster(path, (file?, dirs), || parse_json_file(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Cluster, String> {
        snapshot_from_str(Path::new("c.json"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_fill_optional_fields() {
        let c = parse(
            r#"{"version":1,"brokers":[{"id":0},{"id":1,"rack":"a"}],
                "topics":[{"name":"t","partitions":[{"partition":0,"replicas":[1,0],"extra":true}]}]}"#,
        )
        .unwrap();
        let p = &c.topics()[0].partitions[0];
        assert_eq!(p.leader, Some(BrokerId(1)));
        assert_eq!(p.isr, vec![BrokerId(1), BrokerId(0)]);
        assert_eq!(p.size_bytes, 0);
    }

    /// The fuzz finding (fuzz/findings/snapshot/crash-6c2b…): a `capture` block without its
    /// `traffic_source` (the key mangled) was accepted by the streamed reader, which skipped the
    /// extensions, and refused by the file form. Both refuse it now, naming where.
    #[test]
    fn malformed_extensions_are_refused_by_both_readers() {
        let finding = include_str!(
            "../../../../fuzz/findings/snapshot/crash-6c2b5f4aa08e7bd5808d0cf8fbbaf8a4e2e6d65f"
        );
        let err = parse(finding).unwrap_err();
        assert!(err.starts_with("c.json: at capture"), "{err}");
        assert!(err.contains("traffic_source"), "{err}");
        assert!(snapshot_file_from_str(Path::new("c.json"), finding).is_err());
        let base = r#"{"version":1,"brokers":[{"id":0}],"topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0]}]"#;
        for (bad, at) in [
            (
                format!(r#"{base}}}],"broker_configs":{{"0":{{"k":5}}}}}}"#),
                "broker_configs",
            ),
            (
                format!(r#"{base}}}],"reassignments":[{{"topic":"t"}}]}}"#),
                "reassignments[0]",
            ),
            (
                format!(r#"{base},"configs":["x"]}}]}}"#),
                "topics[0].configs",
            ),
            (
                format!(r#"{base},"internal":"yes"}}]}}"#),
                "topics[0].internal",
            ),
        ] {
            let err = parse(&bad).unwrap_err();
            assert!(err.starts_with(&format!("c.json: at {at}")), "{bad}: {err}");
            assert!(snapshot_file_from_str(Path::new("c.json"), &bad).is_err());
        }
        // Well-formed extensions still read.
        parse(&format!(
            r#"{base},"internal":true,"configs":{{"a":"b"}}}}],"broker_configs":{{"":{{"k":"v"}}}},
               "reassignments":[{{"topic":"t","partition":0,"replicas":[0],"adding":[],"removing":[]}}]}}"#
        ))
        .unwrap();
    }

    #[test]
    fn negative_size_names_the_path() {
        let err = parse(
            r#"{"version":1,"brokers":[{"id":0}],
                "topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0],"size_bytes":-5}]}]}"#,
        )
        .unwrap_err();
        assert!(
            err.starts_with("c.json: at topics[0].partitions[0].size_bytes (line 2"),
            "{err}"
        );
        assert!(err.contains("-5"), "{err}");
    }

    #[test]
    fn semantic_errors_are_located() {
        let err = parse(
            r#"{"version":1,"brokers":[{"id":0}],
                "topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0]},{"partition":0,"replicas":[0]}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "c.json: at topics[0].partitions[1]: partition t-0 is listed twice"
        );
        let err = parse(
            r#"{"version":1,"brokers":[{"id":0}],"topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0,7]}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "c.json: at topics[0].partitions[0].replicas: partition t-0 has a replica on broker 7, which is not in the broker list"
        );
    }

    #[test]
    fn version_and_missing_fields() {
        assert!(parse(r#"{"version":2,"brokers":[],"topics":[]}"#)
            .unwrap_err()
            .contains("unsupported snapshot version 2"));
        let err = parse(r#"{"version":1,"brokers":[{"rack":"a"}],"topics":[]}"#).unwrap_err();
        assert!(
            err.contains("at brokers[0]") && err.contains("missing field `id`"),
            "{err}"
        );
    }

    #[test]
    fn log_dirs_are_read_and_checked() {
        let c = parse(
            r#"{"version":1,"brokers":[{"id":0,"log_dirs":[{"path":"/d1","total_bytes":100,"usable_bytes":40},{"path":"/d2","cordoned":true}]},{"id":1}],
                "topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0,1],"size_bytes":10,
                  "log_dirs":[{"broker":0,"log_dir":"/d2","size_bytes":10},{"broker":1,"log_dir":"/x","size_bytes":9}]}]}]}"#,
        )
        .unwrap();
        let dirs = c.log_dirs();
        assert_eq!(dirs.of(BrokerId(0))[0].total_bytes, Some(100));
        assert!(dirs.of(BrokerId(0))[1].cordoned);
        assert_eq!(
            dirs.of(BrokerId(1))[0].path,
            "/x",
            "derived from the replicas"
        );
        let p = &c.topics()[0].partitions[0];
        assert_eq!(dirs.path(p.log_dirs.get(0).unwrap()), "/d2");
        let text = serde_json::to_string(&SnapshotFile::from_cluster(&c)).unwrap();
        assert_eq!(parse(&text).unwrap(), c);

        let err = parse(
            r#"{"version":1,"brokers":[{"id":0,"log_dirs":[{"path":"/d1"}]}],
                "topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0],"log_dirs":[{"broker":0,"log_dir":"/d9","size_bytes":1}]}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "c.json: at topics[0].partitions[0].log_dirs: partition t-0 has its replica on broker 0 in log dir /d9, which is not one of broker 0's log dirs"
        );
        let err = parse(
            r#"{"version":1,"brokers":[{"id":0}],
                "topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0],"log_dirs":[{"broker":3,"log_dir":"/d9","size_bytes":1}]}]}]}"#,
        )
        .unwrap_err();
        assert!(
            err.contains("names a log dir on broker 3, which is not one of its replicas"),
            "{err}"
        );
        let err = parse(
            r#"{"version":1,"brokers":[{"id":0,"log_dirs":[{"path":"/d1"},{"path":"/d1"}]}],"topics":[]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            "c.json: at brokers[0].log_dirs: broker 0 lists log dir /d1 twice"
        );
    }

    #[test]
    fn round_trips_through_the_file_form() {
        let c = parse(
            r#"{"version":1,"cluster_id":"x","brokers":[{"id":0,"rack":"a"},{"id":1,"rack":"b"}],
                "topics":[{"name":"t","partitions":[{"partition":0,"replicas":[0,1],"size_bytes":10,"bytes_in_per_sec":2.5}]}]}"#,
        )
        .unwrap();
        let text = serde_json::to_string(&SnapshotFile::from_cluster(&c)).unwrap();
        assert_eq!(parse(&text).unwrap(), c);
    }

    /// The fuzz finding (fuzz/findings/snapshot/crash-1592…): a file naming `/data/d2` before
    /// `/data/d1` gave the directories other ids than the file kplan writes from the cluster
    /// (topics by name), so the clusters differed in ids alone. Ids are now in path order.
    #[test]
    fn log_dir_ids_do_not_depend_on_the_files_order() {
        let finding = include_str!(
            "../../../../fuzz/findings/snapshot/crash-1592649646120dc7ecc95f337a6d68e8baa34560"
        );
        let c = parse(finding).unwrap();
        let text = serde_json::to_string(&SnapshotFile::from_cluster(&c)).unwrap();
        assert_eq!(parse(&text).unwrap(), c);
        let d1 = c.log_dirs().id("/data/d1").unwrap();
        let d2 = c.log_dirs().id("/data/d2").unwrap();
        assert!(d1 < d2, "{d1:?} {d2:?}");
    }

    /// The fuzz finding (fuzz/findings/snapshot/crash-4f3c…): a 41-digit rate was read one unit
    /// in the last place off, and the number kplan then wrote read back as another, so the file
    /// form changed the cluster. serde_json's `float_roundtrip` parses correctly rounded.
    #[test]
    fn long_numbers_read_back_bit_for_bit() {
        let finding = include_str!(
            "../../../../fuzz/findings/snapshot/crash-4f3c2c7fb4de7ea2cc59f506ba1ab3d06d11b4ec"
        );
        let c = parse(finding).unwrap();
        let rate = c.topics()[0].partitions[0].bytes_in_per_sec;
        assert_eq!(rate, 50000555555555555555555555555555555555555.0);
        let text = serde_json::to_string(&SnapshotFile::from_cluster(&c)).unwrap();
        assert_eq!(parse(&text).unwrap(), c);
        for literal in [
            "0.30000000000000004",
            "2.2250738585072011e-308",
            "9007199254740993",
        ] {
            let x: f64 = literal.parse().unwrap();
            let back: f64 = serde_json::from_str(literal).unwrap();
            assert_eq!(back.to_bits(), x.to_bits(), "{literal}");
        }
    }
}
