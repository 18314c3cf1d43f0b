//! Least privilege: kplan's principals hold exactly the ACLs README lists; a principal missing
//! one gets an error naming the operation and the resource, before anything changes.

use super::*;

/// README's read-only ACLs (`snapshot`, `throttle show`, `verify` of a plan whose throttles
/// are gone, `status`).
const READ: [(i8, &str, i8); 5] = [
    (CLUSTER, "kafka-cluster", OP_DESCRIBE),
    (CLUSTER, "kafka-cluster", OP_DESCRIBE_CONFIGS),
    (TOPIC, "*", OP_DESCRIBE),
    (TOPIC, "*", OP_DESCRIBE_CONFIGS),
    (GROUP, "*", OP_DESCRIBE),
];

/// README's ACLs for changing the cluster (`execute`, `verify`, `throttle`, `cancel`,
/// `elect-leaders`), on top of [`READ`]. Alter implies Describe and AlterConfigs implies
/// DescribeConfigs in Kafka's authorizer; README lists both so each command's need is plain.
const WRITE: [(i8, &str, i8); 3] = [
    (CLUSTER, "kafka-cluster", OP_ALTER),
    (CLUSTER, "kafka-cluster", OP_ALTER_CONFIGS),
    (TOPIC, "*", OP_ALTER_CONFIGS),
];

/// `sets` for `principal` (e.g. `User:kplan`), minus `except` (resource type, operation).
fn acls(principal: &str, sets: &[&[(i8, &str, i8)]], except: Option<(i8, i8)>) -> Vec<Acl> {
    sets.iter()
        .flat_map(|s| s.iter())
        .filter(|(t, _, op)| except != Some((*t, *op)))
        .map(|(t, name, op)| Acl {
            principal: principal.to_owned(),
            resource_type: *t,
            resource_name: name.to_string(),
            pattern_type: LITERAL,
            operation: *op,
        })
        .collect()
}

/// Grants every principal of the tests its ACLs (through the super-user PLAINTEXT listener).
pub fn grant_all(s: &Secure) {
    let all: &[&[(i8, &str, i8)]] = &[&READ, &WRITE];
    let mut granted = Vec::new();
    for p in [
        format!("User:{SCRAM_USER}"),
        format!("User:{OAUTH_CLIENT}"),
        format!("User:CN={MTLS_CN}"),
    ] {
        granted.extend(acls(&p, all, None));
    }
    let user = |u: &str| format!("User:{u}");
    granted.extend(acls(
        &user(NO_CLUSTER_ALTER),
        all,
        Some((CLUSTER, OP_ALTER)),
    ));
    granted.extend(acls(
        &user(NO_TOPIC_ALTER_CONFIGS),
        all,
        Some((TOPIC, OP_ALTER_CONFIGS)),
    ));
    granted.extend(acls(&user(READER), &[&READ], None));
    granted.extend(acls(
        &user(NO_CLUSTER_DESCRIBE),
        &[&READ],
        Some((CLUSTER, OP_DESCRIBE)),
    ));
    let partial = user(PARTIAL_READER);
    granted.extend(acls(&partial, &[&READ], None).into_iter().map(|mut a| {
        if a.resource_type == TOPIC {
            a.resource_name = "sec-".into();
            a.pattern_type = PREFIXED;
        }
        a
    }));
    s.f.wire().create_acls(&granted);
    // Every broker applies them once its metadata caught up; a second or so.
    std::thread::sleep(std::time::Duration::from_secs(2));
}

/// Every broker's dynamic throttle configs.
pub fn broker_throttles(f: &Fixture) -> Vec<(i32, String, String)> {
    f.cluster
        .broker_ids()
        .into_iter()
        .flat_map(|b| {
            f.broker_configs(b)
                .into_iter()
                .filter(|(k, _)| k.contains("throttled"))
                .map(move |(k, v)| (b, k, v))
        })
        .collect()
}

/// Nothing of a refused run is left: no reassignment, the topic where it was and without
/// throttles, the brokers' throttles as they were (`before`).
pub fn nothing_changed(
    f: &Fixture,
    topic: &str,
    replicas: &[i32],
    before: &[(i32, String, String)],
) {
    assert!(
        f.wire().reassignments().is_empty(),
        "no reassignment started"
    );
    assert_eq!(f.wire().partitions(topic).unwrap()[0].replicas, replicas);
    assert!(
        f.wire().topic_configs(topic).is_empty(),
        "no topic throttle set: {:?}",
        f.wire().topic_configs(topic)
    );
    assert_eq!(
        broker_throttles(f),
        before,
        "the brokers' throttles changed"
    );
}

/// `execute` as `user`: refused with a message containing every one of `expect`, exit non-zero,
/// and nothing changed.
fn execute_refused(user: &str, expect: &[&str]) {
    let s = secure();
    let f = &s.f;
    let topic = format!("acl-{user}");
    super::listeners::small_topic(f, &topic);
    let plan = move_plan(f, &topic, &[2]);
    let props = s.scram_props(user, SCRAM_PASSWORD);
    let before = broker_throttles(f);
    let o = s.kplan(
        "SCRAM",
        &props,
        "execute",
        &[
            "--plan",
            path_str(&plan),
            "--throttle",
            "1MB/s",
            "--no-wait",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    eprintln!("{user}: {err}");
    assert_ne!(code(&o), 0, "{}", text(&o));
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in: {}", text(&o));
    }
    assert!(!err.contains(SCRAM_PASSWORD), "no secret: {err}");
    nothing_changed(f, &topic, &[1], &before);
}

#[test]
fn execute_without_alter_on_the_cluster_changes_nothing() {
    if enabled("execute_without_alter_on_the_cluster_changes_nothing") {
        execute_refused(
            NO_CLUSTER_ALTER,
            &[
                &format!("User:{NO_CLUSTER_ALTER} lacks"),
                "Alter on the cluster",
                "nothing was changed",
            ],
        );
    }
}

#[test]
fn execute_without_alter_configs_on_the_topic_changes_nothing() {
    if enabled("execute_without_alter_configs_on_the_topic_changes_nothing") {
        execute_refused(
            NO_TOPIC_ALTER_CONFIGS,
            &[&format!(
                "AlterConfigs on topic acl-{NO_TOPIC_ALTER_CONFIGS}"
            )],
        );
    }
}

#[test]
fn snapshot_without_describe_on_the_cluster_names_it() {
    if !enabled("snapshot_without_describe_on_the_cluster_names_it") {
        return;
    }
    let s = secure();
    let props = s.scram_props(NO_CLUSTER_DESCRIBE, SCRAM_PASSWORD);
    let out = s.f.path("no-describe.snapshot.json");
    let o = s.kplan(
        "SCRAM",
        &props,
        "snapshot",
        &["--sample", "0s", "-o", path_str(&out)],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(code(&o), 0, "{}", text(&o));
    assert!(err.contains("Describe on the cluster"), "{}", text(&o));
    assert!(!out.exists(), "no snapshot written");
}

/// The read-only ACLs are enough for `snapshot` and `throttle show`; `execute` names the two
/// cluster ACLs it lacks (and the topic one) and changes nothing.
#[test]
fn read_only_principal_snapshots_and_is_refused_execute() {
    if !enabled("read_only_principal_snapshots_and_is_refused_execute") {
        return;
    }
    {
        let s = secure();
        let props = s.scram_props(READER, SCRAM_PASSWORD);
        let out = s.f.path("reader.snapshot.json");
        let o = s.kplan(
            "SCRAM",
            &props,
            "snapshot",
            &["--sample", "0s", "-o", path_str(&out)],
        );
        assert_eq!(code(&o), 0, "{}", text(&o));
        let o = s.kplan("SCRAM", &props, "throttle show", &[]);
        assert_eq!(code(&o), 0, "{}", text(&o));
    }
    execute_refused(
        READER,
        &[
            "Alter on the cluster",
            "AlterConfigs on the cluster",
            &format!("AlterConfigs on topic acl-{READER}"),
        ],
    );
}

/// Kafka hides topics a principal may not describe instead of refusing; the brokers' log dirs
/// still list their replicas, so `snapshot` names them (an error with `--strict`), and
/// `--topics` leaves them out on purpose.
#[test]
fn snapshot_names_topics_hidden_from_the_principal() {
    if !enabled("snapshot_names_topics_hidden_from_the_principal") {
        return;
    }
    let s = secure();
    let f = &s.f;
    super::listeners::small_topic(f, "hidden-from-reader");
    f.create_topic("sec-visible", &[vec![0]], &[]);
    let props = s.scram_props(PARTIAL_READER, SCRAM_PASSWORD);
    let out = f.path("partial.snapshot.json");
    let o = s.kplan(
        "SCRAM",
        &props,
        "snapshot",
        &["--sample", "0s", "-o", path_str(&out)],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("lacks Describe on topic") && err.contains("hidden-from-reader"),
        "{}",
        text(&o)
    );
    let o = s.kplan(
        "SCRAM",
        &props,
        "snapshot",
        &["--sample", "0s", "--strict", "-o", path_str(&out)],
    );
    assert_ne!(code(&o), 0, "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("hidden-from-reader"),
        "{}",
        text(&o)
    );
    let o = s.kplan(
        "SCRAM",
        &props,
        "snapshot",
        &[
            "--sample",
            "0s",
            "--strict",
            "--topics",
            "^sec-",
            "-o",
            path_str(&out),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("lacks"),
        "{}",
        text(&o)
    );
}

/// `throttle set --plan` checks first too: without AlterConfigs on the topic it would set the
/// brokers' rates and then fail on the topic's throttled replicas.
#[test]
fn throttle_set_without_alter_configs_on_the_topic_changes_nothing() {
    if !enabled("throttle_set_without_alter_configs_on_the_topic_changes_nothing") {
        return;
    }
    let s = secure();
    let f = &s.f;
    let topic = "acl-throttle-set";
    super::listeners::small_topic(f, topic);
    let plan = move_plan(f, topic, &[2]);
    let props = s.scram_props(NO_TOPIC_ALTER_CONFIGS, SCRAM_PASSWORD);
    let before = broker_throttles(f);
    let o = s.kplan(
        "SCRAM",
        &props,
        "throttle set",
        &["--rate", "1MB/s", "--plan", path_str(&plan)],
    );
    assert_ne!(code(&o), 0, "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("AlterConfigs on topic {topic}"))
            && err.contains("nothing was changed"),
        "{}",
        text(&o)
    );
    nothing_changed(f, topic, &[1], &before);
}
