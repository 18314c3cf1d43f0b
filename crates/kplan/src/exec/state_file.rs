//! Where an [`ExecutionState`] is kept: a JSON file beside the plan (`plan.json` →
//! `plan.json.state`), rewritten atomically after every step, so a crash at any moment leaves
//! either the previous state or the next one — never half of one.

use std::fmt;
use std::path::{Path, PathBuf};

use super::ExecutionState;
use crate::files::{write_atomic, FileError};

/// A state file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    // The OS error is part of the one line (as it always was), not a cause of its own.
    #[error("cannot read {path}: {reason}")]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("{path}: not a kplan state file")]
    NotAState {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error(transparent)]
    Write(#[from] FileError),
}

/// The state file of one plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        StateFile { path: path.into() }
    }

    /// `--state FILE` when given, else `PLAN.state` beside the plan.
    pub fn for_plan(plan: &Path, explicit: Option<&Path>) -> Self {
        StateFile::new(explicit.map_or_else(
            || PathBuf::from(format!("{}.state", plan.display())),
            Path::to_path_buf,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The state, or `None` when there is no file yet.
    pub fn load(&self) -> Result<Option<ExecutionState>, StateFileError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => ExecutionState::parse(&self.path, &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(reason) => Err(StateFileError::Read {
                path: self.path.clone(),
                reason,
            }),
        }
    }

    /// The state of the plan whose text has this digest; a state file of another plan (or of
    /// an earlier version of this one) does not count.
    pub fn load_for(&self, plan_digest: &str) -> Result<Option<ExecutionState>, StateFileError> {
        Ok(self.load()?.filter(|s| s.plan_digest == plan_digest))
    }

    /// Replaces the file atomically.
    pub fn save(&self, state: &ExecutionState) -> Result<(), StateFileError> {
        let text = serde_json::to_string_pretty(state).expect("the state serializes") + "\n";
        write_atomic(&self.path, text.as_bytes())?;
        Ok(())
    }
}

impl fmt::Display for StateFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())
    }
}

impl ExecutionState {
    /// Reads state-file text; `path` names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, StateFileError> {
        serde_json::from_str(text).map_err(|source| StateFileError::NotAState {
            path: path.to_owned(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_loads_and_ignores_another_plans_state() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::for_plan(&dir.path().join("plan.json"), None);
        assert!(file.path().ends_with("plan.json.state"));
        assert_eq!(file.load().unwrap(), None);
        let state = ExecutionState::new("d1".into(), None, Vec::new(), Some(5));
        file.save(&state).unwrap();
        assert_eq!(file.load().unwrap(), Some(state.clone()));
        assert_eq!(file.load_for("d1").unwrap(), Some(state));
        assert_eq!(file.load_for("d2").unwrap(), None);
    }

    #[test]
    fn a_file_that_is_not_a_state_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.state");
        std::fs::write(&path, "{not json").unwrap();
        let e = StateFile::new(&path).load().unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: not a kplan state file", path.display())
        );
    }
}
