//! `kplan generate`: snapshot file + flags → plan file, rollback file, review report and a
//! summary.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use super::render::review::Review;
use super::render::{bars, copy_time, progress, review_html, review_markdown, tables};
use super::report;
use crate::cli::values::ThrottleArg;
use crate::cli::{GenerateArgs, OutputFormat, ReportFormat};
use kplan::exec::{describe_broker, CopySchedule, ThrottleRequest};
use kplan::files::{parse_topics_to_move, read_snapshot, write_atomic};
use kplan::human;
use kplan::model::Cluster;
use kplan::plan::{plan_observed, replace, Plan, PlanRequest};

/// The request the flags describe. Values were validated by clap; a topics-to-move file is read
/// here and checked against the snapshot.
pub fn request(args: &GenerateArgs, cluster: &Cluster) -> anyhow::Result<PlanRequest> {
    let topics = match &args.topics_to_move_json_file {
        Some(path) => Some(topics_to_move(path, cluster)?),
        None => args.topics.clone(),
    };
    Ok(PlanRequest {
        decommission: args.decommission.clone().unwrap_or_default(),
        allowed_brokers: args.brokers.clone(),
        topics,
        exclude_topics: args.exclude_topics.clone(),
        replication_factors: args.replication_factor.clone(),
        rack_aware: !args.disable_rack_aware,
        tolerance: args.tolerance,
        goals: args.goals.unwrap_or_default(),
        max_moves: args.max_moves,
        max_move_bytes: args.max_move_bytes,
        leaders_only: args.leaders_only,
        spread_topics: args.spread_topics.clone(),
        time_limit: args.time_limit,
        log_dirs: !args.no_log_dirs,
        remove_log_dirs: args.remove_log_dirs.clone().unwrap_or_default(),
    })
}

/// The topics of Kafka's topics-to-move file as the anchored pattern `--topics` would be.
fn topics_to_move(path: &Path, cluster: &Cluster) -> anyhow::Result<regex::Regex> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let names = parse_topics_to_move(path, &text, |t| cluster.topic(t).is_some())?;
    let alternatives: Vec<String> = names.iter().map(|t| regex::escape(t)).collect();
    // A cluster-wide move can name thousands of topics; the default size limit is for
    // hand-written patterns.
    Ok(
        regex::RegexBuilder::new(&format!("^(?:{})$", alternatives.join("|")))
            .size_limit(1 << 28)
            .build()?,
    )
}

/// The copy-time estimate of the plan, when a throttle or target duration was given: `Err`
/// holds why no throttle meets the target (a warning: the plan is still written).
fn copy_schedule(
    args: &GenerateArgs,
    cluster: &Cluster,
    planned: &Plan,
    request: ThrottleRequest,
) -> Option<Result<CopySchedule, String>> {
    if request == ThrottleRequest::Unthrottled {
        return None;
    }
    Some(
        CopySchedule::for_snapshot(
            cluster,
            &planned.reassignment,
            request,
            args.copy.line_rate as f64,
        )
        .map_err(|e| e.to_string()),
    )
}

/// Warnings of the estimate: no throttle meets the target, the throttle cannot finish, or
/// leaves thin headroom.
fn copy_warnings(schedule: &Result<CopySchedule, String>) -> Vec<String> {
    let s = match schedule {
        Ok(s) => s,
        Err(e) => return vec![e.clone()],
    };
    if let Some(short) = s.shortfall() {
        return vec![format!("{short}")];
    }
    if s.throttle.is_none() {
        return Vec::new();
    }
    s.copy_time
        .thin()
        .iter()
        .map(|(w, b)| {
            format!(
                "thin headroom ({} left for the backlog): {}",
                kplan::human::rate(b.headroom),
                describe_broker(*w, b)
            )
        })
        .collect()
}

/// The flags a reviewer needs that the plan request does not carry: the replacements and the
/// throttle the copy time is estimated at.
fn flags_beside_the_request(args: &GenerateArgs) -> Vec<String> {
    let mut lines = Vec::new();
    if !args.replace.is_empty() {
        let pairs: Vec<String> = args.replace.iter().map(ToString::to_string).collect();
        lines.push(format!("--replace {}", pairs.join(",")));
    }
    match args.copy.throttle {
        Some(ThrottleArg::Rate(r)) => lines.push(format!("--throttle {}", human::rate(r as f64))),
        Some(ThrottleArg::Auto) => lines.push("--throttle auto".to_owned()),
        None => {}
    }
    if let Some(d) = args.copy.target_duration {
        lines.push(format!(
            "--target-duration {}",
            human::duration(d.as_secs_f64())
        ));
    }
    lines
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let throttle = args.copy.request()?;
    let cluster = read_snapshot(&args.snapshot)?;
    let request = request(args, &cluster)?;
    let spinner = progress::planning_spinner(args.output == OutputFormat::Table);
    let planned = if args.replace.is_empty() {
        plan_observed(&cluster, &request, |s| {
            if let Some(spinner) = &spinner {
                spinner.set_message(progress::stage_message(&s));
            }
        })
        .map_err(anyhow::Error::from)
    } else {
        replace(&cluster, &request, &args.replace).map_err(anyhow::Error::from)
    }
    .with_context(|| format!("cannot plan from {}", args.snapshot.display()));
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let planned = planned?;
    let schedule = copy_schedule(args, &cluster, &planned, throttle);
    let copy = Copy {
        schedule: schedule.as_ref().and_then(|s| s.as_ref().ok()),
        warnings: schedule.iter().flat_map(copy_warnings).collect(),
    };
    let mut review = Review::new(
        &args.snapshot,
        &cluster,
        &planned,
        &request,
        tables::summary_rows(&planned, copy.schedule),
    );
    review.request.splice(1..1, flags_beside_the_request(args));
    let plan_json = planned
        .reassignment
        .clone()
        .with_context(cluster.cluster_id(), &planned.rollback)
        .to_json();
    write_files(args, &planned, &plan_json, &review, request.tolerance)?;
    match args.output {
        OutputFormat::Json => print_json(args, &cluster, &planned, &copy),
        OutputFormat::Table => print_tables(
            args, &cluster, &planned, &request, &plan_json, &review, &copy,
        ),
    }
}

/// The plan, the rollback and the review report, each written atomically where asked for.
fn write_files(
    args: &GenerateArgs,
    planned: &Plan,
    plan_json: &str,
    review: &Review,
    tolerance: f64,
) -> anyhow::Result<()> {
    if let Some(path) = &args.output_file {
        write_atomic(path, plan_json.as_bytes())?;
    }
    if let Some(path) = &args.rollback {
        write_atomic(path, planned.rollback.to_json().as_bytes())?;
    }
    if let Some((path, format)) = &args.report {
        let text = match format {
            ReportFormat::Html => review_html::render(review, tolerance),
            ReportFormat::Markdown => review_markdown::render(review),
        };
        write_atomic(path, text.as_bytes())?;
    }
    Ok(())
}

/// The copy-time estimate of a plan and its warnings (empty without a throttle).
struct Copy<'a> {
    schedule: Option<&'a CopySchedule>,
    warnings: Vec<String>,
}

fn print_json(
    args: &GenerateArgs,
    cluster: &Cluster,
    planned: &Plan,
    copy: &Copy<'_>,
) -> anyhow::Result<()> {
    let summary = report::JsonSummary {
        cluster_id: cluster.cluster_id(),
        partitions_changed: planned.metrics.partitions_changed,
        replicas_moved: planned.metrics.replicas_moved,
        bytes_moved: planned.metrics.bytes_moved,
        leader_changes: planned.metrics.leader_changes,
        log_dir_moves: planned.metrics.log_dir_moves,
        log_dir_bytes: planned.metrics.log_dir_bytes,
        copy_seconds: copy.schedule.and_then(|s| s.copy_time.total_seconds),
        copy_time: copy.schedule.map(copy_time::json),
        lower_bound: &planned.report.lower_bound,
        goals: &planned.report.goals,
        warnings: &planned.report.warnings,
        copy_warnings: copy.warnings.clone(),
        brokers: report::json_brokers(cluster, planned),
        report: &planned.report,
        plan: args.output_file.is_none().then_some(&planned.reassignment),
        rollback: args.output_file.is_none().then_some(&planned.rollback),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &summary)?;
    writeln!(out)?;
    Ok(())
}

fn print_tables(
    args: &GenerateArgs,
    cluster: &Cluster,
    planned: &Plan,
    request: &PlanRequest,
    plan_json: &str,
    review: &Review,
    copy: &Copy<'_>,
) -> anyhow::Result<()> {
    if args.output_file.is_none() {
        std::io::stdout().lock().write_all(plan_json.as_bytes())?;
    }
    let mut err = std::io::stderr().lock();
    writeln!(err, "{}", tables::broker_table(cluster, planned, request))?;
    writeln!(err, "{}", bars::furthest_from_balance(review, 24))?;
    if let Some(t) = tables::log_dir_table(planned) {
        writeln!(err, "{t}")?;
    }
    writeln!(err, "{}", tables::summary_table(planned, copy.schedule))?;
    writeln!(err, "{}", tables::goal_table(planned))?;
    if let Some(s) = copy.schedule {
        let view = kplan::exec::ClusterView::from_snapshot(cluster, &planned.reassignment);
        let moves = kplan::exec::by_partition(&view.moves(&planned.reassignment));
        writeln!(err, "{}", copy_time::total_line(s))?;
        writeln!(
            err,
            "{}",
            tables::wave_table(&s.waves, &moves, &s.copy_time)
        )?;
    }
    for w in planned.report.warnings.iter().chain(&copy.warnings) {
        writeln!(err, "warning: {w}")?;
    }
    if let Some(path) = &args.output_file {
        writeln!(
            err,
            "plan: {} partition(s) written to {}",
            planned.reassignment.len(),
            path.display()
        )?;
    }
    if let Some(path) = &args.rollback {
        writeln!(err, "rollback: written to {}", path.display())?;
    }
    if let Some((path, _)) = &args.report {
        writeln!(err, "report: written to {}", path.display())?;
    }
    Ok(())
}
