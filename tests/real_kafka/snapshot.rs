//! 1. `kplan snapshot` against the real cluster.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kplan::files::SnapshotFile;

use crate::common;
use crate::real_kafka_support::*;

fn read_snapshot(path: &std::path::Path) -> SnapshotFile {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Produces `bytes`-byte records into one partition at `rate` bytes/s until stopped; returns the
/// bytes written and the seconds it ran.
fn paced_producer(
    bootstrap: String,
    topic: &'static str,
    rate: f64,
    bytes: usize,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(u64, f64)> {
    std::thread::spawn(move || {
        let mut kcat = kcat_producer(&bootstrap, topic, Some(0));
        let line = record(bytes);
        let start = Instant::now();
        let mut sent: u64 = 0;
        {
            let stdin = kcat.stdin.as_mut().unwrap();
            while !stop.load(Ordering::Relaxed) {
                let due = start.elapsed().as_secs_f64() * rate;
                while (sent as f64) < due {
                    stdin.write_all(&line).unwrap();
                    sent += bytes as u64;
                }
                stdin.flush().unwrap();
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        drop(kcat.stdin.take());
        assert!(kcat.wait().unwrap().success());
        (sent, elapsed)
    })
}

/// (1) `kplan snapshot` reads what the cluster holds: brokers and racks, replicas, leaders, ISR,
/// sizes per replica and log dir, topic configs, an operator's throttle rate, and bytes in
/// sampled while a producer runs, within 20% of the producer's own measured rate.
#[test]
fn snapshot_reads_the_real_cluster() {
    if !enabled("snapshot_reads_the_real_cluster") {
        return;
    }
    let f = shared();
    let assignment = vec![vec![0, 1], vec![1, 2], vec![2, 3], vec![3, 0]];
    f.create_topic(
        "snap-sized",
        &assignment,
        &[("min.insync.replicas", "1"), ("retention.ms", "3600000")],
    );
    f.create_topic("snap-traffic", &[vec![1, 2]], &[]);
    for p in 0..4 {
        f.produce("snap-sized", p, 500 * (p as usize + 1), 1000);
    }
    f.alter_broker(2, &[("leader.replication.throttled.rate", Some("7777777"))]);

    // The producer runs before, during and after the sampling window.
    let rate = 200_000.0;
    let stop = Arc::new(AtomicBool::new(false));
    let producer = paced_producer(f.bs(), "snap-traffic", rate, 1000, stop.clone());
    std::thread::sleep(Duration::from_secs(3));
    let snap_path = f.path("snap.json");
    let o = common::snapshot(&f.bs(), "10s", &["--topics", "snap-.*"], &snap_path);
    stop.store(true, Ordering::Relaxed);
    let (sent, secs) = producer.join().unwrap();
    f.alter_broker(2, &[("leader.replication.throttled.rate", None)]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let snap = read_snapshot(&snap_path);

    // Brokers and racks, as started.
    let brokers: Vec<(i32, Option<String>)> = snap
        .brokers
        .iter()
        .map(|b| (b.id, b.rack.clone()))
        .collect();
    let rack = |id: i32| Some(if id % 2 == 0 { "rack-a" } else { "rack-b" }.to_owned());
    assert_eq!(brokers, (0..5).map(|id| (id, rack(id))).collect::<Vec<_>>());
    assert_eq!(snap.cluster_id.as_deref(), Some(f.cluster.cluster_id()));

    // Partitions as Metadata has them; sizes and log dirs as each broker reports them.
    let mut dirs_of: BTreeMap<i32, LogDirReplicas> = BTreeMap::new();
    for b in 0..5 {
        dirs_of.insert(
            b,
            Wire::connect(&f.cluster.broker_address(b).unwrap()).log_dirs(),
        );
    }
    let sized = snap
        .topics
        .iter()
        .find(|t| t.name == "snap-sized")
        .expect("snap-sized");
    assert_eq!(
        sized.configs.get("min.insync.replicas").map(String::as_str),
        Some("1")
    );
    assert_eq!(
        sized.configs.get("retention.ms").map(String::as_str),
        Some("3600000")
    );
    let meta = f.wire().partitions("snap-sized").unwrap();
    for (p, m) in sized.partitions.iter().zip(&meta) {
        assert_eq!(p.partition, m.partition);
        assert_eq!(p.replicas, m.replicas, "partition {}", p.partition);
        assert_eq!(p.leader, Some(m.leader));
        assert_eq!(p.isr.as_ref(), Some(&m.isr));
        let key = ("snap-sized".to_owned(), p.partition);
        let leader_size = dirs_of[&m.leader][&key][0].1;
        assert_eq!(
            p.size_bytes as i64, leader_size,
            "partition {}",
            p.partition
        );
        // 500 × (p + 1) records of 1000 bytes, plus batch headers.
        let payload = 500_000 * (p.partition as u64 + 1);
        assert!(
            p.size_bytes >= payload && p.size_bytes < payload * 11 / 10,
            "{p:?}"
        );
        let mut got: Vec<(i32, String, u64)> = p
            .log_dirs
            .iter()
            .map(|d| (d.broker, d.log_dir.clone(), d.size_bytes))
            .collect();
        got.sort();
        let mut want: Vec<(i32, String, u64)> = m
            .replicas
            .iter()
            .map(|b| {
                let (dir, size, _) = dirs_of[b][&key][0].clone();
                (*b, dir, size as u64)
            })
            .collect();
        want.sort();
        assert_eq!(got, want, "partition {}", p.partition);
        for (b, dir, _) in &got {
            let configured: Vec<String> = f
                .cluster
                .log_dirs(*b)
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            assert!(
                configured.contains(dir),
                "{dir} is not a log dir of broker {b}: {configured:?}"
            );
        }
    }
    // Two log dirs per broker, both in use across the cluster.
    let used: std::collections::BTreeSet<&str> = sized
        .partitions
        .iter()
        .flat_map(|p| p.log_dirs.iter().map(|d| d.log_dir.as_str()))
        .collect();
    assert!(used.len() >= 2, "{used:?}");

    // The operator's rate, and nothing else dynamic on the brokers.
    assert_eq!(
        snap.broker_configs
            .get("2")
            .and_then(|c| c.get("leader.replication.throttled.rate")),
        Some(&"7777777".to_owned()),
        "{:?}",
        snap.broker_configs
    );

    // Traffic: the producer's own rate against the sampled one.
    let produced = sent as f64 / secs;
    let traffic = snap
        .topics
        .iter()
        .find(|t| t.name == "snap-traffic")
        .unwrap();
    let sampled = traffic.partitions[0].bytes_in_per_sec;
    eprintln!("producer {produced:.0} B/s, kplan sampled {sampled:.0} B/s");
    assert!(
        (sampled - produced).abs() <= 0.2 * produced,
        "sampled {sampled:.0} B/s, produced {produced:.0} B/s"
    );
    assert_eq!(
        sized
            .partitions
            .iter()
            .map(|p| p.bytes_in_per_sec)
            .sum::<f64>(),
        0.0
    );
}
