//! 2, 3 and 5: the runbook with throttles compared to Kafka's tool, Kafka's tool as referee, a
//! replication-factor change and leader election.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::real_kafka_support::*;
use crate::*;

/// (2, 3) The runbook: generate fills the new broker 4; verify exits 3 before, 2 during, 0
/// after; the throttles during the move are exactly those Kafka's own `--execute --throttle` sets
/// for the same plan (on a twin topic); the operator's own rate comes back; nothing of kplan's is
/// left; Kafka's `--verify` calls the kplan-executed plan complete.
#[test]
fn runbook_throttles_match_kafkas_tool_and_are_restored() {
    if !enabled("runbook_throttles_match_kafkas_tool_and_are_restored") {
        return;
    }
    let f = shared();
    let assignment = vec![vec![0, 1], vec![1, 2], vec![2, 3], vec![3, 0]];
    // 5 MB per partition: at 1 MB/s a move stays in progress for seconds after the first fetch.
    filled_topic(&f, "rb", &assignment, 5000);
    filled_topic(&f, "rb-twin", &assignment, 300);
    let plan = plan_for(&f, "rb", &[]);
    let moves = plan_partitions(&plan);
    assert!(
        moves.iter().any(|(_, _, r)| r.contains(&4)),
        "broker 4 fills: {moves:?}"
    );

    // Kafka's tool on the twin topic: the throttles it sets, then its --verify clears them.
    let twin = f.path("rb-twin.plan.json");
    twin_plan(&plan, "rb-twin", &twin);
    let o = f.kafka_reassign(&[
        "--execute",
        "--reassignment-json-file",
        path_str(&twin),
        "--throttle",
        "1000000",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let kafka_topic = throttles(&f.wire().topic_configs("rb-twin"));
    let kafka_brokers = broker_throttles(&f);
    f.wait_no_reassignment(Duration::from_secs(120));
    let o = f.kafka_reassign(&["--verify", "--reassignment-json-file", path_str(&twin)]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        broker_throttles(&f).is_empty(),
        "Kafka's --verify cleared its rates"
    );

    // The operator's own rate, set before kplan runs, on a broker of a moving partition (whatever
    // the planner chose), where both tools set their rates during the move.
    let operator = moves
        .iter()
        .find_map(|(_, p, target)| {
            let current = &assignment[*p as usize];
            (target != current).then(|| current[0])
        })
        .expect("a partition moves");
    f.alter_broker(
        operator,
        &[("leader.replication.throttled.rate", Some("12345678"))],
    );

    assert_eq!(
        code(&kplan_at(&f, "verify", &plan, &[])),
        3,
        "before: not started"
    );
    let o = execute_no_wait(&f, &plan, "1MB/s");
    assert_eq!(code(&o), 0, "{}", text(&o));
    let mut guard = 0;
    while f.wire().reassignments().is_empty() && !execution_finished(&plan) {
        // A first wave of leader-only changes completes at once; submit the data wave.
        guard += 1;
        assert!(guard < 10, "no data wave in flight");
        assert_eq!(code(&execute_no_wait(&f, &plan, "1MB/s")), 0);
    }
    let kplan_topic = throttles(&f.wire().topic_configs("rb"));
    let kplan_brokers = broker_throttles(&f);
    let o = kplan_at(&f, "verify", &plan, &[]);
    assert_eq!(code(&o), 2, "during: {}", text(&o));

    assert_eq!(
        kplan_topic, kafka_topic,
        "topic throttled-replica lists: kplan vs kafka-reassign-partitions"
    );
    assert_eq!(
        kplan_brokers, kafka_brokers,
        "broker throttle rates: kplan vs kafka-reassign-partitions"
    );

    execute_to_completion(&f, &plan, "1MB/s");
    let o = kplan_at(&f, "verify", &plan, &[]);
    assert_eq!(code(&o), 0, "after: {}", text(&o));
    kafka_says_complete(&f, &plan);
    for (t, p, replicas) in &moves {
        let now = f.wire().partitions(t).unwrap()[*p as usize].clone();
        assert_eq!(&now.replicas, replicas, "{t}-{p}");
        assert_eq!(
            now.leader, replicas[0],
            "{t}-{p}: the preferred leader leads"
        );
    }
    let left = broker_throttles(&f);
    f.alter_broker(operator, &[("leader.replication.throttled.rate", None)]);
    assert_eq!(
        left,
        BTreeMap::from([(
            operator,
            BTreeMap::from([(
                "leader.replication.throttled.rate".to_owned(),
                "12345678".to_owned()
            )])
        )]),
        "only the operator's own rate is left, exactly"
    );
    assert!(throttles(&f.wire().topic_configs("rb")).is_empty());
}

/// (3) Kafka's tool executes a plan `kplan generate` wrote, and `kplan verify` follows it: in
/// progress under Kafka's throttle, then done; without kplan's ledger it removes only this plan's
/// throttled-replica entries and leaves the rates (Kafka's) alone.
#[test]
fn kafka_executes_a_kplan_plan_and_kplan_verify_follows() {
    if !enabled("kafka_executes_a_kplan_plan_and_kplan_verify_follows") {
        return;
    }
    let f = shared();
    filled_topic(
        &f,
        "ref",
        &[vec![0, 1], vec![1, 2], vec![2, 3], vec![3, 0]],
        2000,
    );
    let plan = plan_for(&f, "ref", &[]);
    let o = f.kafka_reassign(&[
        "--execute",
        "--reassignment-json-file",
        path_str(&plan),
        "--throttle",
        "500000",
    ]);
    assert_eq!(
        code(&o),
        0,
        "Kafka's tool takes kplan's plan file: {}",
        text(&o)
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Successfully started partition reassignment"),
        "{}",
        text(&o)
    );
    let o = kplan_at(&f, "verify", &plan, &[]);
    assert_eq!(
        code(&o),
        2,
        "in progress under Kafka's throttle: {}",
        text(&o)
    );
    let o = kplan_at(
        &f,
        "verify",
        &plan,
        &["--wait", "--poll-interval", "500ms", "--timeout", "120s"],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        throttles(&f.wire().topic_configs("ref")).is_empty(),
        "this plan's lists are removed"
    );
    assert!(
        !broker_throttles(&f).is_empty(),
        "Kafka's rates are not kplan's to delete"
    );
    let o = f.kafka_reassign(&["--verify", "--reassignment-json-file", path_str(&plan)]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(broker_throttles(&f).is_empty());
}

/// (5) A replication-factor change through reassignment (KIP-860: Kafka 4.1 refuses it only when
/// the client says so), and `elect-leaders` after a reorder that moved no leader by itself.
#[test]
fn replication_factor_change_and_elect_leaders() {
    if !enabled("replication_factor_change_and_elect_leaders") {
        return;
    }
    let f = shared();
    filled_topic(&f, "rfc", &[vec![0, 1], vec![2, 3]], 200);
    let plan = plan_for(&f, "rfc", &["--replication-factor", "rfc=3"]);
    execute_to_completion(&f, &plan, "10MB/s");
    assert_eq!(code(&kplan_at(&f, "verify", &plan, &[])), 0);
    for p in f.wire().partitions("rfc").unwrap() {
        assert_eq!(p.replicas.len(), 3, "{p:?}");
        assert_eq!(p.isr.len(), 3, "{p:?}");
    }
    kafka_says_complete(&f, &plan);

    // A reorder with --no-elect-leaders: Kafka leaves leadership where it was.
    filled_topic(&f, "el", &[vec![0, 1], vec![1, 2], vec![2, 3]], 50);
    let reorder = f.path("el.plan.json");
    std::fs::write(
        &reorder,
        r#"{"version":1,"partitions":[{"topic":"el","partition":0,"replicas":[1,0]},{"topic":"el","partition":1,"replicas":[2,1]}]}"#,
    )
    .unwrap();
    let o = kplan_at(
        &f,
        "execute",
        &reorder,
        &["--wait", "--no-elect-leaders", "--poll-interval", "200ms"],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let leaders = |f: &Fixture| {
        f.wire()
            .partitions("el")
            .unwrap()
            .iter()
            .map(|p| p.leader)
            .collect::<Vec<_>>()
    };
    f.wait_until("the reorder completes", Duration::from_secs(30), || {
        f.wire().partitions("el").unwrap()[0].replicas == vec![1, 0]
    });
    assert_eq!(
        leaders(&f),
        vec![0, 1, 2],
        "a reorder alone moves no leader"
    );
    let o = kplan_at(&f, "elect-leaders", &reorder, &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(leaders(&f), vec![1, 2, 2], "the preferred leaders lead");
    // Again: nothing to elect is not an error (ELECTION_NOT_NEEDED).
    let o = kplan_at(&f, "elect-leaders", &reorder, &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    // Kafka's election file, for a partition already led by its preferred replica.
    let file = f.path("el.election.json");
    std::fs::write(&file, r#"{"partitions":[{"topic":"el","partition":2}]}"#).unwrap();
    let bs = f.bs();
    let o = crate::kplan(&[
        "elect-leaders",
        "--bootstrap-server",
        &bs,
        "--path-to-json-file",
        path_str(&file),
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(broker_throttles(&f).is_empty());
}
