//! Applying a plan, the pure part: reading reassignment files, throttle lists with Kafka's
//! semantics, waves, the throttle ledger and state file, and `verify`'s classification. The
//! commands in `cmd/` do the I/O around these.

mod election_file;
mod execution_state;
mod partition_status;
mod plan_file;
mod throttle_plan;
mod waves;

pub use election_file::parse_election_file;
pub use execution_state::{digest, ExecutionState, LedgerEntry, LedgerTarget, ThrottleLedger};
pub use partition_status::{classify, exit_code, PartitionStatus};
pub use plan_file::{parse_plan, read_plan, PlanFile, PlanFileError};
pub use throttle_plan::{
    format_list, merge_list, remove_entries, throttle_plan, MoveSpec, ThrottlePlan, FOLLOWER_RATE,
    FOLLOWER_REPLICAS, LEADER_RATE, LEADER_REPLICAS,
};
pub use waves::{plan_waves, WaveLimits};
