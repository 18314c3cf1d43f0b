//! Arguments of the copy-time model, shared by `generate` (which estimates) and `execute`
//! (which throttles): the throttle or a target duration, and the line rate.

use std::time::Duration;

use super::values::{self, ThrottleArg};
use kplan::exec::ThrottleRequest;

#[derive(Debug, clap::Args)]
pub struct ThrottleArgs {
    /// Replication throttle, e.g. 50MB/s or plain bytes/s like Kafka's --throttle 50000000
    /// (leader and follower rate on every broker of a moving partition); or `auto`: the
    /// smallest throttle that copies the plan within --target-duration.
    #[arg(long, value_name = "RATE|auto", value_parser = values::throttle)]
    pub throttle: Option<ThrottleArg>,
    /// The time the copies may take, e.g. 2h: the throttle is the smallest that makes it, with
    /// the waves as planned (implies --throttle auto).
    #[arg(long, value_name = "DURATION", value_parser = values::duration)]
    pub target_duration: Option<Duration>,
    /// What unthrottled copies into one broker run at (network or disk), for the estimate.
    #[arg(long, value_name = "RATE", default_value = "200MiB/s", value_parser = values::rate)]
    pub line_rate: u64,
}

impl ThrottleArgs {
    /// The throttle asked for; `--throttle auto` needs a target duration, and a rate excludes
    /// one.
    pub fn request(&self) -> anyhow::Result<ThrottleRequest> {
        match (self.throttle, self.target_duration) {
            (Some(ThrottleArg::Auto), None) => anyhow::bail!(
                "--throttle auto needs --target-duration (how long the copies may take, e.g. 2h)"
            ),
            (Some(ThrottleArg::Rate(r)), Some(_)) => anyhow::bail!(
                "--throttle {r} and --target-duration both set the throttle: give one (or --throttle auto)"
            ),
            (_, Some(d)) if d.is_zero() => anyhow::bail!("--target-duration must be above zero"),
            (_, Some(d)) => Ok(ThrottleRequest::Within(d)),
            (Some(ThrottleArg::Rate(r)), None) => Ok(ThrottleRequest::Rate(r)),
            (None, None) => Ok(ThrottleRequest::Unthrottled),
        }
    }
}
