//! Random clusters at volume (issue 14): plans N seeded random small and medium clusters across
//! the scenario families and checks every plan with the independent verifier.
//!
//!     cargo run --release --example random_plans                     # 10,000 seeds from 0
//!     cargo run --release --example random_plans -- --count 500 --from 7000
//!     cargo run --release --example random_plans -- --out random.txt # the table in a file too
//!     cargo run --release --example random_plans -- --seed 1234      # one case, described
//!
//! Every tenth seed is a medium cluster (10–30 brokers, up to 400 partitions). Seeds run in order,
//! one at a time. Every 500 seeds a progress line goes to stderr and, with `--out FILE`, the table
//! so far is written to FILE atomically (marked partial), so a run cut short keeps what it
//! measured; at the end FILE holds the final table. Prints a table per family; exits 1 when any
//! plan is invalid, the planner reported an internal error or panicked, listing the seeds.

#[path = "../tests/support/random_cluster.rs"]
mod random_cluster;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use kplan::files::write_atomic;
use random_cluster::{case, run, Family, Outcome};

/// Seeds between two progress lines (and two writes of `--out`).
const PROGRESS_EVERY: u64 = 500;

#[derive(Default)]
struct Tally {
    cases: usize,
    valid: usize,
    empty: usize,
    /// Valid plans a stage's `--time-limit` safety net cut short.
    time_limited: usize,
    refused: BTreeMap<&'static str, usize>,
    invalid: Vec<u64>,
    internal: Vec<u64>,
    millis: u128,
    max_millis: u128,
}

impl Tally {
    fn add(&mut self, seed: u64, outcome: &Outcome, millis: u128) {
        self.cases += 1;
        self.millis += millis;
        self.max_millis = self.max_millis.max(millis);
        match outcome {
            Outcome::Valid {
                moves,
                time_limited,
            } => {
                self.valid += 1;
                self.empty += usize::from(*moves == 0);
                self.time_limited += usize::from(*time_limited);
            }
            Outcome::Refused(kind, _) => *self.refused.entry(kind).or_default() += 1,
            Outcome::Invalid(_) => self.invalid.push(seed),
            Outcome::Internal(_) | Outcome::Panicked(_) => self.internal.push(seed),
        }
    }

    fn refused_total(&self) -> usize {
        self.refused.values().sum()
    }
}

/// Every family's tally, and the whole run's.
#[derive(Default)]
struct Tallies {
    by_family: BTreeMap<Family, Tally>,
}

impl Tallies {
    fn sum<F: Fn(&Tally) -> usize>(&self, f: F) -> usize {
        self.by_family.values().map(f).sum()
    }

    fn failing_seeds(&self) -> Vec<u64> {
        let mut seeds: Vec<u64> = self
            .by_family
            .values()
            .flat_map(|t| t.invalid.iter().chain(&t.internal).copied())
            .collect();
        seeds.sort_unstable();
        seeds
    }

    fn table(&self) -> Table {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
            "family",
            "cases",
            "valid plans",
            "of which empty",
            "of which time-limited",
            "refused (why)",
            "invalid",
            "internal error or panic",
            "mean ms",
            "max ms",
        ]);
        for (family, t) in &self.by_family {
            table.add_row(vec![
                format!("{family:?}"),
                t.cases.to_string(),
                t.valid.to_string(),
                t.empty.to_string(),
                t.time_limited.to_string(),
                t.refused
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                t.invalid.len().to_string(),
                t.internal.len().to_string(),
                format!("{:.0}", t.millis as f64 / t.cases.max(1) as f64),
                t.max_millis.to_string(),
            ]);
        }
        let millis: u128 = self.by_family.values().map(|t| t.millis).sum();
        let cases = self.sum(|t| t.cases);
        table.add_row(vec![
            "all".to_owned(),
            cases.to_string(),
            self.sum(|t| t.valid).to_string(),
            self.sum(|t| t.empty).to_string(),
            self.sum(|t| t.time_limited).to_string(),
            format!("{} refused", self.sum(Tally::refused_total)),
            self.sum(|t| t.invalid.len()).to_string(),
            self.sum(|t| t.internal.len()).to_string(),
            format!("{:.0}", millis as f64 / cases.max(1) as f64),
            self.by_family
                .values()
                .map(|t| t.max_millis)
                .max()
                .unwrap_or(0)
                .to_string(),
        ]);
        table
    }

    /// The table and its summary line, as printed and as `--out` holds them.
    fn report(&self, seeds: std::ops::Range<u64>, done: u64, seconds: f64) -> String {
        let failing = self.failing_seeds();
        let mut out = format!("{}\n", self.table());
        if done < seeds.end - seeds.start {
            out.push_str(&format!(
                "PARTIAL: {done} of {} cases so far (seeds {}..{})\n",
                seeds.end - seeds.start,
                seeds.start,
                seeds.start + done
            ));
        }
        out.push_str(&format!(
            "{done} cases (seeds {}..{}) in {seconds:.0} s: {} invalid plans, {} internal errors or panics\n",
            seeds.start,
            seeds.start + done,
            self.sum(|t| t.invalid.len()),
            self.sum(|t| t.internal.len()),
        ));
        if !failing.is_empty() {
            let list: Vec<String> = failing.iter().map(u64::to_string).collect();
            out.push_str(&format!("failing seeds: {}\n", list.join(" ")));
        }
        out
    }
}

fn number(args: &[String], name: &str) -> Option<u64> {
    value(args, name).map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} takes a number, not {v:?}"))
    })
}

fn value<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).map(|i| {
        args.get(i + 1)
            .unwrap_or_else(|| panic!("{name} takes a value"))
            .as_str()
    })
}

fn write_out(out: Option<&PathBuf>, text: &str) {
    if let Some(path) = out {
        if let Err(e) = write_atomic(path, text.as_bytes()) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(seed) = number(&args, "--seed") {
        let c = case(seed, seed % 10 == 9);
        println!("{c}");
        println!("{:?}", run(&c));
        return;
    }
    let count = number(&args, "--count").unwrap_or(10_000);
    let from = number(&args, "--from").unwrap_or(0);
    let out = value(&args, "--out").map(PathBuf::from);
    let seeds = from..from + count;
    let mut tallies = Tallies::default();
    let started = Instant::now();
    for seed in seeds.clone() {
        let c = case(seed, seed % 10 == 9);
        let t0 = Instant::now();
        let outcome = run(&c);
        let millis = t0.elapsed().as_millis();
        match &outcome {
            Outcome::Invalid(why) => eprintln!("INVALID {c}\n  {why}"),
            Outcome::Internal(why) => eprintln!("INTERNAL ERROR {c}\n  {why}"),
            Outcome::Panicked(why) => eprintln!("PANIC {c}\n  {why}"),
            Outcome::Valid { .. } | Outcome::Refused(..) => {}
        }
        tallies
            .by_family
            .entry(c.family)
            .or_default()
            .add(seed, &outcome, millis);
        let done = seed - from + 1;
        if done.is_multiple_of(PROGRESS_EVERY) && done < count {
            eprintln!(
                "{done}/{count} seeds in {:.0} s: {} valid, {} refused, {} invalid, {} internal",
                started.elapsed().as_secs_f64(),
                tallies.sum(|t| t.valid),
                tallies.sum(Tally::refused_total),
                tallies.sum(|t| t.invalid.len()),
                tallies.sum(|t| t.internal.len()),
            );
            let partial = tallies.report(seeds.clone(), done, started.elapsed().as_secs_f64());
            write_out(out.as_ref(), &partial);
        }
    }
    let report = tallies.report(seeds, count, started.elapsed().as_secs_f64());
    write_out(out.as_ref(), &report);
    print!("{report}");
    if !tallies.failing_seeds().is_empty() {
        std::process::exit(1);
    }
}
