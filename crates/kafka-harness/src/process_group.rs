//! One process group per cluster, led by a watchdog, so no JVM outlives its owner.
//!
//! The watchdog is a POSIX shell loop and the leader of a new process group; every JVM of the
//! cluster (and every Kafka tool the tests run) joins that group. The watchdog waits for one of two
//! things: the owner process disappearing (a test binary that finished with the cluster in a
//! `static`, panicked across threads, timed out or was SIGKILLed), or a SIGTERM from the owner
//! (a cluster dropped or stopped on purpose). Either way it SIGKILLs every other member of its group
//! — found through `/proc/<pid>/stat`, so only processes of this very group are touched, never
//! anything by name — removes the cluster's data directory, and exits.
//!
//! `std::os::unix::process::CommandExt::process_group` puts a child in the group without any
//! unsafe code (the workspace forbids it), which is why the parent-death signal of `prctl` is not
//! used: it would also fire when the *thread* that started the JVM ends, which cargo's test threads
//! do all the time.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::HarnessError;

const WATCHDOG: &str = r#"
owner=$1; dir=$2
cleanup() {
  for stat in /proc/[0-9]*/stat; do
    read -r line < "$stat" 2>/dev/null || continue
    pid=${stat#/proc/}; pid=${pid%/stat}
    rest=${line##*) }
    set -- $rest
    # $3 is the process group id (field 5 of /proc/<pid>/stat).
    if [ "$3" = "$$" ] && [ "$pid" != "$$" ]; then kill -9 "$pid" 2>/dev/null; fi
  done
  if [ -n "$dir" ]; then rm -rf "$dir"; fi
  exit 0
}
trap cleanup TERM INT HUP
echo ready
exec >/dev/null
while [ "$owner" = 0 ] || kill -0 "$owner" 2>/dev/null; do sleep 0.5; done
cleanup
"#;

/// A process group and its watchdog.
pub struct ProcessGroup {
    watchdog: Option<Child>,
    pgid: u32,
}

impl ProcessGroup {
    /// A group whose members die with `owner` (a pid; 0 = only when told, for a cluster that a
    /// person starts and stops by hand). `dir`, when given, is removed after the members are killed.
    pub fn watching(owner: u32, dir: Option<&Path>) -> Result<Self, HarnessError> {
        let mut watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("kplan-kafka-watchdog")
            .arg(owner.to_string())
            .arg(dir.map(|d| d.display().to_string()).unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(HarnessError::io("starting the watchdog shell"))?;
        wait_until_ready(&mut watchdog)?;
        let pgid = watchdog.id();
        Ok(ProcessGroup {
            watchdog: Some(watchdog),
            pgid,
        })
    }

    /// The group id (the watchdog's pid).
    pub fn id(&self) -> u32 {
        self.pgid
    }

    /// Makes `cmd` start its process inside the group.
    pub fn adopt<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.process_group(self.pgid as i32)
    }

    /// Kills every member and removes the directory, now; waits for the watchdog to finish.
    pub fn kill_all(&mut self) {
        if let Some(mut w) = self.watchdog.take() {
            signal(w.id(), "TERM");
            let _ = w.wait();
        }
    }

    /// Lets the group live on after this process exits (a cluster started by a person);
    /// [`ProcessGroup::terminate`] stops it later by id.
    pub fn detach(mut self) -> u32 {
        self.watchdog.take();
        self.pgid
    }

    /// Stops a detached group by the id [`ProcessGroup::detach`] returned.
    pub fn terminate(pgid: u32) {
        signal(pgid, "TERM");
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// Waits for the watchdog's "ready", written once its trap is set: a SIGTERM that arrived before
/// would kill the shell by default and leave the group's members running.
fn wait_until_ready(watchdog: &mut Child) -> Result<(), HarnessError> {
    let stdout = watchdog
        .stdout
        .take()
        .expect("the watchdog's stdout is piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(HarnessError::io("reading the watchdog's ready line"))?;
    if line.trim() == "ready" {
        Ok(())
    } else {
        Err(HarnessError::io("starting the watchdog shell")(
            std::io::Error::other("the watchdog exited before it was ready"),
        ))
    }
}

/// Sends a signal to one process by id (`kill(1)`: std only sends SIGKILL, and the workspace has
/// no unsafe code for `libc::kill`).
pub(crate) fn signal(pid: u32, name: &str) -> bool {
    Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn member(group: &ProcessGroup) -> Child {
        let mut cmd = Command::new("sleep");
        cmd.arg("300").stdin(Stdio::null());
        group.adopt(&mut cmd).spawn().unwrap()
    }

    fn killed_within(child: &mut Child, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = child.try_wait() {
                return !status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    #[test]
    fn members_die_with_the_owner_and_the_directory_goes() {
        let dir = tempfile_dir();
        let mut owner = Command::new("sleep").arg("1").spawn().unwrap();
        let group = ProcessGroup::watching(owner.id(), Some(&dir)).unwrap();
        let mut a = member(&group);
        let mut b = member(&group);
        owner.wait().unwrap();
        assert!(
            killed_within(&mut a, Duration::from_secs(5)),
            "member a outlived the owner"
        );
        assert!(
            killed_within(&mut b, Duration::from_secs(5)),
            "member b outlived the owner"
        );
        let start = Instant::now();
        while dir.exists() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(!dir.exists(), "the watchdog removes the directory");
        drop(group);
    }

    #[test]
    fn dropping_the_group_kills_its_members_only() {
        let outsider_group = ProcessGroup::watching(0, None).unwrap();
        let mut outsider = member(&outsider_group);
        let mut group = ProcessGroup::watching(std::process::id(), None).unwrap();
        let mut a = member(&group);
        group.kill_all();
        assert!(killed_within(&mut a, Duration::from_secs(5)));
        assert!(
            outsider.try_wait().unwrap().is_none(),
            "another group is not touched"
        );
        drop(outsider_group);
        assert!(killed_within(&mut outsider, Duration::from_secs(5)));
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("kafka-harness-test-{}", std::process::id()));
        std::fs::create_dir_all(d.join("inside")).unwrap();
        d
    }
}
