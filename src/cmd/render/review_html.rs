//! The review report as one self-contained HTML file: no script, font or style is fetched, so
//! it opens from a CI artifact or an e-mail as well as from disk. Per resource, an inline SVG
//! chart puts each broker's load before (grey) and after (blue) the plan against the band the
//! plan aims for (green); tables give the totals, the goals with their bounds, and the warnings.
//! Markup comes from `maud`, which escapes every value (topic names are operators' text).

use maud::{html, Markup, PreEscaped, DOCTYPE};

use kplan::model::Resource;
use kplan::plan::GoalState;

use super::review::{label, shown, BrokerLoad, Review, CHARTED};
use super::tables;

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #1d2433; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
code { background: #f1f3f6; padding: 0 .25rem; border-radius: 3px; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #d5d9e0; padding: .25rem .6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 2rem; } figcaption { font-weight: 600; margin-bottom: .25rem; }
.scroll { overflow-x: auto; }
.legend span { display: inline-block; margin-right: 1.2rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: middle; }
.unmet { color: #b42318; font-weight: 600; }
svg text { font-size: 11px; fill: #4a5568; }
"#;

/// Marks the page with how many charts the browser laid out with visible bars, so a test in
/// headless Chromium can tell that every chart rendered (`body[data-charts-rendered]`).
const RENDER_CHECK: &str = r#"
addEventListener('load', function () {
  var charts = document.querySelectorAll('svg.chart'), ok = 0;
  charts.forEach(function (svg) {
    var box = svg.getBBox(), bars = svg.querySelectorAll('rect.bar');
    if (bars.length > 0 && box.width > 0 && box.height > 0) ok++;
  });
  document.body.setAttribute('data-charts-rendered', ok + '/' + charts.length);
});
"#;

pub fn render(review: &Review, tolerance: f64) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (review.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (review.title) }
                p { "Request: " @for line in &review.request { code { (line) } " " } }
                h2 { "Totals" }
                (totals(review))
                h2 { "Goals" }
                (goals(review))
                h2 { "Brokers, before and after" }
                p.legend {
                    span { span.swatch style="background:#a0aec0" {} "before" }
                    span { span.swatch style="background:#2b6cb0" {} "after" }
                    span { span.swatch style="background:#38a169;opacity:0.3" {} "band the plan aims for" }
                }
                @for r in CHARTED { (chart(review, r, tolerance)) }
                (broker_table(review))
                h2 { "Warnings" }
                @if review.warnings.is_empty() { p { "None." } }
                ul { @for w in review.warnings { li { (w) } } }
                script { (PreEscaped(RENDER_CHECK)) }
            }
        }
    };
    page.into_string()
}

fn totals(review: &Review) -> Markup {
    html! {
        table {
            @for (name, value) in &review.totals { tr { th { (name) } td { (value) } } }
        }
    }
}

fn goals(review: &Review) -> Markup {
    html! {
        table {
            tr { @for c in tables::GOAL_COLUMNS { th { (c) } } }
            @for g in review.goals {
                tr {
                    @for (i, cell) in tables::goal_cells(g).into_iter().enumerate() {
                        @if i == 2 && g.status == GoalState::Unmet && g.weight > 0.0 {
                            td.unmet { (cell) }
                        } @else {
                            td { (cell) }
                        }
                    }
                }
            }
        }
    }
}

fn broker_table(review: &Review) -> Markup {
    let cell = |b: &BrokerLoad, r: Resource| {
        let (before, after) = (shown(r, b.before[r]), shown(r, b.after[r]));
        if before == after {
            before
        } else {
            format!("{before} → {after}")
        }
    };
    html! {
        table {
            tr { @for c in tables::BROKER_COLUMNS { th { (c) } } }
            @for b in &review.brokers {
                tr {
                    td.num { (b.id) }
                    td { (b.rack.as_deref().unwrap_or("-")) }
                    td.num { (cell(b, Resource::Replicas)) }
                    td.num { (cell(b, Resource::Leaders)) }
                    td.num { (cell(b, Resource::Disk)) }
                    td.num { (cell(b, Resource::BytesIn)) }
                    td.num { (cell(b, Resource::BytesOut)) }
                    td { (b.note) }
                }
            }
        }
    }
}

/// Geometry of one chart: a slot per broker holding two bars.
struct Frame {
    left: f64,
    top: f64,
    plot_height: f64,
    slot: f64,
    scale: f64,
}

impl Frame {
    fn y(&self, v: f64) -> f64 {
        self.top + self.plot_height * (1.0 - (v / self.scale).clamp(0.0, 1.0))
    }
}

/// The band the plan aims for, after the plan: ±tolerance around the mean for bytes and rates,
/// [floor(mean), ceil(mean)] for counts.
fn band(r: Resource, mean: f64, tolerance: f64) -> (f64, f64) {
    if r.is_count() {
        (mean.floor(), mean.ceil())
    } else {
        (mean * (1.0 - tolerance), mean * (1.0 + tolerance))
    }
}

fn chart(review: &Review, r: Resource, tolerance: f64) -> Markup {
    let n = review.brokers.len().max(1) as f64;
    // Slots fill about 480 px: wide bars for a few brokers, thin ones (no labels) for hundreds.
    let slot = (480.0 / n).clamp(6.0, 48.0);
    let frame = Frame {
        left: 70.0,
        top: 10.0,
        plot_height: 180.0,
        slot,
        // A little headroom so the tallest bar does not touch the top.
        scale: review.scale(r).max(1e-9) * 1.05,
    };
    let width = (frame.left + n * slot + 20.0).max(480.0);
    let height = frame.top + frame.plot_height + 40.0;
    let mean = review.mean_after(r);
    let (low, high) = band(r, mean, tolerance);
    let plot_right = frame.left + n * slot;
    html! {
        figure {
            figcaption { (label(r)) " — mean after: " (shown(r, mean)) }
            div.scroll {
                svg.chart xmlns="http://www.w3.org/2000/svg" width=(width) height=(height)
                    viewBox=(format!("0 0 {width} {height}")) role="img"
                    aria-label=(format!("{} per broker, before and after", label(r))) {
                    line x1=(frame.left) x2=(plot_right) y1=(frame.y(0.0)) y2=(frame.y(0.0))
                        stroke="#4a5568" {}
                    text x=(frame.left - 6.0) y=(frame.y(frame.scale / 1.05) + 4.0) text-anchor="end" {
                        (shown(r, frame.scale / 1.05))
                    }
                    text x=(frame.left - 6.0) y=(frame.y(0.0) + 4.0) text-anchor="end" { "0" }
                    @for (i, b) in review.brokers.iter().enumerate() {
                        (bars(&frame, r, i, b))
                    }
                    // The band goes over the bars, translucent, so a bar inside it is seen to be.
                    rect.band x=(frame.left) y=(frame.y(high)) width=(n * slot)
                        height=((frame.y(low) - frame.y(high)).max(1.0)) fill="#38a169"
                        fill-opacity="0.3" {}
                }
            }
        }
    }
}

fn bars(frame: &Frame, r: Resource, i: usize, b: &BrokerLoad) -> Markup {
    let x = frame.left + i as f64 * frame.slot;
    let bar_width = (frame.slot - 4.0) / 2.0;
    let tip = format!(
        "broker {}: {} → {}",
        b.id,
        shown(r, b.before[r]),
        shown(r, b.after[r])
    );
    let base = frame.y(0.0);
    // Every broker gets a sliver even at zero, so an empty broker is visibly empty, not missing.
    let height = |v: f64| (base - frame.y(v)).max(0.5);
    html! {
        g {
            title { (tip) }
            rect.bar.before x=(x + 1.0) y=(base - height(b.before[r])) width=(bar_width)
                height=(height(b.before[r])) fill="#a0aec0" {}
            rect.bar.after x=(x + 1.0 + bar_width) y=(base - height(b.after[r])) width=(bar_width)
                height=(height(b.after[r])) fill="#2b6cb0" {}
            @if frame.slot >= 20.0 {
                text x=(x + frame.slot / 2.0) y=(base + 14.0) text-anchor="middle" { (b.id) }
            }
        }
    }
}
