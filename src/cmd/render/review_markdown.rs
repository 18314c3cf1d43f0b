//! The review report as Markdown, for a pull-request description: the same sections as the
//! HTML report, with each chart as Unicode bars in a code block (monospace keeps them aligned).

use std::fmt::Write;

use kplan::model::Resource;

use super::bars::broker_chart;
use super::review::{label, shown, Review, CHARTED};
use super::tables;

const BAR_WIDTH: usize = 24;

pub fn render(review: &Review) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {}\n", review.title);
    let flags: Vec<String> = review.request.iter().map(|l| format!("`{l}`")).collect();
    let _ = writeln!(md, "**Request:** {}\n", flags.join(" "));
    totals(&mut md, review);
    goals(&mut md, review);
    brokers(&mut md, review);
    for r in CHARTED {
        chart(&mut md, review, r);
    }
    warnings(&mut md, review);
    md
}

/// A Markdown table row; `|` inside a cell would end it, so it is escaped.
fn row(md: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
    let _ = writeln!(md, "| {} |", cells.join(" | "));
}

fn header(md: &mut String, names: &[&str]) {
    row(md, &names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
    let rule: Vec<&str> = names.iter().map(|_| "---").collect();
    let _ = writeln!(md, "|{}|", rule.join("|"));
}

fn totals(md: &mut String, review: &Review) {
    let _ = writeln!(md, "## Totals\n");
    header(md, &["", "value"]);
    for (name, value) in &review.totals {
        row(md, &[name.clone(), value.clone()]);
    }
    md.push('\n');
}

fn goals(md: &mut String, review: &Review) {
    let _ = writeln!(md, "## Goals\n");
    header(md, tables::GOAL_COLUMNS);
    for g in review.goals {
        row(md, &tables::goal_cells(g));
    }
    md.push('\n');
}

fn brokers(md: &mut String, review: &Review) {
    let _ = writeln!(md, "## Brokers (before → after)\n");
    header(md, tables::BROKER_COLUMNS);
    for b in &review.brokers {
        let cell = |r: Resource| {
            let (before, after) = (shown(r, b.before[r]), shown(r, b.after[r]));
            if before == after {
                before
            } else {
                format!("{before} → {after}")
            }
        };
        row(
            md,
            &[
                b.id.to_string(),
                b.rack.clone().unwrap_or_else(|| "-".into()),
                cell(Resource::Replicas),
                cell(Resource::Leaders),
                cell(Resource::Disk),
                cell(Resource::BytesIn),
                cell(Resource::BytesOut),
                b.note.to_owned(),
            ],
        );
    }
    md.push('\n');
}

/// One resource: a line per broker with its bar before and after, on one scale.
fn chart(md: &mut String, review: &Review, r: Resource) {
    let _ = writeln!(
        md,
        "### {} (mean after: {})\n",
        label(r),
        shown(r, review.mean_after(r))
    );
    let _ = write!(
        md,
        "```text\n{}```\n\n",
        broker_chart(review, r, BAR_WIDTH, None)
    );
}

fn warnings(md: &mut String, review: &Review) {
    let _ = writeln!(md, "## Warnings\n");
    if review.warnings.is_empty() {
        let _ = writeln!(md, "None.");
    }
    for w in review.warnings {
        let _ = writeln!(md, "- {w}");
    }
}
