//! The simulator checked by clients kplan did not write: kafka-python (admin APIs) and kcat
//! (Metadata). `.ci/run` installs both; set KPLAN_PYTHON to a Python with kafka-python 3.x.
//! Without them these tests fail and say what to install (KPLAN_SKIP_EXTERNAL=1 skips them).

use std::process::Command;

use kplan_sim::{SimOptions, SimSpec, Simulator};

fn skip_external() -> bool {
    std::env::var_os("KPLAN_SKIP_EXTERNAL").is_some()
}

fn fidelity_cluster() -> SimSpec {
    let mut spec = SimSpec::with_brokers(4, 2).topic("orders", 4, 2, 1_000_000, 10_000.0);
    spec.cluster_id = "fidelity-cluster".into();
    spec.topics[0].assignment = Some(vec![vec![1, 2], vec![2, 3], vec![3, 4], vec![4, 1]]);
    spec.topics[0].message_bytes = 100;
    spec
}

fn python() -> String {
    std::env::var("KPLAN_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

#[test]
fn kafka_python_sees_kafka_behaviour() {
    if skip_external() {
        eprintln!("skipped: KPLAN_SKIP_EXTERNAL is set");
        return;
    }
    let py = python();
    let probe = Command::new(&py)
        .args(["-c", "import kafka; print(kafka.__version__)"])
        .output();
    let version = match probe {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => panic!(
            "kafka-python is not importable by {py}. Install it: python3 -m venv .venv && \
             .venv/bin/pip install kafka-python==3.0.12, then KPLAN_PYTHON=.venv/bin/python \
             (or run .ci/run, which does this)"
        ),
    };
    assert!(
        version.starts_with('3'),
        "kafka-python 3.x expected, found {version}"
    );
    let sim = Simulator::start(
        &fidelity_cluster(),
        SimOptions {
            speed: 20.0,
            base_port: 0,
        },
    )
    .unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fidelity/kafka_python_fidelity.py"
    );
    let out = Command::new(&py)
        .arg(script)
        .arg(sim.bootstrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "kafka-python fidelity failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
    eprintln!("{stdout}");
}

#[test]
fn kcat_lists_brokers_and_partitions_as_configured() {
    if skip_external() {
        eprintln!("skipped: KPLAN_SKIP_EXTERNAL is set");
        return;
    }
    let sim = Simulator::start(&fidelity_cluster(), SimOptions::default()).unwrap();
    let out = match Command::new("kcat")
        .args(["-b", &sim.bootstrap(), "-L", "-J"])
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("kcat is not installed ({e}): apt-get install kcat (or run .ci/run)"),
    };
    assert!(
        out.status.success(),
        "kcat -L failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let brokers: Vec<i64> = meta["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    assert_eq!(brokers.len(), 4, "{meta}");
    let orders = meta["topics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == "orders")
        .expect("orders listed");
    let parts = orders["partitions"].as_array().unwrap();
    assert_eq!(parts.len(), 4);
    let p0 = parts.iter().find(|p| p["partition"] == 0).unwrap();
    assert_eq!(p0["leader"], 1);
    let replicas: Vec<i64> = p0["replicas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(replicas, vec![1, 2]);
}
