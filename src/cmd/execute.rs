//! `kplan execute`: the flags become [`ExecuteOptions`]; [`kplan::exec::execute`] does the
//! work; its events are rendered by [`ExecuteOutput`]. Ctrl-C is wired here, and only here may
//! the process exit early.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use super::connect;
use super::render::execute_output::ExecuteOutput;
use crate::cli::{ExecuteArgs, OutputFormat};
use kplan::exec::{
    self, snapshot_traffic, Clock, DryRun, ExecuteEvent, ExecuteOptions, PlanFile, PreflightRules,
    StateFile, StopSignal, ThrottleRequest, TrafficSource,
};
use kplan::files::read_snapshot;

pub fn run(args: &ExecuteArgs) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&args.plan)
        .with_context(|| format!("cannot read {}", args.plan.display()))?;
    let plan = PlanFile::parse(&args.plan, &text)?;
    let options = options(args)?;
    let mut out = ExecuteOutput::new(
        args.output == OutputFormat::Json,
        options.wait,
        &args.plan,
        options.state_file.path(),
    );
    if let (true, Some(snapshot)) = (args.dry_run, &args.snapshot) {
        let cluster = read_snapshot(snapshot)?;
        let dry = exec::dry_run_offline(&cluster, &plan.reassignment, &options, &mut |e| {
            out.event(&e)
        })?;
        out.dry_run(&dry);
        return dry_run_verdict(&dry, args.force);
    }
    connect::with_admin(&args.connection, async |admin| {
        if args.dry_run {
            let dry =
                exec::dry_run(admin, &plan.reassignment, &options, &mut |e| out.event(&e)).await?;
            out.dry_run(&dry);
            return dry_run_verdict(&dry, args.force);
        }
        let stop = StopSignal::new();
        let outcome = exec::execute(admin, &plan, &options, &stop, &mut |e| {
            if matches!(e, ExecuteEvent::Watching { .. }) {
                stop_on_ctrl_c(&stop);
            }
            out.event(&e);
        })
        .await?;
        Ok(out.outcome(&outcome))
    })
}

/// A dry run ends as the run would start: refused when its throttle cannot finish the plan.
fn dry_run_verdict(dry: &DryRun, force: bool) -> anyhow::Result<u8> {
    match &dry.shortfall {
        Some(short) if !force => anyhow::bail!("execute would refuse this: {short}"),
        _ => Ok(0),
    }
}

/// How long `execute` measures produce traffic by default, when it throttles.
const DEFAULT_SAMPLE: Duration = Duration::from_secs(5);

/// Where the produce rates come from: a snapshot (`--traffic-from`, or the offline dry run's),
/// a measurement, or nowhere (`--traffic-sample 0s`).
fn traffic(args: &ExecuteArgs) -> anyhow::Result<TrafficSource> {
    if let Some(path) = &args.traffic_from {
        let cluster = read_snapshot(path)?;
        return Ok(TrafficSource::Rates(
            snapshot_traffic(&cluster)
                .into_iter()
                .map(|(tp, t)| (tp, t.bytes_in_per_sec))
                .collect(),
        ));
    }
    let throttled = args.copy.request()? != ThrottleRequest::Unthrottled;
    let window = args.traffic_sample.unwrap_or(if throttled {
        DEFAULT_SAMPLE
    } else {
        Duration::ZERO
    });
    Ok(if window.is_zero() {
        TrafficSource::Unknown
    } else {
        TrafficSource::Sample(window)
    })
}

/// The options the flags describe. Waiting is the default on a terminal.
fn options(args: &ExecuteArgs) -> anyhow::Result<ExecuteOptions> {
    let (throttle, target_duration) = match args.copy.request()? {
        ThrottleRequest::Unthrottled => (None, None),
        ThrottleRequest::Rate(r) => (Some(r), None),
        ThrottleRequest::Within(d) => (None, Some(d)),
    };
    Ok(ExecuteOptions {
        throttle,
        target_duration,
        line_rate: args.copy.line_rate as f64,
        traffic: traffic(args)?,
        log_dir_throttle: args.log_dir_throttle,
        max_moves_per_broker: args.max_moves_per_broker,
        max_inflight_bytes: args.max_inflight_bytes,
        wait: !args.no_wait && (args.wait || std::io::stdout().is_terminal()),
        preflight: PreflightRules {
            skip_drifted: args.force,
            replace_ongoing: args.additional,
            run_unconverging: args.force,
        },
        elect_leaders: !args.no_elect_leaders,
        state_file: StateFile::for_plan(&args.plan, args.state.as_deref()),
        rollback_file: args
            .rollback
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}.rollback.json", args.plan.display()))),
        poll_interval: args.poll_interval,
        clock: Clock::wall(),
    })
}

/// From the moment the waves start, the first Ctrl-C stops new waves (the executor returns
/// after its next poll, state saved) and the second exits at once. Before that, nothing is in
/// flight and Ctrl-C keeps its default: the process ends.
fn stop_on_ctrl_c(stop: &StopSignal) {
    let stop = stop.clone();
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if stop.is_stopped() {
                eprintln!("\ninterrupted twice: exiting now (the state file is intact)");
                std::process::exit(130);
            }
            stop.stop();
        }
    });
}
