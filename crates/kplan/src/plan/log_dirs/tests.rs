use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Broker, BrokerId, Cluster, LogDir, LogDirs, Partition, ReplicaLogDirs, Topic};
use crate::plan::{plan, verify, Goal, GoalState, PlanError, PlanRequest};

const GB: u64 = 1 << 30;

/// Brokers `0..n`, each with directories `/d0..` (`total` bytes each, `usable` free); topic `t`
/// with one partition per entry of `parts`: (replicas, size, directory index of each replica).
fn cluster(
    n: i32,
    dirs: usize,
    usable: Option<u64>,
    parts: &[(Vec<i32>, u64, Vec<usize>)],
) -> Cluster {
    let mut ld = LogDirs::default();
    let ids: Vec<_> = (0..dirs)
        .map(|d| ld.intern(&format!("/d{d}")).unwrap())
        .collect();
    for b in 0..n {
        let list = ids
            .iter()
            .enumerate()
            .map(|(d, &id)| LogDir {
                total_bytes: Some(1000 * GB),
                usable_bytes: usable,
                ..LogDir::new(id, format!("/d{d}"))
            })
            .collect();
        ld.set_broker(BrokerId(b), list);
    }
    let partitions = parts
        .iter()
        .enumerate()
        .map(|(i, (replicas, size, at))| {
            Partition::new(i as i32, replicas.clone())
                .with_load(*size, 0.0, 0.0)
                .with_log_dirs(ReplicaLogDirs::new(at.iter().map(|&d| Some(ids[d]))))
        })
        .collect();
    let brokers = (0..n)
        .map(|id| Broker {
            id: BrokerId(id),
            rack: None,
        })
        .collect();
    Cluster::new(None, brokers, vec![Topic::new("t", partitions)])
        .unwrap()
        .with_log_dirs(ld)
        .unwrap()
}

fn request() -> PlanRequest {
    PlanRequest {
        rack_aware: false,
        tolerance: 0.10,
        ..PlanRequest::default()
    }
}

/// Two balanced brokers, every replica in /d0: only the directories are out of band.
fn skewed() -> Cluster {
    let parts: Vec<_> = (0..8).map(|i| (vec![i % 2], 10 * GB, vec![0])).collect();
    cluster(2, 2, None, &parts)
}

#[test]
fn skewed_directories_are_balanced_by_intra_broker_moves() {
    let c = skewed();
    let req = request();
    let p = plan(&c, &req).unwrap();
    let m = &p.metrics;
    assert_eq!(
        (m.replicas_moved, m.bytes_moved),
        (0, 0),
        "no broker changes"
    );
    assert_eq!(
        m.log_dir_moves, 4,
        "two of four replicas per broker move to /d1"
    );
    assert_eq!(m.log_dir_bytes, 40 * GB);
    let report = p.report.log_dirs.as_ref().unwrap();
    for b in &report.brokers {
        assert_eq!(b.before_max_over_mean, Some(2.0));
        assert_eq!(b.after_max_over_mean, Some(1.0));
    }
    let goal = p
        .report
        .goals
        .iter()
        .find(|g| g.goal == Goal::LogDirs)
        .unwrap();
    assert_eq!(goal.status, GoalState::Met);
    assert_eq!(
        p.reassignment.len(),
        4,
        "only the partitions that change directory"
    );
    for e in &p.reassignment.partitions {
        assert_eq!(e.log_dirs, ["/d1"], "{e:?}");
    }
    for e in &p.rollback.partitions {
        assert_eq!(e.log_dirs, ["/d0"], "{e:?}");
    }
    assert!(verify(&c, &req, &p.reassignment).is_ok());
}

#[test]
fn no_log_dirs_plans_brokers_only() {
    let c = skewed();
    let req = PlanRequest {
        log_dirs: false,
        ..request()
    };
    let p = plan(&c, &req).unwrap();
    assert!(p.reassignment.is_empty());
    assert!(p.report.log_dirs.is_none());
}

#[test]
fn arriving_replicas_get_a_directory_and_staying_ones_keep_any() {
    // Broker 2 is drained; its replicas land on 0 and 1 in their emptier directory.
    let parts: Vec<_> = (0..6).map(|i| (vec![i % 2, 2], GB, vec![0, 0])).collect();
    let c = cluster(3, 2, None, &parts);
    let req = PlanRequest {
        decommission: BTreeSet::from([BrokerId(2)]),
        ..request()
    };
    let p = plan(&c, &req).unwrap();
    assert_eq!(p.metrics.replicas_moved, 6);
    for e in &p.reassignment.partitions {
        for (b, d) in e.brokers().iter().zip(&e.log_dirs) {
            let staying = c
                .partition(&e.topic_partition())
                .unwrap()
                .replicas
                .contains(*b);
            if staying {
                assert_eq!(d, "any", "{e:?}");
            } else {
                assert!(d.starts_with("/d"), "{e:?}");
            }
        }
    }
    assert!(verify(&c, &req, &p.reassignment).is_ok());
}

#[test]
fn removed_directories_are_emptied_into_accepting_ones_with_room() {
    // Broker 0: /d0 removed, /d1 cordoned, /d2 takes what /d0 held.
    let mut parts: Vec<_> = (0..4).map(|_| (vec![0, 1], GB, vec![0, 0])).collect();
    parts.push((vec![0, 1], GB, vec![2, 1]));
    let c = cluster(2, 3, None, &parts);
    let mut ld = c.log_dirs().clone();
    let mut b0 = ld.of(BrokerId(0)).to_vec();
    b0[1].cordoned = true;
    ld.set_broker(BrokerId(0), b0);
    let c = Cluster::new(None, c.brokers().to_vec(), c.topics().to_vec())
        .unwrap()
        .with_log_dirs(ld)
        .unwrap();
    let req = PlanRequest {
        remove_log_dirs: BTreeMap::from([(BrokerId(0), BTreeSet::from(["/d0".to_owned()]))]),
        ..request()
    };
    let p = plan(&c, &req).unwrap();
    for e in &p.reassignment.partitions {
        let on0 = e.brokers().iter().position(|b| *b == BrokerId(0));
        if let Some(i) = on0.filter(|_| e.partition < 4) {
            assert_eq!(e.log_dirs[i], "/d2", "{e:?}");
        }
    }
    assert!(verify(&c, &req, &p.reassignment).is_ok());
    // Without the plan, the removed directory would keep its replicas: the verifier says so.
    let empty = crate::plan::Reassignment::new(Vec::new());
    let err = verify(&c, &req, &empty).unwrap_err();
    assert!(err[0].message.contains("stays in log dir /d0"), "{err:?}");
}

#[test]
fn usable_bytes_are_a_hard_constraint() {
    let parts: Vec<_> = (0..4).map(|_| (vec![0], 10 * GB, vec![0])).collect();
    // Each directory may take 5 GB more: no 10 GB replica fits anywhere else.
    let c = cluster(1, 2, Some(5 * GB), &parts);
    let req = PlanRequest {
        remove_log_dirs: BTreeMap::from([(BrokerId(0), BTreeSet::from(["/d0".to_owned()]))]),
        ..request()
    };
    let err = plan(&c, &req).unwrap_err();
    assert!(
        matches!(&err, PlanError::NoLogDirRoom { broker, why, .. } if *broker == BrokerId(0) && why.contains("/d1 has 5368709120 usable bytes left")),
        "{err}"
    );
    // Balancing alone respects it too: /d1 takes at most 5 GB, so nothing of 10 GB moves.
    let p = plan(&c, &request());
    assert!(matches!(p, Err(PlanError::NothingToPlan)) || p.unwrap().reassignment.is_empty());
}

#[test]
fn a_removed_directory_the_request_does_not_know_is_refused() {
    let req = PlanRequest {
        remove_log_dirs: BTreeMap::from([(BrokerId(0), BTreeSet::from(["/d9".to_owned()]))]),
        ..request()
    };
    let err = plan(&skewed(), &req).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--remove-log-dirs names /d9 on broker 0, which is not one of its log dirs (/d0, /d1)"
    );
}
