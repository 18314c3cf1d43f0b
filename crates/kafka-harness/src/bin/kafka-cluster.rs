//! `tests/kafka/cluster start|stop|status|fetch`: a real Kafka cluster for a person, the same one
//! the integration tests start (node 0 broker and controller, brokers 1..=N, racks rack-a/rack-b,
//! two log dirs each). It keeps running after `start` returns, until `stop`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use kafka_harness::{ClusterSpec, KafkaJars, ProcessGroup, RealCluster};

const USAGE: &str = "usage: tests/kafka/cluster start [--brokers N] [--dir DIR] | stop [--dir DIR] | status [--dir DIR] | fetch

  start   format and start node 0 (broker+controller) and N broker-only nodes (default 4) on
          127.0.0.1 with free ports; prints the bootstrap servers once every broker answers
  stop    kill every process of the cluster and remove its data
  status  print the bootstrap servers of the running cluster
  fetch   copy Kafka's jars (tests/kafka/pom.xml) into the cache, /var/tmp/kplan-kafka-jars

DIR defaults to /var/tmp/kplan-kafka-cluster.";

struct Args {
    command: String,
    dir: PathBuf,
    brokers: i32,
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or("no command")?;
    let mut args = Args {
        command,
        dir: PathBuf::from("/var/tmp/kplan-kafka-cluster"),
        brokers: 4,
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dir" => args.dir = it.next().ok_or("--dir needs a directory")?.into(),
            "--brokers" => {
                args.brokers = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n >= 1)
                    .ok_or("--brokers needs a number ≥ 1")?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// The file `start` leaves in the directory: the group to stop and the bootstrap servers.
fn state_file(dir: &std::path::Path) -> PathBuf {
    dir.join("cluster.env")
}

fn read_state(dir: &std::path::Path) -> Option<(u32, String)> {
    let text = std::fs::read_to_string(state_file(dir)).ok()?;
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
            .map(str::to_owned)
    };
    Some((get("PGID")?.parse().ok()?, get("BOOTSTRAP")?))
}

fn run(args: Args) -> Result<(), String> {
    match args.command.as_str() {
        "fetch" => {
            let jars = KafkaJars::ensure().map_err(|e| e.to_string())?;
            println!("Kafka {} in {}", jars.version, jars.dir.display());
        }
        "start" => {
            if let Some((_, bootstrap)) = read_state(&args.dir) {
                return Err(format!(
                    "a cluster already runs from {} (bootstrap {bootstrap}); stop it first",
                    args.dir.display()
                ));
            }
            let group = ProcessGroup::watching(0, Some(&args.dir)).map_err(|e| e.to_string())?;
            let cluster =
                RealCluster::start_in(&ClusterSpec::kraft(args.brokers), args.dir.clone(), group)
                    .map_err(|e| e.to_string())?;
            let bootstrap = cluster.bootstrap();
            let racks = "rack-a: even ids, rack-b: odd ids";
            let pgid = cluster.detach();
            std::fs::write(
                state_file(&args.dir),
                format!("PGID={pgid}\nBOOTSTRAP={bootstrap}\n"),
            )
            .map_err(|e| e.to_string())?;
            eprintln!(
                "Kafka cluster running from {} ({} brokers; {racks}; logs in node-*/server.log)",
                args.dir.display(),
                args.brokers + 1
            );
            println!("{bootstrap}");
        }
        "status" => match read_state(&args.dir) {
            Some((_, bootstrap)) => println!("{bootstrap}"),
            None => return Err(format!("no cluster runs from {}", args.dir.display())),
        },
        "stop" => {
            let (pgid, _) = read_state(&args.dir)
                .ok_or_else(|| format!("no cluster runs from {}", args.dir.display()))?;
            ProcessGroup::terminate(pgid);
            // The watchdog removes the directory once every process is gone.
            let until = Instant::now() + Duration::from_secs(30);
            while args.dir.exists() && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(200));
            }
            if args.dir.exists() {
                return Err(format!("{} is still there after 30 s", args.dir.display()));
            }
            eprintln!("stopped");
        }
        other => return Err(format!("unknown command {other}")),
    }
    Ok(())
}

fn main() -> ExitCode {
    match parse().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}
