//! `kplan sandbox`: runs the simulated cluster until Ctrl-C.

use std::io::Write;

use anyhow::Context;

use crate::cli::SandboxArgs;
use kplan::files::{read_snapshot, write_atomic};
use kplan_sim::{SaslSpec, SimBrokerSpec, SimOptions, SimSpec, Simulator};

const GIB: u64 = 1 << 30;
const MIB: f64 = 1024.0 * 1024.0;

/// The cluster the arguments describe.
pub fn spec(args: &SandboxArgs) -> anyhow::Result<SimSpec> {
    let mut spec = if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        SimSpec::parse(path, &text)?
    } else if let Some(path) = &args.from_snapshot {
        SimSpec::from_cluster(&read_snapshot(path)?)
    } else {
        let mut spec = SimSpec::with_brokers(args.brokers, args.racks);
        if args.topics.is_empty() {
            spec = spec
                .topic("orders", 12, 3, 2 * GIB, 1.0 * MIB)
                .topic("payments", 6, 3, GIB, 0.5 * MIB)
                .topic("clicks", 24, 2, 4 * GIB, 2.0 * MIB)
                .topic("audit-log", 3, 3, 8 * GIB, 0.1 * MIB);
            spec.topics[0].consumer_groups = 3;
            spec.topics[2].consumer_groups = 2;
        }
        for t in &args.topics {
            spec = spec.topic(
                &t.name,
                t.partitions,
                t.replication_factor,
                t.size_bytes,
                t.bytes_in_per_sec,
            );
        }
        spec
    };
    let next_id = spec.brokers.iter().map(|b| b.id).max().unwrap_or(0) + 1;
    for i in 0..args.empty_brokers {
        spec.brokers.push(SimBrokerSpec {
            id: next_id + i as i32,
            rack: spec
                .brokers
                .get(i % spec.brokers.len().max(1))
                .and_then(|b| b.rack.clone()),
            disk_bytes: None,
            log_dirs: Vec::new(),
        });
    }
    spec.version = args.kafka_version;
    if let Some(rate) = args.line_rate {
        spec.line_rate = rate as f64;
    }
    if !args.sasl_users.is_empty() {
        spec.sasl = Some(SaslSpec {
            users: args.sasl_users.iter().cloned().collect(),
        });
    }
    Ok(spec)
}

pub fn run(args: &SandboxArgs) -> anyhow::Result<()> {
    let spec = spec(args)?;
    let sim = Simulator::start(
        &spec,
        SimOptions {
            speed: args.speed,
            base_port: args.port,
        },
    )?;
    let bootstrap = sim.bootstrap();
    if let Some(path) = &args.bootstrap_file {
        write_atomic(path, format!("{bootstrap}\n").as_bytes())?;
    }
    if let Some(path) = &args.traffic_file {
        write_atomic(path, traffic_csv(&sim).as_bytes())?;
    }
    let partitions: usize = sim.with_state(|s| s.topics.values().map(|t| t.partitions.len()).sum());
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "kplan sandbox: a SIMULATED Kafka cluster (not Apache Kafka), imitating Kafka {}",
        spec.version.label()
    )?;
    writeln!(
        out,
        "  {} brokers, {} topics, {partitions} partitions, cluster id {}, time runs {}× real time",
        spec.brokers.len(),
        spec.topics.len(),
        spec.cluster_id,
        args.speed
    )?;
    if args.speed != 1.0 {
        writeln!(
            out,
            "  traffic sampled against it (kplan snapshot --sample, kplan execute's check) comes out {}× the configured rates: sampling reads the wall clock{}",
            args.speed,
            match &args.traffic_file {
                Some(p) => format!(
                    "; import the real ones with kplan snapshot --traffic {}, kplan execute --traffic-from SNAPSHOT",
                    p.display()
                ),
                None => "; --traffic-file FILE writes the real ones".to_owned(),
            }
        )?;
    }
    writeln!(out, "  bootstrap servers (PLAINTEXT):      {bootstrap}")?;
    if let Some(sasl) = sim.sasl_bootstrap() {
        writeln!(
            out,
            "  bootstrap servers (SASL_PLAINTEXT): {sasl}  (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)"
        )?;
    }
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()?;
    drop(out);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start a runtime to wait for Ctrl-C")?;
    rt.block_on(tokio::signal::ctrl_c())
        .context("cannot wait for Ctrl-C")?;
    sim.stop();
    eprintln!("kplan sandbox: stopped");
    Ok(())
}

/// Each topic's configured produce rate, as `kplan snapshot --traffic` reads it.
fn traffic_csv(sim: &Simulator) -> String {
    sim.with_state(|s| {
        let mut csv = String::from("topic,bytes_in_per_sec\n");
        for (name, t) in &s.topics {
            let rate: f64 = t.partitions.iter().map(|p| p.bytes_in_per_sec).sum();
            csv.push_str(&format!("{name},{rate}\n"));
        }
        csv
    })
}
