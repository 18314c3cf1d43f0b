//! The review report (`generate --report`) through the binary: the Markdown a pull request
//! shows, and the self-contained HTML opened in headless Chromium, which must lay out every chart.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture, kplan};
use kplan::files::SnapshotFile;
use kplan::synthetic::SyntheticSpec;

fn generate_report(snapshot: &str, report: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["generate", "--snapshot", snapshot, "--report"];
    args.push(report.to_str().unwrap());
    args.extend_from_slice(extra);
    let out = kplan(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A 40-broker cluster with 5 new brokers, written as a snapshot file: enough brokers that the
/// charts switch to thin bars without labels.
fn larger_snapshot(dir: &Path) -> String {
    let cluster = SyntheticSpec {
        brokers: 40,
        racks: 4,
        empty_brokers: 5,
        topics: 20,
        partitions: 600,
        replication_factors: vec![3],
        skew: 1.0,
        mean_size_bytes: 5e9,
        mean_bytes_in: 2e6,
        seed: 7,
    }
    .build();
    let path = dir.join("larger.json");
    let text = serde_json::to_string(&SnapshotFile::from_cluster(&cluster)).unwrap();
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn markdown_report_shows_totals_goals_brokers_bars_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("plan.md");
    generate_report(&fixture("add-broker.json"), &report, &[]);
    let md = std::fs::read_to_string(&report).unwrap();
    for heading in [
        "# kplan plan for cluster worked-example-a",
        "## Totals",
        "## Goals",
        "## Brokers (before → after)",
        "### Disk (mean after: 32.5 GiB)",
        "### Bytes in",
        "### Bytes out",
        "### Replicas (mean after: 4)",
        "### Leaders (mean after: 2)",
        "## Warnings",
    ] {
        assert!(md.contains(heading), "missing {heading:?} in\n{md}");
    }
    assert!(
        md.contains("| goal | weight | met | max/mean | bound | min/mean | detail |"),
        "{md}"
    );
    // The quick start's disk goal is at its proven best, and says so rather than "NO".
    assert!(
        md.contains("| disk | 1 | best possible | 1.077 | ≥\u{a0}1.077 |"),
        "{md}"
    );
    assert!(!md.contains("| NO |"), "{md}");
    assert!(
        md.contains("| 3 | 2 | 0 → 4 | 0 → 2 | 0 B → 30.0 GiB |"),
        "{md}"
    );
    // Unicode bars, in fenced blocks so they stay aligned in a pull request.
    assert!(md.contains("```text\nbroker  before"), "{md}");
    assert!(md.contains('█'), "{md}");
}

/// A reviewer reads what was asked from the report alone: every flag that shaped the plan or its
/// copy time is in the request line.
#[test]
fn request_line_names_every_flag_that_shaped_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("plan.md");
    let flags = [
        "--throttle",
        "50MB/s",
        "--goals",
        "disk,leaders=2",
        "--spread-topics",
        "^T0$",
    ];
    generate_report(&fixture("add-broker.json"), &report, &flags);
    let md = std::fs::read_to_string(&report).unwrap();
    let request = md.lines().find(|l| l.starts_with("**Request:**")).unwrap();
    for shown in [
        "`--throttle 50.0 MB/s`",
        "`--goals disk,leaders=2`",
        "`--spread-topics ^(?:^T0$)$`",
    ] {
        assert!(request.contains(shown), "{shown} missing: {request}");
    }

    let replaced = dir.path().join("replace.md");
    generate_report(
        &fixture("add-broker.json"),
        &replaced,
        &["--replace", "1:3", "--disable-rack-aware"],
    );
    let md = std::fs::read_to_string(&replaced).unwrap();
    assert!(
        md.contains("`--replace 1:3` `--disable-rack-aware`"),
        "{md}"
    );
}

#[test]
fn report_format_comes_from_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("plan.pdf");
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "--report",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a report is .html or .md"), "{err}");
    assert!(!bad.exists());
}

#[test]
fn terminal_summary_charts_the_resource_furthest_from_balance() {
    let out = kplan(&[
        "generate",
        "--snapshot",
        &fixture("add-broker.json"),
        "--output",
        "table",
    ]);
    assert!(out.status.success());
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("Disk per broker, before → after (the resource furthest from balance):"),
        "{text}"
    );
    assert!(text.contains("3 (2)"), "{text}");
}

/// Chromium from Debian's package (installed by `.ci/run`), or `KPLAN_CHROMIUM`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KPLAN_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let ok = Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            ok.then(|| PathBuf::from(name))
        })
}

/// Opens the page headless and returns the DOM after its scripts ran.
fn rendered_dom(browser: &Path, page: &Path, profile: &Path) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
            "--window-size=1200,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn html_report_is_self_contained_and_renders_every_chart_in_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (.ci/run does)"
        );
        eprintln!("skipped: no chromium (set KPLAN_CHROMIUM or install Debian's chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (fixture("add-broker.json"), "quick-start.html"),
        (larger_snapshot(dir.path()), "larger.html"),
    ];
    for (snapshot, name) in cases {
        let page = dir.path().join(name);
        generate_report(&snapshot, &page, &["--throttle", "50MB/s"]);
        let html = std::fs::read_to_string(&page).unwrap();
        // Nothing is fetched: no external script, style, image or font.
        for external in ["<link", "src=", "url(", "@import"] {
            assert!(!html.contains(external), "{name}: {external} in the page");
        }
        assert_eq!(html.matches("<svg class=\"chart\"").count(), 5, "{name}");
        let dom = rendered_dom(&browser, &page, &dir.path().join("profile"));
        assert!(
            dom.contains("data-charts-rendered=\"5/5\""),
            "{name}: not every chart rendered:\n{}",
            &dom[..dom.len().min(2000)]
        );
    }
}
