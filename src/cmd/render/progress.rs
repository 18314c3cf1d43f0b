//! Every progress bar and spinner the commands show (indicatif draws nothing when stderr is not
//! a terminal).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

const TICK: Duration = Duration::from_millis(120);

/// `execute --wait`: bytes copied of `total`, rate and ETA, with a message.
pub fn bytes_bar(total: u64) -> ProgressBar {
    let b = ProgressBar::new(total.max(1));
    b.set_style(
        ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .expect("static template"),
    );
    b
}

/// A spinner with a message, for stages of unknown length (`snapshot`).
pub fn spinner() -> ProgressBar {
    let s = ProgressBar::new_spinner();
    s.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("static template"));
    s.enable_steady_tick(TICK);
    s
}

/// The spinner's text for a planner stage: which stage, of how many, and the cost so far.
pub fn stage_message(s: &kplan::plan::StageStarted) -> String {
    match s.cost {
        Some(cost) => format!(
            "planning: {} ({}/{}), cost {cost:.1}",
            s.stage, s.index, s.stages
        ),
        None => format!("planning: {} ({}/{})", s.stage, s.index, s.stages),
    }
}

/// `generate`'s spinner while planning — on a terminal only, and not with `--output json`.
pub fn planning_spinner(enabled: bool) -> Option<ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let s = ProgressBar::new_spinner();
    s.set_message("planning");
    s.enable_steady_tick(TICK);
    Some(s)
}
