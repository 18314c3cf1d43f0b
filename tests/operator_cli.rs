//! The operator's day-one conveniences through the binary: Kafka's own `--generate` inputs,
//! shell completions, man pages, and errors that say a thing once.

mod common;

use common::{fixture, kplan};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Kafka's documented example, `--topics-to-move-json-file` with `--broker-list 5,6`, plans the
/// same as kplan's own `--topics 'foo1|foo2' --brokers 5,6`.
#[test]
fn topics_to_move_file_and_broker_list_as_kafkas_tool_takes_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("topics-to-move.json");
    std::fs::write(
        &file,
        r#"{"topics": [{"topic": "foo1"}, {"topic": "foo2"}], "version": 1}"#,
    )
    .unwrap();
    let from_file = kplan(&[
        "generate",
        "--snapshot",
        &fixture("move-topics.json"),
        "--topics-to-move-json-file",
        file.to_str().unwrap(),
        "--broker-list",
        "5,6",
    ]);
    assert!(from_file.status.success(), "{}", stderr(&from_file));
    let from_flags = kplan(&[
        "generate",
        "--snapshot",
        &fixture("move-topics.json"),
        "--topics",
        "foo1|foo2",
        "--brokers",
        "5,6",
    ]);
    assert!(from_flags.status.success(), "{}", stderr(&from_flags));
    assert_eq!(from_file.stdout, from_flags.stdout);
    let plan: serde_json::Value = serde_json::from_slice(&from_file.stdout).unwrap();
    let entries = plan["partitions"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        assert!(
            ["foo1", "foo2"].contains(&e["topic"].as_str().unwrap()),
            "{e}"
        );
    }
}

#[test]
fn topics_to_move_file_refused_as_kafkas_tool_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = |text: &str, brokers: &str| {
        let file = dir.path().join("move.json");
        std::fs::write(&file, text).unwrap();
        kplan(&[
            "generate",
            "--snapshot",
            &fixture("move-topics.json"),
            "--topics-to-move-json-file",
            file.to_str().unwrap(),
            "--broker-list",
            brokers,
        ])
    };
    let out = run(
        r#"{"version":1,"topics":[{"topic":"foo1"},{"topic":"foo1"}]}"#,
        "5,6",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "move.json: at topics: List of topics to reassign contains duplicate entries: foo1"
        ),
        "{}",
        stderr(&out)
    );
    let out = run(r#"{"version":1,"topics":[{"topic":"quux"}]}"#, "5,6");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("move.json: at topics[0].topic: Topic quux not found"),
        "{}",
        stderr(&out)
    );
    let out = run(r#"{"version":1,"topics":[{"topic":"foo1"}]}"#, "5,6,5");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad flag value is a usage error"
    );
    assert!(
        stderr(&out).contains("Broker list contains duplicate entries: 5"),
        "{}",
        stderr(&out)
    );
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("move-topics.json"),
        "--topics-to-move-json-file",
        "move.json",
        "--topics",
        "foo.*",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the file and --topics exclude each other"
    );
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_kplan()"),
        ("zsh", "#compdef kplan"),
        ("fish", "complete -c kplan"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion"),
    ] {
        let out = kplan(&["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}");
        assert!(script.contains("decommission"), "{shell}: generate's flags");
        assert!(
            script.contains("elect-leaders"),
            "{shell}: every subcommand"
        );
    }
    // The bash script is valid bash.
    let out = kplan(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kplan.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn man_pages_for_kplan_and_each_subcommand() {
    let out = kplan(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH kplan 1"), "{page}");
    assert!(page.contains("generate"), "subcommands are listed");
    let out = kplan(&["man", "execute"]);
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH kplan-execute 1"), "{page}");
    assert!(page.contains("throttle"), "its flags are documented");
    assert!(page.contains("130"), "its exit codes too");
    let out = kplan(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no subcommand 'nope'"));
}

/// A missing file is reported once, with the file's name: not the OS error twice.
#[test]
fn a_missing_input_file_is_named_once() {
    let out = kplan(&["generate", "--snapshot", "/nonexistent/cluster.json"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("/nonexistent/cluster.json"), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    let out = kplan(&[
        "execute",
        "--plan",
        "/nonexistent/plan.json",
        "--dry-run",
        "--snapshot",
        &fixture("add-broker.json"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("/nonexistent/plan.json"), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

/// README: "`--dry-run` prints every config change and wave; with `--snapshot FILE` it needs no
/// cluster". Without --snapshot, --bootstrap-server stays required.
#[test]
fn execute_dry_run_against_a_snapshot_needs_no_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "-o",
        plan.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kplan"))
            .args(args)
            .env_remove("KPLAN_BOOTSTRAP_SERVER")
            .env_remove("KPLAN_COMMAND_CONFIG")
            .output()
            .unwrap()
    };
    let snapshot = fixture("add-broker.json");
    let out = run(&[
        "execute",
        "--plan",
        plan.to_str().unwrap(),
        "--dry-run",
        "--snapshot",
        &snapshot,
        "--throttle",
        "50MB/s",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("dry run: nothing is changed"), "{err}");
    assert!(err.contains("follower.replication.throttled.rate"), "{err}");
    let out = run(&["execute", "--plan", plan.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--bootstrap-server"),
        "{}",
        stderr(&out)
    );
}

/// `--replace OLD:NEW`: exactly OLD's replicas go to NEW, in the same position; refused with
/// the reason when NEW already holds a partition, is unknown, or would break rack spread.
#[test]
fn replace_swaps_one_broker_for_another_in_place() {
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "--replace",
        "2:3",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lists: Vec<(String, i64, Vec<i64>)> = plan["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let replicas = e["replicas"].as_array().unwrap();
            (
                e["topic"].as_str().unwrap().to_owned(),
                e["partition"].as_i64().unwrap(),
                replicas.iter().map(|b| b.as_i64().unwrap()).collect(),
            )
        })
        .collect();
    let expect = |t: &str, p: i64, r: &[i64]| (t.to_owned(), p, r.to_vec());
    assert_eq!(
        lists,
        vec![
            expect("T0", 1, &[1, 3]),
            expect("T0", 2, &[3, 0]),
            expect("T0", 3, &[0, 3]),
            expect("T1", 1, &[1, 3]),
            expect("T1", 2, &[3, 0]),
        ]
    );
    assert!(stderr(&out).contains("--replace moves exactly the replicas of broker(s) 2"));

    let refused = |replace: &str, extra: &[&str], expected: &str| {
        let snapshot = fixture("add-broker.json");
        let mut args = vec!["generate", "--snapshot", &snapshot, "--replace", replace];
        args.extend_from_slice(extra);
        let out = kplan(&args);
        assert_eq!(out.status.code(), Some(1), "{replace}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(expected),
            "{replace}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    };
    refused(
        "0:1",
        &[],
        "--replace 0:1: broker 1 already holds a replica of 3 partition(s) of broker 0 (T0-0, T0-4, T1-0)",
    );
    refused("2:9", &[], "--replace 2:9: broker 9 is not in the snapshot");
    refused(
        "0:3",
        &[],
        "partition(s) would span fewer racks than they must (T0-2 spans 1, needs 2",
    );
    let other_rack = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "--replace",
        "0:3",
        "--disable-rack-aware",
    ]);
    assert!(other_rack.status.success(), "{}", stderr(&other_rack));
    let with_decommission = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "--replace",
        "2:3",
        "--decommission",
        "1",
    ]);
    assert_eq!(with_decommission.status.code(), Some(2));
}

/// `kplan describe`: the cluster as it is, in tables and in JSON, without a plan.
#[test]
fn describe_reports_load_health_and_goals_without_planning() {
    let table = kplan(&["describe", "--snapshot", &fixture("add-broker.json")]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = String::from_utf8_lossy(&table.stdout);
    for expected in [
        "under-replicated",
        "rack violations",
        " NO ",
        "≥\u{a0}1.077",
        "proven limit 1.077",
    ] {
        assert!(text.contains(expected), "{expected} missing in\n{text}");
    }
    let json = kplan(&[
        "describe",
        "--snapshot",
        &fixture("add-broker.json"),
        "--output",
        "json",
    ]);
    assert!(json.status.success(), "{}", stderr(&json));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["partitions"], 8);
    assert_eq!(v["replicas"], 16);
    assert_eq!(v["brokers"].as_array().unwrap().len(), 4);
    assert_eq!(v["brokers"][3]["replicas"], 0);
    assert_eq!(v["rack_violations"].as_array().unwrap().len(), 0);
    let goals = v["goals"].as_array().unwrap();
    let replicas = goals
        .iter()
        .find(|g| g["goal"]["balance"] == "replicas")
        .unwrap();
    // Broker 3 is empty: the replica goal is not met today, and a plan can meet it.
    assert_eq!(replicas["status"], "unmet");
    assert_eq!(replicas["bound"], 1.0);
}

/// `generate`'s spinner (stage and cost) draws on a terminal only: a pipe gets tables alone.
#[test]
fn planning_spinner_on_a_terminal_only() {
    let piped = kplan(&["generate", "--snapshot", &fixture("add-broker.json")]);
    assert!(piped.status.success());
    assert!(!stderr(&piped).contains("planning"), "{}", stderr(&piped));
    // util-linux `script` gives the command a pseudo-terminal.
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        assert!(std::env::var_os("CI").is_none(), "CI has util-linux script");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let command = format!(
        "{} generate --snapshot {} -o {}",
        env!("CARGO_BIN_EXE_kplan"),
        fixture("add-broker.json"),
        dir.path().join("plan.json").display()
    );
    let tty = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    assert!(tty.status.success(), "{}", stderr(&tty));
    let screen = String::from_utf8_lossy(&tty.stdout);
    assert!(screen.contains("planning"), "{screen}");
    assert!(screen.contains("every eligible broker in band"), "{screen}");
}
