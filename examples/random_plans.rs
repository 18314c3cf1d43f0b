//! Random clusters at volume (issue 14): plans N seeded random small and medium clusters across
//! the scenario families and checks every plan with the independent verifier.
//!
//!     cargo run --release --example random_plans                     # 10,000 seeds from 0
//!     cargo run --release --example random_plans -- --count 500 --from 7000
//!     cargo run --release --example random_plans -- --seed 1234      # one case, described
//!
//! Every tenth seed is a medium cluster (10–30 brokers, up to 400 partitions). Prints a table per
//! family; exits 1 when any plan is invalid or the planner panicked, listing the seeds.

#[path = "../tests/support/random_cluster.rs"]
mod random_cluster;

use std::collections::BTreeMap;
use std::time::Instant;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use random_cluster::{case, run, Family, Outcome};

#[derive(Default)]
struct Tally {
    cases: usize,
    valid: usize,
    empty: usize,
    refused: BTreeMap<&'static str, usize>,
    failed: Vec<String>,
    millis: u128,
}

fn arg(args: &[String], name: &str) -> Option<u64> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number"))
        })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(seed) = arg(&args, "--seed") {
        let c = case(seed, seed % 10 == 9);
        println!("{c}");
        println!("{:?}", run(&c));
        return;
    }
    let count = arg(&args, "--count").unwrap_or(10_000);
    let from = arg(&args, "--from").unwrap_or(0);
    let mut tallies: BTreeMap<Family, Tally> = BTreeMap::new();
    let started = Instant::now();
    for seed in from..from + count {
        let c = case(seed, seed % 10 == 9);
        let t0 = Instant::now();
        let outcome = run(&c);
        let tally = tallies.entry(c.family).or_default();
        tally.cases += 1;
        tally.millis += t0.elapsed().as_millis();
        match outcome {
            Outcome::Valid { moves } => {
                tally.valid += 1;
                tally.empty += usize::from(moves == 0);
            }
            Outcome::Refused(kind, _) => *tally.refused.entry(kind).or_default() += 1,
            Outcome::Invalid(why) | Outcome::Panicked(why) => {
                eprintln!("FAILED {c}\n  {why}");
                tally.failed.push(format!("{seed}"));
            }
        }
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "family",
        "cases",
        "valid plans",
        "of which empty",
        "refused (why)",
        "invalid or panic",
        "mean ms",
    ]);
    let mut failed = Vec::new();
    for (family, t) in &tallies {
        table.add_row(vec![
            format!("{family:?}"),
            t.cases.to_string(),
            t.valid.to_string(),
            t.empty.to_string(),
            t.refused
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join("\n"),
            t.failed.len().to_string(),
            format!("{:.0}", t.millis as f64 / t.cases.max(1) as f64),
        ]);
        failed.extend(t.failed.iter().cloned());
    }
    println!("{table}");
    println!(
        "{count} cases (seeds {from}..{}) in {:.0} s: {} invalid plans or panics",
        from + count,
        started.elapsed().as_secs_f64(),
        failed.len()
    );
    if !failed.is_empty() {
        println!("failing seeds: {}", failed.join(" "));
        std::process::exit(1);
    }
}
