//! How long `kplan snapshot` takes on a large cluster (the simulator stands in for Kafka).
//!
//!     cargo run --release --example bench_snapshot -- [BROKERS] [PARTITIONS]
//!
//! Defaults: 100 brokers, 100,000 partitions (1,000 topics × 100, RF 3). Sampling is set to 0 s, so
//! the time is what snapshot adds on top of `--sample`.

use std::time::Instant;

use comfy_table::Table;
use kplan::kafka::{capture, settings_from, CaptureOptions, KrafkaAdmin, TrafficInput};
use kplan_sim::{SimOptions, SimSpec, Simulator};

fn main() -> anyhow::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let brokers = args.first().copied().unwrap_or(100);
    let partitions = args.get(1).copied().unwrap_or(100_000);
    let topics = (partitions / 100).max(1);
    let mut spec = SimSpec::with_brokers(brokers, 4);
    for t in 0..topics {
        spec = spec.topic(
            &format!("topic-{t:04}"),
            (partitions / topics) as u32,
            3,
            1 << 30,
            10_000.0,
        );
    }
    let started = Instant::now();
    let sim = Simulator::start(
        &spec,
        SimOptions {
            speed: 1.0,
            base_port: 0,
        },
    )?;
    let start_s = started.elapsed().as_secs_f64();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let settings = settings_from(&sim.bootstrap(), None, &mut |_| {})?;
    let mut stages: Vec<(String, f64)> = Vec::new();
    let t0 = Instant::now();
    let file = rt.block_on(async {
        let admin = KrafkaAdmin::connect(&settings).await?;
        let options = CaptureOptions {
            topics: None,
            traffic: TrafficInput::Sample(std::time::Duration::ZERO),
            capacity: Default::default(),
            strict: false,
        };
        let mut last = Instant::now();
        let mut current = String::from("connect");
        let mut on_event = |e: kplan::kafka::CaptureEvent| {
            if let kplan::kafka::CaptureEvent::Stage(s) = e {
                stages.push((
                    std::mem::replace(&mut current, s.to_owned()),
                    last.elapsed().as_secs_f64(),
                ));
                last = Instant::now();
            }
        };
        let file = capture(&admin, &options, &mut on_event).await?;
        stages.push((current, last.elapsed().as_secs_f64()));
        anyhow::Ok(file)
    })?;
    let total = t0.elapsed().as_secs_f64();
    let json = serde_json::to_string(&file)?;
    let mut t = Table::new();
    t.set_header(vec!["stage", "seconds"]);
    for (s, secs) in &stages {
        t.add_row(vec![s.clone(), format!("{secs:.2}")]);
    }
    t.add_row(vec!["total snapshot".to_owned(), format!("{total:.2}")]);
    println!(
        "{brokers} brokers, {} partitions, simulator start {start_s:.1} s, snapshot file {:.1} MB",
        file.topics
            .iter()
            .map(|t| t.partitions.len())
            .sum::<usize>(),
        json.len() as f64 / 1e6
    );
    println!("{t}");
    Ok(())
}
